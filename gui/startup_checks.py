"""The Qt side of starting safely: one instance, a sound database, backups on a timer.

``run_startup_checks`` runs before the database is opened for writing:

1. take the instance lock; if another CertDesk holds it, say who, and stop;
2. ``quick_check`` the file; if it is damaged, do not open it: offer the newest good backup
   with its date (or another file), put it in place, or stop;
3. after a crash (a stale lock), say so once in the status bar.

``BackupTimer`` then backs up on start (unless nothing changed since the newest backup) and
every 30 minutes if something changed, on a worker thread, quietly: it reports to the
status bar, and only a failure of the main backup deserves attention.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from application.safety import record_restore
from core.safety.backups import BACKUP_INTERVAL, BackupOutcome, BackupScheduler, newest_good_backup
from core.safety.environment_errors import describe_failure
from core.safety.instance_lock import InstanceLock, InstanceLocked
from core.safety.restore import (
    Health,
    RestoreRefused,
    RestoreResult,
    damaged_message,
    database_health,
    replace_damaged_database,
    sqlite_file,
)
from gui.tasks import Task, run_in_background
from gui.widgets import as_plain
from models.backup import backup_dir_for
from models.database import Database

log = logging.getLogger(__name__)

__all__ = ["BackupTimer", "StartupGuard", "run_startup_checks"]


@dataclass
class StartupGuard:
    """What the start-up checks leave for the running application.

    Keep it until the application exits and call ``release``; call ``opened`` once the
    database is open, so that a restore done at start-up is written to the audit log.
    """

    lock: InstanceLock | None = None
    restored: RestoreResult | None = None
    notices: list[str] = field(default_factory=list)

    def opened(self, database: Database) -> None:
        if self.restored is not None:
            record_restore(database, self.restored)
            self.restored = None

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()


def _take_lock(parent: QWidget | None, db_path: Path, guard: StartupGuard) -> bool:
    lock = InstanceLock(db_path)
    try:
        lock.acquire()
    except InstanceLocked as exc:
        QMessageBox.warning(parent, "持证通已在运行", as_plain(str(exc)))
        return False
    guard.lock = lock
    return True


def _offer_backup(parent: QWidget | None, db_path: Path, health: Health) -> Path | None:
    """Ask which backup to put in place of the damaged database; None means quit."""
    backup = newest_good_backup(db_path)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("数据库已损坏")
    box.setTextFormat(Qt.TextFormat.PlainText)  # it names files
    box.setText(damaged_message(db_path, health, backup))
    box.setInformativeText(
        "损坏的文件不会被删除，会改名保存在原处。"
        + ("要用这份备份恢复吗？" if backup else "请选择一个备份文件恢复，或退出并联系技术支持。")
    )
    use_newest = (
        box.addButton("用这份备份恢复", QMessageBox.ButtonRole.AcceptRole) if backup else None
    )
    choose = box.addButton("选择其他备份…", QMessageBox.ButtonRole.ActionRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    if backup is not None and clicked is use_newest:
        return backup.path
    if clicked is choose:
        chosen, _ = QFileDialog.getOpenFileName(
            parent,
            "选择备份文件",
            str(backup_dir_for(db_path)),
            "持证通备份 (*.sqlite3 *.db);;所有文件 (*)",
        )
        return Path(chosen) if chosen else None
    return None


def _repair(parent: QWidget | None, db_path: Path, health: Health, guard: StartupGuard) -> bool:
    while True:
        source = _offer_backup(parent, db_path, health)
        if source is None:
            return False
        try:
            guard.restored = replace_damaged_database(db_path, source)
        except RestoreRefused as exc:
            QMessageBox.warning(parent, "不能用这个文件恢复", as_plain(str(exc)))
            continue
        guard.notices.append(
            f"已从 {guard.restored.candidate.taken_at:%Y-%m-%d %H:%M} 的备份恢复；"
            f"损坏的文件保存为 {guard.restored.previous.name}。"
        )
        return True


def run_startup_checks(db: str | None, parent: QWidget | None = None) -> StartupGuard | None:
    """The checks before ``open_database``; None means do not start (the clerk was told why)."""
    db_path = sqlite_file(db)
    guard = StartupGuard()
    if db_path is None:
        return guard  # a server database: the server guards it
    try:
        if not _take_lock(parent, db_path, guard):
            return None
        health = database_health(db_path)
        if not health.ok and not _repair(parent, db_path, health, guard):
            guard.release()
            return None
        stale = guard.lock.stale_holder if guard.lock else None
        if stale is not None and health.ok:
            guard.notices.append(
                f"上次持证通没有正常退出（{stale.started} 启动，可能是断电或死机）；"
                "已检查数据库，数据完好。"
            )
    except (OSError, sqlite3.Error) as exc:
        guard.release()
        QMessageBox.critical(parent, "无法打开数据库", describe_failure(exc))
        return None
    return guard


class BackupTimer(QObject):
    """Backs up on start and every 30 minutes of changes, off the GUI thread.

    ``message`` carries a line for the status bar; ``failed`` a plain message when the main
    backup could not be written (the clerk should know their data is not being saved).
    """

    message = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        database: Database,
        parent: QObject | None = None,
        interval_ms: int = int(BACKUP_INTERVAL.total_seconds() * 1000),
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.scheduler = BackupScheduler(database)
        self._task: Task[BackupOutcome | None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        """The start-up backup now, then the periodic check; nothing for a server database."""
        if self.database.path is None:
            return
        self._run(self.scheduler.on_start)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def check(self) -> None:
        """Back up now if the data changed since the last backup (the timer calls this)."""
        self._run(self.scheduler.if_changed)

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _run(self, work: Callable[[], BackupOutcome | None]) -> None:
        if self._task is not None:
            return  # the previous backup is still being written; the next tick will do
        self._task = run_in_background(
            self, "自动备份", lambda _progress: work(), self._done, self._failed, quiet=True
        )

    def _done(self, outcome: BackupOutcome | None) -> None:
        self._task = None
        if outcome is None:
            return
        log.info("backed up to %s", outcome.path)
        text = f"已自动备份（{outcome.path.name}）"
        if outcome.problems:
            text += "；" + "；".join(outcome.problems)
        self.message.emit(text)

    def _failed(self, exc: BaseException) -> None:
        self._task = None  # the runner logged it with its traceback
        self.failed.emit(f"自动备份失败：{describe_failure(exc)}")
