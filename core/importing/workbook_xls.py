"""How large an Excel 97–2003 .xls is, read from its records before python-calamine opens it.

calamine parses every sheet of an .xls as soon as the file is opened, and trusts it three
ways that can end the process: it follows the compound file's sector chains without noticing
a loop (a looping chain grows its buffer until memory runs out, or spins for ever); it
reserves memory for the rectangle a sheet's DIMENSIONS record declares (a forged one asks for
terabytes); and it builds each sheet's table as the rectangle between its first and last
cell (a cell at row 65,535 and column 65,535 besides A1 asks for 137 GB).

So the container is walked here as calamine walks it (``_Compound``), with every chain
checked to stay inside the file and never loop, and the workbook stream's records are read
as calamine reads them (``sheet_extents``): the sheets' positions from BOUNDSHEET, each
sheet's DIMENSIONS and the place of every record calamine makes a cell of. A container that
does not hold together is damaged; Excel never writes one.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from core.importing.errors import UnreadableFile
from core.importing.limits import (
    Extent,
    ReadLimits,
    check_extent,
    check_total_cells,
    column_letters,
    declared_too_large,
)

#: Sector numbers from here up are markers (free, end of chain, FAT, DIFAT), not sectors.
_MARKERS = 0xFFFF_FFFA
_DIFAT_SECTOR = 0xFFFF_FFFC
_END_OF_CHAIN = 0xFFFF_FFFE
_MINI_SECTOR = 64
_MINI_STREAM_CUTOFF = 4096
#: The names calamine looks for, in its order.
_WORKBOOK_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")

_BOF, _EOF, _CONTINUE = 0x0809, 0x000A, 0x003C
_BOUNDSHEET, _DIMENSIONS, _FORMULA, _MULRK = 0x0085, 0x0200, 0x0006, 0x00BD
#: Records calamine makes one cell of, at the row and column of their first four bytes:
#: NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST. (BLANK and MULBLANK it leaves out; a
#: STRING record takes the place of the FORMULA before it.)
_CELL_RECORDS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD})


class _Damaged(Exception):
    """The container or its records do not hold together."""


def check_xls(name: str, data: bytes, limits: ReadLimits) -> None:
    """Refuse an .xls whose structure would hang or crash calamine, or whose sheets exceed
    the limits; ``name`` is the file's name for the messages."""
    try:
        stream = _Compound(data).workbook_stream()
        sheets = list(sheet_extents(stream))
    except _Damaged as exc:
        raise UnreadableFile(
            f"文件“{name}”已损坏或格式无法识别，无法读取；"
            "请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入"
        ) from exc
    total = 0
    for sheet in sheets:
        if sheet.declared_cells > limits.cells:
            raise declared_too_large(sheet.name, sheet.declared_cells, limits)
        check_extent(sheet.name, sheet.extent, limits)
        total += sheet.extent.cells
        check_total_cells(total, limits)


@dataclass(frozen=True)
class XlsSheet:
    """One sheet's substream: its name, the most cells calamine reserves for it (the largest
    DIMENSIONS rectangle) and how far its cells reach from A1."""

    name: str
    declared_cells: int
    extent: Extent


