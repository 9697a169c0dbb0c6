"""One CertDesk per database, across processes; a crashed holder never blocks the next start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.safety.instance_lock import InstanceLock, InstanceLocked, LockHolder, lock_path_for

ROOT = Path(__file__).resolve().parents[3]

HOLDER = """
import sys
from pathlib import Path
from core.safety.instance_lock import InstanceLock
lock = InstanceLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock on tmp_path/certdesk.sqlite3 until told to stop."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "certdesk.sqlite3")],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "locked"
        yield process
        if process.poll() is None:
            process.kill()


def test_second_process_learns_who_holds_the_lock(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(InstanceLocked) as refused:
        InstanceLock(tmp_path / "certdesk.sqlite3").acquire()
    who = refused.value.holder
    assert who is not None
    assert who.pid == holder.pid
    assert who.host == socket.gethostname()
    assert who.user == LockHolder.me().user
    message = str(refused.value)
    assert f"进程号 {holder.pid}" in message
    assert "同时只能由一个持证通打开" in message


def test_lock_is_free_after_a_clean_exit(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"
    holder.wait()
    lock = InstanceLock(tmp_path / "certdesk.sqlite3").acquire()
    try:
        assert lock.stale_holder is None
    finally:
        lock.release()


def test_a_crashed_holder_leaves_a_stale_lock_that_is_taken_over(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    lock = InstanceLock(tmp_path / "certdesk.sqlite3").acquire()
    try:
        assert lock.stale_holder is not None
        assert lock.stale_holder.pid == holder.pid
        assert LockHolder.parse(lock.path.read_text()) is not None
        assert LockHolder.parse(lock.path.read_text()).pid == os.getpid()  # type: ignore[union-attr]
    finally:
        lock.release()


def test_two_locks_in_one_process_also_exclude_each_other(tmp_path: Path) -> None:
    db = tmp_path / "certdesk.sqlite3"
    with InstanceLock(db) as first:
        assert first.held
        with pytest.raises(InstanceLocked):
            InstanceLock(db).acquire()
        assert first.acquire() is first  # acquiring again is harmless
    assert not first.held
    assert lock_path_for(db).read_text() == ""  # a clean release empties the file
    InstanceLock(db).acquire().release()


def test_locks_of_different_databases_are_independent(tmp_path: Path) -> None:
    with InstanceLock(tmp_path / "a.sqlite3"), InstanceLock(tmp_path / "b.sqlite3"):
        pass


def test_unreadable_leftover_is_not_taken_for_a_holder(tmp_path: Path) -> None:
    db = tmp_path / "certdesk.sqlite3"
    lock_path_for(db).write_bytes(b"\xff\xfe garbage")
    with InstanceLock(db) as lock:
        assert lock.stale_holder is None
