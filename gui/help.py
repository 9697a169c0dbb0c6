"""The Help menu: the Chinese user guide and the About box.

The guide is docs/用户手册.md, shown with Qt's own Markdown support so that the same file
serves the repository, the README's readers and the clerk at an offline PC.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSize, QUrl
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from application.safety import about
from gui.record_dialog import fit_screen
from models.database import Database

GUIDE_NAME = "用户手册.md"


def guide_path() -> Path:
    """docs/用户手册.md in a source tree, or the copy PyInstaller bundled beside it."""
    bundle = getattr(sys, "_MEIPASS", None)
    root = Path(bundle) if bundle else Path(__file__).resolve().parent.parent
    return root / "docs" / GUIDE_NAME


class GuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("持证通用户手册")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setSource(QUrl.fromLocalFile(str(guide_path())))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(fit_screen(QSize(960, 700)))


def open_user_guide(parent: QWidget | None) -> GuideDialog:
    dialog = GuideDialog(parent)
    dialog.show()
    return dialog


def about_text(database: Database) -> str:
    facts = about(database)
    return (
        f"<h3>持证通 CertDesk {facts.version}</h3>"
        "<p>落实《人人持证 技能社会》（晋教职成〔2021〕8号）的离线数据管理工具。</p>"
        f"<p>数据文件夹：{facts.data_folder}<br>数据库：{facts.database}<br>"
        f"本机签名密钥指纹：{facts.fingerprint or '尚未生成（首次生成数据包时创建）'}</p>"
    )


def show_about(parent: QWidget | None, database: Database) -> None:
    QMessageBox.about(parent, "关于持证通", about_text(database))
