"""Text that looks like a formula stays text in every workbook CertDesk writes.

openpyxl stores any str starting with "=" as a live formula and "#N/A" as an error cell. A
trainee's employer, a class name or an institution's address may come from a school's data
package, so each writer is fed ``=HYPERLINK(…)``, a DDE call and Excel's other formula starts
in those fields, and every file is read back with openpyxl: no formula or error cell anywhere,
the text verbatim, the quote prefix on each cell that starts with a trigger.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from sqlalchemy import select

from core.importing import choose_sheet, preview_roster, read_spreadsheet
from core.institution import Profile, register_local_institution
from core.progress import MissingScope
from models.database import Database
from models.institution import Institution, OfferedOccupation, ServedIndustry
from models.trainee import Certificate, Trainee
from reports.annex4 import write_annex4
from reports.import_errors import write_error_report
from reports.missing_xlsx import write_missing_xlsx
from reports.roster_xlsx import write_class_roster, write_trainee_list
from reports.subsidy import write_subsidy
from reports.table_xlsx import write_table_xlsx
from reports.xlsx_writer import (
    FORMULA_TRIGGERS,
    TEXT_FORMAT,
    cell_text,
    new_workbook,
    stream_value,
    write_cell,
)
from tests.conftest import SCHOOL
from tests.core.importing.workbooks import TODAY, make_id, write_csv
from tests.core.progress_data import add_graduate
from tests.reports.builders import add_class
from tests.reports.test_annex4 import add_held, uscc

HOSTILE = (
    '=HYPERLINK("http://example.invalid","x")',
    "@SUM(A1)",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
)

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "reports" / "xlsx_writer.py"


def _cells(path: Path) -> Iterator[Cell]:
    workbook = load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from (c for c in row if isinstance(c, Cell))


def assert_inert(path: Path, hostile: str, *, expected: int) -> None:
    """No formula or error cell; ``hostile`` verbatim in exactly ``expected`` text cells."""
    found = 0
    for cell in _cells(path):
        assert cell.data_type not in ("f", "e"), (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert cell.data_type == "s", cell.coordinate
            if cell.value.startswith(FORMULA_TRIGGERS):
                assert cell.quotePrefix, (cell.coordinate, cell.value)
            found += hostile in cell.value
    assert found == expected, f"{hostile!r} in {found} cells of {path.name}"


# --- The cell rules --------------------------------------------------------------------------

#: Any text; text that starts with a trigger, is an Excel error code or holds what XML cannot.
_TEXTS = st.one_of(
    st.text(),
    st.tuples(st.sampled_from([*FORMULA_TRIGGERS, "#N/A", "=", "=="]), st.text()).map("".join),
    st.sampled_from(["#N/A", "#DIV/0!", "#REF!", "#NAME?", "\x00=1", "a\ufffeb\uffff", *HOSTILE]),
)


def _storable(text: str) -> bool:
    """Text an XML file carries unchanged: no C0 control but tab and LF, no CR, no non-character."""
    return all(ch in "\t\n" or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff") for ch in text)


@given(_TEXTS)
def test_cell_text_changes_only_what_xml_cannot_hold(text: str) -> None:
    stored = cell_text(text)
    assert _storable(stored)
    assert cell_text(stored) == stored
    if _storable(text):
        assert stored == text


@given(st.lists(_TEXTS, min_size=1, max_size=8), st.booleans())
def test_any_text_reads_back_as_the_same_text_cell(texts: list[str], write_only: bool) -> None:
    workbook = new_workbook("t", write_only=write_only)
    sheet = workbook.create_sheet("s")
    if write_only:
        for text in texts:
            sheet.append([stream_value(sheet, text), stream_value(sheet, text, text=True)])
    else:
        for row, text in enumerate(texts, start=1):
            write_cell(sheet, row, 1, text)
            write_cell(sheet, row, 2, text, text=True)
    stream = io.BytesIO()
    workbook.save(stream)
    stream.seek(0)
    back = load_workbook(stream).worksheets[0]
    for row, text in enumerate(texts, start=1):
        stored = cell_text(text)
        for column in (1, 2):
            cell = back.cell(row=row, column=column)
            assert (cell.value or "") == stored
            if stored:
                assert cell.data_type == "s"
                assert bool(cell.quotePrefix) == stored.startswith(FORMULA_TRIGGERS)
        assert back.cell(row=row, column=2).number_format == TEXT_FORMAT


def test_a_carriage_return_becomes_the_cells_line_break() -> None:
    assert cell_text("a\r\nb\rc") == "a\nb\nc"
    assert cell_text("\r=1").startswith(FORMULA_TRIGGERS)


def test_numbers_stay_numbers_and_codes_become_text(tmp_path: Path) -> None:
    workbook = new_workbook("t")
    sheet = workbook.create_sheet("s")
    write_cell(sheet, 1, 1, 45)
    write_cell(sheet, 1, 2, Decimal("3200.00"))
    write_cell(sheet, 1, 3, 140105199003071234, text=True)
    write_cell(sheet, 1, 4, date(2026, 6, 1))
    workbook.save(tmp_path / "n.xlsx")
    a, b, c, d = load_workbook(tmp_path / "n.xlsx").worksheets[0][1]
    assert (a.value, a.data_type) == (45, "n")
    assert (Decimal(str(b.value)), b.data_type) == (Decimal(3200), "n")
    assert (c.value, c.data_type, c.number_format) == ("140105199003071234", "s", TEXT_FORMAT)
    assert d.is_date


def _imported(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield node.module or ""
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _calls_outside_the_writer() -> Iterator[str]:
    """Where a module other than the writer makes a workbook or a cell, or sets one's value."""
    folders = ("reports", "core", "gui", "cli")
    for path in sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py")):
        if path == WRITER or path.is_relative_to(ROOT / "core" / "importing"):
            continue  # core/importing reads spreadsheets, it writes none
        tree = ast.parse(path.read_text(encoding="utf-8"))
        uses_openpyxl = any(
            name.partition(".")[0] == "openpyxl" or name == "reports.xlsx_writer"
            for name in _imported(tree)
        )
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in ("Workbook", "WriteOnlyCell"):
                    yield f"{where}:{node.lineno} {name}()"
                if name == "cell" and (
                    len(node.args) > 2 or any(k.arg == "value" for k in node.keywords)
                ):
                    yield f"{where}:{node.lineno} .cell(value=…)"
            if uses_openpyxl and isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr in ("value", "data_type"):
                        yield f"{where}:{node.lineno} .{target.attr} ="


