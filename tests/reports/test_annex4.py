"""The Annex 4 workbook, read back with openpyxl: cells, types, merges and print settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from core.fields import ValidationFailed
from core.identity.uscc import uscc_check_char
from core.institution import Profile, register_local_institution
from models.database import Database
from models.institution import Institution, OfferedOccupation, ServedIndustry
from reports.annex4 import write_annex4

#: The seed's Annex 4 title and header row, copied from the source document.
SEED_TITLE = "承担职业技能提升培训机构情况表"
SEED_HEADERS = [
    "序号",
    "院校名称及组织机构代码",
    "可培训的职业（工种）",
    "可承接的14个战略性新兴产业、农产品精深加工十大产业集群清单",
    "培训机构地址",
    "培训规模（人）",
    "联系人",
    "联系方式",
]


def uscc(org_code: str, division: str = "140000", kind: str = "12") -> str:
    first17 = f"{kind}{division}{org_code}"
    return first17 + uscc_check_char(first17)


def fill_school_profile(database: Database) -> None:
    """The seed's example row: its occupations and industries on the registered school."""
    with database.session() as session:
        school = session.query(Institution).filter_by(is_local=True).one()
        school.occupations = [
            OfferedOccupation(name=n, position=i)
            for i, n in enumerate(("信息通信网络运行管理员", "计算机程序设计员", "人工智能训练师"))
        ]
        school.industries = [
            ServedIndustry(industry_code=c, position=i) for i, c in enumerate(("E01", "E02"))
        ]
        session.commit()


def sheet_of(path: Path) -> Worksheet:
    sheet = load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    return sheet


def test_a_school_writes_its_own_row_as_in_the_seed(school: Database, tmp_path: Path) -> None:
    fill_school_profile(school)
    out = tmp_path / "附件4.xlsx"
    written = write_annex4(school, out)
    assert written.rows == 1
    sheet = sheet_of(out)
    assert sheet["A1"].value == "附件4"
    assert sheet["A2"].value == SEED_TITLE
    assert "A2:H2" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[3]] == SEED_HEADERS
    row = [c.value for c in sheet[4]]
    assert row == [
        1,
        "山西机械高级技工学校\n12140000676444728G",
        "信息通信网络运行管理员、计算机程序设计员、人工智能训练师",
        "信息技术应用创新产业、大数据产业",
        "山西省太原市万柏林区玉河街23号",
        500,
        "张乐",
        "15500001365",
    ]
    for column in "BH":
        assert sheet[f"{column}4"].data_type == "s"
        assert sheet[f"{column}4"].number_format == "@"
    assert sheet["B4"].alignment.wrap_text
    assert sheet["B4"].border.left.style == "thin"
    assert sheet.row_dimensions[4].height >= 2 * 14.25


def test_the_sheet_prints_on_landscape_a4_one_page_wide(school: Database, tmp_path: Path) -> None:
    fill_school_profile(school)
    out = tmp_path / "附件4.xlsx"
    write_annex4(school, out)
    sheet = sheet_of(out)
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$3:$3"
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGH"]
    assert all(w >= 6 for w in widths)
    assert widths[3] > widths[0]


def test_the_note_lists_the_ten_distinct_clusters(school: Database, tmp_path: Path) -> None:
    fill_school_profile(school)
    out = tmp_path / "附件4.xlsx"
    write_annex4(school, out)
    sheet = sheet_of(out)
    emerging, clusters = sheet["A5"].value, sheet["A6"].value
    assert emerging.startswith("14个战略性新兴产业：信息技术应用创新、大数据、半导体")
    assert emerging.endswith("通用航空、节能环保产业。")
    assert clusters.startswith("农产品精深加工十大产业集群：食品产业集群")
    names = clusters.removeprefix("农产品精深加工十大产业集群：").removesuffix("。").split("、")
    assert len(names) == len(set(names)) == 10
    assert names.count("化妆品产业集群") == 1


