"""Import: a dry run that says what would change, then the same plan applied in one transaction.

Per record (the issue's rules): an unknown UUID is inserted; the same UUID with the same
content changes nothing, so a package imported twice changes nothing; a higher revision from
the same origin updates; anything else is a conflict, kept in ``import_conflicts`` for the
clerk, never a silent overwrite. A record that would collide with another local row on a
natural key (the same ID number twice for one school, the same certificate number…) or whose
parent is missing is a conflict too, so the transaction never fails half-way on a constraint.

Before any of that, the package is cut to what its sender may speak for
(``core.packages.authority``) and a row never changes origin: a record whose UUID is stored
under another origin, a child whose parent belongs to another origin, a deletion of another
origin's row, are conflicts the clerk sees, and taking them is refused. A tombstone only ever
stands for a row of its own origin, so one naming a UUID that turns out to be another origin's
suppresses nothing.

Per sender, packages form a chain by the highest sequence imported: an incremental package
must follow it (otherwise 缺少第N号数据包), a full package above it starts a new baseline, and
an older package never rewinds it. A sender seen for the first time is imported only when the
clerk accepted its fingerprint (``accept_new``); a dry run shows it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core.base.privacy import mask_personal_numbers
from core.base.progress import ProgressFn, no_progress
from core.institution import local_institution
from core.packages.authority import within_authority
from core.packages.format import (
    AUDIT_LOG,
    DEFAULT_LIMITS,
    FULL,
    Limits,
    Manifest,
    PackageError,
    Sender,
)
from core.packages.keys import LocalKeys
from core.packages.reader import VerifiedPackage, read_package
from core.packages.records import (
    LABELS,
    TableSpec,
    audit_spec,
    encode_record,
    record_select,
    same_content,
    spec_by_name,
    table_specs,
    tombstone_spec,
)
from core.packages.rows import BATCH, RowWriter, chunks
from core.packages.trust import SOURCE_PACKAGE, bind
from models.audit import AuditEntry
from models.base import utcnow
from models.database import Database
from models.exchange import RECEIVED, ExchangePackage, ImportConflict
from models.sync import Tombstone

IMPORTED = "imported"
DRY_RUN = "dry_run"
DUPLICATE = "duplicate"


@dataclass
class TableCounts:
    new: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    conflicts: int = 0

    def add(self, other: TableCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.deleted += other.deleted
        self.unchanged += other.unchanged
        self.conflicts += other.conflicts

    def as_dict(self) -> dict[str, int]:
        return {
            "new": self.new,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
        }


def _sum(by_table: dict[str, TableCounts]) -> TableCounts:
    total = TableCounts()
    for counts in by_table.values():
        total.add(counts)
    return total


@dataclass(frozen=True)
class Conflict:
    entity: str
    uuid: str
    origin: str
    reason: str
    local_revision: int | None
    incoming_revision: int
    deletion: bool
    incoming: dict[str, Any]


@dataclass
class ImportPlan:
    """What importing a verified package would do; nothing has been written yet."""

    package: VerifiedPackage
    duplicate_of: ExchangePackage | None = None
    notices: list[str] = field(default_factory=list)
    counts: dict[str, TableCounts] = field(default_factory=dict)
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    deletes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    new_tombstones: list[dict[str, Any]] = field(default_factory=list)
    #: stored tombstones of another origin than the record now arriving under their UUID
    void_tombstones: set[str] = field(default_factory=set)
    conflicts: list[Conflict] = field(default_factory=list)
    audit_inserts: list[dict[str, Any]] = field(default_factory=list)

    def total(self) -> TableCounts:
        return _sum(self.counts)


@dataclass(frozen=True)
class ImportOutcome:
    path: Path
    manifest: Manifest
    status: str  # IMPORTED | DRY_RUN | DUPLICATE
    counts: dict[str, TableCounts]
    notices: tuple[str, ...]
    duplicate_imported_at: str | None = None
    #: the sender's key is not trusted yet: importing needs its fingerprint confirmed
    first_contact: bool = False

    def total(self) -> TableCounts:
        return _sum(self.counts)


def _number_list(numbers: range) -> str:
    if len(numbers) == 1:
        return f"第{numbers[0]}号"
    return f"第{numbers[0]}号至第{numbers[-1]}号"


def highest_received(session: Session, sender: str) -> int:
    """The chain's end for one sender: the highest sequence imported, 0 before the first."""
    highest = session.scalar(
        select(func.max(ExchangePackage.sequence)).where(
            ExchangePackage.direction == RECEIVED, ExchangePackage.sender_uscc == sender
        )
    )
    return highest or 0