class _Compound:
    """A compound file (MS-CFB) read the way calamine's ``cfb.rs`` reads it, every chain
    checked: a sector inside the file, visited once."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise _Damaged("shorter than a header")
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise _Damaged("sector sizes")
        self._data = data
        self._size = 1 << shift
        self._sectors = len(data) // self._size - 1  # the header takes the first one
        # A real file needs one FAT entry per sector; a forged one may list the same FAT or
        # DIFAT sector again and again, and calamine would build a FAT of gigabytes.
        per_sector = self._size // 4
        most_fat = 2 * (self._sectors // per_sector + 1)
        # calamine takes the FAT from the DIFAT alone, not from the header's count of it.
        dir_start = struct.unpack_from("<I", data, 48)[0]
        mini_fat_start, mini_fat_sectors, difat_start = struct.unpack_from("<3I", data, 60)
        difat = list(struct.unpack_from("<109I", data, 76))
        seen: set[int] = set()
        sector = difat_start
        while sector < _MARKERS:
            if sector in seen or len(seen) > most_fat // (per_sector - 1):
                raise _Damaged("the DIFAT chain loops or is longer than the file needs")
            seen.add(sector)
            difat.extend(_u32s(self._sector(sector)))
            sector = difat.pop()
        fat_sectors = [s for s in difat if s < _DIFAT_SECTOR]
        if len(fat_sectors) > most_fat:
            raise _Damaged("more FAT sectors than the file needs")
        self._fat = _u32s(b"".join(self._sector(s) for s in fat_sectors))
        directory = self._chain(dir_start, self._fat, self._sector, None)
        # Only the root entry (the mini stream's place) and the workbook streams matter.
        self._streams: dict[str, tuple[int, int]] = {}
        for at in range(0, len(directory) - 127, 128):
            name, start, size = self._entry(directory[at : at + 128])
            if at == 0:
                self._streams[""] = (start, size)
            if name in _WORKBOOK_STREAMS:
                self._streams.setdefault(name, (start, size))
        if "" not in self._streams:
            raise _Damaged("no root entry")
        root_start, root_size = self._streams[""]
        self._mini_stream = b""
        self._mini_fat = array("I")
        if mini_fat_sectors:
            self._mini_stream = self._chain(root_start, self._fat, self._sector, root_size)
            mini_fat = self._chain(
                mini_fat_start, self._fat, self._sector, mini_fat_sectors * self._size
            )
            self._mini_fat = _u32s(mini_fat)

    def workbook_stream(self) -> bytes:
        for wanted in _WORKBOOK_STREAMS:
            if wanted in self._streams:
                start, size = self._streams[wanted]
                if size < _MINI_STREAM_CUTOFF:
                    return self._chain(start, self._mini_fat, self._mini_sector, size)
                return self._chain(start, self._fat, self._sector, size)
        raise _Damaged("no workbook stream")

    def _sector(self, sector: int) -> bytes:
        if sector >= self._sectors:
            raise _Damaged(f"sector {sector} beyond the end of the file")
        start = (sector + 1) * self._size
        return self._data[start : start + self._size]

    def _mini_sector(self, sector: int) -> bytes:
        start = sector * _MINI_SECTOR
        if start + _MINI_SECTOR > len(self._mini_stream):
            raise _Damaged(f"mini sector {sector} beyond the mini stream")
        return self._mini_stream[start : start + _MINI_SECTOR]

    @staticmethod
    def _chain(
        start: int, fat: Sequence[int], read: Callable[[int], bytes], size: int | None
    ) -> bytes:
        """The sectors from ``start`` along ``fat`` until the end of the chain or ``size``
        bytes, as calamine's ``get_chain``; a loop or a sector outside ``fat`` is damage."""
        parts: list[bytes] = []
        length = 0
        seen: set[int] = set()
        sector = start
        while sector != _END_OF_CHAIN:
            if sector in seen:
                raise _Damaged("a sector chain loops")
            seen.add(sector)
            part = read(sector)
            if size is not None:
                part = part[: size - length]
            parts.append(part)
            length += len(part)
            if size is not None and length >= size:
                break
            if sector >= len(fat):
                raise _Damaged("a sector chain leaves the FAT")
            sector = fat[sector]
        return b"".join(parts)

    def _entry(self, raw: bytes) -> tuple[str, int, int]:
        name = raw[:64].decode("utf-16-le", errors="replace").split("\x00", 1)[0]
        start = struct.unpack_from("<I", raw, 116)[0]
        if self._size == 512:
            size = struct.unpack_from("<I", raw, 120)[0]
        else:
            size = struct.unpack_from("<Q", raw, 120)[0]
        return name, start, size


