"""Reading the files offices send: every format, every encoding, every way a file can be bad."""

from __future__ import annotations

import shutil
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlwt
from xlwt import CompoundDoc

from core.importing import UnreadableFile, read_spreadsheet
from core.importing.reader import Sheet
from tests.core.importing.workbooks import make_id, write_csv, write_xls, write_xlsx

ID = make_id(1)


def test_xlsx_keeps_cell_types_and_merges(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["2025级学员名单"],
            ["姓名", "身份证号", "手机号", "入学日期"],
            ["王芳", ID, 13812345678, date(2025, 9, 1)],
            ["李强", int(ID), "13812345679", datetime(2025, 9, 1, 8, 30)],
        ],
        merges=[(1, 1, 1, 4)],
    )
    book = read_spreadsheet(path)
    assert book.sheet_names == ("学员名单",)
    sheet = book.sheets[0]
    assert sheet.merged == ((0, 0, 0, 3),)
    assert sheet.rows[2][:2] == ["王芳", ID]
    phone = sheet.rows[2][2]
    assert isinstance(phone, float)
    assert phone == 13812345678
    assert sheet.rows[2][3] == date(2025, 9, 1)
    # An ID typed as a number arrives as a float: the type is what tells the damage.
    assert isinstance(sheet.rows[3][1], float)
    assert sheet.rows[3][3] == datetime(2025, 9, 1, 8, 30)


