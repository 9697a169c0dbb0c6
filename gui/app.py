"""Start the GUI: the application object, the database, the first-run check, the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from models.database import Database, open_database
from models.migrate import SchemaError

ORGANIZATION = "CertDesk"
APPLICATION = "CertDesk"


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("持证通")
    return app  # type: ignore[return-value]


def run_gui(db: str | None) -> int:
    app = make_application()
    try:
        database = open_database(db)
    except SchemaError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
        return 1
    from gui.main_window import MainWindow

    window = MainWindow(database)
    window.show()
    try:
        return app.exec()
    finally:
        database.close()


__all__ = ["Database", "make_application", "run_gui"]
