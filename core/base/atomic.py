"""Files that are either whole or absent: written under a temporary name, flushed, renamed.

A USB stick pulled out mid-write, or a PC switched off at the wall, must never leave a file
under its final name that looks complete; the worst it may leave is a ``.partial`` file.

Everything written here (packages, exports, private and public keys) is created 0600 on POSIX
(``core.base.file_modes``): the temporary file has that mode from the moment it exists, before
its first byte, and the rename keeps it, so neither a finished file nor a half-written one is
ever readable by another local user.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from core.base.file_modes import private_opener

PARTIAL_SUFFIX = ".partial"


def partial_path(path: Path) -> Path:
    if not path.name:  # "" or "/": a folder, not a file to write
        raise IsADirectoryError(errno.EISDIR, "需要文件名", str(path))
    return path.with_name(path.name + PARTIAL_SUFFIX)


def sync_directory(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows has no directory handles to flush.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(path: Path, *, overwrite: bool = False) -> Iterator[BinaryIO]:
    """Yield a binary file that appears at ``path`` only once everything was written and synced.

    Raises ``FileExistsError`` before writing anything when ``path`` exists and ``overwrite``
    is false; on any error the temporary file is removed and ``path`` is left as it was. The
    file is 0600 on POSIX (the umask can only narrow it), whatever mode ``path`` had before.
    """
    if path.exists() and not overwrite:
        raise FileExistsError(path)
    temporary = partial_path(path)
    # A .partial left by a crash may be 0644 and would keep that mode if reopened: create anew.
    temporary.unlink(missing_ok=True)
    try:
        with open(temporary, "xb", opener=private_opener) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists() and not overwrite:
            raise FileExistsError(path)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_directory(path.parent)


def write_bytes_atomically(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    with atomic_output(path, overwrite=overwrite) as stream:
        stream.write(data)
