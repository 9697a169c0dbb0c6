"""When CertDesk backs up, which backups it keeps, and where they go.

The mechanics (the online backup API, verification, atomic rename) are in ``models.backup``;
this module is the policy:

* **When.** On start (unless the newest backup already holds exactly this data), every 30
  minutes *if something changed* (``BackupScheduler``), and before imports, restores and
  schema upgrades (the callers ask for it).
* **What counts as a change.** A fingerprint of the data: for each table, its row count and
  highest rowid, plus ``max(updated_at)`` where the table has one (every ORM write and every
  bulk insert sets it), and for small tables (settings, the schema version) a hash of every
  row. It is computed the same way on the live database and on a backup file, so "the newest
  backup already holds this" is a comparison of two strings. ``PRAGMA data_version`` was not
  used: it is per connection and forgets everything when the program exits.
* **Which to keep.** The newest 10, the newest of each of the 14 most recent days that have
  a backup, of the 8 most recent ISO weeks and of the 12 most recent months (counted over
  days that *have* backups, so a school that opens CertDesk twice a term keeps its history).
* **Where.** ``backups/`` beside the database, plus an optional second folder (a USB stick)
  named in the settings table. A missing stick never fails the backup: it is reported.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from core.base.progress import ProgressFn
from core.safety.environment_errors import explain_environment_error
from core.settings import put_setting, setting
from models.backup import (
    BackupFile,
    backup_dir_for,
    backup_sqlite,
    check_sqlite_file,
    copy_backup_file,
    list_backup_files,
    partial_files,
)
from models.database import Database

__all__ = [
    "BACKUP_INTERVAL",
    "Backup",
    "BackupOutcome",
    "BackupScheduler",
    "BackupUnsupported",
    "Retention",
    "backups_to_keep",
    "data_fingerprint",
    "file_fingerprint",
    "list_backups",
    "newest_good_backup",
    "reason_label",
    "require_sqlite_file",
    "second_folder",
    "second_folder_of_file",
    "set_second_folder",
    "size_text",
    "take_backup",
    "thin_folder",
]

BACKUP_INTERVAL = timedelta(minutes=30)
SECOND_FOLDER_KEY = "backup.second_folder"
#: A .partial file older than this belongs to a copy that died (a crash, a pulled stick).
STALE_PARTIAL_AGE = timedelta(hours=1)
#: Tables up to this many rows are fingerprinted by content, larger ones by their summary.
_HASHED_ROWS = 1000

PRIMARY = "本机备份文件夹"
SECOND = "第二备份位置"

_REASON_LABELS = {
    "start": "启动时",
    "auto": "定时",
    "manual": "手动",
    "before-import": "导入前",
    "before-restore": "恢复前",
    "before-upgrade": "升级前",
}


class BackupUnsupported(Exception):
    """The database is not a SQLite file (a bureau's PostgreSQL server has its own tools)."""


def size_text(size: int) -> str:
    """A file size as a clerk reads it: ``730 KB``, ``13.4 MB``."""
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(size // 1024, 1)} KB"


def reason_label(reason: str) -> str:
    """The Chinese name of why a backup was taken, for lists and messages."""
    for key, label in _REASON_LABELS.items():
        if reason == key or reason.startswith(key + "-"):
            return label
    return reason


@dataclass(frozen=True)
class Retention:
    recent: int = 10
    daily: int = 14
    weekly: int = 8
    monthly: int = 12


def _day(when: datetime) -> Hashable:
    return when.date()


def _week(when: datetime) -> Hashable:
    return when.isocalendar()[:2]


def _month(when: datetime) -> Hashable:
    return (when.year, when.month)


def backups_to_keep(
    stamps: Iterable[datetime], retention: Retention = Retention()
) -> set[datetime]:
    """The backup times to keep out of ``stamps``; everything else may be deleted.

    Keeps the ``recent`` newest, and the newest backup of each of the ``daily`` most recent
    days that have one, likewise of weeks and months. Applying it twice keeps the same set.
    """
    ordered = sorted(set(stamps), reverse=True)
    keep = set(ordered[: retention.recent])
    periods: tuple[tuple[Callable[[datetime], Hashable], int], ...] = (
        (_day, retention.daily),
        (_week, retention.weekly),
        (_month, retention.monthly),
    )
    for period_of, count in periods:
        seen: set[Hashable] = set()
        for stamp in ordered:
            period = period_of(stamp)
            if period in seen:
                continue
            if len(seen) == count:
                break
            seen.add(period)
            keep.add(stamp)
    return keep


def thin_folder(
    folder: Path, stem: str, now: datetime | None = None, retention: Retention = Retention()
) -> list[Path]:
    """Delete the backups of database ``stem`` in ``folder`` that the retention drops.

    Also removes ``.partial`` leftovers older than an hour. Returns what was deleted.
    """
    now = now or datetime.now()
    backups = list_backup_files(folder, stem)
    keep = backups_to_keep((b.taken_at for b in backups), retention)
    removed: list[Path] = []
    for backup in backups:
        if backup.taken_at not in keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    for leftover in partial_files(folder):
        try:
            modified = datetime.fromtimestamp(leftover.stat().st_mtime)
        except OSError:
            continue
        if now - modified > STALE_PARTIAL_AGE:
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


# --- fingerprints ---------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fingerprint(connection: sqlite3.Connection) -> str:
    digest = hashlib.sha256()
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    for table in tables:
        quoted = _quote(table)
        columns = {row[1] for row in connection.execute(f"PRAGMA table_info({quoted})")}
        count, top = connection.execute(f"SELECT count(*), max(rowid) FROM {quoted}").fetchone()
        digest.update(f"{table}:{count}:{top}".encode())
        if "updated_at" in columns:
            newest = connection.execute(f"SELECT max(updated_at) FROM {quoted}").fetchone()[0]
            digest.update(f":{newest}".encode())
        if count <= _HASHED_ROWS:
            for row in connection.execute(f"SELECT * FROM {quoted} ORDER BY rowid"):
                digest.update(repr(row).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def data_fingerprint(database: Database) -> str:
    """A digest that changes whenever the data changes (see the module docstring)."""
    raw = database.engine.raw_connection()
    try:
        return _fingerprint(raw.driver_connection)  # type: ignore[arg-type]
    finally:
        raw.close()


def file_fingerprint(path: Path) -> str | None:
    """The same digest for a backup file; None if it cannot be read."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return _fingerprint(connection)
    except sqlite3.Error:
        return None
    finally:
        connection.close()


# --- settings -------------------------------------------------------------------------------


def second_folder(session: Session) -> Path | None:
    """The extra backup folder (a USB stick) chosen by the clerk, if any."""
    value = setting(session, SECOND_FOLDER_KEY)
    return Path(value) if value else None


def set_second_folder(session: Session, folder: Path | None) -> None:
    """Choose (or with None forget) the extra backup folder; the caller commits."""
    put_setting(
        session, SECOND_FOLDER_KEY, None if folder is None else str(folder.expanduser().resolve())
    )


def second_folder_of_file(db_path: Path) -> Path | None:
    """The extra folder read straight from the file: works when the database cannot be opened."""
    try:
        connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute(
            "SELECT value FROM settings WHERE key = ?", (SECOND_FOLDER_KEY,)
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return Path(row[0]) if row and row[0] else None


# --- taking and listing backups ---------------------------------------------------------------


def backup_before_change(database: Database, reason: str) -> BackupOutcome | None:
    """The backup taken before a bulk change (an import), so the clerk can go back to it.

    None for a server database: its administrator backs it up with the server's own tools.
    """
    if database.path is None:
        return None
    return take_backup(database, reason)


def require_sqlite_file(database: Database) -> Path:
    """The database's file; ``BackupUnsupported`` for a server, which CertDesk does not back up."""
    if database.path is None:
        raise BackupUnsupported(
            "服务器数据库（PostgreSQL）不由持证通备份，请由数据库管理员用 pg_dump 定期备份。"
        )
    return database.path


@dataclass
class BackupOutcome:
    """What one backup run did: the main copy, copies elsewhere, and what went wrong there."""

    path: Path
    copies: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def take_backup(
    database: Database, reason: str, progress: ProgressFn | None = None
) -> BackupOutcome:
    """Back up to the backup folder and to the second folder, then thin both.

    Raises if the main backup fails (the caller shows why); a failure at the second folder
    (the stick is not plugged in, it is full) is reported in ``problems`` instead.
    """
    db_path = require_sqlite_file(database)
    primary = backup_sqlite(database.engine, reason, progress=progress)
    outcome = BackupOutcome(path=primary)
    outcome.removed.extend(thin_folder(primary.parent, db_path.stem))
    with database.session() as session:
        extra = second_folder(session)
    if extra is not None:
        try:
            outcome.copies.append(copy_backup_file(primary, extra))
            outcome.removed.extend(thin_folder(extra, db_path.stem))
        except (OSError, sqlite3.Error) as exc:
            problem = explain_environment_error(exc)
            outcome.problems.append(
                f"未能复制到第二备份位置 {extra}：{problem or '无法写入该文件夹'}"
            )
    return outcome


@dataclass(frozen=True)
class Backup:
    """A backup as listed for the clerk: the file, where it is, why it was taken."""

    file: BackupFile
    location: str

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def taken_at(self) -> datetime:
        return self.file.taken_at

    @property
    def size(self) -> int:
        return self.file.size

    @property
    def reason(self) -> str:
        return reason_label(self.file.reason)


def _folders(db_path: Path, extra: Path | None) -> list[tuple[Path, str]]:
    folders = [(backup_dir_for(db_path), PRIMARY)]
    if extra is not None and extra.resolve() != backup_dir_for(db_path).resolve():
        folders.append((extra, SECOND))
    return folders


def list_backups(db_path: Path, extra: Path | None = None) -> list[Backup]:
    """Every backup of the database in the backup folder and ``extra``, newest first."""
    found = [
        Backup(file=f, location=location)
        for folder, location in _folders(db_path, extra)
        for f in list_backup_files(folder, db_path.stem)
    ]
    found.sort(key=lambda b: b.taken_at, reverse=True)
    return found


def newest_good_backup(db_path: Path) -> Backup | None:
    """The newest backup that passes ``integrity_check``, looking in both folders.

    Reads the second folder's setting straight from the file, because this is asked when the
    database itself is damaged.
    """
    for backup in list_backups(db_path, second_folder_of_file(db_path)):
        try:
            if check_sqlite_file(backup.path) == "ok":
                return backup
        except sqlite3.Error:
            continue  # unreadable just now (a stick pulled out): not a candidate
    return None


class BackupScheduler:
    """Decides whether a backup is due; the GUI calls it on start and every 30 minutes.

    Holds the fingerprint of the data at the last backup, so a timer firing over an idle
    afternoon writes nothing.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._last: str | None = None

    def on_start(self) -> BackupOutcome | None:
        """Back up unless the newest backup already holds exactly this data."""
        current = data_fingerprint(self.database)
        db_path = require_sqlite_file(self.database)
        newest = list_backup_files(backup_dir_for(db_path), db_path.stem)
        if newest and file_fingerprint(newest[0].path) == current:
            self._last = current
            return None
        outcome = take_backup(self.database, "start")
        self._last = current
        return outcome

    def if_changed(self) -> BackupOutcome | None:
        """Back up if the data changed since the last backup this scheduler knows of."""
        current = data_fingerprint(self.database)
        if current == self._last:
            return None
        outcome = take_backup(self.database, "auto")
        self._last = current
        return outcome
