"""Conflicts the importer kept for the clerk: list them, keep the local row or take the incoming.

Taking the incoming record writes it as it arrived (its revision and origin included), so the
sender's next change, with a higher revision, applies normally afterwards. It is refused when
it would change whose a row is: a record or deletion whose origin differs from the row stored
under its UUID, a child hung under another origin's parent, this installation's own records,
or an origin its sender may not speak for (checked again now, ``core.packages.authority``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.identity.idcard import mask_id_number
from core.institution import local_institution
from core.packages.authority import resolution_refusal
from core.packages.format import PackageError
from core.packages.records import (
    LABELS,
    RecordError,
    decode_record,
    spec_by_name,
    tombstone_spec,
)
from core.packages.rows import MissingParent, RowWriter
from models.base import utcnow
from models.exchange import ExchangePackage, ImportConflict
from models.sync import Tombstone

KEPT_LOCAL = "kept_local"
TOOK_INCOMING = "took_incoming"


@dataclass(frozen=True)
class ConflictView:
    id: int
    entity: str
    label: str
    summary: str
    reason: str
    deletion: bool
    local_revision: int | None
    incoming_revision: int
    sender: str
    sequence: int
    received_at: datetime


def _summary(entity: str, record: dict[str, Any]) -> str:
    """A recognisable, masked description: never a full ID number."""
    if entity == "trainees":
        return f"{record.get('name', '')} {mask_id_number(str(record.get('id_number', '')))}"
    for key in ("name", "number", "module", "occupation", "industry_code"):
        value = record.get(key)
        if value:
            return str(value)
    return str(record.get("uuid", ""))[:8]


def open_conflicts(session: Session) -> list[ConflictView]:
    rows = session.execute(
        select(ImportConflict, ExchangePackage)
        .join(ExchangePackage, ExchangePackage.id == ImportConflict.package_id)
        .where(ImportConflict.resolution.is_(None))
        .order_by(ImportConflict.id)
    )
    return [
        ConflictView(
            id=conflict.id,
            entity=conflict.entity,
            label=LABELS.get(conflict.entity, conflict.entity),
            summary="删除" if conflict.deletion else _summary(conflict.entity, conflict.incoming),
            reason=conflict.reason,
            deletion=conflict.deletion,
            local_revision=conflict.local_revision,
            incoming_revision=conflict.incoming_revision,
            sender=package.sender_name,
            sequence=package.sequence,
            received_at=package.processed_at,
        )
        for conflict, package in rows
    ]


def _stored_origin(session: Session, entity: str, uuid: str) -> str | None:
    table = spec_by_name()[entity].table
    return session.scalar(select(table.c.origin).where(table.c.uuid == uuid))


def _refuse_other_origin(stored: str | None, incoming: str) -> None:
    if stored is not None and stored != incoming:
        raise PackageError(
            f"无法采用：该记录在本机构属于 {stored}，收到的记录来自 {incoming}，"
            "处理冲突不能改变记录的归属"
        )


def _refuse_foreign_parents(session: Session, entity: str, record: dict[str, Any]) -> None:
    for ref in spec_by_name()[entity].refs:
        assert ref.parent is not None
        if record[ref.name] is None:
            continue
        owner = _stored_origin(session, ref.parent, record[ref.name])
        if owner is not None and owner != record["origin"]:
            raise PackageError(
                f"无法采用：所属的{LABELS[ref.parent]}属于另一机构（{owner}），不能挂在其下"
            )


def _take_deletion(session: Session, conflict: ImportConflict) -> None:
    try:
        record = decode_record(tombstone_spec(), conflict.incoming)
    except RecordError as exc:
        raise PackageError(f"冲突记录已损坏：{exc}") from exc
    _refuse_other_origin(_stored_origin(session, conflict.entity, conflict.uuid), record["origin"])
    writer = RowWriter(session)
    writer.delete(spec_by_name()[conflict.entity], [conflict.uuid])
    session.execute(delete(Tombstone).where(Tombstone.uuid == conflict.uuid))
    writer.insert_tombstones([record])


def _take_record(session: Session, conflict: ImportConflict) -> None:
    spec = spec_by_name()[conflict.entity]
    try:
        record = decode_record(spec, conflict.incoming)
    except RecordError as exc:
        raise PackageError(f"冲突记录已损坏：{exc}") from exc
    stored = _stored_origin(session, conflict.entity, conflict.uuid)
    _refuse_other_origin(stored, record["origin"])
    _refuse_foreign_parents(session, conflict.entity, record)
    writer = RowWriter(session)
    try:
        with session.begin_nested():
            if stored is None:
                session.execute(delete(Tombstone).where(Tombstone.uuid == conflict.uuid))
                writer.insert(spec, [record])
            else:
                writer.update(spec, [record])
    except MissingParent as exc:
        raise PackageError(
            f"无法采用：所属的{LABELS[exc.table]}在本机构不存在，请先处理与之相关的冲突"
        ) from exc
    except IntegrityError as exc:
        raise PackageError(
            "无法采用：它与本地另一条记录重复（如同一学校的同一身份证号），请先处理那条记录"
        ) from exc


def resolve_conflict(session: Session, conflict_id: int, take_incoming: bool) -> ImportConflict:
    """Settle one conflict; the caller commits. Raises PackageError when it cannot be taken."""
    conflict = session.get(ImportConflict, conflict_id)
    if conflict is None:
        raise PackageError(f"没有编号为 {conflict_id} 的冲突")
    if conflict.resolution is not None:
        raise PackageError(f"冲突 {conflict_id} 已处理过")
    if take_incoming:
        receiver = local_institution(session)
        assert receiver is not None  # conflicts exist only where packages were imported
        if receiver.uuid == conflict.uuid or receiver.uscc == conflict.origin:
            raise PackageError("无法采用：这条记录是本机构自己的数据，只能在本机构修改")
        package = session.get(ExchangePackage, conflict.package_id)
        assert package is not None  # a foreign key
        refusal = resolution_refusal(session, receiver, package.sender_uscc, conflict.origin)
        if refusal is not None:
            raise PackageError(f"无法采用：{refusal}")
        if conflict.deletion:
            _take_deletion(session, conflict)
        else:
            _take_record(session, conflict)
    conflict.resolution = TOOK_INCOMING if take_incoming else KEPT_LOCAL
    conflict.resolved_at = utcnow()
    session.flush()
    return conflict
