"""The main window: a navigation list on the left, one page per section on the right."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.version import VERSION
from models.database import Database

SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("institution", "本机构", "机构信息、统一社会信用代码、可培训工种与对接产业（附件4）。"),
    ("trainees", "学员", "学员名册：姓名、身份证号、手机号、身份、专业、毕业年份。"),
    ("certificates", "证书", "学员取得的各类证书及其等级，计入附件1取证任务。"),
    ("classes", "培训班", "定向培训班、教学计划与学员名单（附件3 申请报告）。"),
    ("progress", "进度", "对照附件1任务数的取证进度与培训进度。"),
    ("exchange", "数据交换", "加密数据包：报送市教育局或导入各校数据。"),
)


class SectionPlaceholder(QWidget):
    """What a section shows until its page is built: its name and what it will hold."""

    def __init__(self, title: str, description: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        layout.addWidget(heading)
        body = QLabel(description)
        body.setWordWrap(True)
        layout.addWidget(body)
        layout.addStretch(1)


class MainWindow(QMainWindow):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database
        self.setWindowTitle(f"持证通 CertDesk {VERSION}")
        self.navigation = QListWidget()
        self.navigation.setFixedWidth(140)
        self.pages = QStackedWidget()
        for key, title, description in SECTIONS:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.navigation.addItem(item)
            self.pages.addWidget(SectionPlaceholder(title, description))
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(f"数据库：{database.url.render_as_string(hide_password=True)}")
        self.navigation.setCurrentRow(0)
        self._restore_geometry()

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("main_window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1200, 720)

    def closeEvent(self, event: object) -> None:
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)  # type: ignore[arg-type]
