"""The one writer of every workbook CertDesk saves: safe cells, bordered tables, printing.

Every value the application puts into an .xlsx file goes through ``write_cell`` (a normal
sheet) or ``stream_value`` (a write-only sheet), and every workbook is made by
``new_workbook``, so the rules below hold for each file without each report remembering them:

- A string is always a text cell. openpyxl stores any str that starts with "=" as a live
  formula and "#N/A" and its kin as error cells, whatever the number format; a trainee's
  employer, a class name or an institution's address from a school's data package is text the
  clerk did not write, and ``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0`` in it must stay text.
- Text that starts with a formula or DDE trigger (= + - @, tab, CR/LF) also gets the cell
  style's quote prefix, the flag Excel sets for a typed leading apostrophe: the cell stays
  text even when the clerk edits it and presses Enter.
- Codes (ID numbers, phones, certificate numbers, 统一社会信用代码) are written with
  ``text=True``: text cells formatted as text, never numbers that Excel would round to
  1.40105E+17 or strip of a leading zero. Real numbers (counts, money, hours) stay numbers.
- Characters an XML file cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF) are
  dropped, not left to make openpyxl refuse the value or Excel refuse the file; line ends
  become LF, which is what a cell's line break is (a stored CR reads back as LF anyway).

The clerk prints these forms as often as they mail them, so each table sheet is set up to
print on A4 at the width of one page with its header row repeated, and rows are given heights
that fit their wrapped text (Excel does not re-measure wrapped text in a file it did not write).
Nothing here imports Qt: the CLI and the tests write the same files as the GUI.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.version import VERSION
from reports.columns import Column

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
BODY_FONT = Font(name="宋体", size=11)
HEADER_FONT = Font(name="黑体", size=11)
TITLE_FONT = Font(name="宋体", size=18, bold=True)
LABEL_FONT = Font(name="黑体", size=12)
#: Height of one line of 11 pt 宋体, in points.
LINE_HEIGHT = 14.25
#: Excel measures widths in digits of the default font; a Chinese character takes about two.
CJK_UNITS = 2.0
MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"

#: Leading characters that make Excel (or a CSV reader) treat a typed entry as a formula or a
#: DDE call: OWASP's list, and LF, because a CR is stored as LF.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: What XML 1.0 cannot carry: C0 controls but tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cell_text(value: object) -> str:
    """The text a cell holds for ``value``: ``str(value)``, empty for None, storable in XML."""
    text = "" if value is None else str(value)
    return _NOT_IN_XML.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


def _store(cell: Cell, value: object, text: bool) -> None:
    """Put ``value`` into ``cell``: strings (and anything when ``text``) as text, never formulas."""
    if text:
        cell.number_format = TEXT_FORMAT
    if value is None:
        cell.value = None
    elif text or isinstance(value, str):
        stored = cell_text(value)
        cell.value = stored  # openpyxl may have typed it "f" (formula) or "e" (error) here
        cell.data_type = "s"
        if stored.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    else:
        cell.value = value


def new_workbook(title: str, *, write_only: bool = False) -> Workbook:
    """An empty workbook (no sheets: add them with ``create_sheet``) titled and signed as ours."""
    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.worksheets[0])
    workbook.properties.title = cell_text(title)
    workbook.properties.creator = f"持证通 CertDesk {VERSION}"
    return workbook


def write_cell(
    sheet: Worksheet, row: int, column: int, value: object, *, text: bool = False
) -> Cell:
    """Set one cell of a normal sheet and return it for styling.

    ``text`` marks a code: stored as a text cell formatted as text, whatever its Python type.
    """
    cell = sheet.cell(row=row, column=column)
    _store(cell, value, text)
    return cell


def stream_value(
    sheet: Worksheet,
    value: object,
    *,
    text: bool = False,
    number_format: str | None = None,
    font: Font | None = None,
) -> object:
    """One value of a row for a write-only sheet's ``append``.

    A plain value where openpyxl stores it faithfully (a number, or a string that is neither
    formula-like nor an error code), since a bureau's list of a hundred thousand trainees is
    written faster without a cell object per value; otherwise a cell made as ``write_cell``
    makes it, with ``number_format`` and ``font`` if given.
    """
    if not (text or number_format or font):
        if isinstance(value, str):
            stored = cell_text(value)
            if not stored.startswith(FORMULA_TRIGGERS) and stored not in ERROR_CODES:
                return stored
        elif value is None or isinstance(value, int | float):
            return value
    cell = WriteOnlyCell(sheet)
    if number_format:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    _store(cell, value, text)
    return cell


def abandon(workbook: Workbook) -> None:
    """Close a write-only workbook's sheets after a failed write, quietly.

    Each sheet streams through generators (openpyxl's ``_rows`` and its writer's ``xf``). Left
    to the garbage collector after a full disk, they fail again while closing, and Python
    prints that as "Exception ignored" tracebacks after the clerk's one-line message.
    """
    for sheet in workbook.worksheets:
        writer = getattr(sheet, "_writer", None)
        for generator in (getattr(sheet, "_rows", None), getattr(writer, "xf", None)):
            if generator is not None:
                with contextlib.suppress(Exception):
                    generator.close()


# --- Tables for printing --------------------------------------------------------------------


def display_units(text: str) -> float:
    return sum(CJK_UNITS if ord(ch) > 0x2E80 else 1.0 for ch in text)


def line_count(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` units wide (a little is lost to padding)."""
    usable = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(display_units(part) / usable)) for part in text.split("\n"))


