"""Opening the spreadsheets offices send: .xlsx, the older .xls, and .csv in UTF-8 or GBK.

The file's content, not its name, decides how it is read: clerks rename files, web systems
hand out HTML pages called ``.xls``, and a download cut short still ends in ``.xlsx``. Every
way a file can fail becomes one :class:`UnreadableFile` with one Chinese sentence.

No file reaches python-calamine before its size is known to be within
``core.importing.limits``: a workbook's extent is measured from its zip or compound file
(``workbook_zip``, ``workbook_xls``), a CSV is read row by row and refused at the first row
past the limit. calamine then reads each sheet's used range only, placed back at A1 here.

Cells keep their type. Whether an ID number was damaged by Excel is judged from the type
(python-calamine gives a float for any number cell), so nothing here turns cells into text.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import python_calamine

from core.importing.errors import FileTooLarge, ImportRefused, UnreadableFile
from core.importing.limits import LIMITS, ReadLimits, csv_too_large, file_too_large
from core.importing.workbook_xls import check_xls
from core.importing.workbook_zip import check_zip_directory, check_zip_workbook

__all__ = [
    "Cell",
    "FileTooLarge",
    "ImportRefused",
    "Sheet",
    "Spreadsheet",
    "UnreadableFile",
    "read_spreadsheet",
]

log = logging.getLogger(__name__)

#: A cell as read: python-calamine's types, or ``str`` for every CSV cell. ``""`` is empty.
Cell = str | float | int | bool | date | datetime | time | timedelta | None

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: An Office file encrypted with a password to open is an OLE container holding this stream.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
#: BIFF8 workbook-globals BOF record (type 0x0809, 16 bytes, version 0x0600, type 0x0005);
#: in an encrypted .xls the FILEPASS record (0x002F) follows it directly.
_BIFF8_BOF = b"\x09\x08\x10\x00\x00\x06\x05\x00"
_FILEPASS = b"\x2f\x00"
_OLE_SECTOR = 512
_TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_SNIFF_BYTES = 64 * 1024

_RESAVE = "请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入"
#: The members calamine reads a binary .xlsb workbook from when the .xlsx reading fails.
_XLSB_PARTS = frozenset({"xl/workbook.bin", "xl/_rels/workbook.bin.rels"})


@dataclass(frozen=True)
class Sheet:
    """One worksheet as read, anchored at cell A1.

    ``rows[i][j]`` is the cell in Excel row ``i + 1``, column ``j``; rows may differ in length.
    ``merged`` holds the merged ranges as 0-based inclusive (first row, first column, last
    row, last column); CSV files have none.
    """

    name: str
    rows: list[list[Cell]]
    merged: tuple[tuple[int, int, int, int], ...] = ()

    @staticmethod
    def excel_row(index: int) -> int:
        """The row number Excel shows for ``rows[index]``: clerks look rows up by it."""
        return index + 1


@dataclass(frozen=True)
class Spreadsheet:
    """A file's worksheets, in workbook order, hidden ones left out."""

    path: Path
    sheets: tuple[Sheet, ...]

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sheets)

    def sheet(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise ImportRefused(f"文件中没有名为“{name}”的工作表")


def read_spreadsheet(path: Path, limits: ReadLimits = LIMITS) -> Spreadsheet:
    """Read every visible worksheet of ``path``; raise :class:`UnreadableFile` if we cannot,
    :class:`FileTooLarge` (one of those) if it exceeds ``limits``."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
            size = os.fstat(f.fileno()).st_size
    except FileNotFoundError as exc:
        raise UnreadableFile(f"找不到文件：{path}") from exc
    except IsADirectoryError as exc:
        raise UnreadableFile(f"这是一个文件夹，不是文件：{path}") from exc
    except OSError as exc:
        raise UnreadableFile(
            f"无法打开文件“{path.name}”：可能没有权限或正被其他程序占用，请关闭后再试"
        ) from exc
    if not head:
        raise UnreadableFile(f"文件“{path.name}”是空的（0字节）")
    if size > limits.file_bytes:
        raise file_too_large(path.name, size, limits)
    if head.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        _check_workbook_zip(path, limits)
        return _read_with_calamine(path)
    if head.startswith(_OLE_MAGIC):
        data = path.read_bytes()
        if _ole_encrypted(data):
            raise UnreadableFile(f"文件“{path.name}”设置了打开密码，请在 Excel 中取消密码后再导入")
        check_xls(path.name, data, limits)
        return _read_with_calamine(path)
    return _read_text(path, head, limits)


def _check_workbook_zip(path: Path, limits: ReadLimits) -> None:
    """An .xlsx is a zip holding ``xl/workbook.xml``: a cut-off or other zip is named as such,
    and one too large for the limits is refused before calamine inflates it."""
    try:
        with path.open("rb") as f:
            check_zip_directory(path.name, f, limits)
        with zipfile.ZipFile(path) as archive:
            names = {name.replace("\\", "/").lower() for name in archive.namelist()}
            if names & _XLSB_PARTS:
                raise UnreadableFile(
                    f"文件“{path.name}”是 Excel 二进制工作簿（.xlsb），无法读取；{_RESAVE}"
                )
            if "xl/workbook.xml" not in names and "content.xml" not in names:
                if "word/document.xml" in names:
                    raise UnreadableFile(f"文件“{path.name}”是 Word 文档，不是电子表格")
                raise UnreadableFile(f"文件“{path.name}”是压缩包，不是 Excel 工作簿")
            check_zip_workbook(path.name, archive, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise UnreadableFile(
            f"文件“{path.name}”已损坏（压缩结构不完整，可能下载或拷贝时中断），请重新获取该文件"
        ) from exc


def _ole_encrypted(data: bytes) -> bool:
    """True for a password-protected .xlsx (an OLE wrapper) or an .xls with a FILEPASS record.

    python-calamine, when it sniffs the format itself, reports such files only as of unknown
    format; looking for the two markers lets us say "it has a password" instead.
    """
    if _ENCRYPTED_STREAM in data:
        return True
    # Streams start on sector boundaries; the workbook stream starts with the BOF record.
    for offset in range(_OLE_SECTOR, len(data) - len(_BIFF8_BOF), _OLE_SECTOR):
        if data.startswith(_BIFF8_BOF, offset):
            record = offset + len(_BIFF8_BOF) + 12
            return data.startswith(_FILEPASS, record)
    return False


def _read_with_calamine(path: Path) -> Spreadsheet:
    """Every visible worksheet, once the checks above bound what calamine will allocate.

    A Rust panic inside calamine (malformed input it did not expect) arrives as pyo3's
    ``PanicException``, a ``BaseException``: it is a damaged file too, not a crash.
    """
    try:
        with path.open("rb") as f:
            workbook = python_calamine.CalamineWorkbook.from_filelike(f)
            with workbook:
                sheets = tuple(
                    _calamine_sheet(workbook, meta.name)
                    for meta in workbook.sheets_metadata
                    if meta.visible == python_calamine.SheetVisibleEnum.Visible
                    and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
                )
    except python_calamine.PasswordError as exc:
        raise UnreadableFile(
            f"文件“{path.name}”设置了打开密码，请在 Excel 中取消密码后再导入"
        ) from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        log.info("calamine could not read %s: %s", path.name, exc)
        raise UnreadableFile(f"文件“{path.name}”已损坏或格式无法识别，无法读取；{_RESAVE}") from exc
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        log.warning("calamine panicked on %s: %s", path.name, exc)
        raise UnreadableFile(f"文件“{path.name}”已损坏或格式无法识别，无法读取；{_RESAVE}") from exc
    return Spreadsheet(path=path, sheets=sheets)


def _is_panic(exc: BaseException) -> bool:
    kind = type(exc)
    return kind.__module__ == "pyo3_runtime" and kind.__name__ == "PanicException"


def _calamine_sheet(workbook: python_calamine.CalamineWorkbook, name: str) -> Sheet:
    """The sheet's used range, put back at A1: ``rows[i][j]`` is Excel's row i+1, column j;
    merged ranges cut to it.

    Only the used range is asked for: the A1-anchored one (``skip_empty_area=False``) makes
    calamine build a second table, and its arithmetic panics for a cell at XFD1048576.
    """
    sheet = workbook.get_sheet_by_name(name)
    used: list[list[Cell]] = sheet.to_python(skip_empty_area=True)
    top, left = sheet.start or (0, 0)
    rows = [[""] * left + row for row in used] if left else used
    if top:
        width = len(rows[0]) if rows else 0
        rows[:0] = [[""] * width for _ in range(top)]
    # Cut to the cells read: a forged range reaching column 4,294,967,295 would otherwise be
    # filled in cell by cell when the header is looked for.
    last_row, last_column = len(rows) - 1, max(map(len, rows), default=0) - 1
    merged = tuple(
        (top, left, min(bottom, last_row), min(right, last_column))
        for (top, left), (bottom, right) in sheet.merged_cell_ranges or ()
        if top <= min(bottom, last_row) and left <= min(right, last_column)
    )
    return Sheet(name=name, rows=rows, merged=merged)


def _read_text(path: Path, head: bytes, limits: ReadLimits) -> Spreadsheet:
    """A CSV or tab-separated text file, in UTF-8 (with or without BOM), UTF-16 or GB18030.

    Read row by row, never whole: a file past the row, column or cell limit is refused at
    the first row beyond it, after reading no more than the limit allows.
    """
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise UnreadableFile(
            f"文件“{path.name}”实际是网页（HTML/XML）格式，不是电子表格；{_RESAVE}"
        )
    if head.startswith(b"%PDF"):
        raise UnreadableFile(f"文件“{path.name}”是 PDF 文件，不是电子表格")
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if b"\x00" in head and not utf16:
        raise UnreadableFile(f"文件“{path.name}”不是 Excel 工作簿或 CSV 文本，无法导入")
    if path.suffix.lower() not in _TEXT_SUFFIXES:
        raise UnreadableFile(
            f"文件“{path.name}”的内容是纯文本而不是 Excel 工作簿；"
            "如果它是 CSV 文件，请把扩展名改为 .csv 再导入"
        )
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            rows = _csv_rows(path, encoding, limits)
        except UnicodeDecodeError:
            continue
        return Spreadsheet(path=path, sheets=(Sheet(name=path.stem, rows=rows),))
    raise UnreadableFile(
        f"无法识别文件“{path.name}”的文字编码（既不是 UTF-8 也不是 GBK），请另存为 UTF-8 的 CSV"
    )


def _csv_rows(path: Path, encoding: str, limits: ReadLimits) -> list[list[Cell]]:
    """The rows of a text file in ``encoding``; ``UnicodeDecodeError`` if it is not in it.

    A file with line breaks enough to pass the row limit is counted first, keeping no row,
    so that a million-line file is refused without ever being held in memory.
    """
    rows: list[list[Cell]] = []
    with path.open(encoding=encoding, newline="") as f:
        dialect = _dialect(f.read(_SNIFF_BYTES))
        if _line_breaks(path, limits.rows) >= limits.rows:
            f.seek(0)
            _take_rows(path, csv.reader(f, dialect), limits, None)
        f.seek(0)
        _take_rows(path, csv.reader(f, dialect), limits, rows)
    return rows


def _line_breaks(path: Path, enough: int) -> int:
    """CR and LF bytes in the file, counted until ``enough``: never fewer than its rows."""
    breaks = 0
    with path.open("rb") as f:
        while breaks < enough and (chunk := f.read(1024 * 1024)):
            breaks += chunk.count(b"\n") + chunk.count(b"\r")
    return breaks


def _take_rows(
    path: Path, reader: Iterator[list[str]], limits: ReadLimits, rows: list[list[Cell]] | None
) -> None:
    """Read ``reader`` to the end into ``rows`` (or only count, if ``None``), refusing at the
    first row past the row, column or cell limit."""
    taken = cells = 0
    try:
        for row in reader:
            taken += 1
            if taken > limits.rows:
                raise csv_too_large(path.name, f"超过上限 {limits.rows:,} 行")
            if len(row) > limits.columns:
                what = f"第 {taken:,} 行有 {len(row):,} 列，超过上限 {limits.columns:,} 列"
                raise csv_too_large(path.name, what)
            cells += len(row)
            if cells > limits.cells:
                what = f"前 {taken:,} 行已有 {cells:,} 个单元格，超过上限 {limits.cells:,} 个"
                raise csv_too_large(path.name, what)
            if rows is not None:
                rows.append(row)
    except csv.Error as exc:
        raise UnreadableFile(
            f"文件“{path.name}”第 {taken + 1:,} 行无法按 CSV 读取"
            f"（可能有未配对的引号或超长的单元格）；{_RESAVE}"
        ) from exc


def _dialect(sample: str) -> type[csv.Dialect]:
    """Comma, tab or semicolon: whichever the first lines use most (comma on a tie).

    Counting is predictable where ``csv.Sniffer`` guesses wrong on one-column files and on
    quoted Chinese text.
    """
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return csv.excel_tab if best == "\t" else _SemicolonSeparated if best == ";" else csv.excel


class _SemicolonSeparated(csv.excel):
    delimiter = ";"