def test_rows_are_anchored_at_a1_whatever_the_first_filled_cell(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["C3"] = "姓名"
    sheet["D4"] = "王芳"
    workbook.save(tmp_path / "offset.xlsx")
    rows = read_spreadsheet(tmp_path / "offset.xlsx").sheets[0].rows
    assert rows[2][2] == "姓名"
    assert rows[3][3] == "王芳"
    assert Sheet.excel_row(3) == 4


def test_hidden_sheets_are_left_out_and_order_is_kept(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "说明"
    workbook.create_sheet("隐藏").sheet_state = "hidden"
    workbook.create_sheet("名单")["A1"] = "姓名"
    workbook.save(tmp_path / "sheets.xlsx")
    book = read_spreadsheet(tmp_path / "sheets.xlsx")
    assert book.sheet_names == ("说明", "名单")
    assert book.sheet("名单").rows[0][0] == "姓名"


def test_xls_from_excel_97(tmp_path: Path) -> None:
    path = write_xls(
        tmp_path / "old.xls",
        [["学员名单"], ["姓名", "身份证号码"], ["王芳", float(ID)], ["李强", ID]],
        merges=[(1, 1, 1, 2)],
    )
    sheet = read_spreadsheet(path).sheets[0]
    assert sheet.merged == ((0, 0, 0, 1),)
    assert sheet.rows[1] == ["姓名", "身份证号码"]
    assert isinstance(sheet.rows[2][1], float)
    assert sheet.rows[3] == ["李强", ID]


def test_content_decides_not_the_name(tmp_path: Path) -> None:
    xls = write_xls(tmp_path / "old.xls", [["姓名"], ["王芳"]])
    renamed = tmp_path / "really-an-xls.xlsx"
    shutil.copyfile(xls, renamed)
    assert read_spreadsheet(renamed).sheets[0].rows[1] == ["王芳"]
    xlsx = write_xlsx(tmp_path / "new.xlsx", [["姓名"], ["李强"]])
    renamed = tmp_path / "really-an-xlsx.xls"
    shutil.copyfile(xlsx, renamed)
    assert read_spreadsheet(renamed).sheets[0].rows[1] == ["李强"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_offices_use(tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        [["姓名", "身份证号"], ["王芳", ID], ["欧阳娜娜", make_id(2)]],
        encoding=encoding,
    )
    sheet = read_spreadsheet(path).sheets[0]
    assert sheet.name == "roster"
    assert sheet.rows == [["姓名", "身份证号"], ["王芳", ID], ["欧阳娜娜", make_id(2)]]


@pytest.mark.parametrize(("suffix", "delimiter"), [(".txt", "\t"), (".csv", ";"), (".tsv", "\t")])
def test_csv_delimiters(tmp_path: Path, suffix: str, delimiter: str) -> None:
    path = write_csv(
        tmp_path / f"roster{suffix}",
        [["姓名", "工作单位"], ["王芳", "太原重工, 三车间"]],
        delimiter=delimiter,
    )
    assert read_spreadsheet(path).sheets[0].rows[1] == ["王芳", "太原重工, 三车间"]


def _encrypted_xls(path: Path) -> Path:
    """An .xls whose workbook stream carries FILEPASS after BOF, as Excel writes one."""
    workbook = xlwt.Workbook(encoding="utf-8")
    workbook.add_sheet("S").write(0, 0, "姓名")
    stream = workbook.get_biff_data()
    _type, size = struct.unpack("<HH", stream[:4])
    payload = struct.pack("<HHH", 1, 1, 1) + bytes(48)  # RC4, version 1.1, salt and verifier
    filepass = struct.pack("<HH", 0x002F, len(payload)) + payload
    CompoundDoc.XlsDoc().save(str(path), stream[: 4 + size] + filepass + stream[4 + size :])
    return path


def _encrypted_xlsx(path: Path) -> Path:
    """An OLE container whose stream is named EncryptedPackage: Office's password-to-open."""
    xls = write_xls(path.with_suffix(".xls"), [["x"]])
    data = bytearray(xls.read_bytes())
    name = "Workbook".encode("utf-16-le")
    at = data.index(name)
    new = "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"
    data[at : at + len(new)] = new
    data[at + 64 : at + 66] = struct.pack("<H", len(new))
    path.write_bytes(bytes(data))
    return path


def _truncated(path: Path, tmp_path: Path) -> Path:
    whole = write_xlsx(tmp_path / "whole.xlsx", [["姓名"], *([["王芳"]] * 200)])
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def _other_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    return path


@pytest.mark.parametrize(
    ("name", "build", "expected"),
    [
        ("empty.xlsx", lambda p, _t: p.write_bytes(b"") and p, "是空的"),
        ("text.xlsx", lambda p, _t: p.write_text("姓名,身份证号\n", "utf-8") and p, "纯文本"),
        ("page.xls", lambda p, _t: p.write_text("<html><table>", "utf-8") and p, "网页"),
        ("scan.xlsx", lambda p, _t: p.write_bytes(b"%PDF-1.4\n") and p, "PDF"),
        ("binary.csv", lambda p, _t: p.write_bytes(b"\x00\x01\x02\x03") and p, "不是"),
        ("cut.xlsx", _truncated, "已损坏"),
        ("letter.xlsx", lambda p, _t: _docx(p), "Word"),
        ("photos.xlsx", lambda p, _t: _other_zip(p), "压缩包"),
        ("locked.xls", lambda p, _t: _encrypted_xls(p), "密码"),
        ("locked.xlsx", lambda p, _t: _encrypted_xlsx(p), "密码"),
        ("missing.xlsx", lambda p, _t: p, "找不到文件"),
    ],
)
def test_unreadable_files_get_one_clear_line(
    tmp_path: Path, name: str, build: object, expected: str
) -> None:
    path = tmp_path / name
    build(path, tmp_path)  # type: ignore[operator]
    with pytest.raises(UnreadableFile) as refused:
        read_spreadsheet(path)
    message = str(refused.value)
    assert expected in message
    assert "\n" not in message


def test_damaged_workbook_inside_a_sound_zip(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [["姓名"], ["王芳"]])
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 3]
            target.writestr(item, data)
    with pytest.raises(UnreadableFile, match="已损坏或格式无法识别"):
        read_spreadsheet(broken)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="文件夹"):
        read_spreadsheet(tmp_path)


def test_undecodable_text(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"\x81\x30\xff\xfe\x81 broken")
    with pytest.raises(UnreadableFile, match="编码"):
        read_spreadsheet(path)
