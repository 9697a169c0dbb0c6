"""Writes an audit entry for every synchronisable row the ORM adds, changes or deletes.

It listens after the flush, when new rows have their uuid and the attribute history still
shows what changed, and inserts the entries through the flush's own connection: they belong
to the same transaction as the change, so a rollback or a crash takes both. Bulk Core writes
(imports, package loads) do not pass through here; their services record one summary entry
with ``core.safety.audit.record_action``.

Personal numbers are masked before they are stored; other changed fields are named without
their values, so the log says *that* a name was corrected, not what it was.
"""

from __future__ import annotations

import json
import socket
from functools import cache
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from core.base.privacy import is_personal_number_field, mask_field_value
from models.audit import AuditEntry, current_os_user
from models.base import SyncMixin, new_uuid, utcnow

ADDED = "新增"
CHANGED = "修改"
DELETED = "删除"

#: Columns the bookkeeping maintains; a change to them alone is not a change by the clerk.
_BOOKKEEPING = frozenset({"id", "uuid", "revision", "origin", "updated_at"})


@cache
def current_host() -> str:
    return socket.gethostname()


def _user_columns(obj: SyncMixin) -> list[str]:
    # Computed columns (the ID/phone tails) are derived, and unloaded on a deleted row.
    return [
        a.key
        for a in inspect(obj).mapper.column_attrs
        if a.key not in _BOOKKEEPING and all(c.computed is None for c in a.columns)
    ]


def _personal(obj: SyncMixin, when: str) -> list[list[Any]]:
    """Masked personal numbers of a row being added (new value) or deleted (old value)."""
    changes: list[list[Any]] = []
    for key in _user_columns(obj):
        if not is_personal_number_field(key):
            continue
        value = mask_field_value(key, getattr(obj, key))
        if value:
            changes.append([key, None, value] if when == ADDED else [key, value, None])
    return changes


def _changed(obj: SyncMixin) -> list[list[Any]]:
    state = inspect(obj)
    changes: list[list[Any]] = []
    for key in _user_columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        if is_personal_number_field(key):
            changes.append([key, mask_field_value(key, old), mask_field_value(key, new)])
        else:
            changes.append([key, None, None])
    return changes


def record_label(obj: object) -> str:
    """How the entry names its row: a person by surname and masked ID, anything else by name.

    A row without a name of its own (a roster entry) is named by the trainee it links to, if
    that is already loaded; nothing is loaded for it in the middle of a flush.
    """
    id_number = getattr(obj, "id_number", None)
    if id_number is not None:
        name = str(getattr(obj, "name", "") or "")
        masked_name = name[:1] + "*" * max(len(name) - 1, 0)
        return f"{masked_name} {mask_field_value('id_number', id_number)}".strip()
    for attribute in ("name", "module", "industry_code"):
        value = getattr(obj, attribute, None)
        if value:
            return str(value)
    loaded = inspect(obj).dict
    return "，".join(
        record_label(loaded[key])
        for key in ("trainee", "training_class")
        if key in loaded and loaded[key] is not None
    )


def _entry(action: str, obj: SyncMixin, changes: list[list[Any]]) -> dict[str, Any]:
    return {
        "uuid": new_uuid(),
        "at": utcnow(),
        "os_user": current_os_user(),
        "host": current_host(),
        "action": action,
        "entity": obj.__tablename__,  # type: ignore[attr-defined]
        "record_uuid": obj.uuid,
        "changes": json.dumps(changes, ensure_ascii=False) if changes else "",
        "detail": record_label(obj),
        "origin": obj.origin,
    }


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, _context: object) -> None:
    entries: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, SyncMixin):
            entries.append(_entry(ADDED, obj, _personal(obj, ADDED)))
    for obj in session.dirty:
        if isinstance(obj, SyncMixin) and session.is_modified(obj, include_collections=False):
            changes = _changed(obj)
            if changes:
                entries.append(_entry(CHANGED, obj, changes))
    for obj in session.deleted:
        if isinstance(obj, SyncMixin):
            entries.append(_entry(DELETED, obj, _personal(obj, DELETED)))
    if entries:
        session.connection().execute(insert(AuditEntry), entries)
