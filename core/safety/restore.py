"""Putting a backup back, and the start-up check that tells when that is needed.

Two situations, two ways:

* **The database is sound and open** (the clerk wants yesterday's data back). The current
  state is backed up first; then SQLite's backup API copies the chosen file *into* the live
  database, in one write transaction, so a crash half-way leaves the old content and other
  connections never see a mixture. The migrations then bring an older backup up to date.
* **The database is damaged** (``quick_check`` failed at start-up) and nobody has it open.
  It is not written to: the damaged file (with its -wal and -shm) is moved aside under a
  ``.damaged-…`` name, kept for whoever wants to rescue something from it, and a verified
  copy of the backup is put in its place.

A file is only accepted as a backup if it is a SQLite file, passes ``integrity_check``, has
CertDesk's tables and an Alembic revision this version knows.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from core.base.progress import ProgressFn
from core.safety.backups import Backup, newest_good_backup, reason_label, take_backup
from models.backup import check_sqlite_file, copy_file_into, copy_file_to_new, parse_backup_name
from models.database import Database, resolve_url
from models.migrate import alembic_config, prepare_schema

__all__ = [
    "BackupCandidate",
    "Health",
    "RestoreRefused",
    "RestoreResult",
    "damaged_database_problem",
    "damaged_message",
    "database_health",
    "inspect_backup",
    "replace_damaged_database",
    "restore_database",
    "sqlite_file",
]

SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables without which a file is not a CertDesk database, whatever its revision says.
_REQUIRED_TABLES = frozenset({"alembic_version", "institutions", "trainees"})
_DAMAGED_INFIX = ".damaged-"


class RestoreRefused(Exception):
    """The file cannot be restored from; the message (Chinese) says why. Nothing was changed."""


@dataclass(frozen=True)
class BackupCandidate:
    """A file that passed every check, with what the confirmation question shows."""

    path: Path
    revision: str
    taken_at: datetime
    reason: str
    institution: str | None
    trainees: int

    def summary(self) -> str:
        who = self.institution or "（未登记机构）"
        return (
            f"{self.path.name}：{self.taken_at:%Y-%m-%d %H:%M}（{self.reason}），"
            f"{who}，学员 {self.trainees} 人"
        )


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def inspect_backup(path: Path) -> BackupCandidate:
    """Check that ``path`` is a sound CertDesk database this version can open; or refuse."""
    if not path.is_file():
        raise RestoreRefused(f"找不到备份文件：{path}")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise RestoreRefused(f"无法读取 {path}：{exc.strerror or exc}") from exc
    if header != SQLITE_HEADER:
        raise RestoreRefused(f"{path.name} 不是持证通数据库或备份文件（不是 SQLite 数据库）。")
    try:
        verdict = check_sqlite_file(path)
    except sqlite3.Error as exc:
        raise RestoreRefused(f"无法读取 {path.name}：{exc}") from exc
    if verdict != "ok":
        raise RestoreRefused(
            f"{path.name} 已损坏，不能用来恢复（完整性检查未通过）。请选择另一个备份。"
        )
    connection = _read_only(path)
    try:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if not tables >= _REQUIRED_TABLES:
            raise RestoreRefused(f"{path.name} 不是持证通数据库（缺少持证通的数据表）。")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        institution = connection.execute(
            "SELECT name FROM institutions WHERE is_local = 1"
        ).fetchone()
        trainees = connection.execute("SELECT count(*) FROM trainees").fetchone()[0]
    except sqlite3.Error as exc:
        raise RestoreRefused(f"{path.name} 不是可用的持证通数据库：{exc}") from exc
    finally:
        connection.close()
    if row is None:
        raise RestoreRefused(f"{path.name} 没有数据库版本标记，不是完整的持证通数据库。")
    revision = str(row[0])
    if revision not in _known_revisions():
        raise RestoreRefused(
            f"{path.name} 由更新版本的持证通创建（数据库版本 {revision}），"
            "本程序无法使用，请先升级持证通。"
        )
    parsed = parse_backup_name(path)
    if parsed is not None:
        taken_at, reason = parsed[1], reason_label(parsed[2])
    else:
        taken_at, reason = datetime.fromtimestamp(path.stat().st_mtime), "外部文件"
    return BackupCandidate(
        path=path,
        revision=revision,
        taken_at=taken_at,
        reason=reason,
        institution=institution[0] if institution else None,
        trainees=int(trainees),
    )


@dataclass(frozen=True)
class RestoreResult:
    candidate: BackupCandidate
    #: The backup of the state before the restore, or where the damaged file was moved.
    previous: Path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


def restore_database(
    database: Database, source: Path, progress: ProgressFn | None = None
) -> RestoreResult:
    """Replace the open database's content with the backup ``source``.

    The current state is backed up first (``before-restore``). ``progress`` may raise to
    cancel: the copy is then abandoned and the database is as it was. The audit entry is
    ``application.safety``'s to write, in the restored database once this returns.
    """
    if database.path is None:
        raise RestoreRefused("服务器数据库（PostgreSQL）不能从备份文件恢复，请由数据库管理员处理。")
    candidate = inspect_backup(source)
    if _same_file(source, database.path):
        raise RestoreRefused("不能用正在使用的数据库文件本身来恢复。")
    before = take_backup(database, "before-restore").path
    raw = database.engine.raw_connection()
    try:
        copy_file_into(source, raw.driver_connection, progress)  # type: ignore[arg-type]
    finally:
        raw.close()
    # Pooled connections keep statement caches of the old schema; start them afresh.
    database.engine.dispose()
    prepare_schema(database.engine)
    return RestoreResult(candidate=candidate, previous=before)


@dataclass(frozen=True)
class Health:
    """The start-up verdict on a database file."""

    ok: bool
    problem: str = ""


def database_health(db_path: Path) -> Health:
    """``quick_check`` the file before it is opened for writing.

    A missing or empty file is healthy (it will be created). Raises ``PermissionError`` for a
    read-only folder or file and ``sqlite3.Error`` if the file cannot be read at all: that is
    not damage, and ``core.safety.environment_errors`` explains it.
    """
    for needed in (db_path.parent, db_path):
        # SQLite needs to write beside the file (-wal, -shm) even to read a WAL database.
        if needed.exists() and not os.access(needed, os.W_OK):
            raise PermissionError(errno.EACCES, "只读", str(needed))
    if not db_path.exists() or db_path.stat().st_size == 0:
        return Health(ok=True)
    with db_path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return Health(ok=False, problem="文件头不是 SQLite 数据库")
    verdict = check_sqlite_file(db_path, quick=True)
    if verdict == "ok":
        return Health(ok=True)
    return Health(ok=False, problem=verdict.splitlines()[0][:200])


def damaged_message(db_path: Path, health: Health, backup: Backup | None) -> str:
    """What the clerk is told about a damaged database, naming the newest good backup."""
    text = f"数据库文件 {db_path} 已损坏（{health.problem}），为防止损坏扩大，持证通没有打开它。"
    if backup is None:
        return text + "没有找到可用的备份。请联系技术支持，不要删除该文件。"
    return (
        text
        + f"最近的完好备份是 {backup.taken_at:%Y-%m-%d %H:%M}（{backup.reason}）的 {backup.path}。"
    )


def _move_aside(db_path: Path, stamp: str) -> Path:
    """Rename the damaged file and its -wal/-shm/-journal companions; returns its new path."""
    moved = db_path.with_name(f"{db_path.name}{_DAMAGED_INFIX}{stamp}")
    for suffix in ("", "-wal", "-shm", "-journal"):
        companion = db_path.with_name(db_path.name + suffix)
        if companion.exists():
            companion.replace(moved.with_name(moved.name + suffix))
    return moved


def replace_damaged_database(db_path: Path, source: Path) -> RestoreResult:
    """Put a verified copy of ``source`` where the damaged database was.

    Nothing may have the database open (hold the ``InstanceLock``). Once it is opened, call
    ``application.safety.record_restore`` so the log says what happened.
    """
    candidate = inspect_backup(source)
    # Copy first, rename last: at no moment is there no database file, or half of one.
    incoming = db_path.with_name(db_path.name + ".restoring")
    incoming.unlink(missing_ok=True)
    copy_file_to_new(source, incoming)
    moved = _move_aside(db_path, datetime.now().strftime("%Y%m%d-%H%M%S"))
    incoming.replace(db_path)
    return RestoreResult(candidate=candidate, previous=moved)


def sqlite_file(db: str | Path | None) -> Path | None:
    """The SQLite file behind a ``--db`` value (None: the default); None for a server URL."""
    url = resolve_url(db)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def damaged_database_problem(db: str | Path | None) -> str | None:
    """The refusal for a damaged database, naming the newest good backup; None if sound."""
    path = sqlite_file(db)
    if path is None:
        return None
    health = database_health(path)
    if health.ok:
        return None
    return damaged_message(path, health, newest_good_backup(path))
