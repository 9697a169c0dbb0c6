"""Files larger than any roster are refused before the spreadsheet parser sees them.

The limits are those of ``core.importing.limits``. Where a test uses smaller ones
(``SMALL``), the code path is the same and only the numbers differ; the real limits are
exercised by the far-cell files through the command line, by the CSV files at and past the
row limit, and by the crafted files that used to crash python-calamine.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from openpyxl.styles import Font

from core.importing import (
    LIMITS,
    FileTooLarge,
    ImportRefused,
    ReadLimits,
    UnreadableFile,
    choose_sheet,
    read_spreadsheet,
)
from models.database import Database
from tests.core.importing.hostile import (
    declare_size,
    far_cell_xlsx,
    inline_row,
    ods,
    ods_repeated,
    sheet_xml,
    xls_with_dimensions,
    xls_with_far_cell,
    xls_with_looping_difat,
    xls_with_looping_directory,
    xls_with_xf_as_name,
    xlsx_from_sheet_xml,
    zip_bomb_xlsx,
)
from tests.core.importing.workbooks import write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[3]
SMALL = ReadLimits(rows=10, columns=5, cells=30)


# --- Through the command line: the files of issue 20 ------------------------------------------


#: Runs the import in a grandchild and prints its peak memory: Linux counts in ru_maxrss the
#: memory of the process a child was forked from, so the child must come from a small one.
_MEASURE = (
    "import os, subprocess, sys\n"
    "with open(sys.argv[1], 'wb') as err:\n"
    "    child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=err)\n"
    "    _pid, status, usage = os.wait4(child.pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
)


def _import_roster(db_path: Path, file: Path, folder: Path) -> tuple[int, str, float, float]:
    """``python main.py import-roster FILE`` in a fresh process: exit status, stderr, seconds
    and that process's own peak memory in MB."""
    err = folder / "stderr.txt"
    command = [sys.executable, str(ROOT / "main.py"), "--db", str(db_path), "import-roster"]
    started = time.perf_counter()
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(err), *command, str(file)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - started
    status, peak_kb = (int(x) for x in measured.stdout.split())
    return status, err.read_text("utf-8"), elapsed, peak_kb / 1024


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="the child's peak memory needs os.wait4")
@pytest.mark.parametrize("far", ["XFD1048576", "AZ1048576"])
def test_a_far_cell_is_refused_by_the_command_line_at_once(
    school: Database, db_path: Path, tmp_path: Path, far: str
) -> None:
    """One value far out besides A1: calamine aborted (XFD) or took 2.3 GB (AZ)."""
    file = far_cell_xlsx(tmp_path / "roster.xlsx", far)
    assert file.stat().st_size < 10_000
    status, stderr, seconds, peak_mb = _import_roster(db_path, file, tmp_path)
    assert status == 1, stderr
    assert "Traceback" not in stderr
    assert f"工作表“Sheet1”用到了第 1,048,576 行（单元格 {far}）" in stderr
    assert "超过上限 200,000 行" in stderr
    assert seconds < 2.0
    assert peak_mb < 200
    with school.session() as session:
        from sqlalchemy import func, select

        from models.trainee import Trainee

        assert session.scalar(select(func.count()).select_from(Trainee)) == 0


# --- Crafted files, each of which used to end or swamp the process ----------------------------

_READ_EACH = """
import json, sys
from core.importing import ImportRefused, read_spreadsheet
for path in sys.argv[1:]:
    try:
        book = read_spreadsheet(path)
        outcome = {"read": [len(s.rows) for s in book.sheets]}
    except ImportRefused as exc:
        outcome = {"refused": type(exc).__name__, "message": str(exc)}
    print(json.dumps(outcome, ensure_ascii=False), flush=True)
"""


