"""Where a document is written, and what the writer reports back.

The bytes go through ``core.base.atomic`` (a temporary file renamed into place once complete), so
a crash, a cancel or a refusal half-way leaves the folder as it was. What this module adds
is the clerk's view of the failures that are not bugs: a missing folder, or a file still open
in a PDF viewer or Excel (which Windows will not let us replace), a name the file system
refuses.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.base.atomic import atomic_output
from core.fields import FieldError, ValidationFailed


@dataclass(frozen=True)
class WrittenDocument:
    """A finished output: where it is, its pages (0 for a workbook), its rows, any warnings."""

    path: Path
    pages: int
    rows: int
    warnings: tuple[str, ...] = ()


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed([FieldError("out", "输出文件", message)])


@contextmanager
def document_output(path: Path) -> Iterator[BinaryIO]:
    """A stream whose content replaces ``path`` (an earlier copy included) once complete."""
    if not path.parent.is_dir():
        raise _refuse(f"文件夹“{path.parent}”不存在")
    try:
        with atomic_output(path, overwrite=True) as stream:
            yield stream
    except PermissionError as exc:
        raise _refuse(
            f"无法写入“{path.name}”：文件可能正在被其他程序（如 PDF 阅读器或 Excel）打开，"
            "或没有该文件夹的写入权限；请关闭文件后重试"
        ) from exc
    except OSError as exc:
        if exc.errno not in (errno.ENAMETOOLONG, errno.EINVAL):
            raise
        raise _refuse("文件名过长或含有系统不允许的字符，请换一个文件名") from exc
