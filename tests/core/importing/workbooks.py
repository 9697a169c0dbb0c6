"""Real spreadsheets for the import tests, written the way offices' tools write them.

openpyxl for .xlsx (title rows, merged cells, numbers where Excel would store numbers),
xlwt for the older .xls, and plain CSV in UTF-8 or GBK. ID numbers are computed with the
check character of the standard (``tests.core.strategies.id_check``), independently of the
code under test.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import xlwt

from core.institution import Profile, register_local_institution
from models.database import Database, open_database
from tests.core.strategies import TODAY, id_check

__all__ = ["TODAY", "make_id", "write_csv", "write_xls", "write_xlsx"]

SCHOOL = Profile(
    name="山西机械高级技工学校",
    uscc="12140000676444728G",
    category="技工院校",
    division_code="140109",
)


def make_id(serial: int, born: str = "20030105", female: bool = False) -> str:
    """A valid Taiyuan (小店区) ID number, distinct per serial; odd sequence digit is a man."""
    sequence = serial * 2 + (0 if female else 1)
    body = f"140105{born}{sequence % 1000:03d}"
    return body + id_check(body)


Merge = tuple[int, int, int, int]  # first row, first column, last row, last column; 1-based


def write_xlsx(
    path: Path,
    rows: Iterable[Sequence[Any]],
    *,
    merges: Iterable[Merge] = (),
    sheet: str = "学员名单",
    before: Iterable[tuple[str, Iterable[Sequence[Any]]]] = (),
) -> Path:
    """An .xlsx with ``rows`` from A1; ``before`` adds sheets in front (an instructions page)."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    for title, content in before:
        extra = workbook.create_sheet(title, 0)
        for row in content:
            extra.append(list(row))
    first.title = sheet
    for row in rows:
        first.append(list(row))
    for top, left, bottom, right in merges:
        first.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
    workbook.save(path)
    return path


def write_xls(path: Path, rows: Iterable[Sequence[Any]], *, merges: Iterable[Merge] = ()) -> Path:
    """An Excel 97–2003 .xls; numbers are stored as numbers, as in the offices' old files."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    merged = {(top, left): (bottom, right) for top, left, bottom, right in merges}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if (r + 1, c + 1) in merged:
                bottom, right = merged[(r + 1, c + 1)]
                sheet.write_merge(r, bottom - 1, c, right - 1, value)
            elif isinstance(value, date):
                sheet.write(r, c, value, xlwt.easyxf(num_format_str="yyyy-mm-dd"))
            else:
                sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def write_csv(
    path: Path, rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8-sig", delimiter: str = ","
) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def new_school_database(path: Path) -> Database:
    """A migrated database with the local institution registered (outside pytest fixtures)."""
    database = open_database(path)
    with database.session() as session:
        register_local_institution(session, SCHOOL)
        session.commit()
    return database
