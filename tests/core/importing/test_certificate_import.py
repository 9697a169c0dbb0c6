"""Certificate lists: matched to trainees by ID number, never guessed, never stored twice."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from application.importing import import_certificates, import_roster
from core.importing import (
    ImportRefused,
    RowStatus,
    choose_sheet,
    mapping_at,
    preview_certificates,
    preview_roster,
    read_spreadsheet,
)
from core.importing.certificates import certificate_type_name, skill_level_name
from core.importing.reader import Sheet
from models.database import Database
from models.trainee import Certificate
from tests.core.importing.workbooks import TODAY, make_id, write_csv, write_xls, write_xlsx

HEADER = ["序号", "证书编号", "姓名", "身份证号", "职业（工种）", "等级", "发证日期", "发证机构"]
ISSUER = "山西省职业技能鉴定指导中心"
SKILL = "职业技能等级证书（含1+X）"


@pytest.fixture
def people(school: Database, tmp_path: Path) -> Database:
    """王芳, 李强 and 张伟 on file; 赵敏 is not."""
    rows = [
        ["姓名", "身份证号"],
        ["王芳", make_id(1, female=True)],
        ["李强", make_id(2)],
        ["张伟", make_id(3)],
    ]
    sheet = Sheet("S", rows)  # type: ignore[arg-type]
    with school.session() as session:
        preview = preview_roster(session, sheet, mapping_at(sheet, "roster", 0), today=TODAY)
    import_roster(school, preview)
    return school


def _preview(database: Database, path: Path) -> Any:
    sheet, mapping = choose_sheet(read_spreadsheet(path), "certificates")
    with database.session() as session:
        return preview_certificates(session, sheet, mapping, today=TODAY)


def _count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(Certificate.id))) or 0


def _list(path: Path, rows: list[list[object]]) -> Path:
    return write_xlsx(path, [["2024年第三批职业技能等级认定合格人员名单"], HEADER, *rows])


def test_a_list_from_an_evaluation_body(people: Database, tmp_path: Path) -> None:
    path = _list(
        tmp_path / "list.xlsx",
        [
            [
                1,
                "S000014010005243000101",
                "王芳",
                make_id(1, female=True),
                "车工",
                "三级（高级工）",
                date(2024, 6, 30),
                ISSUER,
            ],
            [2, "S000014010005243000102", "李强", make_id(2), "钳工", "高级", "2024/6/30", ISSUER],
            [
                3,
                "S000014010005243000103",
                "张 伟",
                make_id(3).lower(),
                "电工",
                "四级/中级工",
                datetime(2024, 7, 1),
                "",
            ],
        ],
    )
    preview = _preview(people, path)
    assert [r.status for r in preview.rows] == [RowStatus.NEW] * 3
    result = import_certificates(people, preview)
    assert (result.inserted, result.already_stored, result.skipped_invalid) == (3, 0, 0)
    with people.session() as session:
        stored = session.scalars(select(Certificate).order_by(Certificate.id)).all()
        holders = [c.trainee.name for c in stored]
    assert holders == ["王芳", "李强", "张伟"]
    assert [c.level for c in stored] == ["三级/高级工", "三级/高级工", "四级/中级工"]
    assert {c.cert_type for c in stored} == {SKILL}  # no 证书类型 column: the default kind
    assert [c.issue_date for c in stored] == [
        date(2024, 6, 30),
        date(2024, 6, 30),
        date(2024, 7, 1),
    ]
    assert stored[0].issuer == ISSUER
    assert stored[0].route == "考核评价"
    assert all(c.revision == 1 and len(c.uuid) == 32 for c in stored)


def test_strangers_and_name_clashes_are_reported_not_guessed(
    people: Database, tmp_path: Path
) -> None:
    path = _list(
        tmp_path / "list.xlsx",
        [
            [1, "C-001", "赵敏", make_id(8), "车工", "三级", "2024-06-30", ISSUER],  # row 3
            [2, "C-002", "王小芳", make_id(1, female=True), "车工", "三级", "2024-06-30", ISSUER],
            [3, "C-003", "李强", make_id(2), "车工", "三级", "2024-06-30", ISSUER],  # row 5
        ],
    )
    preview = _preview(people, path)
    lines = [line for row in preview.rows for line in row.error_lines()]
    assert lines == [
        "第3行 身份证号: 库中没有该身份证号的学员，请先导入学员名单",
        "第4行 姓名: 与库中该身份证号的学员姓名“王芳”不一致",
    ]
    assert preview.rows[2].status is RowStatus.NEW
    with pytest.raises(ImportRefused, match="有2行有误"):
        import_certificates(people, preview)
    assert _count(people) == 0
    assert import_certificates(people, preview, skip_invalid=True).inserted == 1
    with people.session() as session:
        only = session.scalars(select(Certificate)).one()
        assert only.trainee.name == "李强"


def test_a_number_already_stored_is_not_stored_twice(people: Database, tmp_path: Path) -> None:
    first = _list(
        tmp_path / "first.xlsx",
        [
            [1, "C-001", "王芳", make_id(1, female=True), "车工", "三级", "2024-06-30", ISSUER],
            [2, "C-005", "张伟", make_id(3), "车工", "三级", "2024-06-30", ISSUER],
        ],
    )
    import_certificates(people, _preview(people, first))
    second = _list(
        tmp_path / "second.xlsx",
        [
            [1, "C-001", "王芳", make_id(1, female=True), "车工", "三级", "2024-06-30", ISSUER],
            [2, "c-005 ", "李强", make_id(2), "车工", "三级", "2024-06-30", ISSUER],
            [3, "C-002", "张伟", make_id(3), "电工", "四级", "2024-06-30", ISSUER],
            [4, "C-002", "李强", make_id(2), "钳工", "四级", "2024-06-30", ISSUER],
        ],
    )
    preview = _preview(people, second)
    assert [r.status for r in preview.rows] == [
        RowStatus.EXISTING,
        RowStatus.INVALID,
        RowStatus.NEW,
        RowStatus.INVALID,
    ]
    assert preview.rows[1].error_lines() == ["第4行 证书编号: 该证书编号已登记在学员“张伟”名下"]
    assert preview.rows[3].error_lines() == ["第6行 证书编号: 与第5行的证书编号重复"]
    result = import_certificates(people, preview, skip_invalid=True)
    assert (result.inserted, result.already_stored, result.skipped_invalid) == (1, 1, 2)
    assert _count(people) == 3
    again = import_certificates(people, _preview(people, first))
    assert (again.inserted, again.already_stored) == (0, 2)
    assert _count(people) == 3


def test_each_cell_is_checked_and_named(people: Database, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [
            [*HEADER, "证书类型"],
            [
                1,
                1.4010520030105e17,
                "王芳",
                make_id(1, female=True),
                "车工",
                "三级",
                "2024-06-30",
                ISSUER,
                "",
            ],
            [2, "C-2", "李强", make_id(2), "", "五级半", "去年", ISSUER, ""],
            [3, "C-3", "张伟", make_id(3), "电工", "", "2024-06-30", ISSUER, ""],
            [4, "C-4", "张伟", make_id(3), "电工", "", "2099-01-01", ISSUER, "特种作业操作证"],
            [5, "C-5", "张伟", make_id(3), "焊工", "", "2024-06-30", ISSUER, "驾驶证"],
        ],
    )
    lines = [line for row in _preview(people, path).rows for line in row.error_lines()]
    assert lines[0].startswith("第2行 证书编号: Excel 已把号码存成数字")
    assert lines[1:] == [
        "第3行 职业（工种）: 不能为空",
        "第3行 等级: 应为学徒工、五级/初级工、四级/中级工、三级/高级工、二级/技师、一级/高级技师、"
        "特级技师、首席技师之一",
        "第3行 发证日期: “去年”不是日期，应如 2024-06-30",
        f"第4行 等级: {SKILL}须填写等级",
        "第5行 发证日期: 不能晚于今天",
        "第6行 证书类型: 应为专项职业能力证书、职业资格证书、职业技能等级证书（含1+X）、"
        "特种作业操作证、特种设备作业人员证之一",
    ]


def test_xls_and_csv_lists(people: Database, tmp_path: Path) -> None:
    rows = [
        HEADER,
        [1, "C-1", "王芳", make_id(1, female=True), "车工", "三级", "2024-06-30", ISSUER],
    ]
    xls = _preview(people, write_xls(tmp_path / "list.xls", rows))
    assert [r.status for r in xls.rows] == [RowStatus.NEW]
    csv = _preview(people, write_csv(tmp_path / "list.csv", rows, encoding="gbk"))
    assert [r.status for r in csv.rows] == [RowStatus.NEW]
    assert csv.rows[0].fields.issue_date == date(2024, 6, 30)


def test_a_cancel_leaves_no_certificate(people: Database, tmp_path: Path) -> None:
    rows = [
        [i, f"C-{i:04d}", "李强", make_id(2), "车工", "三级", "2024-06-30", ISSUER]
        for i in range(1, 800)
    ]
    preview = _preview(people, _list(tmp_path / "big.xlsx", rows))

    def cancel(done: int, _total: int, _text: str) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_certificates(people, preview, progress=cancel)
    assert _count(people) == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", SKILL),
        ("职业技能等级证书", SKILL),
        ("1+X证书", SKILL),
        ("１＋Ｘ", SKILL),
        ("SPECIAL_OPERATION", "特种作业操作证"),
        ("特种设备作业人员证", "特种设备作业人员证"),
        ("驾驶证", "驾驶证"),
    ],
)
def test_certificate_type_spellings(typed: str, expected: str) -> None:
    assert certificate_type_name(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("三级（高级工）", "三级/高级工"),
        ("三级(高级工)", "三级/高级工"),
        ("高级技师", "一级/高级技师"),
        ("中级", "四级/中级工"),
        ("三级（中级工）", "三级（中级工）"),  # two different levels: left for the check to refuse
        ("", ""),
    ],
)
def test_level_spellings(typed: str, expected: str) -> None:
    assert skill_level_name(typed) == expected


_CELLS = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.floats(),
    st.integers(min_value=-(10**19), max_value=10**19),
    st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 1, 1)),
    st.sampled_from(["三级", "车工", "2024-06-30", "C-1", make_id(2), "李强", "1.40105E+17"]),
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(_CELLS, max_size=9), min_size=1, max_size=10))
def test_random_cells_never_raise(people: Database, rows: list[list[object]]) -> None:
    sheet = Sheet("S", [HEADER, *rows])  # type: ignore[list-item]
    with people.session() as session:
        preview = preview_certificates(session, sheet, mapping_at(sheet, "certificates", 0))
    for row in preview.rows:
        assert (row.status is RowStatus.INVALID) == bool(row.errors)
        assert all(issue.column and issue.message for issue in row.errors)
