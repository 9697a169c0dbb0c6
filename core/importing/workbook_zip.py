"""How large an .xlsx or .ods is, read from the zip before python-calamine opens it.

calamine trusts the file: its table of a sheet is the whole rectangle between the first and
the last filled cell, allocated at once, and an allocation that fails aborts the process.
So before it sees the file, these are established here, each against
``core.importing.limits``:

1. The zip's list of members is small (``check_zip_directory``), and the members' sizes, as
   the central directory declares them, are too: their total, and each large member's
   compression ratio (a zip bomb). The declaration binds calamine as well — its zip reader
   fails a member that inflates beyond its declared size — so this is instant.
2. How far each worksheet's filled cells reach, placed exactly as calamine places them: a
   cell's ``r`` attribute gives its place, a cell without one follows the previous cell, a
   row's ``r`` or its end moves the row, an empty cell is left out. Every member holding a
   ``sheetData`` element is measured, hidden sheets too, without relying on how calamine
   resolves a sheet's name to a member. The XML Excel, WPS and openpyxl write is measured
   by regular expressions (``_plain_extent``, ≈ 0.17 s for 20,000 rows × 12); any other, or
   one that seems to exceed a limit (it may count empty cells), by expat
   (``ExtentScanner``, exact, ≈ 5 times slower).
3. For .ods, the same for ``content.xml``, where rows and cells carry repeat counts.

The sheet's ``<dimension ref=…>`` is not used: it counts formatted empty cells (one bold
empty cell at XFD1048576 declares A1:XFD1048576, yet calamine, skipping empty cells, reads
a 1×1 table in 0.3 ms) and a file may declare anything. The cells themselves decide.

XML that expat refuses (not well-formed, a DOCTYPE) cannot be measured, so it is refused as
damaged; Excel and WPS never write it, and saving the file again in either repairs it.
"""

from __future__ import annotations

import functools
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from operator import itemgetter
from typing import IO
from xml.parsers import expat

from core.importing.errors import UnreadableFile
from core.importing.limits import (
    Extent,
    ReadLimits,
    check_extent,
    check_total_cells,
    column_letters,
    column_number,
    compressed_too_well,
    unpacked_too_large,
    zip_directory_too_large,
)

_CHUNK = 1024 * 1024
_SHEET_DATA = b"sheetData"
_EOCD, _ZIP64_EOCD, _ZIP64_LOCATOR = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"
_EOCD_SIZE, _LOCATOR_SIZE, _MAX_COMMENT = 22, 20, 0xFFFF
#: A cell reference as calamine reads one: letters (either case, optional for a row) then
#: digits; anything else makes calamine refuse the sheet.
_REFERENCE = re.compile(r"([A-Za-z]*)([0-9]+)")
#: Beyond any limit: longer row numbers or column names are clamped to this, so that a
#: 5,000-digit "row" costs nothing to compare.
_FAR = 10**12
_WORKBOOK_PARTS_MAX = 16 * 1024 * 1024
_ODS_PLAIN_CELL_ATTRIBUTES = frozenset(
    {
        "style-name",
        "number-columns-repeated",
        "number-columns-spanned",
        "number-rows-spanned",
        "content-validation-name",
        "protect",
        "protected",
    }
)


class _Malformed(Exception):
    """The XML is not in a form whose cells can be placed as calamine would place them."""


class _Enough(Exception):
    """The scan has seen enough to refuse the sheet; the rest of the member is not read."""


def check_zip_directory(name: str, f: IO[bytes], limits: ReadLimits) -> None:
    """Refuse a zip whose central directory (its list of members) is larger than any
    workbook's, before ``zipfile`` reads all of it into objects.

    The size is the one ``zipfile`` will read: the end record's, or the ZIP64 end record's
    when a locator precedes it (the larger is taken). A file without an end record is left
    to ``zipfile`` to refuse.
    """
    end = f.seek(0, 2)
    f.seek(max(0, end - _EOCD_SIZE - _MAX_COMMENT))
    tail = f.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return
    size = struct.unpack_from("<I", tail, at + 12)[0]
    locator = at - _LOCATOR_SIZE
    if locator >= 0 and tail.startswith(_ZIP64_LOCATOR, locator):
        f.seek(struct.unpack_from("<Q", tail, locator + 8)[0])
        record = f.read(56)
        if len(record) == 56 and record.startswith(_ZIP64_EOCD):
            size = max(size, struct.unpack_from("<Q", record, 40)[0])
    if size > limits.zip_directory_bytes:
        raise zip_directory_too_large(name, size, limits)


