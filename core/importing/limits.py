"""How large a file the importer reads, in one place, and the refusals that name each limit.

A roster is small: a school has at most a few tens of thousands of trainees, in a dozen or
two columns. A file far larger is a mistake — a stray entry at the bottom right of the sheet,
the wrong file picked, or a file built to exhaust memory — and must be refused at once,
before python-calamine builds its table: calamine allocates the whole rectangle between the
first and the last filled cell (32 bytes a cell), so one cell at XFD1048576 besides A1 asks
for 512 GiB and aborts the process, and one at AZ1048576 takes 2.3 GB.

The limits, and why (measured on the CI machines, see docs/DATA-SAFETY.md §15):

- ``rows`` 200,000 and ``columns`` 200 per sheet, counted from A1 to the last filled cell: ten
  times the largest school's roster, far below Excel's 1,048,576 × 16,384.
- ``cells`` 2,000,000, the sheets of one file together (calamine reads every sheet of an .xls
  at once, and every visible sheet is held): a 200,000 × 10 roster reads in ≈ 2.7 s at
  ≈ 310 MB peak, checks included.
- ``file_bytes`` 100 MB on disk: such a roster is 9 MB as .xlsx and 15–20 MB as CSV.
- ``unpacked_bytes`` 300 MB, all members of an .xlsx or .ods decompressed: the 200,000 × 10
  roster is 95 MB; 300 MB of cell text peaks at ≈ 510 MB. The declared sizes are the truth
  for calamine too (its zip reader stops at a member's declared size), so the check is
  instant.
- ``compression_ratio`` 100 for any member above 1 MB: real sheets and string tables
  compress 10–12 times; a zip bomb's padding compresses hundreds of times.
- ``zip_directory_bytes`` 4 MB, the zip's list of members (≈ 40,000 of them; an .xlsx has
  tens): a 52 MB file of 600,000 empty members costs Python's zipfile 3.5 s and 350 MB
  before a single member is looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.importing.errors import FileTooLarge

_MB = 1024 * 1024

#: What a file is told to do about a refusal; no roster comes near these limits.
_ADVICE = (
    "名册不会这么大，多半是表格远处有误填的内容，或选错了文件。"
    "请删除多余的行和列（或只把名单复制到新工作簿）后再导入；未导入任何数据"
)


@dataclass(frozen=True)
class ReadLimits:
    """The most a file may hold to be read at all; see the module docstring for the values."""

    rows: int = 200_000
    columns: int = 200
    cells: int = 2_000_000
    file_bytes: int = 100 * _MB
    unpacked_bytes: int = 300 * _MB
    compression_ratio: int = 100
    zip_directory_bytes: int = 4 * _MB
    #: Members smaller than this are not judged by their ratio: a few kilobytes of repeated
    #: style entries compress well and are harmless.
    ratio_floor_bytes: int = _MB


#: The limits every import reads with.
LIMITS = ReadLimits()


def column_letters(column: int) -> str:
    """Excel's letters for the 1-based ``column``: 1 → A, 27 → AA, 16,384 → XFD."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """The 1-based column of Excel's ``letters`` (either case): A → 1, XFD → 16,384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _mb(size: int) -> str:
    return f"{size / _MB:,.1f} MB"


def file_too_large(name: str, size: int, limits: ReadLimits) -> FileTooLarge:
    return FileTooLarge(
        f"文件“{name}”有 {_mb(size)}，超过上限 {limits.file_bytes // _MB} MB：{_ADVICE}"
    )


def unpacked_too_large(name: str, size: int, limits: ReadLimits) -> FileTooLarge:
    return FileTooLarge(
        f"文件“{name}”解压后有 {_mb(size)}，超过上限 {limits.unpacked_bytes // _MB} MB"
        f"（可能是异常构造的压缩文件）：{_ADVICE}"
    )


def csv_too_large(name: str, what: str) -> FileTooLarge:
    """A text file refused at its first row past a limit; ``what`` names the row and limit."""
    return FileTooLarge(f"文件“{name}”{what}：{_ADVICE}")


def zip_directory_too_large(name: str, size: int, limits: ReadLimits) -> FileTooLarge:
    return FileTooLarge(
        f"文件“{name}”的压缩目录有 {_mb(size)}（上限 {limits.zip_directory_bytes // _MB} MB），"
        "其中的文件条目远多于任何表格，可能是异常构造的压缩文件；未导入任何数据"
    )


def compressed_too_well(name: str, member: str, ratio: float, limits: ReadLimits) -> FileTooLarge:
    return FileTooLarge(
        f"文件“{name}”中的“{member}”解压后是压缩时的 {ratio:,.0f} 倍，正常表格不超过 "
        f"{limits.compression_ratio} 倍，可能是异常构造的压缩文件；未导入任何数据"
    )


@dataclass(frozen=True)
class Extent:
    """How far a sheet's filled cells reach from A1: the rectangle its rows will fill.

    ``rows`` and ``columns`` are 1-based counts (0 for an empty sheet); ``row_cell`` and
    ``column_cell`` name a cell on the last row and one in the last column, so that the
    clerk can find the stray entry.
    """

    rows: int = 0
    columns: int = 0
    row_cell: str = ""
    column_cell: str = ""

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def check_extent(sheet: str, extent: Extent, limits: ReadLimits) -> None:
    """Refuse a sheet whose rows, columns or rectangle exceed the limits, naming a cell on
    its last row or in its last column so that the clerk can find the stray entry."""
    if extent.rows > limits.rows:
        raise FileTooLarge(
            f"工作表“{sheet}”用到了第 {extent.rows:,} 行（单元格 {extent.row_cell}），"
            f"超过上限 {limits.rows:,} 行：{_ADVICE}"
        )
    if extent.columns > limits.columns:
        raise FileTooLarge(
            f"工作表“{sheet}”用到了第 {extent.columns:,} 列（单元格 {extent.column_cell}），"
            f"超过上限 {limits.columns:,} 列：{_ADVICE}"
        )
    if extent.cells > limits.cells:
        corner = column_letters(extent.columns) + str(extent.rows)
        raise FileTooLarge(
            f"工作表“{sheet}”从 A1 到 {corner} 共 {extent.cells:,} 个单元格，"
            f"超过上限 {limits.cells:,} 个：{_ADVICE}"
        )


def declared_too_large(sheet: str, cells: int, limits: ReadLimits) -> FileTooLarge:
    """An .xls sheet whose DIMENSIONS record declares more cells than the limit: calamine
    reserves memory for the declared rectangle before it reads a cell."""
    return FileTooLarge(
        f"工作表“{sheet}”声明了 {cells:,} 个单元格的区域，超过上限 {limits.cells:,} 个：{_ADVICE}"
    )


def check_total_cells(total: int, limits: ReadLimits) -> None:
    """Refuse a file whose sheets together hold more cells than the limit."""
    if total > limits.cells:
        raise FileTooLarge(
            f"各工作表合计 {total:,} 个单元格，超过上限 {limits.cells:,} 个：{_ADVICE}"
        )