def _check_sequence(session: Session, manifest: Manifest, notices: list[str]) -> None:
    sender = manifest.sender
    done = highest_received(session, sender.uscc)
    if manifest.kind == FULL:
        if manifest.sequence <= done:
            notices.append(
                f"这个完整数据包是第{manifest.sequence}号，不大于已导入的第{done}号："
                "若对方没有从备份恢复数据，它可能是一份过期的数据包；与本地不一致的记录将作为冲突保留，"
                "不会覆盖本地数据"
            )
        return
    follows = manifest.follows or 0
    if follows > done:
        raise PackageError(
            f"缺少{_number_list(range(done + 1, follows + 1))}数据包：第{manifest.sequence}号"
            f"增量数据包接续的是第{follows}号。请先导入缺少的数据包，或请{sender.name}重新导出"
            "完整数据包"
        )
    if follows < done:
        raise PackageError(
            f"第{manifest.sequence}号数据包接续的是第{follows}号，而本机构已导入到第{done}号："
            "它的内容已包含在后来的数据包中，无需导入"
        )


def first_contact_notice(sender: Sender) -> str:
    return (
        f"首次收到{sender.label}的数据包，其签名密钥指纹为 {sender.fingerprint}。"
        "请与对方申请报告（附件3）末页印的指纹核对，或电话核对；"
        "确认后才导入，此后只接受该密钥以该身份签名的数据包"
    )


def _notices_about_sender(package: VerifiedPackage, notices: list[str]) -> None:
    if package.first_contact:
        notices.append(first_contact_notice(package.manifest.sender))
    if package.manifest.sealing is None:
        notices.append("该数据包未加密（发送方明确选择了不加密）")


def other_origin(origin: str) -> str:
    return f"该记录在本地属于另一机构（{origin}），导入不会改变记录的归属"


def other_deletion(origin: str) -> str:
    return f"本地已有另一机构（{origin}）对同一记录的删除记录"