def test_crafted_files_that_crashed_calamine_are_refused(tmp_path: Path) -> None:
    """Read in a child, so that a regression aborts the child and fails here with its
    stderr, instead of killing the test run."""
    cases = {
        xls_with_dimensions(tmp_path / "dims.xls", 0xFFFF_FFFF): "声明了 4,294,967,295 个单元格",
        xls_with_far_cell(tmp_path / "far.xls", 65535, 65535): "第 65,536 列（单元格 CRXP65536）",
        xls_with_far_cell(tmp_path / "iv.xls", 65535, 255): "第 256 列（单元格 IV65536）",
        xls_with_looping_difat(tmp_path / "difat.xls"): "已损坏",
        xls_with_looping_directory(tmp_path / "dir.xls"): "已损坏",
        ods_repeated(tmp_path / "wide.ods", 100_000, 1000): "第 1,000 列",
        far_cell_xlsx(tmp_path / "xfd.xlsx", "XFD1048576", header=False): "第 1,048,576 行",
    }
    done = subprocess.run(
        [sys.executable, "-c", _READ_EACH, *map(str, cases)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcomes = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(outcomes) == len(cases)
    for (path, expected), outcome in zip(cases.items(), outcomes, strict=True):
        assert "refused" in outcome, (path.name, outcome)
        assert expected in outcome["message"], (path.name, outcome["message"])


def test_a_panic_inside_calamine_is_a_refusal(tmp_path: Path) -> None:
    """pyo3 raises a Rust panic as PanicException, a BaseException: caught, it is a damaged
    file like any other (the fuzz meets such panics in calamine's .xls record parsing)."""
    with pytest.raises(UnreadableFile, match="已损坏或格式无法识别"):
        read_spreadsheet(xls_with_xf_as_name(tmp_path / "name.xls"))


# --- .xlsx -----------------------------------------------------------------------------------


def _grid(rows: int, columns: int) -> list[list[str]]:
    return [[f"v{r}-{c}" for c in range(columns)] for r in range(rows)]


@pytest.mark.parametrize(
    ("rows", "columns", "refusal"),
    [
        (10, 3, None),
        (11, 1, "用到了第 11 行（单元格 A11），超过上限 10 行"),
        (2, 5, None),
        (1, 6, "用到了第 6 列（单元格 F1），超过上限 5 列"),
        (6, 5, None),
        (7, 5, "从 A1 到 E7 共 35 个单元格，超过上限 30 个"),
    ],
)
def test_xlsx_at_a_limit_is_read_and_one_past_it_refused(
    tmp_path: Path, rows: int, columns: int, refusal: str | None
) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", _grid(rows, columns))
    if refusal is None:
        assert len(read_spreadsheet(path, SMALL).sheets[0].rows) == rows
    else:
        with pytest.raises(FileTooLarge, match=refusal):
            read_spreadsheet(path, SMALL)


def test_the_cells_of_all_sheets_count_together(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "two.xlsx", _grid(4, 5), before=[("说明", _grid(3, 5))])
    with pytest.raises(FileTooLarge, match="各工作表合计 35 个单元格"):
        read_spreadsheet(path, SMALL)


def test_a_formatted_empty_cell_far_away_does_not_count(tmp_path: Path) -> None:
    """Excel's <dimension> says A1:XFD1048576 for one bold empty cell there; calamine skips
    empty cells, and so do the limits."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "姓名"
    sheet["XFD1048576"].font = Font(bold=True)
    workbook.save(tmp_path / "styled.xlsx")
    assert read_spreadsheet(tmp_path / "styled.xlsx").sheets[0].rows == [["姓名"]]


@pytest.mark.parametrize(
    "rows",
    [
        # Cells without r: each follows the one before, rows follow their r or the row before.
        ['<row r="1"><c t="inlineStr"><is><t>a</t></is></c></row>',
         '<row r="1048576"><c><v>1</v></c></row>'],
        ['<row><c t="inlineStr"><is><t>a</t></is></c></row>',
         '<row r="1048575"/><row><c r="B1"><v>1</v></c><c><v>2</v></c></row>',
         '<row><c><v>3</v></c></row>'],
        ['<row r="1048576"><c>r="A1"<v>1</v></c></row>'],
        # Comments and prefixes are read by the exact scan.
        ['<!-- a note --><row r="1"><c r="A1"><v>1</v></c></row>',
         '<row r="1048576"><c r="A1048576"><v>2</v></c></row>'],
        ['<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>',
         '<x:row r="1048576"><x:c r="A1048576"><x:v>1</x:v></x:c></x:row>'],
    ],
)  # fmt: skip
def test_cells_are_placed_as_calamine_places_them(tmp_path: Path, rows: list[str]) -> None:
    xml = sheet_xml(rows).replace("<worksheet ", '<worksheet xmlns:x="urn:x" ', 1)
    path = xlsx_from_sheet_xml(tmp_path / "odd.xlsx", xml)
    with pytest.raises(FileTooLarge, match="用到了第 1,048,576 行"):
        read_spreadsheet(path)


def test_a_cell_moved_by_a_second_r_attribute_is_not_missed(tmp_path: Path) -> None:
    """calamine's own attribute reader lets the later r win (it placed the cell at
    XFD1048576); such XML is not well-formed, and refused."""
    rows = ['<row r="1"><c r="A1" r="XFD1048576"><v>1</v></c></row>']
    path = xlsx_from_sheet_xml(tmp_path / "twice.xlsx", sheet_xml(rows))
    with pytest.raises(UnreadableFile, match="已损坏"):
        read_spreadsheet(path)


def test_cells_after_a_stray_end_of_sheet_data_count(tmp_path: Path) -> None:
    """calamine reads on past an end tag inside a value (it placed A300000 here); so the
    cells after it are looked at, by the exact scan, which refuses the malformed XML."""
    rows = [
        inline_row(1, ["姓名"]),
        '<row r="2"><c r="A2"><v>1</sheetData><sheetData></v></c></row>',
        '<row r="300000"><c r="A300000"><v>1</v></c></row>',
    ]
    path = xlsx_from_sheet_xml(tmp_path / "stray.xlsx", sheet_xml(rows))
    with pytest.raises(UnreadableFile, match="已损坏"):
        read_spreadsheet(path)


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    path = zip_bomb_xlsx(tmp_path / "bomb.xlsx", padding_mb=40)
    assert path.stat().st_size < 200_000
    started = time.perf_counter()
    with pytest.raises(FileTooLarge, match=r"“xl/worksheets/sheet1\.xml”解压后是压缩时的"):
        read_spreadsheet(path)
    assert time.perf_counter() - started < 0.5


def test_a_declared_unpacked_size_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", [["姓名"], ["王芳"]])
    declare_size(path, "xl/worksheets/sheet1.xml", LIMITS.unpacked_bytes + 1)
    with pytest.raises(FileTooLarge, match=r"解压后有 300\.0 MB，超过上限 300 MB"):
        read_spreadsheet(path)


def test_a_zip_of_too_many_members_is_refused_before_they_are_listed(tmp_path: Path) -> None:
    """600,000 empty members (52 MB) took Python's zipfile 3.5 s and 350 MB to list."""
    path = write_xlsx(tmp_path / "many.xlsx", [["姓名"]])
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(45_000):
            archive.writestr(f"customXml/item{i:06d}-{'x' * 36}.xml", b"")
    started = time.perf_counter()
    with pytest.raises(FileTooLarge, match=r"压缩目录有 4\.\d MB（上限 4 MB）"):
        read_spreadsheet(path)
    assert time.perf_counter() - started < 0.2


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", _grid(3, 3))
    with pytest.raises(FileTooLarge, match="超过上限 0 MB"):
        read_spreadsheet(path, ReadLimits(file_bytes=1000))


def test_a_binary_workbook_is_named(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["姓名"]])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    with pytest.raises(UnreadableFile, match=r"\.xlsb"):
        read_spreadsheet(path)


