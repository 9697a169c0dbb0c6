"""Finding the header below title rows and merged cells, and naming columns by their aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.importing import (
    ImportRefused,
    choose_sheet,
    detect_header,
    field_specs,
    mapping_at,
    read_spreadsheet,
)
from core.importing.header import KINDS, column_letter, header_key
from core.importing.reader import Sheet
from tests.core.importing.workbooks import write_csv, write_xls, write_xlsx


def _sheet(rows: list[list[object]], merged: tuple[tuple[int, int, int, int], ...] = ()) -> Sheet:
    return Sheet(name="S", rows=rows, merged=merged)  # type: ignore[arg-type]


def test_header_below_a_merged_title_and_a_note(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [
            ["山西机械高级技工学校2025级学员名单（含姓名、身份证号）"],
            ["填报单位：数控系", None, None, "填报日期：2025年3月1日"],
            [],
            ["序号", "学员姓名", "身份证号码", "联系电话", "所学专业"],
            [1, "王芳", "x", "y", "z"],
        ],
        merges=[(1, 1, 1, 5), (2, 1, 2, 3)],
    )

    sheet, mapping = choose_sheet(read_spreadsheet(path), "roster")
    assert (mapping.header_row, mapping.data_start) == (3, 4)
    assert mapping.fields == {"name": 1, "id_number": 2, "phone": 3, "major": 4}
    assert mapping.column_name("id_number") == "身份证号码"
    assert mapping.column_name("gender") == "性别"  # not in the file: the field's label
    assert sheet.name == "学员名单"


@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        (["公民身份号码", "姓名", "手机号码"], {"id_number": 0, "name": 1, "phone": 2}),
        (["证件号码", "联系方式", "姓 名"], {"id_number": 0, "phone": 1, "name": 2}),
        (["*姓名", "身份证号（必填）", "＊手机号"], {"name": 0, "id_number": 1, "phone": 2}),
        (["毕业时间", "班级名称", "姓名", "身份证"], {"graduation_year": 0, "class_name": 1}),
        (
            ["姓名\n（中文）", "身份证号\n码", "工作单位"],
            {"name": 0, "id_number": 1, "employer": 2},
        ),
    ],
)
def test_renamed_and_shuffled_columns(titles: list[str], expected: dict[str, int]) -> None:
    mapping = detect_header(_sheet([titles, ["x"] * len(titles)]), "roster")
    assert mapping is not None
    assert expected.items() <= mapping.fields.items()


def test_two_line_header_under_vertical_merges() -> None:
    # 序号, 姓名 and 身份证号 are merged down over two rows; 联系方式 spans 手机 and 邮箱.
    rows: list[list[object]] = [
        ["学员名单"],
        ["序号", "姓名", "身份证号", "联系方式", ""],
        ["", "", "", "手机", "邮箱"],
        [1, "王芳", "140105…", "138…", "a@b.cn"],
    ]
    merged = ((0, 0, 0, 4), (1, 0, 2, 0), (1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 4))
    mapping = detect_header(_sheet(rows, merged), "roster")
    assert mapping is not None
    assert mapping.header_row == 2
    assert mapping.data_start == 3
    assert mapping.fields == {"name": 1, "id_number": 2, "phone": 3}


def test_header_merged_down_starts_data_below_the_merge() -> None:
    rows: list[list[object]] = [["姓名", "身份证号"], ["", ""], ["王芳", "1401…"]]
    mapping = detect_header(_sheet(rows, ((0, 0, 1, 0), (0, 1, 1, 1))), "roster")
    assert mapping is not None
    assert (mapping.header_row, mapping.data_start) == (0, 2)


def test_a_title_that_mentions_fields_is_not_the_header() -> None:
    rows: list[list[object]] = [
        ["学员姓名、身份证号、手机号汇总表"],
        ["姓名", "身份证号", "手机号"],
    ]
    mapping = detect_header(_sheet(rows), "roster")
    assert mapping is not None
    assert mapping.header_row == 1


def test_a_longer_title_names_its_field_only_when_no_column_claims_it_exactly() -> None:
    rows: list[list[object]] = [["姓名", "身份证号", "本人身份证号码", "紧急联系人电话", "手机号"]]
    mapping = detect_header(_sheet(rows), "roster")
    assert mapping is not None
    # Neither the second ID column nor the emergency contact's phone takes a field.
    assert mapping.fields == {"name": 0, "id_number": 1, "phone": 4}
    rows = [["学员姓名", "学员身份证号码", "学员手机号（本人）"]]
    mapping = detect_header(_sheet(rows), "roster")
    assert mapping is not None
    assert mapping.fields == {"name": 0, "id_number": 1, "phone": 2}


def test_certificate_list_columns() -> None:
    titles = ["序号", "证书编号", "姓名", "身份证号", "职业（工种）", "等级", "发证日期"]
    titles.append("发证机构")
    title = ["2024年第三批职业技能等级认定合格人员名单"]
    mapping = detect_header(_sheet([title, titles]), "certificates")
    assert mapping is not None
    assert mapping.fields == {
        "number": 1,
        "name": 2,
        "id_number": 3,
        "occupation": 4,
        "level": 5,
        "issue_date": 6,
        "issuer": 7,
    }
    assert mapping.missing_required() == ()


def test_missing_required_columns_are_named_with_their_aliases() -> None:
    mapping = detect_header(_sheet([["姓名", "手机号", "专业"]]), "roster")
    assert mapping is not None
    assert [s.key for s in mapping.missing_required()] == ["id_number"]
    with pytest.raises(ImportRefused, match="“身份证号”（可用列名：身份证号、身份证号码"):
        mapping.require_complete()


def test_the_clerk_corrects_the_mapping() -> None:
    rows: list[list[object]] = [["姓名", "证件", "电话"], ["王芳", "1401…", "138…"]]
    mapping = detect_header(_sheet(rows), "roster")
    assert mapping is not None
    assert "id_number" not in mapping.fields
    mapping = mapping.with_field("id_number", 1)
    assert mapping.fields["id_number"] == 1
    assert mapping.column_name("id_number") == "证件"
    # A column feeds one field: giving the phone column to the ID takes it from the phone.
    moved = mapping.with_field("id_number", 2)
    assert moved.fields == {"name": 0, "id_number": 2}
    assert moved.with_field("name", None).fields == {"id_number": 2}
    with pytest.raises(KeyError):
        mapping.with_field("no_such_field", 0)


def test_the_clerk_picks_the_header_row() -> None:
    rows: list[list[object]] = [["说明：第二行是表头"], ["甲", "乙"], ["王芳", "1401…"]]
    assert detect_header(_sheet(rows), "roster") is None
    mapping = mapping_at(_sheet(rows), "roster", 1)
    assert (mapping.header_row, mapping.data_start, mapping.fields) == (1, 2, {})
    assert mapping.header_text(1) == "乙"
    assert mapping.header_text(5) == "F列"


def test_sheet_choice_prefers_the_one_with_a_complete_header(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "book.xlsx",
        [["姓名", "身份证号"], ["王芳", "1401…"]],
        sheet="名单",
        before=[("填表说明", [["请按下列要求填写：姓名、手机号"], ["姓名", "手机号"]])],
    )

    book = read_spreadsheet(path)
    sheet, mapping = choose_sheet(book, "roster")
    assert sheet.name == "名单"
    assert mapping.missing_required() == ()
    sheet, mapping = choose_sheet(book, "roster", "填表说明")
    assert sheet.name == "填表说明"
    assert [s.key for s in mapping.missing_required()] == ["id_number"]


def test_no_header_anywhere(tmp_path: Path) -> None:

    path = write_csv(tmp_path / "numbers.csv", [["1", "2"], ["3", "4"]])
    with pytest.raises(ImportRefused, match="找不到表头：需要有“姓名”“身份证号”等列名"):
        choose_sheet(read_spreadsheet(path), "roster")


def test_xls_header_with_merged_title(tmp_path: Path) -> None:

    path = write_xls(
        tmp_path / "old.xls",
        [["学员名单"], ["姓名", "身份证号码", "性别"], ["王芳", "1401…", "女"]],
        merges=[(1, 1, 1, 3)],
    )
    _, mapping = choose_sheet(read_spreadsheet(path), "roster")
    assert (mapping.header_row, mapping.fields) == (1, {"name": 0, "id_number": 1, "gender": 2})


@pytest.mark.parametrize("kind", KINDS)
def test_no_alias_means_two_fields(kind: str) -> None:
    seen: dict[str, str] = {}
    for spec in field_specs(kind):  # type: ignore[arg-type]
        for alias in spec.aliases:
            key = header_key(alias)
            assert seen.setdefault(key, spec.key) == spec.key, f"{alias} means two fields"


def test_header_key_and_column_letters() -> None:
    assert header_key(" ＊身份证号\u200b ") == "身份证号"
    assert header_key("职业（工种）") == "职业(工种)"
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "ZZ",
        "AAA",
    ]