class _Planner:
    """Classifies every incoming record against the local database, reading only."""

    def __init__(self, session: Session, plan: ImportPlan) -> None:
        self.session = session
        self.plan = plan
        self.package = plan.package
        #: parent table → UUID → origin, of rows that will exist after the import
        self.present: dict[str, dict[str, str]] = defaultdict(dict)

    def counts(self, table: str) -> TableCounts:
        return self.plan.counts.setdefault(table, TableCounts())

    def conflict(
        self,
        spec: TableSpec,
        record: dict[str, Any],
        reason: str,
        local_revision: int | None,
        deletion: bool = False,
    ) -> None:
        entity = record["entity"] if deletion else spec.name
        self.counts(entity).conflicts += 1
        self.plan.conflicts.append(
            Conflict(
                entity=entity,
                uuid=record["uuid"],
                origin=record["origin"],
                reason=reason,
                local_revision=local_revision,
                incoming_revision=record["revision"],
                deletion=deletion,
                incoming=encode_record(spec, record),
            )
        )

    def local_rows(self, spec: TableSpec, uuids: Iterable[str]) -> dict[str, dict[str, Any]]:
        statement = record_select(spec)
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunks(list(uuids)):
            rows = self.session.execute(statement.where(spec.table.c.uuid.in_(chunk)))
            found.update({row.uuid: dict(row._mapping) for row in rows})
        return found

    def local_tombstones(self, uuids: Iterable[str]) -> dict[str, tuple[str, str, int]]:
        """UUID → (entity, origin, revision) of the deletions stored here."""
        table = Tombstone.__table__
        found: dict[str, tuple[str, str, int]] = {}
        for chunk in chunks(list(uuids)):
            rows = self.session.execute(
                select(table.c.uuid, table.c.entity, table.c.origin, table.c.revision).where(
                    table.c.uuid.in_(chunk)
                )
            )
            found.update({row.uuid: (row.entity, row.origin, row.revision) for row in rows})
        return found

    def existing(self, table: str, uuids: set[str]) -> dict[str, str]:
        """UUID → origin of the rows of ``table`` stored here among ``uuids``."""
        columns = spec_by_name()[table].table.c
        found: dict[str, str] = {}
        for chunk in chunks(sorted(uuids)):
            rows = self.session.execute(
                select(columns.uuid, columns.origin).where(columns.uuid.in_(chunk))
            )
            found.update({row.uuid: row.origin for row in rows})
        return found

    def plan_deletions(self) -> None:
        by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in self.package.tombstones:
            by_entity[record["entity"]].append(record)
        known = self.local_tombstones(r["uuid"] for r in self.package.tombstones)
        spec = tombstone_spec()
        for entity, records in by_entity.items():
            local = self.local_rows(spec_by_name()[entity], (r["uuid"] for r in records))
            counts = self.counts(entity)
            for record in records:
                row = local.get(record["uuid"])
                stored = known.get(record["uuid"])
                if stored is not None and stored[1] != record["origin"]:
                    self.conflict(spec, record, other_deletion(stored[1]), None, True)
                elif stored is not None:
                    counts.unchanged += 1
                elif row is None:
                    counts.unchanged += 1  # never had it: keep the tombstone to pass it on
                    self.plan.new_tombstones.append(record)
                elif row["origin"] != record["origin"]:
                    self.conflict(spec, record, other_origin(row["origin"]), None, True)
                elif row["revision"] >= record["revision"]:
                    self.conflict(
                        spec,
                        record,
                        f"对方删除的是修订号 {record['revision'] - 1} 的版本，"
                        f"本地已是修订号 {row['revision']}",
                        row["revision"],
                        True,
                    )
                else:
                    counts.deleted += 1
                    self.plan.deletes[entity].add(record["uuid"])
                    self.plan.new_tombstones.append(record)

    def key_owners(
        self, spec: TableSpec, key: tuple[str, ...], candidates: list[dict[str, Any]]
    ) -> dict[tuple[Any, ...], str]:
        """Local rows (not being deleted) that hold any of the candidates' values of ``key``."""
        values = {r[key[-1]] for r in candidates if r[key[-1]] is not None}
        statement = record_select(spec)
        column = statement.selected_columns[key[-1]]
        deleted = self.plan.deletes.get(spec.name, set())
        owners: dict[tuple[Any, ...], str] = {}
        for chunk in chunks(sorted(values)):
            for row in self.session.execute(statement.where(column.in_(chunk))):
                if row.uuid not in deleted:
                    owners[tuple(getattr(row, name) for name in key)] = row.uuid
        return owners

    def missing_parent(self, spec: TableSpec, record: dict[str, Any]) -> str | None:
        for ref in spec.refs:
            assert ref.parent is not None
            parent = record[ref.name]
            if parent is None:
                continue
            if parent in self.plan.deletes.get(ref.parent, set()):
                return f"所属的{LABELS[ref.parent]}已被删除"
            owner = self.present[ref.parent].get(parent)
            if owner is None:
                return f"所属的{LABELS[ref.parent]}（{parent}）不存在"
            if owner != record["origin"]:
                return f"所属的{LABELS[ref.parent]}属于另一机构（{owner}），不能挂在其下"
        return None

    def plan_audit(self) -> None:
        """Audit entries are append-only: one whose uuid is already here is skipped, never
        compared or updated, so they can neither conflict nor duplicate."""
        records = self.package.audit
        if not records:
            return
        counts = self.counts(AUDIT_LOG)
        column = AuditEntry.__table__.c.uuid
        present: set[str] = set()
        for chunk in chunks(sorted(r["uuid"] for r in records)):
            present.update(self.session.scalars(select(column).where(column.in_(chunk))))
        for record in records:
            if record["uuid"] in present:
                counts.unchanged += 1
            else:
                counts.new += 1
                self.plan.audit_inserts.append(record)

    def plan_table(self, spec: TableSpec) -> None:
        records = self.package.records.get(spec.name, [])
        counts = self.counts(spec.name)
        local = self.local_rows(spec, (r["uuid"] for r in records))
        tombstoned = self.local_tombstones(r["uuid"] for r in records if r["uuid"] not in local)
        self.load_parents(spec, records)
        candidates: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        for record in records:
            row = local.get(record["uuid"])
            if row is None:
                gone = tombstoned.get(record["uuid"])
                if gone is not None and (gone[0], gone[1]) != (spec.name, record["origin"]):
                    # Another origin's deletion stands for nothing of this record's origin.
                    self.plan.void_tombstones.add(record["uuid"])
                    gone = None
                if gone is None:
                    candidates.append((record, None))
                elif record["revision"] < gone[2]:
                    counts.unchanged += 1  # an older copy of a row deleted since
                else:
                    self.conflict(spec, record, "该记录在本地已被删除", gone[2])
            elif row["origin"] != record["origin"]:
                self.conflict(spec, record, other_origin(row["origin"]), row["revision"])
            elif same_content(spec, row, record):
                counts.unchanged += 1
                self.present[spec.name][record["uuid"]] = row["origin"]
            elif record["revision"] > row["revision"]:
                candidates.append((record, row))
            elif record["revision"] == row["revision"]:
                self.conflict(spec, record, "修订号相同但内容不同", row["revision"])
            else:
                self.conflict(
                    spec,
                    record,
                    f"收到的是较旧的版本（修订号 {record['revision']}，本地 {row['revision']}）",
                    row["revision"],
                )
        owners = {
            key: self.key_owners(spec, key, [c for c, _ in candidates]) for key in spec.unique_keys
        }
        for record, row in candidates:
            local_revision = None if row is None else row["revision"]
            reason = self.missing_parent(spec, record)
            if reason is None:
                reason = self.claim_keys(spec, record, owners)
            if reason is not None:
                self.conflict(spec, record, reason, local_revision)
                continue
            self.present[spec.name][record["uuid"]] = record["origin"]
            if row is None:
                counts.new += 1
                self.plan.inserts[spec.name].append(record)
            else:
                counts.updated += 1
                self.plan.updates[spec.name].append(record)

    def claim_keys(
        self,
        spec: TableSpec,
        record: dict[str, Any],
        owners: dict[tuple[str, ...], dict[tuple[Any, ...], str]],
    ) -> str | None:
        claimed = []
        for key, owned in owners.items():
            value = tuple(record[name] for name in key)
            if None in value:
                continue
            holder = owned.get(value)
            if holder is not None and holder != record["uuid"]:
                return f"与已有的另一条记录重复（{'、'.join(key)}）"
            claimed.append((owned, value))
        for owned, value in claimed:
            owned[value] = record["uuid"]
        return None

    def load_parents(self, spec: TableSpec, records: list[dict[str, Any]]) -> None:
        for ref in spec.refs:
            assert ref.parent is not None
            wanted = {r[ref.name] for r in records if r[ref.name] is not None}
            unknown = wanted - self.present[ref.parent].keys()
            deleted = self.plan.deletes.get(ref.parent, set())
            found = self.existing(ref.parent, unknown)
            self.present[ref.parent].update(
                {uuid: origin for uuid, origin in found.items() if uuid not in deleted}
            )


