"""Was this bureau affected by packages the 0.1 trust model let through? (``sync audit-origins``)

Before the trust model (issue 13) a school could sign a package claiming a bureau's role and
write any institution's rows, plant deletions for UUIDs it did not own, and have a conflict
resolution move a row from one school to another. The importer now refuses all of that; this
check looks at what an earlier import may have left, from what the database itself records:

- rows of an origin that no sender trusted here may speak for (``core.packages.authority``);
- this bureau's own rows changed more often than its own audit log records (only an import
  could have done that: local edits always leave an entry, ``models/audit_hook.py``);
- institutions whose recorded role or place this receiver would not accept today;
- keys that stand for two codes, or whose identity was never recorded;
- conflicts that an older version let the clerk resolve across origins;
- deletions of one origin naming a row of another.

It only reads. Each finding says what to do: usually, ask the school concerned for a full
package (``sync export --full``), which the importer now applies under the new rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.institution import ROLE_LABELS
from core.packages.authority import RECEIVES_FROM
from core.packages.keys import SIGNING
from core.packages.records import LABELS, table_specs
from core.packages.trust import same_city
from models.audit import AuditEntry
from models.exchange import ImportConflict, TrustedKey
from models.institution import Institution
from models.sync import Tombstone

#: The reasons version 0.1 gave a conflict across origins, which it let the clerk take.
LEGACY_ORIGIN_REASONS = ("与本地同一记录的来源机构不同", "删除记录与本地记录的来源机构不同")
_CHANGED = "修改"


@dataclass(frozen=True)
class Finding:
    kind: str  # "unauthorised_origin" | "own_rows_changed" | "institution" | "key" | …
    origin: str | None
    count: int
    message: str


def _inside(receiver: Institution, division: str) -> bool:
    if receiver.role == "city":
        return same_city(division, receiver.division_code)
    return division[:2] == receiver.division_code[:2]


class _Auditor:
    def __init__(self, session: Session, receiver: Institution) -> None:
        self.session = session
        self.receiver = receiver
        self.findings: list[Finding] = []
        self.keys = {
            key.uscc: key
            for key in session.scalars(select(TrustedKey).where(TrustedKey.purpose == SIGNING))
        }
        self.institutions = {
            row.uscc: row
            for row in session.scalars(select(Institution).where(Institution.is_local.is_(False)))
        }

    def add(self, kind: str, origin: str | None, count: int, message: str) -> None:
        self.findings.append(Finding(kind, origin, count, message))

    def name(self, origin: str) -> str:
        row = self.institutions.get(origin)
        return f"{row.name}（{origin}）" if row is not None else origin

    def speaker_for(self, origin: str) -> bool:
        """Whether a sender trusted here may speak for ``origin`` under today's rules."""
        key = self.keys.get(origin)
        allowed = RECEIVES_FROM.get(self.receiver.role, ())
        if key is not None and key.role in allowed:  # a sender speaking for itself
            return _inside(self.receiver, key.division_code or "")
        row = self.institutions.get(origin)
        if row is None or row.role != "school" or "city" not in allowed:
            return False
        return any(
            k.role == "city" and same_city(k.division_code or "", row.division_code)
            for k in self.keys.values()
        )

    def origins(self) -> None:
        counts: dict[str, int] = defaultdict(int)
        for spec in table_specs():
            column = spec.table.c.origin
            for origin, number in self.session.execute(
                select(column, func.count()).where(column != self.receiver.uscc).group_by(column)
            ):
                counts[origin] += number
        for origin, number in sorted(counts.items()):
            if not self.speaker_for(origin):
                self.add(
                    "unauthorised_origin",
                    origin,
                    number,
                    f"{self.name(origin)}的 {number} 条记录：本机构信任的发送机构中，"
                    "没有可以为它报送"
                    "的。它们可能是冒充的发送方写入的；请核对，并请该机构报送完整数据包",
                )

    def own_rows(self) -> None:
        """Own rows whose revision is ahead of the local audit log: changed by an import."""
        logged = dict(
            self.session.execute(
                select(AuditEntry.record_uuid, func.count())
                .where(AuditEntry.action == _CHANGED, AuditEntry.record_uuid.is_not(None))
                .group_by(AuditEntry.record_uuid)
            ).all()
        )
        for spec in table_specs():
            table = spec.table
            rows = self.session.execute(
                select(table.c.uuid, table.c.revision).where(table.c.origin == self.receiver.uscc)
            )
            changed = sum(1 for row in rows if row.revision > logged.get(row.uuid, 0) + 1)
            if changed:
                self.add(
                    "own_rows_changed",
                    self.receiver.uscc,
                    changed,
                    f"本机构自己的{LABELS[spec.name]}有 {changed} 条的修改没有本地操作记录："
                    "可能被导入的数据包改写过，请在本机构页面核对",
                )

    def institutions_in_place(self) -> None:
        allowed = RECEIVES_FROM.get(self.receiver.role, ())
        for row in self.institutions.values():
            key = self.keys.get(row.uscc)
            problems = []
            if row.role not in allowed:
                problems.append(f"登记为{ROLE_LABELS.get(row.role, row.role)}，本机构不接收")
            elif not _inside(self.receiver, row.division_code):
                problems.append(f"行政区划 {row.division_code} 不在本机构辖区")
            if key is not None and key.role is not None and key.role != row.role:
                problems.append(
                    f"机构信息写的是{ROLE_LABELS.get(row.role, row.role)}，"
                    f"密钥登记的是{ROLE_LABELS.get(key.role, key.role)}"
                )
            if problems:
                self.add(
                    "institution", row.uscc, 1, f"{self.name(row.uscc)}：{'；'.join(problems)}"
                )

    def key_identities(self) -> None:
        by_key: dict[str, list[TrustedKey]] = defaultdict(list)
        for key in self.keys.values():
            by_key[key.public_key].append(key)
            if key.role is None:
                self.add(
                    "key",
                    key.uscc,
                    1,
                    f"{key.institution_name}（{key.uscc}）的密钥没有登记身份："
                    "请导入其公钥文件（keys trust FILE）并电话核对指纹",
                )
        for keys in by_key.values():
            if len(keys) > 1:
                names = "、".join(f"{k.institution_name}（{k.uscc}）" for k in keys)
                self.add(
                    "key",
                    None,
                    len(keys),
                    f"同一签名密钥（指纹 {keys[0].fingerprint}）登记为多个机构：{names}："
                    "其中至少一个是冒充的",
                )

    def resolutions(self) -> None:
        rows = self.session.execute(
            select(ImportConflict.id, ImportConflict.origin, ImportConflict.entity).where(
                ImportConflict.resolution == "took_incoming",
                ImportConflict.reason.in_(LEGACY_ORIGIN_REASONS),
            )
        )
        for conflict_id, origin, entity in rows:
            self.add(
                "resolution",
                origin,
                1,
                f"冲突 {conflict_id}：旧版本采用了来自 {self.name(origin)} 的"
                f"{LABELS.get(entity, entity)}"
                "记录，而它在本机构原属另一机构：该记录的归属可能被改变",
            )

    def tombstones(self) -> None:
        for spec in table_specs():
            table = spec.table
            number = self.session.scalar(
                select(func.count())
                .select_from(Tombstone)
                .join(table, table.c.uuid == Tombstone.uuid)
                .where(Tombstone.origin != table.c.origin)
            )
            if number:
                self.add(
                    "tombstone",
                    None,
                    number,
                    f"{number} 条删除记录指向的是另一机构的{LABELS[spec.name]}："
                    "可能是伪造的删除记录",
                )


def audit_origins(session: Session, receiver: Institution) -> list[Finding]:
    """Everything suspicious an earlier import may have left; an empty list means none."""
    auditor = _Auditor(session, receiver)
    auditor.origins()
    auditor.own_rows()
    auditor.institutions_in_place()
    auditor.key_identities()
    auditor.resolutions()
    auditor.tombstones()
    return auditor.findings
