"""The one door for every file that leaves CertDesk with full ID numbers or phone numbers.

The Annex 3 roster, roster and trainee exports, the 还差谁 list with full numbers, the
unencrypted data package, the import error report, anything added later: each is described by a
``FullNumberFile`` before it is written, so the clerk is told what it will hold (in the GUI
before the file dialog, on the command line before writing), and written through
``write_full_number_file``, which records the one audit entry naming the file, the number of
people and the reason. A use case that writes such a file never does either itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from core.base.privacy import full_numbers_notice
from core.safety.audit import EXPORTED, FILE, record_event
from models.database import Database

T = TypeVar("T")


@dataclass(frozen=True)
class FullNumberFile:
    """What a file with full numbers will hold, known before it is written."""

    what: str  # how the clerk and the audit log name it: "学员名单", "还差谁名单"…
    people: int
    reason: str  # why it is written: "开班申请报告", "导出核对" …

    @property
    def notice(self) -> str:
        return full_numbers_notice(self.what, self.people)

    def audit_detail(self, path: Path) -> str:
        return f"{self.what}（{self.people} 人，含完整号码；{self.reason}）：{path}"


def write_full_number_file(
    database: Database, file: FullNumberFile, path: Path, write: Callable[[Path], T]
) -> T:
    """Write the file with ``write`` and record its audit entry; nothing is recorded when
    writing fails (the file does not exist then: reports write to a temporary name first)."""
    result = write(path)
    record_event(database, EXPORTED, FILE, file.audit_detail(path))
    return result