def test_only_the_writer_makes_workbooks_and_fills_cells() -> None:
    assert list(_calls_outside_the_writer()) == []


# --- Every workbook the application writes ---------------------------------------------------


def _rename_school(database: Database, text: str, **more: str) -> None:
    with database.session() as session:
        school = session.scalars(select(Institution).where(Institution.is_local)).one()
        school.name = text
        for field, value in more.items():
            setattr(school, field, value)
        session.commit()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_class_roster(school: Database, tmp_path: Path, hostile: str) -> None:
    class_id = add_class(school, trainees=3, name=hostile, names=[hostile])
    path = write_class_roster(school, class_id, tmp_path / "r.xlsx").path
    assert_inert(path, hostile, expected=2)  # the title and the trainee


@pytest.mark.parametrize("hostile", HOSTILE)
def test_trainee_export(school: Database, tmp_path: Path, hostile: str) -> None:
    add_class(school, trainees=2, names=[hostile])
    with school.session() as session:
        for trainee in session.scalars(select(Trainee)):
            trainee.employer = trainee.class_name = trainee.major = hostile
        first = session.scalars(select(Trainee).order_by(Trainee.id)).first()
        session.add(
            Certificate(
                trainee=first,
                cert_type="特种作业操作证",
                occupation=hostile,
                level="",
                number=hostile,
                issue_date=date(2024, 6, 30),
                issuer=hostile,
            )
        )
        session.commit()
    path = write_trainee_list(school, tmp_path / "t.xlsx").path
    # 学员: the name, the certificate summary, each trainee's employer, major and class;
    # 证书: the holder's name, the occupation, the number and the issuer.
    assert_inert(path, hostile, expected=2 + 2 * 3 + 4)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_missing_list(school: Database, tmp_path: Path, hostile: str) -> None:
    _rename_school(school, hostile)
    with school.session() as session:
        add_graduate(session, hostile, 2026, class_name=hostile, major=hostile)
        add_graduate(session, "王芳", 2026, class_name=hostile, major="电工")
        session.commit()
    scope = MissingScope(SCHOOL.uscc, 2026, "高级工")
    for by in ("class_name", "major"):
        path = write_missing_xlsx(school, scope, tmp_path / f"{by}.xlsx", by=by, reveal=True).path
        # the title; the name, class and major of one, the class of the other; the group
        assert_inert(path, hostile, expected=6)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_annex4_of_a_school(school: Database, tmp_path: Path, hostile: str) -> None:
    _rename_school(school, hostile, address=hostile, contact_name=hostile)
    with school.session() as session:
        local = session.scalars(select(Institution).where(Institution.is_local)).one()
        local.occupations = [OfferedOccupation(name=hostile, position=0)]
        local.industries = [ServedIndustry(industry_code="E01", position=0)]
        session.commit()
    path = write_annex4(school, tmp_path / "a4.xlsx").path
    assert_inert(path, hostile, expected=4)  # name and code, occupations, address, contact


