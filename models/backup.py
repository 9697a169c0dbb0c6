"""Consistent copies of a SQLite database, taken with SQLite's online backup API.

A file copy of a live WAL database can miss pages still in the -wal file; the backup API
copies a consistent snapshot even while the application keeps it open.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

BACKUP_DIRNAME = "backups"


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / BACKUP_DIRNAME


def backup_sqlite(engine: Engine, reason: str, dest_dir: Path | None = None) -> Path:
    """Write a verified snapshot of the engine's SQLite database and return its path."""
    db_path = Path(engine.url.database or "")
    target_dir = dest_dir or backup_dir_for(db_path)
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = target_dir / f"{db_path.stem}-{stamp}-{reason}.sqlite3"
    partial = target.with_suffix(".partial")
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
            verdict = dest.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dest.close()
    finally:
        raw.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise OSError(f"备份校验失败：{verdict}")
    partial.replace(target)
    return target
