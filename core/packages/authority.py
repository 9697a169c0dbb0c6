"""Who may send what: the trust model's rules about senders and origins, in one place.

The signature says who signed a package and ``core.packages.trust`` that the signer is the identity
its
key is bound to. This module says what that identity may speak for (docs/PACKAGE-FORMAT.md,
"谁可以发送什么"):

- a city bureau receives from the schools of its prefecture; a province from the schools and
  city bureaus of the province; a school receives no upward package;
- a school speaks only for its own records (origin = its code);
- a city bureau speaks for itself and for the schools of its prefecture that do not report to
  this receiver themselves (what it received and forwards); a school that does is heard only
  from itself, and what a city forwards of it is left out, with a notice;
- nobody speaks for the receiver itself, and no record may name an origin whose institution is
  unknown, or claim to be a bureau's school while its institution record says otherwise.

Anything outside the sender's authority refuses the whole package before planning, so a dry
run says so too. What a row already stored says about its own origin is the importer's part:
a row never changes origin (``core.packages.importer``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.institution import ROLE_LABELS
from core.packages.format import AUDIT_LOG, TOMBSTONES, PackageError, Sender
from core.packages.keys import SIGNING
from core.packages.records import LABELS
from core.packages.trust import same_city
from models.exchange import TrustedKey
from models.institution import Institution

if TYPE_CHECKING:  # the reader calls check_sender, so it cannot be imported here at run time
    from core.packages.reader import VerifiedPackage

#: receiver's role → the roles it accepts packages from
RECEIVES_FROM: dict[str, tuple[str, ...]] = {
    "school": (),
    "city": ("school",),
    "province": ("school", "city"),
}


def _same_province(a: str, b: str) -> bool:
    return a[:2] == b[:2]


def check_sender(receiver: Institution, sender: Sender) -> None:
    """Refuse a sender this receiver never hears from, whatever its key."""
    allowed = RECEIVES_FROM.get(receiver.role, ())
    if not allowed:
        raise PackageError("学校不接收数据包：数据包应导入市教育局或省教育厅的持证通")
    if sender.role not in allowed:
        accepted = "、".join(ROLE_LABELS[r] for r in allowed)
        raise PackageError(
            f"{sender.label}自称{ROLE_LABELS[sender.role]}，而{ROLE_LABELS[receiver.role]}只接收"
            f"{accepted}的数据包，已拒绝"
        )
    inside = (
        same_city(sender.division_code, receiver.division_code)
        if receiver.role == "city"
        else _same_province(sender.division_code, receiver.division_code)
    )
    if not inside:
        area = "本市" if receiver.role == "city" else "本省"
        raise PackageError(
            f"{sender.label}的行政区划（{sender.division_code}）不在{area}，"
            f"它的数据包不应报送给{receiver.name}，已拒绝"
        )


@dataclass(frozen=True)
class _Standing:
    """What is known of one origin's institution: stored here, and as the package says."""

    role: str
    division_code: str


def _origins(package: VerifiedPackage) -> dict[str, str]:
    """Every origin the package names → where it first appears (for the message)."""
    found: dict[str, str] = {}
    parts: list[tuple[str, list[dict[str, Any]]]] = [
        *package.records.items(),
        (TOMBSTONES, package.tombstones),
        (AUDIT_LOG, package.audit),
    ]
    for table, records in parts:
        for number, record in enumerate(records, start=1):
            found.setdefault(record["origin"], f"{LABELS[table]}部分第 {number} 行")
    return found


def _standings(
    session: Session, package: VerifiedPackage, origins: Iterable[str]
) -> dict[str, list[_Standing]]:
    wanted = sorted(set(origins))
    standings: dict[str, list[_Standing]] = defaultdict(list)
    for row in session.execute(
        select(Institution.uscc, Institution.role, Institution.division_code).where(
            Institution.uscc.in_(wanted)
        )
    ):
        standings[row.uscc].append(_Standing(row.role, row.division_code))
    for record in package.records.get("institutions", []):
        standings[record["origin"]].append(_Standing(record["role"], record["division_code"]))
    return standings