@pytest.mark.parametrize("hostile", HOSTILE)
def test_annex4_at_a_bureau(database: Database, tmp_path: Path, hostile: str) -> None:
    """A city bureau's Annex 4 carries what came in its schools' packages, unchecked."""
    with database.session() as session:
        register_local_institution(
            session,
            Profile(
                name="太原市教育局",
                uscc=uscc("000000001", "140100", "11"),
                category="其他",
                division_code="140100",
                role="city",
            ),
        )
        add_held(session, hostile, uscc("000000102", "140100"), "中职学校", "140109")
        session.commit()
        held = session.scalars(select(Institution).where(Institution.name == hostile)).one()
        held.address = held.contact_name = hostile
        session.commit()
    path = write_annex4(database, tmp_path / "a4.xlsx").path
    assert_inert(path, hostile, expected=3)  # name and code, address, contact


@pytest.mark.parametrize("hostile", HOSTILE)
def test_subsidy_claim(school: Database, tmp_path: Path, hostile: str) -> None:
    _rename_school(school, hostile)
    class_id = add_class(
        school, 3, name=hostile, location=hostile, status="结业", completed=2, names=[hostile]
    )
    path = write_subsidy(school, class_id, tmp_path / "s.xlsx", date(2026, 6, 10)).path
    assert_inert(path, hostile, expected=4)  # school, class, place, the completer


@pytest.mark.parametrize("hostile", HOSTILE)
def test_import_error_report(school: Database, tmp_path: Path, hostile: str) -> None:
    source = write_csv(
        tmp_path / "r.csv",
        [
            ["姓名", "身份证号码", "手机号", "工作单位", hostile],
            [hostile, make_id(1), "138", hostile, hostile],
        ],
    )
    sheet, mapping = choose_sheet(read_spreadsheet(source), "roster")
    with school.session() as session:
        preview = preview_roster(session, sheet, mapping, today=TODAY)
    assert len(preview.invalid) == 1
    path = write_error_report(preview, tmp_path / "e.xlsx").path
    assert_inert(path, hostile, expected=4)  # the header, the name, the employer, the note


@pytest.mark.parametrize("hostile", HOSTILE)
def test_table_export(tmp_path: Path, hostile: str) -> None:
    rows: Sequence[Sequence[object]] = [[hostile, 3, hostile], ["电工2202班", 5, "0201"]]
    path = write_table_xlsx(tmp_path / "t.xlsx", hostile, ["班级", "人数", hostile], rows).path
    assert_inert(path, hostile, expected=4)  # the title, a header, two cells
    numbers = [c.value for c in _cells(path) if c.column == 2 and c.row > 2]
    assert numbers == [3, 5]
