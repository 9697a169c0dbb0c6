"""The error report of an import: the refused rows as the clerk sent them, bad cells marked.

The clerk fixes the rows in this workbook and imports it again, so it keeps the file's own
header, the cells as they were, and adds the original row number and the reasons at the
right, where the importer ignores them. Each bad cell is filled red and carries its reason
as a comment. ID numbers, phones and certificate numbers are written as text cells, so the
report cannot do to them what Excel did to the original.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.importing import ImportPreview, kind_title
from core.importing.reader import Cell
from core.importing.rows import cell_as_text, is_empty
from reports.output import WrittenDocument, document_output
from reports.xlsx_writer import cell_text, new_workbook, write_cell

LINE_HEADER = "原文件行号"
REASON_HEADER = "错误原因"
#: Fields whose cells are codes: written as text whatever type they arrived as.
CODE_FIELDS = frozenset({"id_number", "phone", "number", "occupation_code"})
BAD_FILL = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")
BAD_FONT = Font(color="9C0006")
HEADER_FONT = Font(bold=True)
MAX_WIDTH = 40
_AUTHOR = "持证通"


def _value(cell: Cell, as_text: bool) -> Cell:
    """The cell as sent: a code as the text the importer read, anything else as it was."""
    if is_empty(cell):
        return None
    if as_text:
        return cell_as_text(cell)
    return cell


def _width(texts: list[str]) -> float:
    units = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in t) for t in texts), default=8)
    return min(max(units + 2, 8), MAX_WIDTH)


def build_error_report(preview: ImportPreview[Any]) -> Workbook:
    mapping = preview.mapping
    code_columns = {c for key, c in mapping.fields.items() if key in CODE_FIELDS}
    width = max([len(mapping.headers), *(len(preview.sheet.rows[r.index]) for r in preview.rows)])
    headers = [mapping.header_text(c) for c in range(width)]
    line_column, reason_column = width + 1, width + 2

    workbook = new_workbook(f"{kind_title(mapping.kind)}导入错误报告")
    sheet = workbook.create_sheet("有误的行")
    for column, title in enumerate([*headers, LINE_HEADER, REASON_HEADER], start=1):
        write_cell(sheet, 1, column, title).font = HEADER_FONT

    samples: list[list[str]] = [[h] for h in headers]
    for out_row, row in enumerate(preview.invalid, start=2):
        cells = preview.sheet.rows[row.index]
        for column in range(width):
            original = cells[column] if column < len(cells) else ""
            as_text = column in code_columns
            write_cell(sheet, out_row, column + 1, _value(original, as_text), text=as_text)
            samples[column].append(cell_as_text(original))
        write_cell(sheet, out_row, line_column, row.line)
        reasons = "；".join(str(issue) for issue in row.errors)
        write_cell(sheet, out_row, reason_column, reasons).font = BAD_FONT
        for issue in row.errors:
            if issue.col_index is None:
                continue
            bad = sheet.cell(row=out_row, column=issue.col_index + 1)
            bad.fill = BAD_FILL
            note = f"{bad.comment.text}\n{issue.message}" if bad.comment else issue.message
            bad.comment = Comment(cell_text(note), _AUTHOR, width=260, height=110)

    for column, texts in enumerate(samples, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = _width(texts[:200])
    sheet.column_dimensions[get_column_letter(line_column)].width = 11
    sheet.column_dimensions[get_column_letter(reason_column)].width = 60
    for row_cells in sheet.iter_rows(min_row=2, min_col=reason_column, max_col=reason_column):
        row_cells[0].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    return workbook


def write_error_report(preview: ImportPreview[Any], path: Path) -> WrittenDocument:
    """Write the invalid rows of ``preview`` to ``path`` (replaced only once complete)."""
    workbook = build_error_report(preview)
    with document_output(Path(path)) as stream:
        workbook.save(stream)
    return WrittenDocument(Path(path), 0, len(preview.invalid))
