"""Spreadsheets built to break a reader: far cells, zip bombs, forged records, looping chains.

Each is small on disk and was measured against the reader before its size checks
(python-calamine alone): the comment says what it did then. They are built from the formats'
own definitions (ECMA-376, MS-XLS, MS-CFB, ODF) with openpyxl, xlwt or by hand, not with the
code under test.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import xlwt
from xlwt import CompoundDoc

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def far_cell_xlsx(path: Path, far: str, *, header: bool = True) -> Path:
    """姓名 in A1 (unless ``header`` is false) and one value at ``far``, written by openpyxl.

    At XFD1048576 calamine asked for 512 GiB and aborted the process (SIGABRT); at AZ1048576
    it took 2.3 GB.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    if header:
        sheet["A1"] = "姓名"
    sheet[far] = "x"
    workbook.save(path)
    return path


def xlsx_from_sheet_xml(path: Path, sheet_xml: str | bytes, *, name: str = "Sheet1") -> Path:
    """A minimal valid .xlsx whose one worksheet is ``sheet_xml``, stored as given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType'
            '="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" Type="{_RELATIONS}'
            '/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONS}"><sheets><sheet name="{name}" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" Type="{_RELATIONS}'
            '/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def sheet_xml(rows: Iterator[str] | list[str], *, before: str = "", after: str = "") -> str:
    """A worksheet's XML around ``rows`` (each a ``<row>`` element's text)."""
    data = "".join(rows)
    return f'<worksheet xmlns="{_MAIN}">{before}<sheetData>{data}</sheetData>{after}</worksheet>'


def inline_row(row: int, values: list[str]) -> str:
    """One ``<row>`` of inline strings from column A, references written out."""
    cells = "".join(
        f'<c r="{_letters(c + 1)}{row}" t="inlineStr"><is><t>{v}</t></is></c>'
        for c, v in enumerate(values)
    )
    return f'<row r="{row}">{cells}</row>'


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def zip_bomb_xlsx(path: Path, padding_mb: int) -> Path:
    """A valid sheet padded with ``padding_mb`` MB of spaces between two rows: a thousandfold
    compression ratio, the shape of a zip bomb."""
    padding = " " * (padding_mb * 1024 * 1024)
    rows = [inline_row(1, ["姓名"]), padding, inline_row(2, ["王芳"])]
    return xlsx_from_sheet_xml(path, sheet_xml(rows))


def declare_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the central directory so that ``member`` declares ``size`` bytes unpacked."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name:
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


# --- .xls: records and the compound file ---------------------------------------------------


def _biff(cells: list[tuple[int, int, object]]) -> bytearray:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    for row, column, value in cells:
        sheet.write(row, column, value)
    return bytearray(workbook.get_biff_data())


def _records(stream: bytearray) -> Iterator[tuple[int, int]]:
    at = 0
    while at + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        yield at, kind
        at += 4 + size


def _save_xls(path: Path, stream: bytearray) -> Path:
    CompoundDoc.XlsDoc().save(str(path), bytes(stream))
    return path


def xls_with_dimensions(path: Path, last_row: int) -> Path:
    """An .xls whose DIMENSIONS record declares rows up to ``last_row`` (a 32-bit field).

    At 0xFFFFFFFF calamine reserved 171 GB for the declared rectangle and aborted.
    """
    stream = _biff([(0, 0, "姓名")])
    for at, kind in _records(stream):
        if kind == 0x0200:
            struct.pack_into("<I", stream, at + 8, last_row)
    return _save_xls(path, stream)


def xls_with_far_cell(path: Path, row: int, column: int) -> Path:
    """姓名 in A1 and a number moved to 0-based (``row``, ``column``) by rewriting its record.

    At (65535, 65535) calamine asked for 137 GB and aborted; at (65535, 255) it took 1.2 GB.
    """
    stream = _biff([(0, 0, "姓名"), (1, 1, 1.5)])
    for at, kind in _records(stream):
        if kind in (0x0203, 0x027E) and struct.unpack_from("<HH", stream, at + 4) == (1, 1):
            struct.pack_into("<HH", stream, at + 4, row, column)
    return _save_xls(path, stream)


def xls_with_looping_difat(path: Path) -> Path:
    """A compound file whose DIFAT chain points back at itself: calamine grew its buffer
    without end (8 GB in 20 s)."""
    data = bytearray(_save_xls(path, _biff([(0, 0, "姓名")])).read_bytes())
    struct.pack_into("<II", data, 68, 0, 1)  # first DIFAT sector 0, one DIFAT sector
    struct.pack_into("<I", data, 512 + 508, 0)  # whose "next" is sector 0 again
    path.write_bytes(bytes(data))
    return path


def xls_with_looping_directory(path: Path) -> Path:
    """A compound file whose directory chain's FAT entry points at itself: calamine grew the
    directory without end (13 GB in 20 s)."""
    data = bytearray(_save_xls(path, _biff([(0, 0, "姓名")])).read_bytes())
    directory = struct.unpack_from("<I", data, 48)[0]
    fat = struct.unpack_from("<I", data, 76)[0]
    struct.pack_into("<I", data, 512 + fat * 512 + directory * 4, directory)
    path.write_bytes(bytes(data))
    return path


def xls_with_xf_as_name(path: Path) -> Path:
    """An .xls whose first XF record is retyped as a NAME record: calamine's NAME parser
    subtracts a length it reads from the record's own, underflows and panics (a Rust panic,
    which pyo3 raises as ``PanicException``, a ``BaseException``, not an ``Exception``)."""
    stream = _biff([(0, 0, "姓名")])
    at = next(at for at, kind in _records(stream) if kind == 0x00E0)
    struct.pack_into("<H", stream, at, 0x0018)
    return _save_xls(path, stream)


# --- .ods ------------------------------------------------------------------------------------


def ods(path: Path, tables: str) -> Path:
    """An OpenDocument spreadsheet whose body is ``tables`` (``table:table`` elements)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
        'vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def ods_repeated(path: Path, rows: int, columns: int) -> Path:
    """One number repeated over ``rows`` × ``columns`` cells: 1 KB on disk. At 100,000 × 1,000
    calamine took 19 s and 10 GB."""
    return ods(
        path,
        f'<table:table table:name="名单"><table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{columns}" '
        'office:value-type="float" office:value="1"/></table:table-row></table:table>',
    )
