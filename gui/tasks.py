"""Long jobs off the GUI thread: the one runner every screen uses.

After Anki's taskman/progress and its CollectionOp/QueryOp: the job is a plain function (a use
case of ``application``) that receives a ``Progress``; it reports how far it got and polls for
cancellation; its result or error comes back to the GUI thread through a queued signal. Widgets
are never touched from the worker. A progress dialog with 取消 appears only if the job is
still running after ``SHOW_AFTER_MS``; a quiet job (the automatic backup) shows none.

Writing jobs are serialised: a job started with ``writes=True`` while another writing job runs
waits for it (its dialog says so, and 取消 still works), so two imports, or an import and a
restore, never interleave their transactions; reading jobs (documents, progress, backups of a
consistent snapshot) go on beside them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

T = TypeVar("T")

#: A dialog for a job that ends sooner than this would only flicker.
SHOW_AFTER_MS = 300
#: Held by the writing job that runs; the next one waits for it on its own worker thread.
_WRITER = threading.Lock()
_WAIT_STEP_S = 0.1
WAITING_TEXT = "正在等待另一项写入操作完成…"


class Cancelled(Exception):
    """Raised inside a job when the clerk pressed 取消; the job's transaction rolls back."""


class Progress:
    """Handed to a job: report progress, and learn whether the clerk wants to stop."""

    def __init__(self, bridge: _Bridge) -> None:
        self._bridge = bridge
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Stop the job here if cancel was pressed."""
        if self._cancel.is_set():
            raise Cancelled

    def report(self, done: int, total: int, text: str = "") -> None:
        self._bridge.progressed.emit(done, total, text)

    def __call__(self, done: int, total: int, text: str) -> None:
        """The use cases' ``core.base.progress.ProgressFn``: report, and stop at 取消."""
        self.check()
        self.report(done, total, text)


class _Bridge(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)


class _Runner(QRunnable, Generic[T]):
    def __init__(
        self, job: Callable[[Progress], T], progress: Progress, bridge: _Bridge, writes: bool
    ) -> None:
        super().__init__()
        self.job = job
        self.progress = progress
        self.bridge = bridge
        self.writes = writes

    def run(self) -> None:
        try:
            result = self._serialised() if self.writes else self.job(self.progress)
        except BaseException as exc:  # every failure must reach the GUI thread's handler
            self.bridge.failed.emit(exc)
        else:
            self.bridge.finished.emit(result)

    def _serialised(self) -> T:
        if not _WRITER.acquire(blocking=False):
            self.progress.report(0, 0, WAITING_TEXT)
            while not _WRITER.acquire(timeout=_WAIT_STEP_S):
                self.progress.check()
        try:
            return self.job(self.progress)
        finally:
            _WRITER.release()


class Task(QObject, Generic[T]):
    """A running job; keep a reference until ``done`` or ``error`` fires."""

    done = Signal(object)
    error = Signal(object)

    def __init__(
        self,
        parent: QObject | None,
        title: str,
        job: Callable[[Progress], T],
        *,
        writes: bool = False,
        quiet: bool = False,
    ) -> None:
        super().__init__(parent)
        self._bridge = _Bridge()
        self.progress = Progress(self._bridge)
        self.dialog: QProgressDialog | None = None
        if not quiet:
            owner = parent if isinstance(parent, QWidget) else None
            self.dialog = QProgressDialog(title, "取消", 0, 0, owner)
            self.dialog.setWindowTitle(title)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.setMinimumDuration(SHOW_AFTER_MS)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.canceled.connect(self.progress.cancel)
        self._bridge.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._bridge.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._bridge.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._runner = _Runner(job, self.progress, self._bridge, writes)
        self._runner.setAutoDelete(False)

    def start(self) -> Task[T]:
        if self.dialog is not None:
            self.dialog.setValue(0)
        QThreadPool.globalInstance().start(self._runner)
        return self

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.dialog is None:
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total else 0)
        if text:
            self.dialog.setLabelText(text)

    def _close_dialog(self) -> None:
        if self.dialog is None:
            return
        self.dialog.canceled.disconnect(self.progress.cancel)
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()

    def _on_finished(self, result: object) -> None:
        self._close_dialog()
        self.done.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        self._close_dialog()
        if not isinstance(exc, Cancelled):
            log.error("background job failed", exc_info=(type(exc), exc, exc.__traceback__))
        self.error.emit(exc)


def run_in_background(
    parent: QObject | None,
    title: str,
    job: Callable[[Progress], T],
    on_done: Callable[[T], None],
    on_error: Callable[[BaseException], None],
    *,
    writes: bool = False,
    quiet: bool = False,
) -> Task[T]:
    """Start ``job`` on the thread pool; ``on_done``/``on_error`` run on the GUI thread.

    ``on_error`` receives ``Cancelled`` when the clerk pressed 取消. ``writes``: the job writes
    to the database and waits for any other writing job first. ``quiet``: no dialog at all.
    """
    task: Task[T] = Task(parent, title, job, writes=writes, quiet=quiet)
    task.done.connect(on_done)
    task.error.connect(on_error)
    return task.start()
