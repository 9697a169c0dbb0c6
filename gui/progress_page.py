"""The 进度 section: where a school or a bureau stands against the plan's targets.

A school sees its certificate target against this year's graduates (with 还差谁, the list to
act on), its 定向 training against the three milestones, and the subsidy to claim. A city bureau
or the province sees every institution it holds, furthest behind first, its own totals and the
institutions that have stopped sending packages; double-clicking an institution opens its
school view. The figures come from ``application.progress`` (SQL aggregates of
``core.progress``), computed off the GUI thread whenever the page is shown or F5 is pressed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from application.progress import Snapshot, institution_snapshot, progress_snapshot
from core.fields import ValidationFailed
from core.progress import DEFAULT_STALE_DAYS, SchoolProgress
from gui.bureau_dashboard import BureauDashboard
from gui.school_dashboard import SchoolDashboard
from gui.tasks import Cancelled, Progress, Task, run_in_background
from gui.widgets import page_title, plain_label
from models.database import Database


class InstitutionDialog(QDialog):
    """A held institution's school view, opened from the bureau's table."""

    def __init__(
        self, database: Database, uscc: str, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("机构进度")
        self.resize(1000, 700)
        self.title = plain_label("正在统计…")
        self.title.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.dashboard = SchoolDashboard(database)
        buttons = QDialogButtonBox()
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.dashboard, 1)
        layout.addWidget(buttons)
        self.task = run_in_background(
            self,
            "正在统计该机构进度…",
            lambda progress: institution_snapshot(database, today, uscc),
            self._show,
            self._fail,
        )

    def _show(self, snapshot: Snapshot) -> None:
        progress = snapshot.progress
        assert isinstance(progress, SchoolProgress)
        self.setWindowTitle(f"{progress.institution.name} 的进度")
        self.title.setText(f"{progress.institution.name}　统计日期 {progress.today:%Y-%m-%d}")
        self.dashboard.show_progress(progress, snapshot.groups)

    def _fail(self, exc: BaseException) -> None:
        self.title.setText("已取消" if isinstance(exc, Cancelled) else f"无法统计：{exc}")


class ProgressPage(QWidget):
    """The school or bureau dashboard, by the installation's role; refreshed when shown, on F5."""

    refreshed = Signal()

    def __init__(
        self,
        database: Database,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
        stale_days: int = DEFAULT_STALE_DAYS,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.today = today
        self.stale_days = stale_days
        self.snapshot: Snapshot | None = None
        self._task: Task[Snapshot] | None = None
        self._again = False

        self.title = page_title("进度")
        self.title.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.status = plain_label()
        self.refresh_button = QPushButton("刷新（F5）")
        self.refresh_button.clicked.connect(self.refresh)
        shortcut = QShortcut(QKeySequence(Qt.Key.Key_F5), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.status, 1)
        header.addWidget(self.refresh_button)

        self.message = plain_label()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.school = SchoolDashboard(database)
        self.bureau = BureauDashboard()
        self.bureau.drill_down.connect(self.open_institution)
        self.stack = QStackedWidget()
        for widget in (self.message, self.school, self.bureau):
            self.stack.addWidget(widget)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Recompute in the background; a refresh asked for while one runs follows it."""
        if self._task is not None:
            self._again = True
            return
        today = self.today()
        self.status.setText("正在统计…")
        self.refresh_button.setEnabled(False)

        def job(progress: Progress) -> Snapshot:
            progress.check()
            return progress_snapshot(self.database, today, self.stale_days)

        self._task = run_in_background(self, "正在统计进度…", job, self._show, self._fail)

    def _finish(self) -> None:
        self._task = None
        self.refresh_button.setEnabled(True)
        if self._again:
            self._again = False
            self.refresh()
        else:
            self.refreshed.emit()

    def _show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        progress = snapshot.progress
        name = progress.institution.name
        self.status.setText(f"{name}　统计日期 {progress.today:%Y-%m-%d}")
        if isinstance(progress, SchoolProgress):
            self.school.show_progress(progress, snapshot.groups)
            self.stack.setCurrentWidget(self.school)
        else:
            self.bureau.show_progress(progress)
            self.stack.setCurrentWidget(self.bureau)
        self._finish()

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.status.setText("统计已取消；按 F5 重新统计。")
        elif isinstance(exc, ValidationFailed):
            self.snapshot = None
            self.status.setText("")
            self.message.setText(f"无法统计进度：{exc}")
            self.stack.setCurrentWidget(self.message)
        else:
            self.status.setText(f"统计出错：{exc}")
        self._finish()

    def open_institution(self, uscc: str) -> InstitutionDialog:
        dialog = InstitutionDialog(self.database, uscc, self.today(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
