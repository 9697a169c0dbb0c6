"""Per-database settings (the bureau a school reports to, its key fingerprint, the second
backup folder, fonts): small text values stored in the ``settings`` table, so that they travel
with the database file rather than with one Windows user's profile."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.sync import Setting


def setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return None if row is None else row.value


def put_setting(session: Session, key: str, value: str | None) -> None:
    """Store ``value`` under ``key`` (None forgets it); the caller commits."""
    row = session.get(Setting, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Setting(key=key, value=value))
    elif row.value != value:
        row.value = value
