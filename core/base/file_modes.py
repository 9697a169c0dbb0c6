"""Files at rest are the OS user's alone: 0600 files, 0700 folders (POSIX).

The database, its backups, packages, exports, the log and the private keys hold resident ID
numbers and phones (or the keys that open them). On a shared Linux PC, files created with the
usual umask 022 would be readable by every other local account, so CertDesk never relies on
the umask: a file is *created* with mode 0600 (the umask can only take bits away), so no byte
of it is ever readable by others, and a folder CertDesk owns is created 0700. What an older
version left behind (0644 files, 0755 folders) is tightened at start. A process umask was not
set instead: it would also apply to everything Qt, fontconfig and the file dialogs create.

On Windows the mode bits mean nothing (``os.chmod`` only toggles read-only): the data folder is
under ``%LOCALAPPDATA%``, whose ACL admits only the user, SYSTEM and administrators, and files
created there inherit it. So the ``chmod`` calls below are skipped there, and the creation
modes (which Windows ignores but for the read-only bit, never set here) are harmless.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

__all__ = [
    "PRIVATE_FILE_MODE",
    "PRIVATE_FOLDER_MODE",
    "create_private_file",
    "make_private",
    "mkdir_private",
    "private_folder",
    "private_opener",
]

PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700
#: The bits of the group and of others, which nothing of CertDesk's may keep.
_SHARED_BITS = 0o077

log = logging.getLogger(__name__)


def private_opener(path: str, flags: int) -> int:
    """An ``opener`` for :func:`open`: a file it creates is 0600 from its first byte on."""
    return os.open(path, flags, PRIVATE_FILE_MODE)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 unless it exists, for a writer that cannot be given a
    mode (SQLite creates a database 0644; it gives its -wal, -shm and -journal files the mode of
    the database file, so a database created here keeps all four private)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))


def make_private(path: Path) -> None:
    """Take the group's and others' bits off ``path`` if it has any (POSIX; best effort).

    For files and folders that an older version created with the umask's 0644/0755. A failure
    (a file of another user, a read-only medium) is logged, not raised: the clerk's work must
    not stop because a permission could not be narrowed. Symbolic links are left alone, so
    nothing outside CertDesk's folders is ever changed through one.
    """
    if os.name != "posix":
        return
    try:
        status = path.lstat()
        if stat.S_ISLNK(status.st_mode) or not stat.S_IMODE(status.st_mode) & _SHARED_BITS:
            return
        path.chmod(stat.S_IMODE(status.st_mode) & ~_SHARED_BITS)
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("无法收紧 %s 的访问权限：%s", path, exc)


def mkdir_private(path: Path) -> None:
    """``mkdir -p`` that makes every folder it creates 0700, as the XDG base directory rules ask
    (``Path.mkdir(parents=True)`` would give the missing parents the umask's 0755). A folder
    that exists keeps its mode; a file in the way raises ``FileExistsError``."""
    for parent in reversed([p for p in path.parents if not p.exists()]):
        parent.mkdir(mode=PRIVATE_FOLDER_MODE, exist_ok=True)
    path.mkdir(mode=PRIVATE_FOLDER_MODE, exist_ok=True)


def private_folder(path: Path, *, with_files: bool = False) -> Path:
    """``path`` as a folder only its owner may enter: created 0700, or tightened if it exists.

    For the folders that are CertDesk's own (the data folder, ``backups/``, ``keys/``, the log
    folder), never for one the clerk chose. ``with_files`` also tightens the files directly in
    it (backups, keys and logs an older version wrote 0644). Returns ``path``.
    """
    mkdir_private(path)
    make_private(path)
    if with_files and os.name == "posix":
        try:
            entries = list(os.scandir(path))
        except OSError as exc:
            log.warning("无法检查 %s 中文件的访问权限：%s", path, exc)
            return path
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                make_private(Path(entry.path))
    return path
