"""Which other institutions' keys this installation trusts, and whom it encrypts packages to.

A trusted signing key is bound to one identity: a 统一社会信用代码, a role and a prefecture,
recorded when the clerk confirmed its fingerprint (from its public key file, or from its first
package, which is only imported when the clerk accepts it). From then on a different key for
that code, or another code, role or prefecture for that key, is refused: a school's key can
never speak as a bureau. What each role may then send is decided in ``core.packages.authority``.
The store is a table, so a bureau's clerks sharing one server database share it too.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity.uscc import check_uscc
from core.institution import ROLE_LABELS
from core.packages.keys import (
    ALGORITHMS,
    ENCRYPTION,
    SIGNING,
    KeyProblem,
    PublicIdentity,
    fingerprint,
)
from core.settings import put_setting, setting
from models.exchange import TrustedKey

SOURCE_FILE = "file"
SOURCE_PACKAGE = "package"
RECIPIENT_SETTING = "exchange.recipient_uscc"
#: Read by the Annex 3 report, which prints it small to tie the paper to the data.
FINGERPRINT_SETTING = "keys.signing_fingerprint"


def record_own_fingerprint(session: Session, signing_key: bytes) -> str:
    value = fingerprint(signing_key)
    put_setting(session, FINGERPRINT_SETTING, value)
    return value


class Claim(Protocol):
    """Who a package's manifest or a public key file says its signer is."""

    @property
    def uscc(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def division_code(self) -> str: ...
    @property
    def signing_key(self) -> bytes: ...


class _AnyKey:
    """Stands for "every new key": what ``sync import --accept-new`` confirms."""

    def __contains__(self, _fingerprint: object) -> bool:
        return True


#: Passed as the fingerprints a clerk accepted, accepts every first contact (CLI --accept-new).
ANY_NEW_KEY: Container[str] = _AnyKey()


def trusted_key(session: Session, uscc: str, purpose: str) -> TrustedKey | None:
    return session.scalar(
        select(TrustedKey).where(TrustedKey.uscc == uscc, TrustedKey.purpose == purpose)
    )


def trusted_keys(session: Session) -> list[TrustedKey]:
    return list(session.scalars(select(TrustedKey).order_by(TrustedKey.uscc, TrustedKey.purpose)))


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", "身份未登记")


def changed_key_message(name: str, uscc: str, known: TrustedKey, offered: bytes) -> str:
    return (
        f"{name}（{uscc}）的签名密钥与此前记录的不同：已记录的指纹 {known.fingerprint}，"
        f"此次的指纹 {fingerprint(offered)}。可能是伪造的，已拒绝；如对方确已重新生成密钥，"
        "请电话核对指纹后再处理"
    )


def same_city(a: str, b: str) -> bool:
    """Two 行政区划代码 in one prefecture (the first four digits), as a city bureau sees it."""
    return a[:4] == b[:4]


def check_claim(session: Session, claim: Claim) -> TrustedKey | None:
    """The record this signer is bound to, or None on first contact.

    Raises KeyProblem when the claim and the record disagree: another key for a known code,
    another role or prefecture for a known key, or a key already on record for another code.
    A key recorded before roles were (migration 0002) with no institution seen may still bind
    the school role, which speaks for nothing but itself; any other role needs its key file.
    """
    who = f"{claim.name}（{claim.uscc}）"
    known = trusted_key(session, claim.uscc, SIGNING)
    if known is None:
        other = session.scalar(
            select(TrustedKey).where(
                TrustedKey.purpose == SIGNING, TrustedKey.public_key == claim.signing_key.hex()
            )
        )
        if other is not None:
            raise KeyProblem(
                f"{who}使用的签名密钥已登记为{other.institution_name}（{other.uscc}）的密钥"
                f"（指纹 {other.fingerprint}）：同一密钥不能代表两个机构，已拒绝"
            )
        return None
    if bytes.fromhex(known.public_key) != claim.signing_key:
        raise KeyProblem(changed_key_message(claim.name, claim.uscc, known, claim.signing_key))
    if known.role is None:
        if claim.role != "school":
            raise KeyProblem(
                f"{who}的密钥是在记录身份之前信任的，此次自称{role_label(claim.role)}：请导入对方的"
                "公钥文件（keys trust FILE）并电话核对指纹，以确认其身份"
            )
    elif known.role != claim.role:
        raise KeyProblem(
            f"{who}的密钥已登记为{role_label(known.role)}，此次却自称{role_label(claim.role)}："
            "身份与记录不符，可能是伪造的，已拒绝"
        )
    if known.division_code and not same_city(known.division_code, claim.division_code):
        raise KeyProblem(
            f"{who}的行政区划已登记为 {known.division_code}，此次为 {claim.division_code}："
            "与记录不符，已拒绝"
        )
    return known


def _add(
    session: Session,
    claim: Claim,
    *,
    purpose: str,
    public_key: bytes,
    source: str,
) -> TrustedKey:
    row = TrustedKey(
        uscc=claim.uscc,
        purpose=purpose,
        institution_name=claim.name,
        algorithm=ALGORITHMS[purpose],
        public_key=public_key.hex(),
        fingerprint=fingerprint(public_key),
        source=source,
        role=claim.role,
        division_code=claim.division_code,
    )
    session.add(row)
    return row


def bind(session: Session, claim: Claim, source: str) -> bool:
    """Record the signer's key with its code, role and division; True if it was new.

    The caller has checked the claim (``check_claim``) and the clerk has confirmed it.
    """
    known = check_claim(session, claim)
    if known is None:
        _add(session, claim, purpose=SIGNING, public_key=claim.signing_key, source=source)
        return True
    if known.role is None:
        known.role = claim.role
        known.division_code = claim.division_code
    return False


@dataclass(frozen=True)
class TrustOutcome:
    identity: PublicIdentity
    newly_trusted: bool
    is_recipient: bool


def trust_identity(session: Session, identity: PublicIdentity, own_uscc: str) -> TrustOutcome:
    """Keep a verified public key file's keys; a bureau's becomes the one packages go to."""
    if identity.uscc == own_uscc:
        raise KeyProblem("这是本机构自己的公钥文件，无需导入")
    checked = check_uscc(identity.uscc)
    if not checked.ok:
        raise KeyProblem(f"公钥文件中的统一社会信用代码无效：{'；'.join(checked.errors)}")
    if identity.role not in ROLE_LABELS:
        raise KeyProblem(f"公钥文件中的身份“{identity.role[:20]}”无效")
    newly_trusted = bind(session, identity, SOURCE_FILE)
    if identity.encryption_key is not None:
        current = trusted_key(session, identity.uscc, ENCRYPTION)
        if current is None:
            _add(
                session,
                identity,
                purpose=ENCRYPTION,
                public_key=identity.encryption_key,
                source=SOURCE_FILE,
            )
        elif current.public_key != identity.encryption_key.hex():
            # Endorsed by the signing key checked above, so this is the bureau's own change.
            current.public_key = identity.encryption_key.hex()
            current.fingerprint = fingerprint(identity.encryption_key)
        put_setting(session, RECIPIENT_SETTING, identity.uscc)
    return TrustOutcome(
        identity=identity,
        newly_trusted=newly_trusted,
        is_recipient=identity.encryption_key is not None,
    )


@dataclass(frozen=True)
class Recipient:
    """The bureau this installation's packages are encrypted to."""

    uscc: str
    name: str
    public_key: bytes
    signing_fingerprint: str


def recipient(session: Session) -> Recipient | None:
    uscc = setting(session, RECIPIENT_SETTING)
    if uscc is None:
        return None
    key = trusted_key(session, uscc, ENCRYPTION)
    signer = trusted_key(session, uscc, SIGNING)
    if key is None or signer is None:
        return None
    return Recipient(
        uscc=uscc,
        name=key.institution_name,
        public_key=bytes.fromhex(key.public_key),
        signing_fingerprint=signer.fingerprint,
    )
