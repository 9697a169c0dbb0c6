"""What every workbook CertDesk writes has in common: bordered tables, text cells, printing.

The clerk prints these forms as often as they mail them, so each sheet is set up to print on
A4 at the width of one page with its header row repeated, and rows are given heights that fit
their wrapped text (Excel does not re-measure wrapped text in a file it did not write).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

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
        cell = sheet.cell(row=first_row, column=index, value=column.header)
        cell.font = HEADER_FONT
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.excel_width
    sheet.row_dimensions[first_row].height = row_height([c.header for c in columns], widths)
    for offset, values in enumerate(rows, start=1):
        number = first_row + offset
        for index, (column, raw) in enumerate(zip(columns, values, strict=True), start=1):
            value = "" if raw is None else raw
            cell = sheet.cell(row=number, column=index, value=str(value) if column.text else value)
            cell.font = BODY_FONT
            cell.border = BORDER
            cell.alignment = Alignment(horizontal=column.align, vertical="center", wrap_text=True)
            if column.text:
                cell.number_format = "@"
            elif column.key in number_formats:
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
    head = sheet.cell(row=row, column=1, value=label)
    head.font = HEADER_FONT
    head.alignment = Alignment(horizontal="center", vertical="center")
    total = sheet.cell(row=row, column=columns, value=value)
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
    cell = sheet.cell(row=row, column=1, value=text)
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