# --- .xls and .ods ---------------------------------------------------------------------------


def _xls(path: Path, rows: int, columns: int) -> Path:
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Sheet1")
    for r in range(rows):
        for c in range(columns):
            sheet.write(r, c, r * 10 + c)
    workbook.save(str(path))
    return path


def test_xls_at_the_limits_is_read_and_past_them_refused(tmp_path: Path) -> None:
    assert len(read_spreadsheet(_xls(tmp_path / "ok.xls", 6, 5), SMALL).sheets[0].rows) == 6
    with pytest.raises(FileTooLarge, match="用到了第 11 行"):
        read_spreadsheet(_xls(tmp_path / "long.xls", 11, 1), SMALL)
    with pytest.raises(FileTooLarge, match="用到了第 6 列"):
        read_spreadsheet(_xls(tmp_path / "wide.xls", 1, 6), SMALL)


def test_ods_repeats_count_as_calamine_expands_them(tmp_path: Path) -> None:
    assert len(read_spreadsheet(ods_repeated(tmp_path / "ok.ods", 6, 5), SMALL).sheets[0].rows) == 6
    with pytest.raises(FileTooLarge, match="从 A1 到 E7 共 35 个单元格"):
        read_spreadsheet(ods_repeated(tmp_path / "big.ods", 7, 5), SMALL)
    # LibreOffice's empty filler up to the last row and column counts for nothing.
    filler = (
        '<table:table table:name="名单"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>姓名</text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row></table:table>'
    )
    assert read_spreadsheet(ods(tmp_path / "filler.ods", filler)).sheets[0].rows == [["姓名"]]


# --- CSV -------------------------------------------------------------------------------------


