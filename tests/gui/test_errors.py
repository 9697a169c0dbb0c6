"""The log file and the error dialog: everything logged, nothing personal in it, no crash."""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from core.identity.idcard import id_check_char
from gui import errors
from gui.errors import ErrorReporter, message_box, setup_logging

FIRST17 = "14010520030105011"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    hooks = (sys.excepthook, threading.excepthook)
    path = setup_logging(tmp_path / "logs")
    yield path
    for handler in root.handlers:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


def test_the_log_masks_id_numbers_and_phones(log_file: Path) -> None:
    logging.getLogger("certdesk.test").info("学员 %s 手机 13800001111", ID_NUMBER)
    text = log_file.read_text(encoding="utf-8")
    assert "140105********" in text and "138****1111" in text
    assert ID_NUMBER not in text and "13800001111" not in text


def test_setting_up_twice_adds_no_second_file_handler(log_file: Path) -> None:
    assert setup_logging(log_file.parent) == log_file
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == log_file
    ]
    assert len(handlers) == 1


def test_an_unexpected_error_is_logged_and_shown_with_the_log_path(
    log_file: Path, qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    reporter = ErrorReporter(log_file)
    try:
        raise ValueError(f"坏数据 {ID_NUMBER}")
    except ValueError as exc:
        reporter.handle(type(exc), exc, exc.__traceback__)
    (box,) = shown
    assert box.windowTitle() == "程序出现意外错误"
    assert str(log_file) in box.text()
    assert ID_NUMBER not in box.detailedText() and "ValueError" in box.detailedText()
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged and "ValueError" in logged and ID_NUMBER not in logged


def test_a_full_disk_gets_its_plain_message(log_file: Path, qapp: object) -> None:
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = 13  # type: ignore[attr-defined]
    box = message_box(error, log_file)
    assert box.windowTitle() == "操作未完成" and "磁盘空间已满" in box.text()


def test_the_hook_is_installed(log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "log_dir", lambda: log_file.parent)
    reporter = errors.install_error_reporting()
    assert sys.excepthook == reporter.handle
    assert reporter.log_path == log_file
