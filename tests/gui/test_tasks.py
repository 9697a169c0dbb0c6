"""The one background runner: writers never interleave, readers go on, cancel still works."""

from __future__ import annotations

import threading
import time

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from gui.tasks import WAITING_TEXT, Cancelled, Progress, run_in_background

TIMEOUT = 10_000


def _job(name: str, log: list[tuple[str, str]], hold: float = 0.3):
    def job(progress: Progress) -> str:
        log.append((name, "start"))
        deadline = time.monotonic() + hold
        while time.monotonic() < deadline:
            progress.check()
            time.sleep(0.01)
        log.append((name, "end"))
        return name

    return job


def test_two_writing_jobs_started_together_never_interleave(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    log: list[tuple[str, str]] = []
    done: list[str] = []
    tasks = [
        run_in_background(parent, name, _job(name, log), done.append, print, writes=True)
        for name in ("第一个导入", "第二个导入")
    ]
    qtbot.waitUntil(lambda: len(done) == 2, timeout=TIMEOUT)
    assert len(tasks) == 2
    first, second = log[0][0], log[2][0]
    assert log == [(first, "start"), (first, "end"), (second, "start"), (second, "end")]


def test_a_reading_job_runs_beside_a_writing_one(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    log: list[tuple[str, str]] = []
    done: list[str] = []
    writer_started = threading.Event()

    def writer(progress: Progress) -> str:
        writer_started.set()
        return _job("写", log, hold=0.5)(progress)

    def reader(progress: Progress) -> str:
        writer_started.wait(5)
        return _job("读", log, hold=0.05)(progress)

    keep = [
        run_in_background(parent, "写", writer, done.append, print, writes=True),
        run_in_background(parent, "读", reader, done.append, print),
    ]
    qtbot.waitUntil(lambda: len(done) == 2, timeout=TIMEOUT)
    assert keep and log.index(("读", "end")) < log.index(("写", "end"))


def test_a_waiting_writer_says_so_and_can_be_cancelled(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    log: list[tuple[str, str]] = []
    done: list[str] = []
    errors: list[BaseException] = []
    first = run_in_background(
        parent, "导入", _job("导入", log, hold=1.0), done.append, errors.append, writes=True
    )
    qtbot.waitUntil(lambda: bool(log), timeout=TIMEOUT)
    second = run_in_background(
        parent, "恢复", _job("恢复", log), done.append, errors.append, writes=True
    )
    assert second.dialog is not None
    qtbot.waitUntil(lambda: second.dialog.labelText() == WAITING_TEXT, timeout=TIMEOUT)
    second.progress.cancel()
    qtbot.waitUntil(lambda: len(done) + len(errors) == 2, timeout=TIMEOUT)
    assert first and done == ["导入"] and isinstance(errors[0], Cancelled)
    assert ("恢复", "start") not in log  # cancelled while waiting: it never ran