def _lines(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("姓名,身份证号\n")
        f.writelines(f"王{i},{i}\n" for i in range(count - 1))
    return path


def test_a_csv_at_the_row_limit_is_read(tmp_path: Path) -> None:
    path = _lines(tmp_path / "full.csv", LIMITS.rows)
    assert len(read_spreadsheet(path).sheets[0].rows) == LIMITS.rows


def test_a_csv_past_the_row_limit_is_refused_without_holding_it(tmp_path: Path) -> None:
    path = _lines(tmp_path / "over.csv", LIMITS.rows + 1)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FileTooLarge, match="超过上限 200,000 行"):
            read_spreadsheet(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 3  # under tracemalloc; ≈ 0.3 s without
    assert peak < 5 * 1024 * 1024  # the 200,000 rows held would take ≈ 40 MB


def test_a_csv_row_past_the_column_or_cell_limit_is_named(tmp_path: Path) -> None:
    wide = write_csv(tmp_path / "wide.csv", [["a"] * 5, ["b"] * 6])
    with pytest.raises(FileTooLarge, match="第 2 行有 6 列，超过上限 5 列"):
        read_spreadsheet(wide, SMALL)
    full = write_csv(tmp_path / "full.csv", [["a"] * 5] * 7)
    with pytest.raises(FileTooLarge, match="前 7 行已有 35 个单元格，超过上限 30 个"):
        read_spreadsheet(full, SMALL)


def test_a_csv_cell_too_long_for_the_csv_module_is_a_refusal(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["姓名"], ["x" * (csv.field_size_limit() + 1)]])
    with pytest.raises(UnreadableFile, match="第 2 行无法按 CSV 读取"):
        read_spreadsheet(path)


# --- Merged ranges ---------------------------------------------------------------------------


def _merged(path: Path, ranges: list[str], rows: int = 30, columns: int = 200) -> Path:
    merges = "".join(f'<mergeCell ref="{r}"/>' for r in ranges)
    body = [inline_row(1, ["姓名", "身份证号"])] + [
        inline_row(r, [f"v{r}-{c}" for c in range(columns)]) for r in range(2, rows + 1)
    ]
    after = f'<mergeCells count="{len(ranges)}">{merges}</mergeCells>'
    return xlsx_from_sheet_xml(path, sheet_xml(body, after=after))


def test_forged_merged_ranges_cost_nothing(tmp_path: Path) -> None:
    """Excel never writes overlapping merges, nor one past column XFD: 20,000 overlapping
    ones took 1.1 s to fill in (two million would take minutes), one to column 321,272,406
    asked for gigabytes."""
    overlapping = [f"A{1 + i % 3}:{_column(150 + i % 50)}{25 + i % 6}" for i in range(20_000)]
    spreadsheet = read_spreadsheet(_merged(tmp_path / "overlap.xlsx", overlapping))
    started = time.perf_counter()
    with pytest.raises(ImportRefused):
        choose_sheet(spreadsheet, "roster")
    assert time.perf_counter() - started < 0.3
    far = read_spreadsheet(_merged(tmp_path / "far.xlsx", ["A1:ZZZZZZ1", "B2:A1"], 3, 3))
    assert far.sheets[0].merged == ((0, 0, 0, 2),)


def _column(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def test_the_xml_excel_writes_is_measured_by_the_fast_scan() -> None:
    """Excel's own form (shared strings, styles, spans, x14ac attributes, shared formulas,
    an extension list after the data) must not fall back to the five times slower scan."""
    from core.importing.workbook_zip import _plain_extent

    rows = [
        '<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1" t="s"><v>0</v></c>'
        '<c r="B1" t="s"><v>1</v></c><c r="C1" s="2"/></row>',
        '<row r="2" spans="1:3" ht="20.25" customHeight="1" x14ac:dyDescent="0.25">'
        '<c r="A2" t="s"><v>2</v></c><c r="B2"><f t="shared" ref="B2:B9" si="0">A2*2</f>'
        '<v>4</v></c><c r="C2" cm="1"><v>1</v></c></row>',
    ]
    after = (
        '<mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells><dataValidations count="1">'
        '<dataValidation type="list" error="请选择" sqref="C2:C9"><formula1>"男,女"</formula1>'
        '</dataValidation></dataValidations><extLst><ext uri="{78C0D931}" xmlns:x14="urn:x14">'
        "<x14:conditionalFormattings><x14:conditionalFormatting><x14:cfRule/><xm:sqref>A1"
        "</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
    )
    xml = sheet_xml(
        rows, before='<dimension ref="A1:C2"/><cols><col min="1" max="3"/></cols>', after=after
    )
    extent = _plain_extent(io.BytesIO(('<?xml version="1.0"?>\r\n' + xml).encode()))
    assert extent is not None
    assert (extent.rows, extent.columns) == (2, 3)
