"""Random and damaged spreadsheets through the roster and certificate readers.

Whatever the file — random cells of every type, headers in any order, cells far out, formulas,
huge strings; or a sound workbook with its XML, its BIFF records or its compound file
mutated — reading it and checking its rows either gives a preview or raises the domain's
refusal (``ImportRefused``), never anything else, and never ends the process: a native
abort would kill this test run, so a crash cannot pass unseen.

About 3,000 cases a run, in ≈ 12 s (``max_examples`` below). Each case reads the file as
the importers do: ``read_spreadsheet`` (with the real limits), ``choose_sheet``, then
``preview_roster`` / ``preview_certificates`` when the header was found.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwt
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlwt import CompoundDoc

from core.importing import (
    ImportRefused,
    Kind,
    choose_sheet,
    field_specs,
    preview_certificates,
    preview_roster,
    read_spreadsheet,
)
from models.database import Database
from tests.core.importing.hostile import ods, sheet_xml, xlsx_from_sheet_xml
from tests.core.importing.workbooks import TODAY, make_id


def fuzz(examples: int) -> settings:
    """``examples`` cases, no deadline (a case writes and reads a file); the fixtures are
    shared by the cases on purpose: a check writes nothing."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


_HEADERS = {
    kind: [alias for spec in field_specs(kind) for alias in spec.aliases]
    for kind in ("roster", "certificates")
}
_FORMULAS = ["=SUM(A1:A3)", "=1/0", '=HYPERLINK("http://x","点")', "=A1&B1", "=XFD1048576", "="]
_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "男", "女", "1.40105E+17", "13812345678", "三级", "车工", "2025届"]),
    st.builds(make_id, st.integers(0, 499)),
    st.integers(1000, 40_000).map(lambda n: "长" * n),  # beyond Excel's 32,767 too
)
_CELLS = st.one_of(
    st.none(),
    _TEXT,
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**15), 10**15),
    st.booleans(),
    st.dates(date(1900, 3, 1), date(2200, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2200, 1, 1)),
    st.sampled_from(_FORMULAS),
)
#: A place far out: row and column of any size Excel allows, 1-based.
_FAR = st.tuples(st.integers(1, 1_048_576), st.integers(1, 16_384))


def _header(kind: Kind) -> st.SearchStrategy[list[object]]:
    """Mostly a header the reader recognises (one alias of each field, any order, with
    strangers among them), sometimes any titles at all."""
    fields = st.tuples(*(st.sampled_from(spec.aliases) for spec in field_specs(kind)))
    recognised = st.tuples(fields, st.lists(_TEXT, max_size=3)).flatmap(
        lambda parts: st.permutations([*parts[0], *parts[1]])
    )
    anything = st.lists(st.one_of(st.sampled_from(_HEADERS[kind]), _TEXT), max_size=12)
    return st.one_of(recognised, anything)


def _sheet(kind: Kind) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "title_rows": st.integers(0, 3),
            "header": _header(kind),
            "rows": st.lists(st.lists(_CELLS, max_size=12), max_size=15),
            "far": st.lists(st.tuples(_FAR, _CELLS), max_size=2),
        }
    )


