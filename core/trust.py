"""Which other institutions' keys this installation trusts, and whom it encrypts packages to.

Trust is per 统一社会信用代码: the first signing key seen for a code (from its public key file,
or from its first package) is kept, and a different key for the same code is refused from then
on. The store is a table, so a bureau's clerks sharing one server database share it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.keys import ALGORITHMS, ENCRYPTION, SIGNING, KeyProblem, PublicIdentity, fingerprint
from core.settings import put_setting, setting
from core.uscc import check_uscc
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


def trusted_key(session: Session, uscc: str, purpose: str) -> TrustedKey | None:
    return session.scalar(
        select(TrustedKey).where(TrustedKey.uscc == uscc, TrustedKey.purpose == purpose)
    )


def trusted_keys(session: Session) -> list[TrustedKey]:
    return list(session.scalars(select(TrustedKey).order_by(TrustedKey.uscc, TrustedKey.purpose)))


def changed_key_message(name: str, uscc: str, known: TrustedKey, offered: bytes) -> str:
    return (
        f"{name}（{uscc}）的签名密钥与此前记录的不同：已记录的指纹 {known.fingerprint}，"
        f"此次的指纹 {fingerprint(offered)}。可能是伪造的，已拒绝；如对方确已重新生成密钥，"
        "请电话核对指纹后再处理"
    )


def is_known_sender(session: Session, uscc: str, name: str, signing_key: bytes) -> bool:
    """True for a known key, False for a first contact; raises KeyProblem for a changed key."""
    known = trusted_key(session, uscc, SIGNING)
    if known is None:
        return False
    if bytes.fromhex(known.public_key) != signing_key:
        raise KeyProblem(changed_key_message(name, uscc, known, signing_key))
    return True


def _add(
    session: Session, uscc: str, name: str, *, purpose: str, public_key: bytes, source: str
) -> TrustedKey:
    row = TrustedKey(
        uscc=uscc,
        purpose=purpose,
        institution_name=name,
        algorithm=ALGORITHMS[purpose],
        public_key=public_key.hex(),
        fingerprint=fingerprint(public_key),
        source=source,
    )
    session.add(row)
    return row


def trust_sender_on_first_use(session: Session, uscc: str, name: str, signing_key: bytes) -> None:
    if not is_known_sender(session, uscc, name, signing_key):
        _add(session, uscc, name, purpose=SIGNING, public_key=signing_key, source=SOURCE_PACKAGE)


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
    known = is_known_sender(session, identity.uscc, identity.name, identity.signing_key)
    if not known:
        _add(
            session,
            identity.uscc,
            identity.name,
            purpose=SIGNING,
            public_key=identity.signing_key,
            source=SOURCE_FILE,
        )
    if identity.encryption_key is not None:
        current = trusted_key(session, identity.uscc, ENCRYPTION)
        if current is None:
            _add(
                session,
                identity.uscc,
                identity.name,
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
        newly_trusted=not known,
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
