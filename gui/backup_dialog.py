"""备份与恢复: the backups with their dates, 立即备份, 从备份恢复, and the second folder.

Backing up and restoring run off the GUI thread (``gui.tasks``) with a progress dialog; a
restore can be cancelled until its copy commits, and then nothing has changed. The restore
itself is ``application.safety.restore``: it backs up the current data first, so the
confirmation can honestly say that a wrong choice can be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from application import safety
from core.safety.backups import Backup, BackupOutcome, size_text
from core.safety.environment_errors import describe_failure
from core.safety.restore import RestoreRefused, RestoreResult
from gui.tasks import Cancelled, Progress, Task, run_in_background
from gui.widgets import as_plain, plain_label
from models.backup import backup_dir_for
from models.database import Database

COLUMNS = ("备份时间", "原因", "大小", "位置", "文件名")
T = TypeVar("T")

NOT_SET = "未设置（建议选择一个 U 盘上的文件夹，防止电脑硬盘损坏时备份一起丢失）"


class BackupDialog(QDialog):
    """Lists the backups of ``database`` and backs up or restores on request.

    ``restored`` is True once a restore succeeded: every page showing data must reload.
    """

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if database.path is None:
            raise ValueError("backups are for SQLite databases only")
        self.database = database
        self.db_path: Path = database.path
        self.restored = False
        self._task: Task[Any] | None = None
        self.setWindowTitle("备份与恢复")
        self.resize(QSize(860, 480))

        intro = QLabel(
            "持证通在每次启动时、每 30 分钟（有改动时）以及导入和恢复之前自动备份，"
            "并按“最近 10 份、每天、每周、每月”保留。每份备份写完后都会做完整性检查。"
        )
        intro.setWordWrap(True)
        self.status = plain_label()
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self._folder_rows())
        layout.addWidget(self._backup_table(), 1)
        layout.addWidget(self.status)
        layout.addLayout(self._buttons())
        self.refresh()

    def _folder_rows(self) -> QVBoxLayout:
        self.folder_label = plain_label()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_folder = QPushButton("打开备份文件夹")
        open_folder.clicked.connect(self._open_folder)
        self.second_label = plain_label()
        self.second_label.setWordWrap(True)
        self.second_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_second = QPushButton("选择第二备份位置…")
        self.choose_second.clicked.connect(self._choose_second)
        self.clear_second = QPushButton("不再使用")
        self.clear_second.clicked.connect(self._clear_second)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(open_folder)
        second_row = QHBoxLayout()
        second_row.addWidget(self.second_label, 1)
        second_row.addWidget(self.choose_second)
        second_row.addWidget(self.clear_second)
        rows = QVBoxLayout()
        rows.addLayout(folder_row)
        rows.addLayout(second_row)
        return rows

    def _backup_table(self) -> QTableWidget:
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._restore_selected)
        return self.table

    def _buttons(self) -> QHBoxLayout:
        self.backup_button = QPushButton("立即备份")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("从所选备份恢复…")
        self.restore_button.clicked.connect(self._restore_selected)
        restore_file = QPushButton("从其他文件恢复…")
        restore_file.clicked.connect(self._restore_other_file)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(restore_file)
        buttons.addStretch(1)
        buttons.addWidget(close)
        return buttons

    # --- listing ------------------------------------------------------------------------

    def refresh(self) -> None:
        listing = safety.backups_of(self.database)
        extra = listing.second_folder
        self.folder_label.setText(f"备份文件夹：{listing.folder}")
        if extra is None:
            self.second_label.setText(f"第二备份位置：{NOT_SET}")
        elif extra.is_dir():
            self.second_label.setText(f"第二备份位置：{extra}")
        else:
            self.second_label.setText(f"第二备份位置：{extra}（现在找不到：U 盘未插入？）")
        self.clear_second.setEnabled(extra is not None)
        self.backups = listing.backups
        self.table.setRowCount(len(self.backups))
        for row, backup in enumerate(self.backups):
            cells = (
                f"{backup.taken_at:%Y-%m-%d %H:%M:%S}",
                backup.reason,
                size_text(backup.size),
                backup.location,
                backup.path.name,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                item.setToolTip(as_plain(str(backup.path)))
                self.table.setItem(row, column, item)
        if self.backups:
            self.table.selectRow(0)
        self._update_buttons()

    def selected_backup(self) -> Backup | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        busy = self._task is not None
        self.backup_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self.selected_backup() is not None)

    def _open_folder(self) -> None:
        folder = backup_dir_for(self.db_path)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # --- second folder ------------------------------------------------------------------

    def _choose_second(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "选择第二备份位置（例如 U 盘上的文件夹）")
        if chosen:
            self.set_second_folder(Path(chosen))

    def set_second_folder(self, folder: Path | None) -> None:
        safety.set_second_folder(self.database, folder)
        self.refresh()
        if folder is not None:
            self.status.setText(f"以后每次备份都会同时复制到 {folder}。")

    def _clear_second(self) -> None:
        self.set_second_folder(None)
        self.status.setText("已不再复制到第二备份位置。")

    # --- backing up ---------------------------------------------------------------------

    def back_up_now(self) -> None:
        def job(progress: Progress) -> BackupOutcome:
            return safety.back_up_now(self.database, progress=progress)

        self._start("正在备份", job, self._backed_up)

    def _backed_up(self, outcome: BackupOutcome) -> None:
        self._finish()
        self.refresh()
        text = f"已备份并通过完整性检查：{outcome.path.name}"
        if outcome.copies:
            text += f"；已复制到 {outcome.copies[0].parent}"
        self.status.setText(text)
        if outcome.problems:
            QMessageBox.warning(self, "第二备份位置", as_plain("\n".join(outcome.problems)))

    # --- restoring ----------------------------------------------------------------------

    def _restore_selected(self) -> None:
        backup = self.selected_backup()
        if backup is None:
            return
        question = (
            f"将用 {backup.taken_at:%Y-%m-%d %H:%M}（{backup.reason}）的备份"
            "替换当前的全部数据。\n\n"
            "当前数据会先自动备份，如果选错了，可以再从那份备份恢复回来。确定恢复吗？"
        )
        self.restore_file(backup.path, question)

    def _restore_other_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            "选择备份文件",
            str(backup_dir_for(self.db_path)),
            "持证通备份 (*.sqlite3 *.db);;所有文件 (*)",
        )
        if chosen:
            question = (
                f"将用文件 {Path(chosen).name} 替换当前的全部数据。\n\n"
                "恢复前会检查该文件是否为完好的持证通数据库；当前数据会先自动备份。确定恢复吗？"
            )
            self.restore_file(Path(chosen), question)

    def restore_file(self, path: Path, question: str) -> None:
        answer = QMessageBox.question(
            self,
            "从备份恢复",
            as_plain(question),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def job(progress: Progress) -> RestoreResult:
            return safety.restore(self.database, path, progress)

        self._start("正在恢复", job, self._restored, writes=True)

    def _restored(self, result: RestoreResult) -> None:
        self._finish()
        self.restored = True
        self.refresh()
        self.status.setText(
            f"已恢复：{result.candidate.summary()}。恢复前的数据已备份为 {result.previous.name}。"
        )
        QMessageBox.information(
            self,
            "恢复完成",
            as_plain(
                f"已从备份恢复：{result.candidate.summary()}。\n\n"
                f"恢复前的数据已备份为 {result.previous.name}。"
            ),
        )

    # --- jobs ---------------------------------------------------------------------------

    def _start(
        self,
        title: str,
        job: Callable[[Progress], T],
        on_done: Callable[[T], None],
        writes: bool = False,
    ) -> None:
        self._task = run_in_background(self, title, job, on_done, self._failed, writes=writes)
        self._update_buttons()

    def _finish(self) -> None:
        self._task = None
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.status.setText("已取消，数据没有任何改动。")
            return
        if isinstance(exc, RestoreRefused):
            QMessageBox.warning(self, "不能恢复", as_plain(str(exc)))
            return
        QMessageBox.critical(self, "操作失败", describe_failure(exc))

    def done(self, result: int) -> None:
        if self._task is not None:
            return  # a backup or restore is running; its own dialog offers 取消
        super().done(result)


def open_backup_dialog(parent: QWidget | None, database: Database) -> bool:
    """Show the dialog modally; True if data was restored (the caller must reload its pages)."""
    if database.path is None:
        QMessageBox.information(
            parent,
            "备份与恢复",
            "当前使用的是服务器数据库（PostgreSQL），请由数据库管理员负责备份和恢复。",
        )
        return False
    dialog = BackupDialog(database, parent)
    dialog.exec()
    return dialog.restored
