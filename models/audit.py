"""The audit log: who changed which record, when, and which fields.

Entries are written in the same transaction as the change they describe (``audit_hook``), so
a change and its entry are committed or lost together. They are never updated or deleted by
CertDesk, carry their own ``uuid`` so that a bureau importing a package twice does not
duplicate them, and hold no full ID number or phone number: the fields that were changed are
named, and only those two kinds of value are shown, masked.
"""

from __future__ import annotations

import getpass
from datetime import datetime
from functools import cache

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, new_uuid, utcnow

__all__ = ["AuditEntry", "current_os_user"]


@cache
def current_os_user() -> str:
    """The Windows (or other OS) login name: who sat at the keyboard, as far as we can know.

    ``getpass.getuser`` raises when neither the environment nor the password database names
    the user (a service account, a stripped container); an entry must still be written.
    """
    try:
        return getpass.getuser() or "未知用户"
    except (OSError, KeyError, ImportError):
        return "未知用户"


class AuditEntry(Base):
    """One audited action: a row added, changed or deleted, or a deliberate act such as
    revealing a full ID number, importing a file or restoring a backup."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uuid)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    os_user: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20), index=True)
    entity: Mapped[str] = mapped_column(String(40), index=True)
    record_uuid: Mapped[str | None] = mapped_column(String(32), index=True)
    #: JSON: ``[[field, old, new], ...]`` with old/new filled only for masked personal numbers.
    changes: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(String(2000), default="")
    origin: Mapped[str | None] = mapped_column(String(18))
