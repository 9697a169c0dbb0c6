"""Consistent copies of a SQLite database, taken with SQLite's online backup API.

A file copy of a live WAL database can miss pages still in the -wal file; the backup API
copies a consistent snapshot even while the application keeps it open. Every copy is written
under a ``.partial`` name, checked with ``PRAGMA integrity_check`` and only then renamed into
place, so a power cut or a pulled USB stick leaves either a whole, verified backup or a
``.partial`` file that nothing mistakes for one.

Backups are single self-contained files (rollback-journal mode, no -wal beside them) so that
they can be opened read-only from a write-protected stick and copied like any other file.
Each is created 0600 and ``backups/`` 0700 on POSIX (``core.base.file_modes``): a backup
holds every ID number the database does.
"""

from __future__ import annotations

import errno
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from core.base.atomic import PARTIAL_SUFFIX, sync_directory
from core.base.file_modes import create_private_file, mkdir_private, private_folder
from core.base.progress import ProgressFn

BACKUP_DIRNAME = "backups"
BACKUP_SUFFIX = ".sqlite3"
_STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"
_NAME = re.compile(
    r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}-\d{6})-(?P<reason>[A-Za-z0-9_-]+)\.sqlite3$"
)
#: Pages copied per step when progress is reported: ~1 MB at SQLite's default page size.
PAGES_PER_STEP = 256


@dataclass(frozen=True)
class BackupFile:
    """A finished backup as found on disk; ``taken_at`` is local time, as the clerk reads it."""

    path: Path
    taken_at: datetime
    reason: str
    size: int


def backup_dir_for(db_path: Path) -> Path:
    return db_path.parent / BACKUP_DIRNAME


def backup_name(stem: str, reason: str, when: datetime) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", reason):
        raise ValueError(f"backup reason must be ASCII letters, digits, - or _: {reason!r}")
    return f"{stem}-{when.strftime(_STAMP_FORMAT)}-{reason}{BACKUP_SUFFIX}"


