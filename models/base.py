"""Declarative base and the bookkeeping every synchronisable row carries.

Rows travel between installations (school → city bureau → province), so each one needs an
identity that survives the trip (``uuid``), a way to tell a newer copy from an older one
(``revision``, bumped on every change) and the installation that owns it (``origin``, the owner's
统一社会信用代码). Deletions are recorded as tombstones so that a package can carry them too.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timestamps are stored in UTC so packages from machines in any state compare correctly."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_uuid() -> str:
    return uuid_module.uuid4().hex


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SyncMixin:
    """Columns that let a row be exported, re-imported and reconciled without duplicates."""

    uuid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uuid)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    origin: Mapped[str] = mapped_column(String(18), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
