"""Reading the audit log, and recording the acts that are not row changes.

Row changes are recorded by ``models.audit_hook`` on every flush. What only the services know
about is recorded here with ``record_action``: a clerk revealing a full ID number, a file with
full numbers being exported (through ``application.full_numbers``, its one door), an import of
3,000 rows through bulk inserts, a restore. The detail text is masked before it is stored,
whatever the caller passes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session

from core.base.privacy import mask_personal_numbers
from core.classes import checks as classes
from core.classes import records as class_records
from core.trainees import certificates as certificate_records
from core.trainees import checks as trainees
from models.audit import AuditEntry, current_os_user
from models.audit_hook import ADDED, CHANGED, DELETED, current_host
from models.bookkeeping import local_origin
from models.database import Database

__all__ = [
    "ACTIONS",
    "ENTITY_LABELS",
    "AuditFilter",
    "AuditRow",
    "audit_origins",
    "audit_users",
    "describe_changes",
    "entity_key",
    "own_actions_since",
    "query_audit",
    "record_action",
]

REVEALED = "查看完整号码"
IMPORTED = "导入"
EXPORTED = "导出"
RESTORED = "恢复"
#: A bureau's key passphrase checked: wrong, and right again after wrong ones (a right one
#: after right ones says nothing new and is not recorded).
PASSPHRASE_WRONG = "口令错误"
PASSPHRASE_RIGHT = "口令正确"
ACTIONS = (
    ADDED,
    CHANGED,
    DELETED,
    REVEALED,
    IMPORTED,
    EXPORTED,
    RESTORED,
    PASSPHRASE_WRONG,
    PASSPHRASE_RIGHT,
)

#: Entities that are not tables: the database as a whole, a file written or read, this
#: installation's private keys.
DATABASE = "database"
FILE = "file"
KEYS = "keys"

ENTITY_LABELS = {
    "trainees": "学员",
    "certificates": "证书",
    "training_classes": "培训班",
    "plan_items": "教学计划",
    "enrolments": "培训班学员",
    "institutions": "机构",
    "offered_occupations": "可培训工种",
    "served_industries": "对接产业",
    DATABASE: "数据库",
    FILE: "文件",
    KEYS: "密钥",
}

_INSTITUTION_LABELS = {
    "name": "机构名称",
    "uscc": "统一社会信用代码",
    "category": "机构类别",
    "role": "角色",
    "division_code": "行政区划",
    "address": "地址",
    "admin_name": "超级管理员姓名",
    "admin_id_number": "超级管理员身份证号",
    "contact_name": "联系人",
    "contact_phone": "联系方式",
    "training_capacity": "培训规模",
    "annex1_unit": "附件1单位",
    "is_local": "本机构标记",
}
_ENROLMENT_LABELS = {
    "class_id": "培训班",
    "trainee_id": "学员",
    "voucher_issued": "已发培训券",
    "voucher_verified": "已核验培训券",
    "completed": "已结业",
    "completion_date": "结业日期",
}
_FIELD_LABELS: dict[str, dict[str, str]] = {
    "trainees": trainees.LABELS,
    "certificates": certificate_records.LABELS,
    "training_classes": classes.LABELS,
    "plan_items": {**class_records.PLAN_LABELS, "class_id": "培训班", "position": "顺序"},
    "enrolments": _ENROLMENT_LABELS,
    "institutions": _INSTITUTION_LABELS,
    "offered_occupations": {"name": "工种", "code": "工种编码", "position": "顺序"},
    "served_industries": {"industry_code": "产业", "position": "顺序"},
}


def entity_key(text: str) -> str:
    """Accept a table name or its Chinese label (``学员``) and return the table name."""
    for key, label in ENTITY_LABELS.items():
        if text in (key, label):
            return key
    return text


def field_label(entity: str, field: str) -> str:
    return _FIELD_LABELS.get(entity, {}).get(field, field)


def describe_changes(entity: str, changes: str) -> str:
    """``手机号：138****5678 → 139****1234；姓名`` from an entry's stored changes."""
    if not changes:
        return ""
    try:
        items = json.loads(changes)
    except ValueError:
        return mask_personal_numbers(changes)
    parts: list[str] = []
    for field, old, new in items:
        label = field_label(entity, field)
        if old is None and new is None:
            parts.append(label)
        else:
            parts.append(f"{label}：{old or '（空）'} → {new or '（空）'}")
    return "；".join(parts)


def _utc_naive(local: datetime) -> datetime:
    return local.astimezone(UTC).replace(tzinfo=None)


