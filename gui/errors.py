"""The log file, and what the clerk sees when something unexpected goes wrong.

One ``sys.excepthook`` (and its thread twin) logs every uncaught exception and shows a dialog
naming the log file, rather than a silent failure or a vanished window: the clerk can mail
the file to whoever helps. A known environment problem (full disk, read-only folder, database
busy) gets its plain message instead of the word 错误 and a path. ID numbers and phones
never reach the file: its handler (``core.base.logfile``) masks every line it writes, and
only the OS user can read it.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from core.base.logfile import log_to_file
from core.safety.environment_errors import describe_failure, explain_environment_error
from models.database import data_dir

log = logging.getLogger("certdesk")


def log_dir() -> Path:
    return data_dir() / "logs"


def setup_logging(folder: Path | None = None) -> Path:
    """Log INFO and above, and Qt's own messages, to the rotating, masked, private file in
    ``folder`` (the data folder's ``logs``); returns the file's path. Calling it again adds no
    second handler for the same file."""
    target = log_to_file(folder or log_dir())
    qInstallMessageHandler(_qt_message)
    return target


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, _context: object, message: str) -> None:
    """Qt's own warnings go to the same file (a missing font, a broken style sheet)."""
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), message)


class ErrorReporter:
    """Logs uncaught exceptions and shows one dialog for each, never one inside another."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self._showing = False

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def handle(
        self,
        kind: type[BaseException],
        exc: BaseException,
        traceback: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, traceback)
            return
        log.error("未处理的异常", exc_info=(kind, exc, traceback))
        self.show(exc)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        # Widgets belong to the GUI thread: a worker's failure is logged, and the task
        # runner (gui.tasks) reports it to the clerk through its own error callback.
        if args.exc_value is not None:
            log.error(
                "线程 %s 中未处理的异常",
                args.thread.name if args.thread else "?",
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            )

    def show(self, exc: BaseException) -> None:
        if self._showing or QApplication.instance() is None:
            return
        self._showing = True
        try:
            box = message_box(exc, self.log_path)
            box.exec()
        finally:
            self._showing = False


def message_box(exc: BaseException, log_path: Path) -> QMessageBox:
    """The dialog for ``exc``: an environment problem's own message, else the log's path."""
    problem = explain_environment_error(exc)
    box = QMessageBox(QApplication.activeWindow())
    box.setTextFormat(Qt.TextFormat.PlainText)  # it names files
    if problem is not None:
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("操作未完成")
        box.setText(problem.message)
        return box
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("程序出现意外错误")
    box.setText(
        "刚才的操作没有完成，程序出现了意外错误。\n"
        "已保存的数据不受影响。请把下面的日志文件发给技术支持人员：\n\n"
        f"{log_path}"
    )
    box.setDetailedText(describe_failure(exc))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return box


def install_error_reporting(folder: Path | None = None) -> ErrorReporter:
    """Set up the log file and the exception hooks; returns the reporter (for its path)."""
    reporter = ErrorReporter(setup_logging(folder))
    reporter.install()
    log.info("持证通启动")
    return reporter
