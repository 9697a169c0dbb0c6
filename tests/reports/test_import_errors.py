"""The error report: the refused rows as sent, each bad cell filled and commented."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from core.importing import (
    choose_sheet,
    mapping_at,
    preview_certificates,
    preview_roster,
    read_spreadsheet,
)
from core.importing.reader import Sheet
from models.database import Database
from reports.import_errors import write_error_report
from tests.core.importing.workbooks import TODAY, make_id, write_csv


def test_bad_cells_are_marked_and_the_report_imports_again(
    school: Database, tmp_path: Path
) -> None:
    source = write_csv(
        tmp_path / "r.csv",
        [
            ["学员名单"],
            ["姓名", "身份证号码", "手机号", "性别", "备注"],
            ["王芳", make_id(1, female=True), "13812340001", "女", ""],
            ["李强", "1.40105E+17", "138", "女", "=SUM(1)"],
            ["", make_id(3), "", None, "补录"],
        ],
    )
    sheet, mapping = choose_sheet(read_spreadsheet(source), "roster")
    with school.session() as session:
        preview = preview_roster(session, sheet, mapping, today=TODAY)
    written = write_error_report(preview, tmp_path / "report.xlsx")
    assert written.rows == 2
    book = openpyxl.load_workbook(written.path)
    report = book.active
    assert report is not None
    header = ["姓名", "身份证号码", "手机号", "性别", "备注", "原文件行号", "错误原因"]
    assert [c.value for c in report[1]] == header
    li = report[2]
    assert li[1].data_type == "s" and li[1].number_format == "@"  # the damaged ID, as text
    assert li[4].value == "=SUM(1)"
    assert li[4].data_type == "s"  # copied as text, never run as a formula
    assert li[5].value == 4
    for bad, words in ((li[1], "Excel"), (li[2], "11位")):
        assert bad.fill.fill_type == "solid", bad.coordinate
        assert bad.comment is not None and words in bad.comment.text
    assert li[0].fill.fill_type is None
    assert "身份证号码: 号码是科学计数法" in li[6].value
    nameless = report[3]
    assert nameless[0].fill.fill_type == "solid"
    assert nameless[2].value is None
    assert report.freeze_panes == "A2"

    again = read_spreadsheet(written.path)
    _sheet, remapped = choose_sheet(again, "roster")
    assert remapped.fields == {"name": 0, "id_number": 1, "phone": 2, "gender": 3}


def test_a_problem_outside_the_file_is_named_in_the_reason_column(
    school: Database, tmp_path: Path
) -> None:
    header = ["证书编号", "姓名", "身份证号", "职业（工种）", "发证日期"]
    sheet = Sheet("S", [header, ["C-1", "赵敏", make_id(8), "车工", "2024-06-30"]])
    with school.session() as session:
        preview = preview_certificates(session, sheet, mapping_at(sheet, "certificates", 0))
    report = openpyxl.load_workbook(write_error_report(preview, tmp_path / "e.xlsx").path).active
    assert report is not None
    reasons = report.cell(row=2, column=7).value
    assert "等级: 职业技能等级证书（含1+X）须填写等级" in reasons
    assert "身份证号: 库中没有该身份证号的学员" in reasons
    assert report.cell(row=2, column=3).comment is not None  # the ID cell is marked
