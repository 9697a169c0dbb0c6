"""What the database remembers for synchronisation beyond the rows themselves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class Tombstone(Base):
    """A deleted synchronisable row, kept so the deletion can travel in a package."""

    __tablename__ = "tombstones"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(32), unique=True)
    entity: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(18), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Setting(Base):
    """Per-database settings (not per-user preferences, which live in the OS's settings)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(2000))