def _local(utc_naive: datetime) -> datetime:
    return utc_naive.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def record_action(
    session: Session, action: str, entity: str, uuid: str | None, detail: str = ""
) -> AuditEntry:
    """Add an entry for an act that is not a row change; the caller commits with its work.

    ``detail`` is masked before it is stored, so a caller may pass a file name or a message
    that happens to hold a number.
    """
    entry = AuditEntry(
        os_user=current_os_user(),
        host=current_host(),
        action=action,
        entity=entity,
        record_uuid=uuid,
        changes="",
        detail=mask_personal_numbers(detail)[:2000],
        origin=local_origin(session),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What to show: a local date range (inclusive), an entity, an action, a user, a text,
    and the institution an entry belongs to (its 统一社会信用代码: at a bureau, the log holds
    the entries its schools sent in their packages as well as its own)."""

    since: date | None = None
    until: date | None = None
    entity: str | None = None
    action: str | None = None
    user: str | None = None
    text: str | None = None
    origin: str | None = None


@dataclass(frozen=True)
class AuditRow:
    at: datetime  # local time
    os_user: str
    host: str
    action: str
    entity: str
    record_uuid: str | None
    changes: str  # readable, masked
    detail: str
    origin: str | None
    uuid: str

    @property
    def entity_label(self) -> str:
        return ENTITY_LABELS.get(self.entity, self.entity)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(sep=" ", timespec="seconds"),
            "user": self.os_user,
            "host": self.host,
            "action": self.action,
            "entity": self.entity,
            "entity_label": self.entity_label,
            "record_uuid": self.record_uuid,
            "changes": self.changes,
            "detail": self.detail,
            "origin": self.origin,
            "uuid": self.uuid,
        }


def query_audit(
    session: Session, where: AuditFilter = AuditFilter(), limit: int = 1000
) -> list[AuditRow]:
    """Entries matching ``where``, newest first, at most ``limit`` of them."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if where.since is not None:
        query = query.where(AuditEntry.at >= _utc_naive(datetime.combine(where.since, time())))
    if where.until is not None:
        end = datetime.combine(where.until + timedelta(days=1), time())
        query = query.where(AuditEntry.at < _utc_naive(end))
    if where.entity:
        query = query.where(AuditEntry.entity == entity_key(where.entity))
    if where.action:
        query = query.where(AuditEntry.action == where.action)
    if where.user:
        query = query.where(AuditEntry.os_user == where.user)
    if where.origin:
        query = query.where(AuditEntry.origin == where.origin)
    if where.text:
        pattern = f"%{where.text}%"
        query = query.where(
            or_(AuditEntry.detail.like(pattern), AuditEntry.record_uuid.like(pattern))
        )
    return [
        AuditRow(
            at=_local(entry.at),
            os_user=entry.os_user,
            host=entry.host,
            action=entry.action,
            entity=entry.entity,
            record_uuid=entry.record_uuid,
            changes=describe_changes(entry.entity, entry.changes),
            detail=entry.detail,
            origin=entry.origin,
            uuid=entry.uuid,
        )
        for entry in session.scalars(query)
    ]


def audit_users(session: Session) -> list[str]:
    """Every OS user who appears in the log, for the viewer's filter."""
    return sorted(session.scalars(select(distinct(AuditEntry.os_user))))


def audit_origins(session: Session) -> list[str]:
    """Every institution whose entries are in the log (at a bureau: itself and its schools)."""
    return sorted(
        session.scalars(select(distinct(AuditEntry.origin)).where(AuditEntry.origin.is_not(None)))
    )


def own_actions_since(session: Session, action: str, since: str) -> int:
    """How many of this installation's own ``action`` entries follow its latest ``since``
    entry (all of them if there is none). Entries that came in other institutions' packages
    have their own origin and are not counted."""
    own = AuditEntry.origin == local_origin(session)
    latest = select(func.max(AuditEntry.id)).where(AuditEntry.action == since, own)
    count = (
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == action,
            own,
            AuditEntry.id > func.coalesce(latest.scalar_subquery(), 0),
        )
    )
    return session.scalar(count) or 0


def record_event(
    database: Database, action: str, entity: str, detail: str, uuid: str | None = None
) -> None:
    """``record_action`` in a session of its own, for acts outside an ORM change: Core bulk
    writes, files written by reports, a clerk revealing a full number on screen."""
    with database.session() as session:
        record_action(session, action, entity, uuid, detail)
        session.commit()
