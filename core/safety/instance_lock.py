"""One CertDesk window per database, and a clear answer to "who has it open?".

SQLite itself would let two windows write the same file, but the second window's lists would
go stale under the first one's edits and a restore in one would pull the data from under the
other. So the GUI (and a restore from the command line) takes a lock file beside the
database, ``certdesk.sqlite3.lock``.

The lock is an operating-system lock on that file (``fcntl.flock`` on Linux and macOS,
``msvcrt.locking`` on Windows), not the file's existence: the OS drops it when the process
ends in any way, including a crash or a power cut, so a lock can never outlive its holder.
The file's *content* says who holds it (process, computer, OS user, start time) so that a
second start can name them. A clean exit empties the file; content found when the lock is
free therefore means the previous run did not end cleanly, which is reported as a stale lock
and taken over.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from models.audit import current_os_user

__all__ = ["InstanceLock", "InstanceLocked", "LockHolder", "lock_path_for"]

LOCK_SUFFIX = ".lock"
#: Windows locks byte ranges, and a locked range cannot even be read by others; the lock sits
#: far past the holder's description so that a second start can still read who holds it.
_WINDOWS_LOCK_OFFSET = 1 << 20


def lock_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    user: str
    started: str

    def describe(self) -> str:
        return f"{self.user}（计算机 {self.host}，进程号 {self.pid}，{self.started} 启动）"

    @classmethod
    def me(cls) -> LockHolder:
        return cls(
            pid=os.getpid(),
            host=socket.gethostname(),
            user=current_os_user(),
            started=datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        )

    @classmethod
    def parse(cls, text: str) -> LockHolder | None:
        try:
            data = json.loads(text)
            return cls(
                pid=int(data["pid"]),
                host=str(data["host"]),
                user=str(data["user"]),
                started=str(data["started"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


class InstanceLocked(Exception):
    """Another CertDesk holds the database; the message (Chinese) names who."""

    def __init__(self, db_path: Path, holder: LockHolder | None) -> None:
        who = holder.describe() if holder else "另一个持证通窗口或命令"
        super().__init__(
            f"数据库 {db_path} 正在被使用：{who}。"
            "同一个数据库同时只能由一个持证通打开。请切换到已经打开的窗口，"
            "或等对方关闭持证通后再试。"
        )
        self.holder = holder


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096).decode("utf-8", errors="replace")


class InstanceLock:
    """The lock on one database; ``acquire`` raises ``InstanceLocked`` if someone has it.

    After ``acquire``, ``stale_holder`` is the holder a crashed run left behind, if any.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path_for(db_path)
        self.stale_holder: LockHolder | None = None
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> InstanceLock:
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not _try_lock(fd):
                raise InstanceLocked(self.db_path, LockHolder.parse(_read(fd)))
            leftover = _read(fd)
            self.stale_holder = LockHolder.parse(leftover) if leftover.strip() else None
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(asdict(LockHolder.me()), ensure_ascii=False).encode())
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        """Empty the file (a clean exit) and let go; safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.release()
