"""Start the GUI: the application object, the log and error dialog, the database, the first-run
setup, the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from core.environment_errors import explain_environment_error
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


def _open(db: str | None) -> Database | None:
    """The database, or None after telling the clerk why it cannot be opened."""
    try:
        return open_database(db)
    except SchemaError as exc:
        QMessageBox.critical(None, "无法打开数据库", str(exc))
    except Exception as exc:
        problem = explain_environment_error(exc)
        if problem is None:
            raise
        QMessageBox.critical(None, "无法打开数据库", problem.message)
    return None


def run_gui(db: str | None) -> int:
    app = make_application()
    from gui.errors import install_error_reporting

    install_error_reporting()
    database = _open(db)
    if database is None:
        return 1
    try:
        from gui.setup_dialog import ensure_institution

        if not ensure_institution(database):
            return 0
        from gui.main_window import MainWindow

        window = MainWindow(database)
        window.show()
        return app.exec()
    finally:
        database.close()


__all__ = ["Database", "make_application", "run_gui"]
