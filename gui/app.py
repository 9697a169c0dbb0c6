"""Start the GUI: the application object, the log and error dialog, the database, the first-run
setup, the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from core.safety.environment_errors import explain_environment_error
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
    from gui.startup_checks import BackupTimer, run_startup_checks

    install_error_reporting()
    # One instance per database, and a damaged file is repaired from a backup before anything
    # opens it for writing.
    guard = run_startup_checks(db)
    if guard is None:
        return 1
    try:
        database = _open(db)
        if database is None:
            return 1
        try:
            guard.opened(database)
            from gui.setup_dialog import ensure_institution

            if not ensure_institution(database):
                return 0
            from gui.main_window import MainWindow

            window = MainWindow(database)
            timer = BackupTimer(database, window)
            timer.message.connect(lambda text: window.statusBar().showMessage(text, 10_000))
            timer.failed.connect(lambda text: QMessageBox.warning(window, "自动备份", text))
            for notice in guard.notices:
                window.statusBar().showMessage(notice)
            window.show()
            timer.start()
            return app.exec()
        finally:
            database.close()
    finally:
        guard.release()


__all__ = ["Database", "make_application", "run_gui"]