def parse_backup_name(path: Path) -> tuple[str, datetime, str] | None:
    """(database stem, time taken, reason) from a backup's file name; None if it is not one."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    try:
        taken = datetime.strptime(match["stamp"], _STAMP_FORMAT)
    except ValueError:
        return None
    return match["stem"], taken, match["reason"]


def list_backup_files(folder: Path, stem: str | None = None) -> list[BackupFile]:
    """Finished backups in ``folder`` (of database ``stem`` if given), newest first.

    A folder that is missing or unreadable (a stick that is not plugged in) holds none.
    """
    found: list[BackupFile] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        parsed = parse_backup_name(path)
        if parsed is None or (stem is not None and parsed[0] != stem):
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        found.append(BackupFile(path=path, taken_at=parsed[1], reason=parsed[2], size=size))
    found.sort(key=lambda b: b.taken_at, reverse=True)
    return found


def partial_files(folder: Path) -> list[Path]:
    """Leftovers of copies that never finished (a crash, a pulled stick)."""
    try:
        return [
            p
            for p in folder.iterdir()
            if p.name.endswith(PARTIAL_SUFFIX) or p.name.endswith(PARTIAL_SUFFIX + "-journal")
        ]
    except OSError:
        return []


def _read_only_uri(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


#: SQLite result codes that mean the file itself is damaged or is not a database; any other
#: error (cannot open, busy, I/O) says something about the surroundings, not the file.
_DAMAGE_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB


def check_sqlite_file(path: Path, quick: bool = False) -> str:
    """``"ok"`` for a sound SQLite file, else SQLite's description of the damage.

    ``quick`` runs ``quick_check`` (a few ms per MB) instead of the full ``integrity_check``
    (which also cross-checks every index, ~5x slower). Raises ``sqlite3.Error`` when the file
    cannot be checked at all (missing, unreadable, locked): that is not damage.
    """
    pragma = "quick_check" if quick else "integrity_check"
    if not path.is_file():
        raise sqlite3.OperationalError(f"unable to open database file: {path}")
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            rows = connection.execute(f"PRAGMA {pragma}(20)").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _DAMAGE_CODES:
            return str(exc)
        raise
    return "; ".join(str(row[0]) for row in rows) or "empty result"


def _discard(partial: Path) -> None:
    """Remove a failed copy and the rollback journal SQLite may have left beside it."""
    partial.unlink(missing_ok=True)
    partial.with_name(partial.name + "-journal").unlink(missing_ok=True)


def _copy(
    source: sqlite3.Connection,
    target_dir: Path,
    name: str,
    progress: ProgressFn | None = None,
) -> Path:
    """Copy ``source`` into ``target_dir/name`` through a verified ``.partial`` file."""
    target = target_dir / name
    partial = target.with_suffix(PARTIAL_SUFFIX)
    _discard(partial)
    # SQLite would create the file 0644; one that exists keeps its mode, and so does its journal.
    create_private_file(partial)
    dest = sqlite3.connect(partial)
    try:
        if progress is None:
            source.backup(dest)
        else:
            source.backup(
                dest,
                pages=PAGES_PER_STEP,
                progress=lambda _status, remaining, total: progress(total - remaining, total, ""),
            )
        dest.execute("PRAGMA journal_mode=DELETE")
        verdict = "; ".join(str(r[0]) for r in dest.execute("PRAGMA integrity_check(20)"))
    except BaseException:
        dest.close()
        _discard(partial)
        raise
    dest.close()
    if verdict != "ok":
        _discard(partial)
        raise sqlite3.DatabaseError(f"备份校验失败：{verdict}")
    partial.replace(target)
    sync_directory(target_dir)
    return target


def backup_sqlite(
    engine: Engine,
    reason: str,
    dest_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> Path:
    """Write a verified snapshot of the engine's SQLite database and return its path."""
    db_path = Path(engine.url.database or "")
    name = backup_name(db_path.stem, reason, datetime.now())
    if dest_dir is None:
        target_dir = private_folder(backup_dir_for(db_path))
    else:  # a folder the clerk named: made private if it is new, never changed if it is theirs
        target_dir = dest_dir
        mkdir_private(target_dir)
    raw = engine.raw_connection()
    try:
        return _copy(raw.driver_connection, target_dir, name, progress)  # type: ignore[arg-type]
    finally:
        raw.close()


def copy_backup_file(backup: Path, dest_dir: Path) -> Path:
    """Copy a finished backup to another folder (the USB stick) under the same name, verified.

    The folder must exist: creating it would turn the mount point of an unplugged stick into
    an ordinary local folder and the "second copy" would silently sit on the same disk.
    """
    if not dest_dir.is_dir():
        raise FileNotFoundError(errno.ENOENT, "文件夹不存在", str(dest_dir))
    source = sqlite3.connect(_read_only_uri(backup), uri=True)
    try:
        return _copy(source, dest_dir, backup.name)
    finally:
        source.close()


def copy_file_into(
    source_path: Path, target: sqlite3.Connection, progress: ProgressFn | None = None
) -> None:
    """Replace the whole content of the open database ``target`` with the file's.

    The backup API writes into ``target`` in one transaction: other connections see the old
    content until it commits, and a crash or an exception from ``progress`` leaves it as it
    was. Fails if ``target`` is in WAL mode and the page sizes differ.
    """
    source = sqlite3.connect(_read_only_uri(source_path), uri=True)
    try:
        if progress is None:
            source.backup(target)
        else:
            source.backup(
                target,
                pages=PAGES_PER_STEP,
                progress=lambda _status, remaining, total: progress(total - remaining, total, ""),
            )
    finally:
        source.close()


def copy_file_to_new(source_path: Path, target_path: Path) -> None:
    """Write a verified copy of ``source_path`` at ``target_path``, which must not exist.

    Used to put a backup in place of a damaged database file that nothing has open.
    """
    source = sqlite3.connect(_read_only_uri(source_path), uri=True)
    try:
        _copy(source, target_path.parent, target_path.name)
    finally:
        source.close()