def _u32s(data: bytes) -> array[int]:
    """``data`` as little-endian unsigned 32-bit numbers, 4 bytes each in memory too."""
    numbers = array("I", data[: len(data) // 4 * 4])
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _records(stream: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """(type, data) from ``start`` as calamine's ``RecordIter``: CONTINUE records after a
    record belong to it and are not records of their own; a cut-off record is damage."""
    at, end = start, len(stream)
    while at < end:
        if end - at < 4:
            raise _Damaged("a cut-off record header")
        kind, size = struct.unpack_from("<HH", stream, at)
        if end - at - 4 < size:
            raise _Damaged("a cut-off record")
        yield kind, stream[at + 4 : at + 4 + size]
        at += 4 + size
        while end - at > 4 and struct.unpack_from("<H", stream, at)[0] == _CONTINUE:
            size = struct.unpack_from("<H", stream, at + 2)[0]
            if end - at - 4 < size:
                raise _Damaged("a cut-off CONTINUE record")
            at += 4 + size


def sheet_extents(stream: bytes) -> Iterator[XlsSheet]:
    """Every sheet calamine will parse, in BOUNDSHEET order, with its declared and real size."""
    sheets: list[tuple[int, str]] = []
    for kind, data in _records(stream, 0):
        if kind == _BOUNDSHEET:
            if len(data) < 6:
                raise _Damaged("a short BOUNDSHEET")
            sheets.append((struct.unpack_from("<I", data)[0], _sheet_name(data)))
        elif kind == _EOF:
            break
    for position, name in sheets:
        if position > len(stream):
            raise _Damaged("a sheet beyond the workbook stream")
        yield _sheet(stream, position, name)


def _sheet(stream: bytes, position: int, name: str) -> XlsSheet:
    rows = columns = declared = 0
    row_cell = column_cell = ""
    depth = 0
    seen_bof = False
    for kind, data in _records(stream, position):
        if depth:
            depth += kind == _BOF
            depth -= kind == _EOF
            continue
        places: list[tuple[int, int]] = []
        if kind == _BOF:
            depth, seen_bof = (1, seen_bof) if seen_bof else (0, True)
        elif kind == _EOF:
            break
        elif kind == _DIMENSIONS:
            declared = max(declared, _declared_cells(data))
        elif kind in _CELL_RECORDS or kind == _FORMULA:
            if len(data) < 4:
                raise _Damaged("a short cell record")
            places.append(struct.unpack_from("<HH", data))
        elif kind == _MULRK:
            if len(data) < 6:
                raise _Damaged("a short MULRK")
            row, first = struct.unpack_from("<HH", data)
            places.append((row, first + max((len(data) - 6) // 6 - 1, 0)))
        for row, column in places:
            if row >= rows:
                rows, row_cell = row + 1, column_letters(column + 1) + str(row + 1)
            if column >= columns:
                columns, column_cell = column + 1, column_letters(column + 1) + str(row + 1)
    return XlsSheet(name, declared, Extent(rows, columns, row_cell, column_cell))


def _declared_cells(data: bytes) -> int:
    """The cells calamine reserves for a DIMENSIONS record, with its unsigned wrap-around:
    a first row after the last one declares some four billion rows."""
    if len(data) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<4H", data)
    elif len(data) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", data)
    else:
        raise _Damaged("a DIMENSIONS record of another size")
    if first_column > 0xFF or last_column < first_column:
        first_column = 0
    if last_row < 1 or last_column < 1:
        return 1
    rows = (last_row - 1 - first_row + 1) % 2**32
    columns = (last_column - 1 - first_column + 1) % 2**32
    return rows * columns


def _sheet_name(data: bytes) -> str:
    """BOUNDSHEET's name: BIFF8 stores a length, a flag (1: UTF-16) and the characters."""
    length = data[6] if len(data) > 6 else 0
    if len(data) > 7 and data[7] in (0, 1) and len(data) >= 8 + length * (data[7] + 1):
        raw = data[8 : 8 + length * (data[7] + 1)]
        return raw.decode("utf-16-le" if data[7] else "latin-1", errors="replace")
    return data[7 : 7 + length].decode("gbk", errors="replace")
