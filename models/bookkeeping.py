"""Keeps revision, origin, updated-at and tombstones right on every ORM flush.

Doing it in one session event means no form, dialog or command can forget it; bulk Core
inserts (imports, package loads) set the same columns themselves through ``sync_columns``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from models.base import SyncMixin, new_uuid, utcnow
from models.institution import Institution
from models.sync import Tombstone


def local_origin(session: Session) -> str | None:
    """The 统一社会信用代码 of this installation's own institution, cached on the session."""
    if "origin" not in session.info:
        with session.no_autoflush:
            uscc = session.scalar(select(Institution.uscc).where(Institution.is_local))
        if uscc is None:
            return None
        session.info["origin"] = uscc
    return session.info["origin"]


def sync_columns(origin: str) -> dict[str, Any]:
    """The bookkeeping values for a row inserted through Core rather than the ORM."""
    return {"uuid": new_uuid(), "revision": 1, "origin": origin, "updated_at": utcnow()}


@event.listens_for(Session, "before_flush")
def _stamp_changes(session: Session, _context: object, _instances: object) -> None:
    now = utcnow()
    for obj in session.new:
        if not isinstance(obj, SyncMixin):
            continue
        if obj.origin is None:
            if isinstance(obj, Institution) and obj.is_local:
                obj.origin = obj.uscc
            else:
                origin = local_origin(session)
                if origin is None:
                    raise RuntimeError("本机构尚未登记：请先完成初始设置（init）")
                obj.origin = origin
        obj.updated_at = now
    for obj in session.dirty:
        if isinstance(obj, SyncMixin) and session.is_modified(obj, include_collections=False):
            obj.revision = (obj.revision or 0) + 1
            obj.updated_at = now
    for obj in session.deleted:
        if isinstance(obj, SyncMixin):
            session.add(
                Tombstone(
                    uuid=obj.uuid,
                    entity=obj.__tablename__,
                    origin=obj.origin,
                    revision=(obj.revision or 0) + 1,
                    deleted_at=now,
                )
            )
