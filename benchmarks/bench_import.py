"""Importing a 20,000-row roster against the floor set by the libraries doing the same work.

(a) python-calamine reading the file bare, (b) sqlite3 ``executemany`` of the same rows into
a table built from the same DDL with the same pragmas, (c) CertDesk's whole import: read,
find the header, validate every row, compare with the database, write in one transaction.
The target is c within 2.5 × (a + b). Each time is the best of ``REPEATS`` runs (the
machines are noisy, and the minimum is the run least disturbed). Peak memory of (c) is
measured by tracemalloc in a separate, untimed run (tracing slows the code it measures),
beside the peak of holding the bare read, so that "no growth beyond the rows themselves" is
a number, not a claim.

Usage: python -m benchmarks.bench_import
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import openpyxl
import python_calamine
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from application.importing import import_roster
from core.identity.idcard import id_check_char
from core.importing import choose_sheet, preview_roster, read_spreadsheet
from core.institution import Profile, register_local_institution
from models.bookkeeping import sync_columns
from models.database import open_database
from models.trainee import Trainee

ROWS = 20_000
TARGET_RATIO = 2.5
REPEATS = 3
HEADER = ("序号", "姓名", "性别", "身份证号", "手机号", "专业", "班级", "毕业年份")
SCHOOL = Profile(
    name="山西机械高级技工学校",
    uscc="12140000676444728G",
    category="技工院校",
    division_code="140109",
)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
_MAJORS = ("数控技术", "机电一体化", "汽车维修", "电气自动化", "工业机器人")


def _person(serial: int) -> tuple[Any, ...]:
    """A trainee with a valid ID number, unique by ``serial`` (not a real person's)."""
    born = f"{2000 + serial % 6}{1 + serial % 12:02d}{1 + serial % 28:02d}"
    first17 = f"1401{serial // 1000 % 100:02d}{born}{serial % 1000:03d}"
    number = first17 + id_check_char(first17)
    gender = "男" if int(number[16]) % 2 else "女"
    name = _SURNAMES[serial % 20] + _GIVEN[serial // 20 % 20] + _GIVEN[serial // 400 % 20]
    major = _MAJORS[serial % len(_MAJORS)]
    return (serial + 1, name, gender, number, f"138{serial:08d}", major, f"{major}{serial % 9}班")


def build_roster(path: Path, rows: int = ROWS) -> None:
    """An .xlsx as offices send it: a merged title row, then the header, then the rows."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("学员名单")
    sheet.append(["2025级学员名单"])
    sheet.append(list(HEADER))
    for serial in range(rows):
        sheet.append([*_person(serial), 2025])
    workbook.save(path)


def bare_read(path: Path) -> float:
    started = time.perf_counter()
    with python_calamine.CalamineWorkbook.from_path(path) as workbook:
        workbook.get_sheet_by_index(0).to_python()
    return time.perf_counter() - started


def bare_insert(folder: Path, rows: int = ROWS) -> float:
    """sqlite3 executemany of the same rows into a table with the trainees' DDL and indexes."""
    table = Trainee.__table__
    dialect = sqlite_dialect.dialect()
    columns = [c.name for c in table.columns if c.name != "id" and c.computed is None]
    data = []
    for serial in range(rows):
        _, name, gender, number, phone, major, class_name = _person(serial)
        values = {
            "name": name,
            "gender": gender,
            "id_number": number,
            "phone": phone,
            "identity": "在校学生",
            "employer": "",
            "major": major,
            "class_name": class_name,
            "graduation_year": 2025,
            **sync_columns(SCHOOL.uscc),
        }
        data.append(tuple(values[c] for c in columns))
    folder.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(folder / "bare.sqlite3")
    # The journal and sync settings CertDesk's own connections use (models.database).
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(str(CreateTable(table).compile(dialect=dialect)))
    for index in table.indexes:
        connection.execute(str(CreateIndex(index).compile(dialect=dialect)))
    marks = ", ".join("?" * len(columns))
    statement = f"INSERT INTO trainees ({', '.join(columns)}) VALUES ({marks})"
    started = time.perf_counter()
    with connection:
        connection.executemany(statement, data)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def certdesk_import(path: Path, db_path: Path) -> float:
    database = open_database(db_path)
    with database.session() as session:
        register_local_institution(session, SCHOOL)
        session.commit()
    try:
        started = time.perf_counter()
        sheet, mapping = choose_sheet(read_spreadsheet(path), "roster")
        with database.session() as session:
            preview = preview_roster(session, sheet, mapping)
        result = import_roster(database, preview)
        elapsed = time.perf_counter() - started
    finally:
        database.close()
    if result.inserted != ROWS:
        raise AssertionError(f"imported {result.inserted} rows, expected {ROWS}")
    return elapsed


def _peak(work: Any) -> float:
    """Peak traced memory of ``work()`` in MiB."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run() -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster = folder / "roster.xlsx"
        build_roster(roster)
        read = min(bare_read(roster) for _ in range(REPEATS))
        insert = min(bare_insert(folder / f"bare{i}") for i in range(REPEATS))
        whole = min(certdesk_import(roster, folder / f"timed{i}.sqlite3") for i in range(REPEATS))
        rows_mb = _peak(lambda: bare_read(roster))
        import_mb = _peak(lambda: certdesk_import(roster, folder / "traced.sqlite3"))
    ratio = whole / (read + insert)
    return [
        {
            "name": f"import-roster {ROWS} rows",
            "read_s": read,
            "insert_s": insert,
            "certdesk_s": whole,
            "ratio": ratio,
            "target": TARGET_RATIO,
            "ok": ratio <= TARGET_RATIO,
            "rows_peak_mb": rows_mb,
            "import_peak_mb": import_mb,
        }
    ]


def main() -> int:
    for row in run():
        for key, value in row.items():
            shown = f"{value:.3f}" if isinstance(value, float) else value
            print(f"{key:16s} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
