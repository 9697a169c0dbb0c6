"""Plain Chinese for the things that go wrong around CertDesk rather than inside it.

A full disk, a folder the clerk may not write to, a database another program holds, a USB
stick pulled out mid-write: none of these is a bug, and a traceback would only frighten. Each
is recognised here from the operating system's errno or SQLite's result code, wherever in an
exception chain it sits (SQLAlchemy wraps sqlite3's error, which Python may wrap again), and
turned into a message that says what happened, that nothing was half-written, and what to do.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from core.base.privacy import mask_personal_numbers

__all__ = ["EnvironmentProblem", "describe_failure", "explain_environment_error"]

# SQLite primary result codes (the low byte of an extended code); see sqlite.org/rescode.html.
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26
#: Extended I/O codes of a failed write: the OS said no space, file too large or device gone,
#: and SQLite does not tell which (it maps only ENOSPC itself to SQLITE_FULL).
_SQLITE_IOERR_WRITES = {778, 1034, 1546}  # IOERR_WRITE, IOERR_FSYNC, IOERR_TRUNCATE

_UNCHANGED = "本次操作未完成，已有数据没有被改动。"

DISK_FULL = "disk_full"
READ_ONLY = "read_only"
LOCKED = "locked"
DEVICE_GONE = "device_gone"
TOO_LARGE = "too_large"
WRITE_FAILED = "write_failed"
CANT_OPEN = "cant_open"
NOT_A_FOLDER = "not_a_folder"
DAMAGED = "damaged"


@dataclass(frozen=True)
class EnvironmentProblem:
    """A recognised environment problem: a stable kind for code, a message for the clerk."""

    kind: str
    message: str

    def __str__(self) -> str:
        return self.message


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps: causes, contexts and SQLAlchemy's ``orig``."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (
            getattr(current, "orig", None),
            current.__cause__,
            current.__context__,
        ):
            if isinstance(inner, BaseException):
                pending.append(inner)


def _where(exc: OSError) -> str:
    return f"（{exc.filename}）" if exc.filename else ""


def _from_os_error(exc: OSError) -> EnvironmentProblem | None:
    where = _where(exc)
    if exc.errno in {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}:
        return EnvironmentProblem(
            DISK_FULL,
            f"磁盘空间已满{where}。{_UNCHANGED}请删除不需要的文件、清空回收站，"
            "或换一个有空间的磁盘后重试。",
        )
    if exc.errno == errno.EFBIG:
        return EnvironmentProblem(
            TOO_LARGE,
            f"文件超过了系统或磁盘格式允许的大小{where}（FAT32 格式的 U 盘单个文件不能超过 4 GB）。"
            f"{_UNCHANGED}",
        )
    if exc.errno in {errno.EROFS, errno.EACCES, errno.EPERM}:
        return EnvironmentProblem(
            READ_ONLY,
            f"没有写入权限：文件夹或文件是只读的{where}。{_UNCHANGED}"
            "请检查文件夹属性、U 盘的写保护开关，或换一个可以写入的位置。",
        )
    if exc.errno in {errno.EIO, errno.ENODEV, errno.ENXIO}:
        return EnvironmentProblem(
            DEVICE_GONE,
            f"读写时出现设备错误{where}：U 盘或移动硬盘可能已被拔出或已损坏。"
            f"{_UNCHANGED}请重新插好后再试。",
        )
    if exc.errno in {errno.EEXIST, errno.ENOTDIR, errno.EISDIR}:
        return EnvironmentProblem(
            NOT_A_FOLDER,
            f"路径不对{where}：需要文件夹的地方是一个文件，或需要文件的地方是一个文件夹。"
            f"请重新选择位置。{_UNCHANGED}",
        )
    if exc.errno == errno.ENOENT:
        return EnvironmentProblem(
            DEVICE_GONE,
            f"找不到文件或文件夹{where}。如果它在 U 盘上，U 盘可能已被拔出；"
            f"请重新插好或重新选择位置。{_UNCHANGED}",
        )
    return None


def _from_sqlite_error(exc: sqlite3.Error) -> EnvironmentProblem | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    primary = code & 0xFF
    if primary == _SQLITE_FULL:
        return EnvironmentProblem(
            DISK_FULL,
            f"磁盘空间已满，数据库无法写入。{_UNCHANGED}请删除不需要的文件、清空回收站后重试。",
        )
    if primary == _SQLITE_READONLY:
        return EnvironmentProblem(
            READ_ONLY,
            f"数据库所在的文件夹或数据库文件是只读的，无法写入。{_UNCHANGED}"
            "请检查文件夹权限，或把数据库放到可以写入的位置。",
        )
    if primary in {_SQLITE_BUSY, _SQLITE_LOCKED}:
        return EnvironmentProblem(
            LOCKED,
            f"数据库正被另一个程序或窗口占用（例如另一个持证通正在导入）。{_UNCHANGED}"
            "请等它完成或关闭它后重试。",
        )
    if code in _SQLITE_IOERR_WRITES:
        return EnvironmentProblem(
            WRITE_FAILED,
            "写入磁盘失败：磁盘空间可能已满、文件超过了允许的大小，或存放数据库的 U 盘已被拔出。"
            f"{_UNCHANGED}请腾出磁盘空间或插好 U 盘后重试。",
        )
    if primary == _SQLITE_IOERR:
        return EnvironmentProblem(
            DEVICE_GONE,
            f"读写数据库时出现磁盘错误：存放数据库的 U 盘或磁盘可能已被拔出或已损坏。{_UNCHANGED}",
        )
    if primary == _SQLITE_CANTOPEN:
        return EnvironmentProblem(
            CANT_OPEN,
            "无法打开数据库文件：所在文件夹不存在、没有权限，或 U 盘已被拔出。",
        )
    if primary in {_SQLITE_CORRUPT, _SQLITE_NOTADB}:
        return EnvironmentProblem(
            DAMAGED,
            "数据库文件已损坏或不是持证通的数据库。请用“从备份恢复”恢复最近的完好备份"
            "（命令行：backups 查看，restore 文件 恢复）。",
        )
    return None


def explain_environment_error(exc: BaseException) -> EnvironmentProblem | None:
    """The plain message for a known environment problem anywhere in ``exc``'s chain.

    ``None`` means the failure is not one of the known ones: a bug, to be logged and reported.
    """
    for inner in _chain(exc):
        if isinstance(inner, sqlite3.Error):
            found = _from_sqlite_error(inner)
        elif isinstance(inner, OSError):
            found = _from_os_error(inner)
        else:
            continue
        if found is not None:
            return found
    return None


def describe_failure(exc: BaseException) -> str:
    """A message for any failure: the plain one if it is known, else the error text, masked.

    For dialogs that report a failed job; the full traceback goes to the (masked) log.
    """
    problem = explain_environment_error(exc)
    if problem is not None:
        return problem.message
    text = mask_personal_numbers(str(exc)) or type(exc).__name__
    return f"{text}（{type(exc).__name__}）"