def _storable(value: object) -> object:
    """openpyxl refuses control characters in text; Excel cannot hold them either."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _xlsx(path: Path, sheet: dict[str, Any]) -> None:
    workbook = openpyxl.Workbook()
    target = workbook.active
    assert target is not None
    for _ in range(sheet["title_rows"]):
        target.append(["学员名单"])
    for row in [sheet["header"], *sheet["rows"]]:
        target.append([_storable(v) for v in row])
    for (row, column), value in sheet["far"]:
        target.cell(row, column, _storable(value))
    workbook.save(path)


def _xls(path: Path, sheet: dict[str, Any]) -> None:
    workbook = xlwt.Workbook(encoding="utf-8")
    target = workbook.add_sheet("Sheet1", cell_overwrite_ok=True)
    rows = [["学员名单"]] * sheet["title_rows"] + [sheet["header"], *sheet["rows"]]
    cells = [((r, c), v) for r, row in enumerate(rows) for c, v in enumerate(row)]
    cells += [(((row - 1) % 65536, (column - 1) % 256), v) for (row, column), v in sheet["far"]]
    for (r, c), value in cells:
        if value is not None:  # the .xls grid and a BIFF string hold less than .xlsx
            target.write(r, c, value[:32_767] if isinstance(value, str) else value)
    workbook.save(str(path))


def _csv(path: Path, sheet: dict[str, Any], encoding: str) -> None:
    rows = [["学员名单"]] * sheet["title_rows"] + [sheet["header"], *sheet["rows"]]
    text = io.StringIO()
    csv.writer(text).writerows(["" if v is None else v for v in row] for row in rows)
    path.write_bytes(text.getvalue().encode(encoding, errors="replace"))


def _check(database: Database, path: Path, kind: Kind, *, record: bool = True) -> None:
    """Read and check ``path`` as the importers do; only a refusal may escape. ``record``:
    count the outcome in hypothesis's statistics (inside a hypothesis test only)."""
    try:
        spreadsheet = read_spreadsheet(path)
        sheet, mapping = choose_sheet(spreadsheet, kind)
        mapping.require_complete()
        with database.session() as session:
            if kind == "roster":
                preview = preview_roster(session, sheet, mapping, today=TODAY)
            else:
                preview = preview_certificates(session, sheet, mapping)
    except ImportRefused as refused:
        assert str(refused) and "\n" not in str(refused)
        if record:
            event(f"refused: {type(refused).__name__}")
        return
    if record:
        event("previewed")
    assert len(preview.rows) + preview.skipped_blank <= len(sheet.rows)


@pytest.mark.parametrize("kind", ["roster", "certificates"])
@fuzz(150)
@given(data=st.data())
def test_generated_workbooks_give_a_preview_or_a_refusal(
    school: Database, tmp_path: Path, kind: Kind, data: st.DataObject
) -> None:
    sheet = data.draw(_sheet(kind))
    form = data.draw(st.sampled_from(["xlsx", "xls", "csv-utf-8", "csv-gbk"]))
    path = tmp_path / f"file.{form[:4].rstrip('-')}"
    if form == "xlsx":
        _xlsx(path, sheet)
    elif form == "xls":
        _xls(path, sheet)
    else:
        _csv(path, sheet, form[4:])
    _check(school, path, kind)


# --- Damaged files: a sound workbook, mutated -------------------------------------------------

#: Pieces of worksheet XML that placed cells wrongly or far out in some reader.
_XML_PIECES = [
    '<c r="XFD1048576"><v>1</v></c>',
    '<c r="AZ1048576" t="inlineStr"><is><t>x</t></is></c>',
    '<c r="A1" r="XFD1"><v>1</v></c>',
    "<c><v>2</v></c>",
    '<row r="1048576">',
    '<row r="0">',
    "<row>",
    "</row>",
    "</c>",
    "<c>",
    "</sheetData>",
    "<sheetData>",
    "<!-- x -->",
    "<![CDATA[<c r='XFD1'>]]>",
    '<x:c r="B2"><x:v>1</x:v></x:c>',
    '<c r="a1"><v>1</v></c>',
    '<c r="A99999999999"><v>1</v></c>',
    '<c r="$A$1"><v>1</v></c>',
    '<c r="A1" t="s"><v>99999</v></c>',
    '<c r="A1" t="d"><v>not a date</v></c>',
    '<c r="A1" t="n"><v>1e999</v></c>',
    "&#0;",
    "\x00",
    "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
]