def plan_import(session: Session, package: VerifiedPackage) -> ImportPlan:
    """Read-only: classify every record and check the sequence; raises PackageError to refuse."""
    plan = ImportPlan(package=package)
    manifest = package.manifest
    plan.duplicate_of = session.scalar(
        select(ExchangePackage).where(
            ExchangePackage.package_id == manifest.package_id,
            ExchangePackage.direction == RECEIVED,
        )
    )
    if plan.duplicate_of is not None:
        return plan
    receiver = local_institution(session)
    assert receiver is not None  # read_package refused an unregistered receiver
    plan.package = package = within_authority(session, receiver, package, plan.notices)
    _check_sequence(session, manifest, plan.notices)
    _notices_about_sender(package, plan.notices)
    planner = _Planner(session, plan)
    planner.plan_deletions()
    for spec in table_specs():
        planner.plan_table(spec)
    planner.plan_audit()
    if plan.void_tombstones:
        plan.notices.append(
            f"此前收到的 {len(plan.void_tombstones)} 条删除记录指向的是另一机构的记录，"
            "不能删除它们，已作废（可能有人伪造删除记录，可运行 sync audit-origins 检查）"
        )
    return plan


class _Writer:
    """Applies a plan: deletions, then every table parents first, then the conflicts."""

    def __init__(self, session: Session, plan: ImportPlan, progress: ProgressFn) -> None:
        self.session = session
        self.plan = plan
        self.progress = progress
        self.rows = RowWriter(session)

    def conflicts(self, log: ExchangePackage) -> None:
        uuids = sorted({c.uuid for c in self.plan.conflicts})
        open_before: set[tuple[str, int, bool]] = set()
        for chunk in chunks(uuids):
            rows = self.session.execute(
                select(
                    ImportConflict.uuid, ImportConflict.incoming_revision, ImportConflict.deletion
                ).where(ImportConflict.uuid.in_(chunk), ImportConflict.resolution.is_(None))
            )
            open_before.update((r.uuid, r.incoming_revision, r.deletion) for r in rows)
        rows_to_add = [
            {
                "package_id": log.id,
                "entity": c.entity,
                "uuid": c.uuid,
                "origin": c.origin,
                "reason": c.reason,
                "local_revision": c.local_revision,
                "incoming_revision": c.incoming_revision,
                "deletion": c.deletion,
                "incoming": c.incoming,
            }
            for c in self.plan.conflicts
            if (c.uuid, c.incoming_revision, c.deletion) not in open_before
        ]
        for chunk in chunks(rows_to_add, BATCH):
            self.session.execute(insert(ImportConflict), chunk)

    def run(self) -> ExchangePackage:
        package = self.plan.package
        manifest = package.manifest
        log = ExchangePackage(
            package_id=manifest.package_id,
            direction=RECEIVED,
            sender_uscc=manifest.sender.uscc,
            sender_name=manifest.sender.name,
            recipient_uscc=None if manifest.sealing is None else manifest.sealing.recipient_uscc,
            kind=manifest.kind,
            sequence=manifest.sequence,
            follows=manifest.follows,
            created_at=manifest.created_at,
            processed_at=utcnow(),
            file_name=package.path.name[:200],
            file_sha256=package.file_sha256,
            encrypted=manifest.sealing is not None,
            record_counts=manifest.record_counts,
            result_counts={t: c.as_dict() for t, c in self.plan.counts.items()},
        )
        self.session.add(log)
        self.session.flush()
        bind(self.session, manifest.sender, SOURCE_PACKAGE)
        specs = table_specs()
        self.progress(0, len(specs) + 1, "正在删除对方已删除的记录…")
        for spec in reversed(specs):
            self.rows.delete(spec, list(self.plan.deletes.get(spec.name, ())))
        for chunk in chunks(sorted(self.plan.void_tombstones)):
            self.session.execute(delete(Tombstone).where(Tombstone.uuid.in_(chunk)))
        self.rows.insert_tombstones(self.plan.new_tombstones)
        for index, spec in enumerate(specs, start=1):
            self.progress(index, len(specs) + 1, f"正在写入{spec.label}…")
            self.rows.insert(spec, self.plan.inserts.get(spec.name, []))
            self.rows.update(spec, self.plan.updates.get(spec.name, []))
        self.conflicts(log)
        self.audit_entries()
        self.session.flush()
        return log

    def audit_entries(self) -> None:
        """Core inserts, so the receiver's audit hook (ORM flushes of synchronised rows) does
        not see them. Each entry keeps its origin; its texts are masked again, whatever the
        sender wrote, as ``core.safety.audit.record_action`` does for local entries."""
        columns = [f.column for f in audit_spec().fields]
        rows = [
            {
                **{c: r[c] for c in columns},
                "detail": mask_personal_numbers(r["detail"])[:2000],
                "changes": mask_personal_numbers(r["changes"]),
            }
            for r in self.plan.audit_inserts
        ]
        for chunk in chunks(rows, BATCH):
            self.session.execute(insert(AuditEntry.__table__), chunk)