def check_zip_workbook(name: str, archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    """Refuse an .xlsx or .ods that is a zip bomb or whose sheets exceed the limits.

    ``name`` is the file's name for the messages; a member that cannot be inflated, or a
    sheet whose XML cannot be measured, is refused as damaged.
    """
    members = [info for info in archive.infolist() if not info.is_dir()]
    _check_members(name, members, limits)
    sheet_names = _xlsx_sheet_names(archive)
    total = 0
    for info in members:
        try:
            extents = []
            if info.filename == "content.xml":
                # calamine reads a zip as .ods when it cannot read it as .xlsx.
                extents.extend(_ods_extents(archive.open(info), limits))
            if _mentions_sheet_data(archive, info):
                label = sheet_names.get(info.filename.lower(), info.filename)
                extents.append((label, _xlsx_extent(archive, info, limits)))
        except (_Malformed, expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _damaged(name) from exc
        except (NotImplementedError, RuntimeError) as exc:
            # An unknown compression method, or a member encrypted with a zip password.
            raise _damaged(name) from exc
        for sheet, extent in extents:
            check_extent(sheet, extent, limits)
            total += extent.cells
            check_total_cells(total, limits)


def _damaged(name: str) -> UnreadableFile:
    return UnreadableFile(
        f"文件“{name}”已损坏或格式无法识别，无法读取；请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入"
    )


def _check_members(name: str, members: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    total = sum(info.file_size for info in members)
    if total > limits.unpacked_bytes:
        raise unpacked_too_large(name, total, limits)
    for info in members:
        if info.file_size < limits.ratio_floor_bytes:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.compression_ratio:
            raise compressed_too_well(name, info.filename, ratio, limits)


def _mentions_sheet_data(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the member's bytes contain ``sheetData``: only then can calamine find cells in
    it (its sheet reader fails on a member without that element), so only then is it parsed."""
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            if _SHEET_DATA in tail + chunk:
                return True
            tail = chunk[1 - len(_SHEET_DATA) :]
    return False


# --- .xlsx: the worksheet XML -----------------------------------------------------------------


def _xlsx_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ReadLimits) -> Extent:
    """How far the sheet's cells reach: by ``_plain_extent`` when the XML is in the plain form
    Excel, WPS and openpyxl write, else (or to confirm an extent over the limits, which may
    count empty cells) by ``ExtentScanner``."""
    with archive.open(info) as stream:
        extent = _plain_extent(stream)
    if extent is not None and not _exceeds(extent, limits):
        return extent
    scanner = ExtentScanner(limits)
    with archive.open(info) as stream:
        _parse(stream, scanner.start, scanner.end)
    return scanner.extent


def _exceeds(extent: Extent, limits: ReadLimits) -> bool:
    return (
        extent.rows > limits.rows or extent.columns > limits.columns or extent.cells > limits.cells
    )


#: The plain form, whose cells regular expressions find as calamine does: every cell tag is
#: unprefixed and starts ``<c r="B7"``, no attribute key of a cell other than the first is
#: ``r``, and the sheet data holds no comment, CDATA or processing instruction to hide a tag.
_SHEET_DATA_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
_CELL_TAG = re.compile(rb"<c[\s/>]")
_PREFIXED_CELL_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")
#: Every unprefixed cell tag, with its reference when that is the first attribute (b"" when
#: not: ``<c>r="A1"`` is a cell without one, followed by text).
_CELL_TAG_REFERENCE = re.compile(rb'<c(?:\s+r="([A-Za-z]{1,3})([0-9]{1,7})"|[\s/>])')
#: A tag longer than this is not plain: the scan would have to hold it across chunks.
_LONGEST_TAG = 64 * 1024


def _plain_extent(stream: IO[bytes]) -> Extent | None:
    """The extent of every cell tag in a plain worksheet, empty cells included (so never
    less than calamine's; over the limits, the exact scan decides and names the cells);
    ``None`` if the XML is not plain. No cell tag may follow the end
    of the sheet data: calamine would read on if that end were a stray one inside a value."""
    rows = columns = 0
    carry = b""
    state = "before"
    while True:
        chunk = stream.read(_CHUNK)
        buffer = carry + chunk
        carry = b""
        if chunk:
            cut = buffer.rfind(b"<")
            if cut >= 0 and buffer.find(b">", cut) < 0:
                buffer, carry = buffer[:cut], buffer[cut:]
                if len(carry) > _LONGEST_TAG:
                    return None
        if state == "before":
            found = _SHEET_DATA_START.search(buffer)
            if found is not None:
                buffer, state = buffer[found.end() :], "inside"
        if state == "inside":
            found = _SHEET_DATA_END.search(buffer) if _SHEET_DATA in buffer else None
            region = buffer if found is None else buffer[: found.start()]
            cells = _plain_cells(region)
            if cells is None:
                return None
            if cells:
                rows = max(rows, *map(int, map(itemgetter(1), cells)))
                letters = set(map(itemgetter(0), cells))
                columns = max(columns, *(column_number(c.decode()) for c in letters))
            if found is not None:
                buffer, state = buffer[found.end() :], "after"
        if state == "after" and (
            _CELL_TAG.search(buffer) or (b":" in buffer and _PREFIXED_CELL_TAG.search(buffer))
        ):
            return None
        if not chunk:
            return Extent(rows, columns)


def _plain_cells(region: bytes) -> list[tuple[bytes, bytes]] | None:
    """(letters, digits) of every cell tag in ``region``, or ``None`` if it is not plain."""
    if (b"!" in region and b"<!" in region) or (b"?" in region and b"<?" in region):
        return None
    if b":" in region and _PREFIXED_CELL_TAG.search(region):
        return None
    cells: list[tuple[bytes, bytes]] = _CELL_TAG_REFERENCE.findall(region)
    if (b"", b"") in cells:
        return None
    # calamine's attribute key is the text before "=", trailing blanks dropped: a second
    # key "r" would move the cell. Every "r=" must be a cell's first or a row's.
    if region.count(b"r=") != len(cells) + region.count(b"<row r="):
        return None
    if any(blank in region and blank + b"=" in region for blank in (b" ", b"\t", b"\n", b"\r")):
        return None
    return cells


class ExtentScanner:
    """Where calamine would put each filled cell of one worksheet's XML, and so its extent.

    Mirrors calamine's xlsx cell reader: cells are read inside the first ``sheetData``; a
    ``row`` start with ``r`` sets the row, a ``row`` end moves to the next row and back to
    column A; a ``c`` with ``r`` sits there, one without sits after the previous cell; a
    ``c`` without child elements is empty and calamine leaves it out. A ``c``, ``row`` or
    ``sheetData`` inside a cell has no defined place and is refused as malformed.
    """

    def __init__(self, limits: ReadLimits) -> None:
        self._limits = limits
        self._inside = False
        self._done = False
        self._row = 0
        self._column = 0
        self._cell: tuple[int, int] | None = None
        self._cell_filled = False
        self.rows = 0
        self.columns = 0
        self._row_cell = ""
        self._column_cell = ""

    @property
    def extent(self) -> Extent:
        return Extent(self.rows, self.columns, self._row_cell, self._column_cell)

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if self._done:
            return
        local = tag.rpartition(":")[2] if ":" in tag else tag
        if self._cell is not None:
            if local in ("c", "row", "sheetData"):
                raise _Malformed(f"<{tag}> inside a cell")
            self._cell_filled = True
        elif not self._inside:
            self._inside = local == "sheetData"
        elif local == "c":
            reference = attributes.get("r")
            if reference is None:
                self._cell = (self._row, self._column)
            else:
                self._cell = _reference(reference, need_column=True)
                self._column = self._cell[1]
            self._cell_filled = False
        elif local == "row":
            reference = attributes.get("r")
            if reference is not None:
                self._row = _reference(reference, need_column=False)[0]

    def end(self, tag: str) -> None:
        if self._done or not self._inside:
            return
        local = tag.rpartition(":")[2] if ":" in tag else tag
        if self._cell is not None:
            if local == "c":
                if self._cell_filled:
                    self._filled(*self._cell)
                self._cell = None
                self._column += 1
        elif local == "row":
            self._row += 1
            self._column = 0
        elif local == "sheetData":
            self._done = True

    def _filled(self, row: int, column: int) -> None:
        """A filled cell at 0-based ``row``, ``column``: the extent grows to hold it."""
        if row >= self.rows:
            self.rows = row + 1
            self._row_cell = column_letters(column + 1) + str(row + 1)
        if column >= self.columns:
            self.columns = column + 1
            self._column_cell = column_letters(column + 1) + str(row + 1)
        if _exceeds(self.extent, self._limits):
            raise _Enough


@functools.lru_cache(maxsize=1024)
def _column_of(letters: str) -> int:
    return column_number(letters) if len(letters) < 9 else _FAR


def _reference(text: str, *, need_column: bool) -> tuple[int, int]:
    """A cell reference such as ``B7`` as calamine reads it: (row, column), 0-based.

    One calamine would refuse (no digits, row 0, other characters, no letters for a cell)
    is malformed. One beyond Excel's grid is not: calamine would place the cell there, and
    the limits refuse it.
    """
    found = _REFERENCE.fullmatch(text)
    if found is None or (need_column and not found[1]):
        raise _Malformed(f"cell reference {text!r}")
    letters, digits = found.groups()
    row = int(digits) if len(digits) < 13 else _FAR
    if row == 0:
        raise _Malformed(f"cell reference {text!r}")
    return row - 1, (_column_of(letters) if letters else 1) - 1


def _parse(
    stream: IO[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
) -> None:
    """Stream ``stream`` through expat into ``start``/``end``, until the end or ``_Enough``.

    A DOCTYPE is refused: a worksheet has none, and its entities could expand without end.
    """
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = _no_doctype
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Enough:
        return


def _no_doctype(*_args: object) -> None:
    raise _Malformed("DOCTYPE")


def _xlsx_sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member name (lower case) → the sheet's name in the workbook, to name it in a message.

    Best effort, as Excel writes workbooks: a member not found here is named by its path.
    """
    try:
        relations = _elements(archive, "xl/_rels/workbook.xml.rels", "Relationship")
        sheets = _elements(archive, "xl/workbook.xml", "sheet")
    except (KeyError, _Malformed, expat.ExpatError, zipfile.BadZipFile, zlib.error):
        return {}
    targets = {}
    for relation in relations:
        target = relation.get("Target", "")
        path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        targets[relation.get("Id")] = posixpath.normpath(path).lower()
    names = {}
    for sheet in sheets:
        rid = next((v for k, v in sheet.items() if k.rpartition(":")[2] == "id"), None)
        if rid in targets and "name" in sheet:
            names[targets[rid]] = sheet["name"]
    return names


def _elements(archive: zipfile.ZipFile, member: str, local: str) -> list[dict[str, str]]:
    """The attributes of every ``local`` element of a small member (KeyError if absent)."""
    info = archive.getinfo(member)
    if info.file_size > _WORKBOOK_PARTS_MAX:
        raise _Malformed(f"{member} is too large to be a workbook part")
    found: list[dict[str, str]] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag.rpartition(":")[2] == local:
            found.append(attributes)

    with archive.open(info) as stream:
        _parse(stream, start, lambda _tag: None)
    return found


# --- .ods: content.xml --------------------------------------------------------------------------


class _OdsTable:
    """One ``table:table``: rows and cells with their repeat counts, as calamine expands them.

    A cell counts as filled if it has a child element or any attribute besides its style,
    repeat and span: calamine takes values from ``office:value``-type attributes, formulas
    from ``table:formula`` and text from ``text:p``.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0
        self.columns = 0
        self.next_row = 0
        self.row_repeats = 1
        self.row_filled = False
        self.row_columns = 0
        self.next_column = 0

    @property
    def extent(self) -> Extent:
        corner = column_letters(self.columns) + str(self.rows) if self.rows else ""
        return Extent(self.rows, self.columns, corner, corner)


def _ods_extents(stream: IO[bytes], limits: ReadLimits) -> list[tuple[str, Extent]]:
    tables: list[_OdsTable] = []
    table: _OdsTable | None = None
    cell: list[int | bool] | None = None  # [repeats, filled]

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal table, cell
        local = tag.rpartition(":")[2]
        if cell is not None:
            if local in ("table", "table-row", "table-cell", "covered-table-cell"):
                raise _Malformed(f"<{tag}> inside a cell")
            cell[1] = True
        elif local == "table":
            if table is not None:
                raise _Malformed("a table inside a table")
            table = _OdsTable(_attribute(attributes, "name") or f"工作表{len(tables) + 1}")
            tables.append(table)
        elif table is None:
            return
        elif local == "table-row":
            table.row_repeats = _repeats(attributes, "number-rows-repeated")
            table.row_filled = False
            table.row_columns = 0
            table.next_column = 0
        elif local in ("table-cell", "covered-table-cell"):
            filled = any(
                key.rpartition(":")[2] not in _ODS_PLAIN_CELL_ATTRIBUTES for key in attributes
            )
            cell = [_repeats(attributes, "number-columns-repeated"), filled]

    def end(tag: str) -> None:
        nonlocal table, cell
        local = tag.rpartition(":")[2]
        if table is None:
            return
        if cell is not None:
            if local not in ("table-cell", "covered-table-cell"):
                return
            repeats, filled = int(cell[0]), bool(cell[1])
            table.next_column += repeats
            if filled:
                table.row_filled = True
                table.row_columns = table.next_column
            cell = None
        elif local == "table-row":
            table.next_row += table.row_repeats
            if table.row_filled:
                table.rows = table.next_row
                table.columns = max(table.columns, table.row_columns)
                if (
                    table.rows > limits.rows
                    or table.columns > limits.columns
                    or table.rows * table.columns > limits.cells
                ):
                    raise _Enough
        elif local == "table":
            table = None

    with stream:
        _parse(stream, start, end)
    return [(t.name, t.extent) for t in tables]


def _attribute(attributes: dict[str, str], local: str) -> str | None:
    return next((v for k, v in attributes.items() if k.rpartition(":")[2] == local), None)


def _repeats(attributes: dict[str, str], local: str) -> int:
    text = _attribute(attributes, local)
    if text is None:
        return 1
    if not (text.isascii() and text.isdigit()):
        raise _Malformed(f"repeat count {text!r}")
    return max(int(text) if len(text) < 13 else _FAR, 1)
