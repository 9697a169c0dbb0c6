"""Data safety as use cases: back up, list backups, restore, read the audit log, About.

The 备份与恢复 and 操作日志 dialogs, the About box, the start-up checks and ``backup``,
``backups``, ``restore`` and ``audit`` on the command line come here. The policy and the
mechanics stay in ``core``: when and where backups go and which are kept (``core.safety.backups``),
what a file must be to be restored from and how it is put in place (``core.safety.restore``), how
the
log is filtered and masked (``core.safety.audit``). What is added here is the part that needs the
open database: the settings read and written, and the audit entry a restore leaves.

Work on files before the database is opened (the instance lock, ``quick_check``, putting a
backup where a damaged file was) is not here: ``core.safety.restore`` and
``core.safety.instance_lock`` do
it, and ``record_restore`` writes its entry once the database is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.base.progress import ProgressFn
from core.packages.trust import FINGERPRINT_SETTING
from core.safety import audit, backups
from core.safety.audit import DATABASE, RESTORED, AuditFilter, AuditRow, record_action
from core.safety.backups import Backup, BackupOutcome, require_sqlite_file, take_backup
from core.safety.restore import RestoreResult, restore_database
from core.settings import setting
from core.version import VERSION
from models.backup import backup_dir_for, backup_sqlite
from models.database import Database, data_dir

__all__ = [
    "AUDIT_LIMIT",
    "AboutFacts",
    "BackupList",
    "about",
    "audit_log",
    "audit_users",
    "back_up_now",
    "backups_of",
    "backups_of_file",
    "record_restore",
    "restore",
    "set_second_folder",
]

#: How many entries the log shows unless asked for fewer or more.
AUDIT_LIMIT = 1000


# --- Backing up -----------------------------------------------------------------------------


def back_up_now(
    database: Database, to: Path | None = None, progress: ProgressFn | None = None
) -> BackupOutcome:
    """A manual backup, verified once written.

    Into the backup folder (and the second folder, each thinned to the retention), or with
    ``to`` into that folder only (a USB stick named for this one backup), which is not thinned:
    what the clerk puts there is theirs. ``BackupUnsupported`` for a server database.
    """
    if to is None:
        return take_backup(database, "manual", progress=progress)
    require_sqlite_file(database)
    return BackupOutcome(path=backup_sqlite(database.engine, "manual", to, progress))


@dataclass(frozen=True)
class BackupList:
    """The backups of one database, newest first, and the folders they were looked for in."""

    folder: Path
    second_folder: Path | None
    backups: list[Backup]


def _listed(db_path: Path, second: Path | None) -> BackupList:
    return BackupList(backup_dir_for(db_path), second, backups.list_backups(db_path, second))


def backups_of(database: Database) -> BackupList:
    """The open database's backups, in its backup folder and the second folder."""
    db_path = require_sqlite_file(database)
    with database.session() as session:
        second = backups.second_folder(session)
    return _listed(db_path, second)


def backups_of_file(db_path: Path) -> BackupList:
    """The backups of a database file that need not open (a damaged one, to choose from):
    the second folder's setting is read straight from the file."""
    return _listed(db_path, backups.second_folder_of_file(db_path))


def set_second_folder(database: Database, folder: Path | None) -> None:
    """Copy every backup from now on to ``folder`` too (a USB stick), or with None stop."""
    with database.session() as session:
        backups.set_second_folder(session, folder)
        session.commit()


# --- Restoring ------------------------------------------------------------------------------


def restore(database: Database, source: Path, progress: ProgressFn | None = None) -> RestoreResult:
    """Replace the open database's data with the backup ``source``, and say so in its log.

    The current data is backed up first (``before-restore``, named in the result), so a wrong
    choice can be undone by restoring that backup. Refused with ``RestoreRefused`` before
    anything is written for a file that is no sound CertDesk database; ``progress`` may raise
    to cancel until the copy commits, and then nothing has changed.
    """
    result = restore_database(database, source, progress)
    record_restore(database, result)
    return result


def record_restore(database: Database, result: RestoreResult) -> None:
    """Write the restore's entry into the (restored) database's log.

    Its own transaction, after the copy: the copy replaces the whole file, log included. The
    start-up checks call it once the database they put back in place is open.
    """
    candidate = result.candidate
    with database.session() as session:
        record_action(
            session,
            RESTORED,
            DATABASE,
            None,
            f"从备份 {candidate.path.name}（{candidate.taken_at:%Y-%m-%d %H:%M}）"
            f"恢复；原来的数据保存为 {result.previous.name}",
        )
        session.commit()


# --- The audit log --------------------------------------------------------------------------


def audit_log(database: Database, where: AuditFilter, limit: int = AUDIT_LIMIT) -> list[AuditRow]:
    """The entries ``where`` selects, newest first, at most ``limit``, numbers masked."""
    with database.session() as session:
        return audit.query_audit(session, where, limit)


def audit_users(database: Database) -> list[str]:
    """Every OS user who appears in the log, for the viewer's filter."""
    with database.session() as session:
        return audit.audit_users(session)


# --- About ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AboutFacts:
    """What the About box tells a clerk on the telephone with support."""

    version: str
    data_folder: Path
    #: The database file, or a server's URL with its password hidden.
    database: str
    #: This installation's signing key fingerprint; None until the first package made one.
    fingerprint: str | None


def about(database: Database) -> AboutFacts:
    with database.session() as session:
        fingerprint = setting(session, FINGERPRINT_SETTING)
    location = database.path or database.url.render_as_string(hide_password=True)
    return AboutFacts(VERSION, data_dir(), str(location), fingerprint)