def apply_plan(session: Session, plan: ImportPlan, progress: ProgressFn = no_progress) -> None:
    """Write what ``plan_import`` decided; the caller commits (or rolls back) the transaction."""
    _Writer(session, plan, progress).run()


def _outcome(plan: ImportPlan, status: str) -> ImportOutcome:
    package = plan.package
    return ImportOutcome(
        path=package.path,
        manifest=package.manifest,
        status=status,
        counts=dict(plan.counts),
        notices=tuple(plan.notices),
        duplicate_imported_at=None
        if plan.duplicate_of is None
        else f"{plan.duplicate_of.processed_at:%Y-%m-%d %H:%M} UTC",
        first_contact=package.first_contact,
    )


def import_package(
    database: Database,
    path: Path,
    keys: LocalKeys,
    *,
    dry_run: bool = False,
    accept_new: Container[str] = frozenset(),
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressFn = no_progress,
) -> ImportOutcome:
    """Verify, plan and (unless ``dry_run`` or already imported) apply, all in one transaction.

    ``accept_new`` holds the fingerprints of first-contact senders the clerk confirmed
    (``core.packages.trust.ANY_NEW_KEY`` for all); any other first contact is refused, but shown by
    a
    dry run.
    """
    with database.session() as session:
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            # The plan must still hold when it is applied, whoever else imports meanwhile.
            session.connection(execution_options={"isolation_level": "SERIALIZABLE"})
        package = read_package(path, session, keys, limits=limits, progress=progress)
        plan = plan_import(session, package)
        if plan.duplicate_of is not None:
            return _outcome(plan, DUPLICATE)
        if dry_run:
            session.rollback()
            return _outcome(plan, DRY_RUN)
        sender = package.manifest.sender
        if package.first_contact and sender.fingerprint not in accept_new:
            raise PackageError(
                f"{first_contact_notice(sender)}。尚未确认，未导入：核对无误后请先导入对方的"
                "公钥文件（keys trust FILE），或导入时确认接受新的发送机构（--accept-new）"
            )
        try:
            apply_plan(session, plan, progress)
            session.commit()
        except (OperationalError, IntegrityError) as exc:
            session.rollback()
            raise PackageError(
                "写入数据库失败，未做任何改动（可能有其他人同时在修改数据库，请稍后重试）："
                f"{mask_personal_numbers(str(getattr(exc.orig, 'args', [''])[0]))}"
            ) from exc
    return _outcome(plan, IMPORTED)