def row_height(values: Sequence[object], widths: Sequence[float]) -> float:
    lines = max(line_count(str(v), w) for v, w in zip(values, widths, strict=True))
    return lines * LINE_HEIGHT + 6


def write_table(
    sheet: Worksheet,
    first_row: int,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    number_formats: dict[str, str] | None = None,
) -> int:
    """A header row and ``rows`` from ``first_row`` on; returns the next free row.

    Values of text columns are written as strings with the text format, so an ID number or a
    phone stays exactly as printed; ``number_formats`` maps a column key to a number format.
    """
    number_formats = number_formats or {}
    widths = [c.excel_width for c in columns]
    for index, column in enumerate(columns, start=1):
        cell = write_cell(sheet, first_row, index, column.header)
        cell.font = HEADER_FONT
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.excel_width
    sheet.row_dimensions[first_row].height = row_height([c.header for c in columns], widths)
    for offset, values in enumerate(rows, start=1):
        number = first_row + offset
        for index, (column, raw) in enumerate(zip(columns, values, strict=True), start=1):
            value = "" if raw is None else raw
            cell = write_cell(sheet, number, index, value, text=column.text)
            cell.font = BODY_FONT
            cell.border = BORDER
            cell.alignment = Alignment(horizontal=column.align, vertical="center", wrap_text=True)
            if not column.text and column.key in number_formats:
                cell.number_format = number_formats[column.key]
        sheet.row_dimensions[number].height = row_height(values, widths)
    return first_row + len(rows) + 1


def total_row(
    sheet: Worksheet, row: int, columns: int, label: str, value: object, *, number_format: str
) -> None:
    """A closing row: ``label`` across all columns but the last, ``value`` in the last."""
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns - 1)
    for column in range(1, columns + 1):
        sheet.cell(row=row, column=column).border = BORDER
    head = write_cell(sheet, row, 1, label)
    head.font = HEADER_FONT
    head.alignment = Alignment(horizontal="center", vertical="center")
    total = write_cell(sheet, row, columns, value)
    total.font = HEADER_FONT
    total.number_format = number_format
    total.alignment = Alignment(horizontal="right", vertical="center")
    sheet.row_dimensions[row].height = LINE_HEIGHT + 6


def merged_line(
    sheet: Worksheet,
    row: int,
    columns: int,
    text: str,
    *,
    font: Font = BODY_FONT,
    horizontal: str = "left",
) -> None:
    """One line of text across the first ``columns`` columns (a title or a note)."""
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    cell = write_cell(sheet, row, 1, text)
    cell.font = font
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
    width = sum(
        sheet.column_dimensions[get_column_letter(i)].width or 8.43 for i in range(1, columns + 1)
    )
    size = font.size or 11
    sheet.row_dimensions[row].height = line_count(text, width * 11 / size) * size * 1.3 + 8


def set_up_printing(sheet: Worksheet, header_row: int, last_row: int, landscape: bool) -> None:
    """A4, one page wide, the header row on every page, the table centred."""
    last_column = get_column_letter(sheet.max_column)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_area = f"A1:{last_column}{last_row}"
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.freeze_panes = f"A{header_row + 1}"