def _base_rows() -> list[str]:
    header = "".join(
        f'<c r="{c}1" t="inlineStr"><is><t>{t}</t></is></c>'
        for c, t in zip("ABC", ["姓名", "身份证号", "手机号"], strict=True)
    )
    body = (
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>王芳</t></is></c><c r="B2" t="inlineStr">'
        f'<is><t>{make_id(1)}</t></is></c><c r="C2"><v>13812345678</v></c></row>'
    )
    return [f'<row r="1">{header}</row>', body]


@fuzz(600)
@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(_XML_PIECES) | st.text(max_size=8)),
        max_size=4,
    ),
    st.integers(0, 3),
)
def test_mutated_worksheet_xml(
    school: Database, tmp_path: Path, insertions: list[tuple[int, str]], cut: int
) -> None:
    xml = sheet_xml(_base_rows())
    for place, piece in insertions:
        at = place % (len(xml) + 1)
        xml = xml[:at] + piece + xml[at:]
    if cut:
        xml = xml[: len(xml) * (4 - cut) // 4]
    path = xlsx_from_sheet_xml(tmp_path / "m.xlsx", xml.encode("utf-8", errors="replace"))
    _check(school, path, "roster")


_XML_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_characters="<>&\"'", exclude_categories=["Cc", "Cs"]
    ),
    max_size=12,
)
_REFERENCE = st.one_of(
    st.tuples(st.integers(1, 16_384), st.integers(1, 1_048_576)).map(
        lambda cr: f"{_column_letters(cr[0])}{cr[1]}"
    ),
    st.sampled_from(["A1", "a1", "A0", "1", "A", "ZZZZ1", "A1048577", "XFE1"]),
    _XML_TEXT,
)


def _column_letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_VALUE = st.one_of(
    _XML_TEXT.map(lambda t: f"<v>{t}</v>"),
    st.integers(-5, 10**6).map(lambda n: f"<v>{n}</v>"),
    _XML_TEXT.map(lambda t: f"<is><t>{t}</t></is>"),
    _XML_TEXT.map(lambda t: f"<is><r><rPr><b/></rPr><t>{t}</t></r><rPh><t>x</t></rPh></is>"),
    _XML_TEXT.map(lambda t: f"<f>{t}</f><v>1</v>"),
    st.just("<v/>"),
    st.just(""),
)
_CELL_XML = st.builds(
    lambda r, t, s, value: f"<c{r}{t}{s}>{value}</c>",
    st.one_of(st.just(""), _REFERENCE.map(lambda r: f' r="{r}"')),
    st.sampled_from(
        [
            "",
            ' t="s"',
            ' t="str"',
            ' t="inlineStr"',
            ' t="n"',
            ' t="b"',
            ' t="e"',
            ' t="d"',
            ' t="x"',
        ]
    ),
    st.sampled_from(["", ' s="0"', ' s="1"', ' s="99999"']),
    _VALUE,
)
_ROW_XML = st.builds(
    lambda r, cells: f"<row{r}>{''.join(cells)}</row>",
    st.one_of(st.just(""), st.integers(0, 1_048_577).map(lambda n: f' r="{n}"')),
    st.lists(_CELL_XML, max_size=5),
)


@fuzz(400)
@given(st.lists(_ROW_XML, max_size=8))
def test_well_formed_worksheets_of_any_content(
    school: Database, tmp_path: Path, rows: list[str]
) -> None:
    """Well-formed XML reaches calamine itself: references, types, styles and values of
    every kind, as it places and converts them."""
    path = xlsx_from_sheet_xml(tmp_path / "w.xlsx", sheet_xml(_base_rows() + rows))
    _check(school, path, "roster")


def _sound_xls() -> bytes:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("学员")
    for c, title in enumerate(["姓名", "身份证号", "手机号"]):
        sheet.write(0, c, title)
    for r in range(1, 30):
        sheet.write(r, 0, f"王{'芳娜静'[r % 3]}")
        sheet.write(r, 1, make_id(r))
        sheet.write(r, 2, 13812345600 + r)
    return bytes(workbook.get_biff_data())


