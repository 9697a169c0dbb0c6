"""What roster and certificate imports share: walking the data rows, reading typed cells,
the per-row verdict the preview shows, and the progress callback.

A verdict names the column as the file names it and the reason in Chinese, so the CLI can
print ``第N行 列名: 原因`` and the GUI and the error report can mark the very cell.
"""

from __future__ import annotations

import gc
import math
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from core.base.progress import ProgressFn
from core.fields import FieldError
from core.identity.textnorm import cell_text, normalize_code
from core.importing.header import ColumnMapping
from core.importing.reader import Cell, ImportRefused, Sheet
from models.institution import Institution

#: Rows validated or written between two progress calls (and cancel checks).
CHUNK = 500


def checking(done: int, total: int) -> str:
    return f"正在检查第 {done} 行，共 {total} 行"


def writing(done: int, total: int) -> str:
    return f"正在写入第 {done} 条，共 {total} 条"


#: SQLite's bound-parameter limit is 32766 on current builds, 999 on old ones.
QUERY_CHUNK = 900


class RowStatus(StrEnum):
    NEW = "新增"
    EXISTING = "已存在"
    INVALID = "有误"


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem (or warning) in one cell: ``column`` as the file names it."""

    column: str
    message: str
    col_index: int | None = None

    def __str__(self) -> str:
        return f"{self.column}: {self.message}"


@dataclass(slots=True)
class PreviewRow:
    """The verdict on one data row; ``index`` is its position in ``Sheet.rows``."""

    index: int
    status: RowStatus
    errors: tuple[RowIssue, ...] = ()
    warnings: tuple[RowIssue, ...] = ()

    @property
    def line(self) -> int:
        """The row number Excel shows."""
        return Sheet.excel_row(self.index)

    def error_lines(self) -> list[str]:
        """``第N行 列名: 原因``, one per problem: the CLI's contract."""
        return [f"第{self.line}行 {issue}" for issue in self.errors]

    def refuse(self, issue: RowIssue) -> None:
        self.errors = (*self.errors, issue)
        self.status = RowStatus.INVALID


R = TypeVar("R", bound=PreviewRow)


@dataclass
class ImportPreview(Generic[R]):
    """Every data row's verdict, in file order, with what was read and how it was mapped."""

    sheet: Sheet
    mapping: ColumnMapping
    rows: list[R] = field(default_factory=list)
    skipped_blank: int = 0

    def counts(self) -> Counter[RowStatus]:
        return Counter(r.status for r in self.rows)

    @property
    def invalid(self) -> list[R]:
        return [r for r in self.rows if r.status is RowStatus.INVALID]

    @property
    def valid(self) -> list[R]:
        return [r for r in self.rows if r.status is not RowStatus.INVALID]

    def require_importable(self, skip_invalid: bool) -> None:
        """Refuse an import with invalid rows unless the clerk chose to skip them: checked
        before the backup and the transaction, so a refused import costs neither."""
        invalid = len(self.invalid)
        if invalid and not skip_invalid:
            raise ImportRefused(f"有{invalid}行有误，未导入任何数据")


class RowReader:
    """Picks the mapped, non-empty cells out of a row and names them in messages."""

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self.columns = dict(mapping.fields)
        self._pairs = tuple(self.columns.items())
        # Looked up for every warning of every row; the titles do not change meanwhile.
        self._names = {key: mapping.column_name(key) for key in self.columns}

    def data_rows(self, sheet: Sheet) -> Iterator[tuple[int, list[Cell]]]:
        """(index, cells) of every row below the header, blank ones included."""
        for index in range(self.mapping.data_start, len(sheet.rows)):
            yield index, sheet.rows[index]

    def filled_rows(
        self, sheet: Sheet, preview: ImportPreview[R], progress: ProgressFn | None
    ) -> Iterator[tuple[int, dict[str, Cell]]]:
        """(index, mapped cells) of every data row that holds something, for the preview.

        Blank rows are counted in ``preview.skipped_blank`` rather than refused: templates
        and hand-kept lists leave gaps. ``progress`` hears every ``CHUNK`` rows.
        """
        total = len(sheet.rows)
        for index, row in self.data_rows(sheet):
            if progress is not None and index % CHUNK == 0:
                progress(index, total, checking(index, total))
            cells = self.values(row)
            if not cells:
                preview.skipped_blank += 1
                continue
            yield index, cells

    def values(self, row: list[Cell]) -> dict[str, Cell]:
        """Field key → cell, for the mapped cells that hold something.

        Empty for a blank row, including a template row numbered in an unmapped 序号 column.
        """
        width = len(row)
        found: dict[str, Cell] = {}
        for key, column in self._pairs:
            if column < width:
                cell = row[column]
                if type(cell) is str:  # most cells: tested inline, this runs for every cell
                    if cell and not cell.isspace():
                        found[key] = cell
                elif not is_empty(cell):
                    found[key] = cell
        return found

    def issue(self, key: str, message: str) -> RowIssue:
        name = self._names.get(key)
        if name is None:
            name = self.mapping.column_name(key)
        return RowIssue(name, message, self.columns.get(key))

    def issue_for(self, error: FieldError, field_to_key: dict[str, str] | None = None) -> RowIssue:
        """A validator's ``FieldError`` tied to the column its field was read from."""
        key = (field_to_key or {}).get(error.field, error.field)
        if key not in self.columns:
            return RowIssue(error.label, error.message, None)
        return self.issue(key, error.message)


def is_empty(cell: Cell) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        return not cell.strip()
    return isinstance(cell, float) and math.isnan(cell)


def cell_as_text(cell: Cell) -> str:
    """A cell as the clerk would read it: dates as 2024-06-30, whole numbers without ``.0``."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else str(cell)
    if isinstance(cell, date):
        return cell.isoformat()
    return cell_text(cell)


_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_TEXT = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?|年|届|级)?")


def cell_date(cell: Cell) -> date | None:
    """A date cell, or a text such as 2024-06-30, 2024/6/30, 2024年6月30日 or 20240630.

    ``None`` when the cell holds no date: a bare number other than yyyymmdd is not taken
    for Excel's day count, since a wrong guess would store a wrong date silently.
    """
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = normalize_code(cell_as_text(cell))
    match = _DATE_TEXT.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def cell_year(cell: Cell) -> int | None:
    """A year from 2024, 2024.0, 2024届, 2024年6月, 2024-06 or a date cell; else ``None``."""
    if isinstance(cell, float) and cell.is_integer() and 1000 <= cell <= 9999:
        return int(cell)
    if isinstance(cell, date):
        return cell.year
    match = _YEAR_TEXT.fullmatch(normalize_code(cell_as_text(cell)))
    return int(match.group(1)) if match else None


def chunks(total: int, size: int = CHUNK) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))


def local_origin_of(connection: Session | Connection) -> str:
    """The 统一社会信用代码 imported rows belong to; an import needs the institution registered.

    Works on a bare Core connection too, which ``models.bookkeeping.local_origin`` does not.
    """
    origin = connection.scalar(select(Institution.uscc).where(Institution.is_local))
    if origin is None:
        raise ImportRefused("本机构尚未登记：请先完成初始设置（init）")
    return origin


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many small row objects are made.

    Every checked row is kept until the import ends, so the collector's passes over them free
    nothing and cost about 0.1 s per 20,000 rows. Process-wide, but only for the loop.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
