"""The 学员名单 workbook of a class and the trainee list with certificates.

Read back with openpyxl (cell types, formats, print settings) and with python-calamine, the
reader of our own importer, so a list exported and edited can come back in.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from core.fields import ValidationFailed
from core.importing import choose_sheet, preview_certificates, preview_roster, read_spreadsheet
from core.importing.rows import RowStatus
from models.database import Database
from models.trainee import Certificate, Trainee
from reports.roster_xlsx import write_class_roster, write_trainee_list
from tests.reports.builders import add_class, id_number


def test_class_roster_columns_text_cells_and_printing(school: Database, tmp_path: Path) -> None:
    class_id = add_class(school, trainees=45, names=["欧阳娜娜"])
    path = tmp_path / "名单.xlsx"
    written = write_class_roster(school, class_id, path)
    assert written.rows == 45
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert sheet["A1"].value == "信息通信网络运行管理员定向培训班学员名单"
    assert "A1:E1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]] == ["序号", "姓名", "性别", "身份证号", "手机号"]
    first = sheet[3]
    assert [c.value for c in first] == [1, "欧阳娜娜", "男", id_number(0), "13900000000"]
    for cell in (first[3], first[4]):
        assert cell.data_type == "s"
        assert cell.number_format == "@"
    assert sheet.max_row == 2 + 45
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.freeze_panes == "A3"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.column_dimensions["D"].width >= 20  # 18 digits fit
    assert "第 &P 页" in sheet.oddFooter.center.text


def test_empty_or_missing_class_is_refused(school: Database, tmp_path: Path) -> None:
    class_id = add_class(school, trainees=0)
    with pytest.raises(ValidationFailed, match="还没有学员"):
        write_class_roster(school, class_id, tmp_path / "x.xlsx")
    with pytest.raises(ValidationFailed, match="不存在"):
        write_class_roster(school, 999, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def _with_certificates(database: Database) -> None:
    add_class(database, trainees=3, names=["王芳", "=HYPERLINK(1)", "李强"])
    with database.session() as session:
        trainees = session.scalars(select(Trainee).order_by(Trainee.id)).all()
        session.add_all(
            [
                Certificate(
                    trainee=trainees[0],
                    cert_type="职业技能等级证书（含1+X）",
                    occupation="车工",
                    level="三级/高级工",
                    number="00000000000000012345",
                    issue_date=date(2024, 6, 30),
                    issuer="山西省职业技能鉴定指导中心",
                ),
                Certificate(
                    trainee=trainees[0],
                    cert_type="特种作业操作证",
                    occupation="低压电工作业",
                    level="",
                    number="T" + trainees[0].id_number,
                    issue_date=date(2023, 5, 1),
                ),
            ]
        )
        session.commit()


def test_trainee_list_with_certificates_as_on_screen(school: Database, tmp_path: Path) -> None:
    _with_certificates(school)
    path = tmp_path / "全部学员.xlsx"
    written = write_trainee_list(
        school,
        path,
        where=Trainee.name != "李强",
        order_by=(Trainee.id.desc(),),
    )
    assert written.rows == 2
    book = openpyxl.load_workbook(path)
    trainees, certificates = book["学员"], book["证书"]
    rows = list(trainees.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["=HYPERLINK(1)", "王芳"]  # the screen's order and filter
    assert trainees["B2"].data_type == "s"  # a formula-looking name stays text
    assert rows[1][10] == 2
    assert rows[1][11] == "低压电工作业；车工（三级/高级工）"  # by issue date
    assert trainees["D3"].data_type == "s" and trainees["D3"].number_format == "@"
    cert_rows = list(certificates.iter_rows(min_row=2, values_only=True))
    assert [r[6] for r in cert_rows] == ["T" + id_number(0), "00000000000000012345"]
    assert certificates["G2"].data_type == "s"
    assert trainees.print_title_rows == "$1:$1" and trainees.freeze_panes == "A2"


def test_exported_lists_come_back_through_the_importer(school: Database, tmp_path: Path) -> None:
    _with_certificates(school)
    path = write_trainee_list(school, tmp_path / "all.xlsx").path
    book = read_spreadsheet(path)
    sheet, mapping = choose_sheet(book, "roster")
    assert sheet.name == "学员"
    with school.session() as session:
        roster = preview_roster(session, sheet, mapping)
        sheet, mapping = choose_sheet(book, "certificates", "证书")
        certificates = preview_certificates(session, sheet, mapping)
    # The name that looks like a formula is refused by the name check, as typed by hand would be.
    assert [r.status for r in roster.rows].count(RowStatus.EXISTING) == 2
    assert [r.status for r in certificates.rows] == [RowStatus.EXISTING, RowStatus.EXISTING]