def test_a_school_with_gaps_is_refused_field_by_field(school: Database, tmp_path: Path) -> None:
    out = tmp_path / "附件4.xlsx"
    with pytest.raises(ValidationFailed) as refused:
        write_annex4(school, out)
    message = str(refused.value)
    assert "可培训的职业（工种）: 未填写" in message
    assert "可承接的产业集群: 未填写" in message
    assert not out.exists()


def add_held(
    session: Session, name: str, code: str, category: str, division: str, *, occupations: int = 1
) -> None:
    institution = Institution(
        name=name,
        uscc=code,
        category=category,
        division_code=division,
        address=f"{name}校区",
        contact_name="李老师",
        contact_phone="03513046505",
        training_capacity=200,
        origin=code,
        occupations=[OfferedOccupation(name=f"工种{i}", origin=code) for i in range(occupations)],
        industries=[ServedIndustry(industry_code="A01", origin=code)],
    )
    session.add(institution)


@pytest.fixture
def bureau(database: Database) -> Database:
    """太原市教育局 holding schools of its own city, another city's, and a university."""
    with database.session() as session:
        register_local_institution(
            session,
            Profile(
                name="太原市教育局",
                uscc=uscc("000000001", "140100", "11"),
                category="其他",
                division_code="140100",
                role="city",
            ),
        )
        add_held(session, "太原市第二职业中学", uscc("000000102", "140100"), "中职学校", "140109")
        add_held(
            session, "清徐县职业教育中心", uscc("000000103", "140100"), "县级职教中心", "140121"
        )
        add_held(session, "太原市第一职业中学", uscc("000000101", "140100"), "中职学校", "140105")
        add_held(session, "大同市职业中学", uscc("000000201", "140200"), "中职学校", "140202")
        add_held(session, "山西大学", uscc("000000301"), "本科院校", "140105")
        add_held(
            session,
            "无工种职业中学",
            uscc("000000104", "140100"),
            "中职学校",
            "140110",
            occupations=0,
        )
        session.commit()
    return database


def test_a_city_bureau_consolidates_its_secondary_schools(bureau: Database, tmp_path: Path) -> None:
    out = tmp_path / "附件4.xlsx"
    written = write_annex4(bureau, out)
    sheet = sheet_of(out)
    names = [sheet.cell(row=r, column=2).value.split("\n")[0] for r in range(4, 4 + written.rows)]
    assert names == [
        "太原市第一职业中学",
        "太原市第二职业中学",
        "无工种职业中学",
        "清徐县职业教育中心",
    ]
    assert [sheet.cell(row=r, column=1).value for r in range(4, 8)] == [1, 2, 3, 4]
    assert sheet["H4"].value == "03513046505"
    assert written.warnings == ("无工种职业中学未填写可培训的职业（工种）",)


def test_the_province_lists_every_institution_in_a_stable_order(
    bureau: Database, tmp_path: Path
) -> None:
    with bureau.session() as session:
        session.query(Institution).filter_by(is_local=True).update({"role": "province"})
        session.commit()
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_annex4(bureau, first)
    write_annex4(bureau, second)
    rows = [[c.value for c in row] for row in sheet_of(first).iter_rows(min_row=4, max_row=9)]
    assert rows == [
        [c.value for c in row] for row in sheet_of(second).iter_rows(min_row=4, max_row=9)
    ]
    assert [r[1].split("\n")[0] for r in rows] == [
        "山西大学",
        "太原市第一职业中学",
        "太原市第二职业中学",
        "无工种职业中学",
        "大同市职业中学",
        "清徐县职业教育中心",
    ]


def test_a_bureau_without_schools_is_refused(database: Database, tmp_path: Path) -> None:
    with database.session() as session:
        register_local_institution(
            session,
            Profile(
                name="大同市教育局",
                uscc=uscc("000000009", "140200", "11"),
                category="其他",
                division_code="140200",
                role="city",
            ),
        )
        session.commit()
    with pytest.raises(ValidationFailed, match="请先导入各校的数据包"):
        write_annex4(database, tmp_path / "x.xlsx")