_BIFF = _sound_xls()


@fuzz(400)
@given(
    st.lists(
        st.tuples(st.integers(0, len(_BIFF) - 1), st.binary(min_size=1, max_size=4)), max_size=6
    )
)
def test_mutated_biff_records(
    school: Database, tmp_path: Path, writes: list[tuple[int, bytes]]
) -> None:
    stream = bytearray(_BIFF)
    for at, data in writes:
        stream[at : at + len(data)] = data
    path = tmp_path / "m.xls"
    CompoundDoc.XlsDoc().save(str(path), bytes(stream))
    _check(school, path, "roster")


#: The compound-file header fields calamine trusts, with their widths: the sector shifts,
#: the FAT, directory, mini FAT and DIFAT starts and counts, the first DIFAT entries.
_CFB_FIELDS = [(30, "<H"), (32, "<H"), *((at, "<I") for at in range(44, 88, 4))]
_CFB_WRITES = st.one_of(
    st.tuples(st.sampled_from(_CFB_FIELDS), st.integers(0, 2**32 - 1)),
    # A u32 anywhere in the sectors: FAT entries, directory entries' starts and sizes.
    st.tuples(
        st.tuples(st.integers(128, 1200).map(lambda n: 4 * n), st.just("<I")),
        st.integers(0, 2**32 - 1),
    ),
)


@fuzz(400)
@given(st.lists(_CFB_WRITES, min_size=1, max_size=4))
def test_mutated_compound_file(
    school: Database, tmp_path: Path, writes: list[tuple[tuple[int, str], int]]
) -> None:
    path = tmp_path / "m.xls"
    CompoundDoc.XlsDoc().save(str(path), _BIFF)
    data = bytearray(path.read_bytes())
    for (at, form), value in writes:
        if at + struct.calcsize(form) <= len(data):
            struct.pack_into(form, data, at, value % 2 ** (8 * struct.calcsize(form)))
    path.write_bytes(bytes(data))
    _check(school, path, "roster")


@fuzz(200)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**7) | st.sampled_from([1, 1_048_576, 16_384, 10**12]),
            st.integers(0, 10**5) | st.sampled_from([1, 16_384, 100_000]),
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_ods_repeats(school: Database, tmp_path: Path, rows: list[tuple[int, int, bool]]) -> None:
    body = "".join(
        f'<table:table-row table:number-rows-repeated="{r}"><table:table-cell '
        f'table:number-columns-repeated="{c}"'
        + (
            ' office:value-type="string"><text:p>姓名</text:p></table:table-cell>'
            if filled
            else "/>"
        )
        + "</table:table-row>"
        for r, c, filled in rows
    )
    path = ods(tmp_path / "m.ods", f'<table:table table:name="名单">{body}</table:table>')
    _check(school, path, "roster")


@fuzz(300)
@given(
    st.binary(max_size=2000),
    st.sampled_from([".csv", ".xlsx", ".xls", ".txt"]),
    st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf"]),
)
def test_random_bytes(
    school: Database, tmp_path: Path, data: bytes, suffix: str, magic: bytes
) -> None:
    path = tmp_path / f"m{suffix}"
    path.write_bytes(magic + data)
    _check(school, path, "certificates")


def test_a_sound_zip_with_a_mutated_member_is_read_or_refused(
    school: Database, tmp_path: Path
) -> None:
    """Every single-byte change of a small .xlsx's compressed bytes (the zip's checks, not the
    sheet's, mostly refuse these; a few reach calamine)."""
    path = xlsx_from_sheet_xml(tmp_path / "base.xlsx", sheet_xml(_base_rows()))
    sound = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename)
    for at in range(start, start + info.compress_size):
        damaged = bytearray(sound)
        damaged[at] ^= 0x5A
        path.write_bytes(bytes(damaged))
        _check(school, path, "roster", record=False)
