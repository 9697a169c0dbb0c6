"""Any on-screen table as a workbook, for a meeting: a title, the table, printable on A4.

The dashboard's tables (institutions, Annex 1 rows, subsidy by class, …) are small and already
formatted for people, so they are written as shown: strings stay text cells (a 统一社会信用代码
or a class name such as 0201 must not turn into a number), numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from reports.columns import Column
from reports.output import WrittenDocument, document_output
from reports.xlsx_writer import (
    TITLE_FONT,
    display_units,
    merged_line,
    new_workbook,
    set_up_printing,
    write_table,
)

TITLE_ROW = 1
HEADER_ROW = 2
#: Column widths in Excel units: wide enough for the widest cell, never wider than this.
MAX_WIDTH = 40.0
MIN_WIDTH = 8.0


def _columns(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[Column]:
    columns = []
    for index, header in enumerate(headers):
        values = [row[index] for row in rows]
        widest = max((display_units(str(v)) for v in [header, *values]), default=0.0)
        width = min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)
        numeric = bool(values) and all(isinstance(v, int | float) for v in values)
        columns.append(
            Column(
                key=f"c{index}",
                header=header,
                width_mm=0,
                excel_width=width,
                align="right" if numeric else "left",
                text=not numeric,
            )
        )
    return columns


def build_table_workbook(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
) -> Workbook:
    """One sheet: ``title`` across the top, then the bordered table, fit to an A4 page's width."""
    workbook = new_workbook(title)
    sheet = workbook.create_sheet(title[:31].translate(str.maketrans("[]:*?/\\", "（）：＊？／＼")))
    columns = _columns(headers, rows)
    end = write_table(sheet, HEADER_ROW, columns, rows)
    merged_line(sheet, TITLE_ROW, len(columns), title, font=TITLE_FONT, horizontal="center")
    set_up_printing(sheet, HEADER_ROW, end - 1, landscape=len(columns) > 6)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    return workbook


def write_table_xlsx(
    path: Path, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
) -> WrittenDocument:
    """Write the table into ``path`` (replaced only once complete)."""
    with document_output(Path(path)) as stream:
        build_table_workbook(title, headers, rows).save(stream)
    return WrittenDocument(Path(path), 0, len(rows))