def _direct_senders(session: Session, origins: Iterable[str]) -> set[str]:
    return set(
        session.scalars(
            select(TrustedKey.uscc).where(
                TrustedKey.purpose == SIGNING, TrustedKey.uscc.in_(sorted(set(origins)))
            )
        )
    )


def _without(package: VerifiedPackage, origins: set[str]) -> VerifiedPackage:
    def keep(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in records if r["origin"] not in origins]

    return replace(
        package,
        records={table: keep(records) for table, records in package.records.items()},
        tombstones=keep(package.tombstones),
        audit=keep(package.audit),
    )


def _beyond(
    receiver: Institution,
    origin: str,
    standings: list[_Standing],
    *,
    sender_uscc: str,
    sender_role: str,
    sender_division: str,
) -> str | None:
    """Why the sender may not speak for ``origin`` (None when it may), direct senders aside."""
    if origin == receiver.uscc:
        return f"含有本机构（{receiver.name}）自己的记录，任何发送方都不能改写本机构的数据"
    if origin == sender_uscc:
        return None
    if sender_role != "city":
        return f"{ROLE_LABELS[sender_role]}只能报送本机构的记录，却含有来自 {origin} 的记录"
    if not standings:
        return f"含有 {origin} 的记录，但数据包和本机构都没有该机构的信息"
    for standing in standings:
        if standing.role != "school" or not same_city(standing.division_code, sender_division):
            return (
                f"市教育局只能转报本市的学校，而 {origin} 是"
                f"{ROLE_LABELS.get(standing.role, standing.role)}"
                f"（行政区划 {standing.division_code}）"
            )
    return None


def resolution_refusal(
    session: Session, receiver: Institution, sender_uscc: str, origin: str
) -> str | None:
    """Why a conflict kept from ``sender_uscc``'s package may not be taken now (None if it may).

    Checked again at resolution, against today's keys and institutions: a conflict kept by an
    older version, before these rules, may come from a sender that never had the authority.
    """
    key = session.scalar(
        select(TrustedKey).where(TrustedKey.uscc == sender_uscc, TrustedKey.purpose == SIGNING)
    )
    if key is None or key.role is None:
        return f"发送机构 {sender_uscc} 的身份未登记"
    standings = [
        _Standing(row.role, row.division_code)
        for row in session.execute(
            select(Institution.role, Institution.division_code).where(Institution.uscc == origin)
        )
    ]
    reason = _beyond(
        receiver,
        origin,
        standings,
        sender_uscc=sender_uscc,
        sender_role=key.role,
        sender_division=key.division_code or "",
    )
    if reason is None and origin != sender_uscc and _direct_senders(session, [origin]):
        reason = f"{origin} 直接向本机构报送，只能由它自己更新"
    return reason


def within_authority(
    session: Session, receiver: Institution, package: VerifiedPackage, notices: list[str]
) -> VerifiedPackage:
    """The package as far as its sender may speak; raises PackageError for anything beyond.

    Forwarded records of a school that reports here itself are dropped (with a notice), not
    refused: the city's package is genuine, the school simply speaks for itself here.
    """
    sender = package.manifest.sender
    origins = _origins(package)
    standings = _standings(session, package, origins)
    for standing in standings.get(sender.uscc, []):
        if standing.role != sender.role or not same_city(
            standing.division_code, sender.division_code
        ):
            raise PackageError(
                f"{sender.label}的机构记录写的是{ROLE_LABELS.get(standing.role, standing.role)}"
                f"（行政区划 {standing.division_code}），与其签名密钥登记的身份"
                f"{ROLE_LABELS[sender.role]}（{sender.division_code}）不符，已拒绝"
            )
    for origin, where in origins.items():
        reason = _beyond(
            receiver,
            origin,
            standings.get(origin, []),
            sender_uscc=sender.uscc,
            sender_role=sender.role,
            sender_division=sender.division_code,
        )
        if reason is not None:
            raise PackageError(f"{where}：{sender.label}的数据包{reason}，已拒绝")
    direct = _direct_senders(session, set(origins) - {sender.uscc})
    if direct:
        notices.append(
            f"{'、'.join(sorted(direct))} 直接向本机构报送数据，"
            f"{sender.name}转来的这些机构的记录未导入"
        )
        return _without(package, direct)
    return package
