"""The main window: a navigation list on the left, one page per section on the right.

Ctrl+1 … Ctrl+6 switch sections. Closing asks about unsaved edits on any page, and keeps the
window's size and each page's layout for the next start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from core.version import VERSION
from gui.audit_dialog import open_audit_dialog
from gui.backup_dialog import open_backup_dialog
from gui.certificates_page import CertificatesPage
from gui.classes_page import ClassesPage
from gui.exchange_page import ExchangePage
from gui.help import open_user_guide, show_about
from gui.institution_page import InstitutionPage
from gui.progress_page import ProgressPage
from gui.record_dialog import fit_screen
from gui.trainees_page import TraineesPage
from models.database import Database

PageFactory = Callable[[Database], QWidget]

#: Section key, navigation title, page. A new section is one line here.
SECTIONS: tuple[tuple[str, str, PageFactory], ...] = (
    ("institution", "本机构", InstitutionPage),
    ("trainees", "学员", TraineesPage),
    ("certificates", "证书", CertificatesPage),
    ("classes", "培训班", ClassesPage),
    ("progress", "进度", ProgressPage),
    ("exchange", "数据交换", ExchangePage),
)
DEFAULT_SIZE = QSize(1280, 720)


@runtime_checkable
class HasUnsavedChanges(Protocol):
    """A page holding edits that are not in the database yet (the profile page)."""

    def has_unsaved_changes(self) -> bool: ...

    def save(self) -> bool: ...


@runtime_checkable
class KeepsLayout(Protocol):
    """A page whose column widths or splitters are worth keeping between runs."""

    def save_layout(self) -> None: ...


class MainWindow(QMainWindow):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database
        self.setWindowTitle(f"持证通 CertDesk {VERSION}")
        self.navigation = QListWidget()
        self.navigation.setFixedWidth(120)
        self.pages = QStackedWidget()
        self.page_by_key: dict[str, QWidget] = {}
        for number, (key, title, factory) in enumerate(SECTIONS, start=1):
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"Ctrl+{number}")
            self.navigation.addItem(item)
            page = factory(database)
            self.page_by_key[key] = page
            self.pages.addWidget(page)
            QShortcut(
                QKeySequence(f"Ctrl+{number}"),
                self,
                lambda row=number - 1: self.navigation.setCurrentRow(row),
            )
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"数据库：{database.url.render_as_string(hide_password=True)}")
        self.navigation.setCurrentRow(0)
        self._build_menus()
        self._restore_geometry()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        file_menu.addAction("备份与恢复(&B)…").triggered.connect(self._backups)
        file_menu.addAction("操作日志(&L)…").triggered.connect(
            lambda: open_audit_dialog(self, self.database)
        )
        file_menu.addSeparator()
        leave = file_menu.addAction("退出(&X)")
        leave.setShortcut(QKeySequence.StandardKey.Quit)
        leave.triggered.connect(self.close)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        guide = help_menu.addAction("用户手册(&M)")
        guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        guide.triggered.connect(lambda: open_user_guide(self))
        help_menu.addAction("关于持证通(&A)").triggered.connect(
            lambda: show_about(self, self.database)
        )

    def _backups(self) -> None:
        """After a restore every page's data is stale: rebuild the pages from the database."""
        if open_backup_dialog(self, self.database):
            self._rebuild_pages()

    def _rebuild_pages(self) -> None:
        current = self.navigation.currentRow()
        for key, _title, factory in SECTIONS:
            old = self.page_by_key[key]
            page = factory(self.database)
            index = self.pages.indexOf(old)
            self.pages.insertWidget(index, page)
            self.pages.removeWidget(old)
            old.deleteLater()
            self.page_by_key[key] = page
        self.navigation.setCurrentRow(current)
        self.pages.setCurrentIndex(current)

    def show_section(self, key: str) -> QWidget:
        page = self.page_by_key[key]
        self.navigation.setCurrentRow(self.pages.indexOf(page))
        return page

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("main_window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):  # type: ignore[arg-type]
            self.resize(fit_screen(DEFAULT_SIZE))

    def _unsaved_pages(self) -> list[tuple[str, HasUnsavedChanges]]:
        return [
            (title, page)
            for (key, title, _factory) in SECTIONS
            if isinstance(page := self.page_by_key[key], HasUnsavedChanges)
            and page.has_unsaved_changes()
        ]

    def _may_close(self) -> bool:
        """Ask about each page with unsaved edits: save, discard, or stay."""
        for title, page in self._unsaved_pages():
            self.show_section(next(k for k, t, _f in SECTIONS if t == title))
            answer = QMessageBox.question(
                self,
                "尚未保存",
                f"“{title}”页有尚未保存的修改，关闭前保存吗？",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save and not page.save():
                return False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close():
            event.ignore()
            return
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        for page in self.page_by_key.values():
            if isinstance(page, KeepsLayout):
                page.save_layout()
        super().closeEvent(event)
