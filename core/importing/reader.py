"""Opening the spreadsheets offices send: .xlsx, the older .xls, and .csv in UTF-8 or GBK.

The file's content, not its name, decides how it is read: clerks rename files, web systems
hand out HTML pages called ``.xls``, and a download cut short still ends in ``.xlsx``. Every
way a file can fail becomes one :class:`UnreadableFile` with one Chinese sentence.

Cells keep their type. Whether an ID number was damaged by Excel is judged from the type
(python-calamine gives a float for any number cell), so nothing here turns cells into text.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import python_calamine

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


class ImportRefused(Exception):
    """The whole file or the whole import is refused; the message is for the clerk."""


class UnreadableFile(ImportRefused):
    """The file is not a spreadsheet we can read: missing, encrypted, damaged or of another kind."""


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


def read_spreadsheet(path: Path) -> Spreadsheet:
    """Read every visible worksheet of ``path``; raise :class:`UnreadableFile` if we cannot."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
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
    if head.startswith((_ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        _check_workbook_zip(path)
        return _read_with_calamine(path)
    if head.startswith(_OLE_MAGIC):
        if _ole_encrypted(path):
            raise UnreadableFile(f"文件“{path.name}”设置了打开密码，请在 Excel 中取消密码后再导入")
        return _read_with_calamine(path)
    return _read_text(path, head)


def _check_workbook_zip(path: Path) -> None:
    """An .xlsx is a zip holding ``xl/workbook.xml``: a cut-off or other zip is named as such."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(
            f"文件“{path.name}”已损坏（压缩结构不完整，可能下载或拷贝时中断），请重新获取该文件"
        ) from exc
    if "xl/workbook.xml" in names or "content.xml" in names:
        return
    if "word/document.xml" in names:
        raise UnreadableFile(f"文件“{path.name}”是 Word 文档，不是电子表格")
    raise UnreadableFile(f"文件“{path.name}”是压缩包，不是 Excel 工作簿")


def _ole_encrypted(path: Path) -> bool:
    """True for a password-protected .xlsx (an OLE wrapper) or an .xls with a FILEPASS record.

    python-calamine, when it sniffs the format itself, reports such files only as of unknown
    format; looking for the two markers lets us say "it has a password" instead.
    """
    data = path.read_bytes()
    if _ENCRYPTED_STREAM in data:
        return True
    # Streams start on sector boundaries; the workbook stream starts with the BOF record.
    for offset in range(_OLE_SECTOR, len(data) - len(_BIFF8_BOF), _OLE_SECTOR):
        if data.startswith(_BIFF8_BOF, offset):
            record = offset + len(_BIFF8_BOF) + 12
            return data.startswith(_FILEPASS, record)
    return False


def _read_with_calamine(path: Path) -> Spreadsheet:
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
    return Spreadsheet(path=path, sheets=sheets)


def _calamine_sheet(workbook: python_calamine.CalamineWorkbook, name: str) -> Sheet:
    sheet = workbook.get_sheet_by_name(name)
    rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)
    merged = tuple(
        (first[0], first[1], last[0], last[1]) for first, last in sheet.merged_cell_ranges or ()
    )
    return Sheet(name=name, rows=rows, merged=merged)


def _read_text(path: Path, head: bytes) -> Spreadsheet:
    """A CSV or tab-separated text file, in UTF-8 (with or without BOM), UTF-16 or GB18030."""
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
    text = _decode(path, path.read_bytes(), utf16)
    dialect = _dialect(text[:_SNIFF_BYTES])
    rows: list[list[Cell]] = list(csv.reader(io.StringIO(text, newline=""), dialect))
    return Spreadsheet(path=path, sheets=(Sheet(name=path.stem, rows=rows),))


def _decode(path: Path, data: bytes, utf16: bool) -> str:
    encodings = ("utf-16",) if utf16 else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        f"无法识别文件“{path.name}”的文字编码（既不是 UTF-8 也不是 GBK），请另存为 UTF-8 的 CSV"
    )


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
