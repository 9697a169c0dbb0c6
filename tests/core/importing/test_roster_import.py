"""Roster import: every row checked and named, duplicates found, all written or nothing."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from application.importing import import_roster
from core.classes.checks import ClassFields
from core.classes.records import roster_rows, save_class
from core.importing import (
    ImportRefused,
    RowStatus,
    choose_sheet,
    mapping_at,
    preview_roster,
    read_spreadsheet,
)
from core.importing.reader import Sheet
from models.database import Database
from models.trainee import Trainee
from models.training import TrainingClass
from tests.core.importing.workbooks import (
    SCHOOL,
    TODAY,
    make_id,
    write_csv,
    write_xls,
    write_xlsx,
)
from tests.core.strategies import full_width


def _full_width_id(serial: int) -> str:
    return full_width(make_id(serial))


def _messy_roster(path: Path) -> Path:
    """Everything an office's roster brings at once: a title merged over the table, a note,
    columns renamed and out of order, copy-paste noise, IDs that Excel turned into numbers,
    a duplicate, blank rows and a numbered template row never filled in."""
    x_id = make_id(19)
    assert x_id.endswith("X"), "serial 19 gives a check character X"
    return write_xlsx(
        path,
        [
            ["数控系2025级学员名单"],
            ["填报日期：2025年3月1日"],
            ["序号", "联系电话", "学员姓名", "公民身份号码", "性别", "所学专业", "毕业时间"],
            [1, 13812340001, "王 芳", make_id(1, female=True), "女", "数控技术", 2025],  # row 4
            [2, "138 1234 0002", "李强", _full_width_id(2), "", "数控技术", "2025届"],  # 5
            [3, "13812340003", "张伟", x_id.lower(), "男", "数控技术", date(2025, 7, 1)],  # 6
            [4, "13812340004", "刘洋", int(make_id(4)), "男", "数控技术", 2025],  # 7
            [5, "13812340005", "陈静", "1.40105E+17", "女", "数控技术", 2025],  # 8
            [6, "13812340006", "杨磊", make_id(1, female=True), "", "数控技术", 2025],  # 9: dup
            [],  # 10: blank
            [7, "", "", "", "", "", ""],  # 11: numbered, never filled
            [8, "1381234", "赵敏", make_id(8), "男", "数控技术", "明年"],  # 12
            [9, "13812340009", "周强", make_id(9), "女", "数控技术", 2025],  # 13
        ],
        merges=[(1, 1, 1, 7)],
    )


def _preview(database: Database, path: Path, **options: object):
    sheet, mapping = choose_sheet(read_spreadsheet(path), "roster")
    with database.session() as session:
        return preview_roster(session, sheet, mapping, today=TODAY, **options)  # type: ignore[arg-type]


def _count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(Trainee.id))) or 0


def _lines(preview: object) -> list[str]:
    return [line for row in preview.rows for line in row.error_lines()]  # type: ignore[attr-defined]


def test_every_row_of_a_messy_roster_is_named(school: Database, tmp_path: Path) -> None:
    preview = _preview(school, _messy_roster(tmp_path / "r.xlsx"))
    by_line = {row.line: row for row in preview.rows}
    assert sorted(by_line) == [4, 5, 6, 7, 8, 9, 12, 13]
    assert preview.skipped_blank == 2
    assert {line for line, r in by_line.items() if r.status is RowStatus.NEW} == {4, 5, 6}

    # Copy-paste noise is normalised, not refused.
    assert by_line[4].fields.name == "王芳"
    assert by_line[4].fields.phone == "13812340001"
    assert by_line[5].fields.id_number == make_id(2)
    assert by_line[5].fields.phone == "13812340002"
    assert by_line[5].fields.gender == "男"  # from the ID number
    assert by_line[5].fields.graduation_year == 2025
    assert by_line[6].fields.id_number == make_id(19)  # lowercase x made X
    assert by_line[6].fields.graduation_year == 2025

    lines = _lines(preview)
    damaged = "第7行 公民身份号码: Excel 已把号码存成数字（科学计数法 1.40105E+17）"
    assert lines[0].startswith(damaged)
    assert lines[1].startswith("第8行 公民身份号码: 号码是科学计数法 1.40105E+17")
    assert lines[2] == "第9行 公民身份号码: 与第4行的身份证号重复"
    assert lines[3].startswith("第12行 联系电话: 手机号应为11位数字")
    assert lines[4] == "第12行 毕业时间: “明年”不是年份，应如 2025"
    assert lines[5].startswith("第13行 性别: 与身份证号不符")
    assert len(lines) == 6
    for line in lines:
        assert re.fullmatch(r"第\d+行 \S+: .+", line)
        assert make_id(4) not in line  # a message never holds a whole ID number


def test_the_same_roster_from_xls_and_gbk_csv(school: Database, tmp_path: Path) -> None:
    header = ["姓名", "身份证号码", "手机号"]
    rows = [["王芳", make_id(1, female=True), "13812340001"], ["李强", float(make_id(2)), ""]]
    xls = _preview(school, write_xls(tmp_path / "r.xls", [["名单"], header, *rows]))
    assert [r.status for r in xls.rows] == [RowStatus.NEW, RowStatus.INVALID]
    assert xls.rows[1].errors[0].column == "身份证号码"
    assert "Excel 已把号码存成数字" in xls.rows[1].errors[0].message

    csv_rows = [header, rows[0], ["李强", "1.40105E+17", ""]]
    gbk = _preview(school, write_csv(tmp_path / "r.csv", csv_rows, encoding="gbk"))
    assert [r.status for r in gbk.rows] == [RowStatus.NEW, RowStatus.INVALID]
    assert gbk.rows[0].fields.name == "王芳"
    assert "科学计数法" in gbk.rows[1].errors[0].message


def test_valid_rows_are_written_with_their_bookkeeping(school: Database, tmp_path: Path) -> None:
    preview = _preview(school, _messy_roster(tmp_path / "r.xlsx"))
    with pytest.raises(ImportRefused, match="有5行有误，未导入任何数据"):
        import_roster(school, preview)
    assert _count(school) == 0
    result = import_roster(school, preview, skip_invalid=True)
    assert (result.inserted, result.updated, result.skipped_invalid) == (3, 0, 5)
    with school.session() as session:
        stored = session.scalars(select(Trainee).order_by(Trainee.id)).all()
    assert [t.id_number for t in stored] == [make_id(1, female=True), make_id(2), make_id(19)]
    for trainee in stored:
        assert trainee.origin == SCHOOL.uscc
        assert trainee.revision == 1
        assert re.fullmatch(r"[0-9a-f]{32}", trainee.uuid)
        assert trainee.identity == "在校学生"
    assert stored[0].major == "数控技术"


WANG = ["王芳", make_id(1), "", ""]
LI = ["李强", make_id(2), "", ""]


def _roster(path: Path, rows: list[list[object]]) -> Path:
    return write_xlsx(path, [["姓名", "身份证号", "手机号", "专业"], *rows])


def test_known_trainees_are_updated_only_when_asked(school: Database, tmp_path: Path) -> None:
    wang = ["王芳", make_id(1, female=True), "13812340001", "数控技术"]
    import_roster(school, _preview(school, _roster(tmp_path / "a.xlsx", [wang, LI])))
    # The second file has no 专业 column, a new phone for 王芳, and 李强 unchanged.
    second = write_xlsx(
        tmp_path / "b.xlsx",
        [
            ["姓名", "身份证号", "手机号"],
            ["王芳", make_id(1, female=True), "13900000001"],
            ["李强", make_id(2), ""],
            ["张伟", make_id(3), ""],
        ],
    )
    preview = _preview(school, second)
    assert [r.status for r in preview.rows] == [RowStatus.EXISTING] * 2 + [RowStatus.NEW]
    assert preview.rows[0].changes == ("手机号",)
    assert preview.rows[1].changes == ()

    result = import_roster(school, preview)
    assert (result.inserted, result.updated, result.unchanged) == (1, 0, 2)
    with school.session() as session:
        wang = session.scalar(select(Trainee).where(Trainee.name == "王芳"))
        assert wang is not None
        assert (wang.phone, wang.revision) == ("13812340001", 1)

    result = import_roster(school, _preview(school, second), update_existing=True)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    with school.session() as session:
        wang = session.scalar(select(Trainee).where(Trainee.name == "王芳"))
        li = session.scalar(select(Trainee).where(Trainee.name == "李强"))
    assert wang is not None and li is not None
    # Only the filled cells are written: the major, absent from the file, stays.
    assert (wang.phone, wang.major, wang.revision) == ("13900000001", "数控技术", 2)
    assert li.revision == 1


def test_a_different_name_for_a_known_id_is_pointed_out(school: Database, tmp_path: Path) -> None:
    import_roster(school, _preview(school, _roster(tmp_path / "a.xlsx", [WANG])))
    preview = _preview(school, _roster(tmp_path / "b.xlsx", [["汪芳", make_id(1), "", ""]]))
    row = preview.rows[0]
    assert row.status is RowStatus.EXISTING
    assert row.changes == ("姓名",)
    assert [str(w) for w in row.warnings] == ["姓名: 库中该身份证号的学员姓名为“王芳”"]


def _add_class(database: Database, *, identity: str = "企业职工") -> int:
    with database.session() as session:
        training_class = save_class(
            session,
            None,
            ClassFields(
                name="数控车工定向培训班",
                industry_code="E06",
                start_date=date(2025, 3, 3),
                end_date=date(2025, 6, 2),
                total_hours=320,
                participant_identity=identity,
            ),
            [],
        )
        session.commit()
        return training_class.id


def test_trainees_join_a_class_in_the_same_step(school: Database, tmp_path: Path) -> None:
    class_id = _add_class(school)
    import_roster(school, _preview(school, _roster(tmp_path / "a.xlsx", [WANG])))
    path = _roster(tmp_path / "b.xlsx", [WANG, LI])
    preview = _preview(school, path, default_identity="企业职工")
    result = import_roster(school, preview, class_id=class_id)
    assert (result.inserted, result.unchanged, result.enrolled) == (1, 1, 2)
    with school.session() as session:
        assert [r.name for r in roster_rows(session, class_id)] == ["王芳", "李强"]
        li = session.scalar(select(Trainee).where(Trainee.name == "李强"))
        assert li is not None and li.identity == "企业职工"
    again = import_roster(school, _preview(school, path), class_id=class_id)
    assert again.enrolled == 0


def test_a_finished_class_refuses_and_nothing_is_written(school: Database, tmp_path: Path) -> None:
    class_id = _add_class(school)
    with school.session() as session:
        session.get_one(TrainingClass, class_id).status = "结业"
        session.commit()
    preview = _preview(school, _roster(tmp_path / "a.xlsx", [WANG]))
    with pytest.raises(ImportRefused, match="培训班已结业"):
        import_roster(school, preview, class_id=class_id)
    assert _count(school) == 0
    with pytest.raises(ImportRefused, match="找不到编号为 999 的培训班"):
        import_roster(school, preview, class_id=999)
    assert _count(school) == 0


class _Stop(Exception):
    pass


def test_a_cancel_half_way_leaves_the_database_as_it_was(school: Database, tmp_path: Path) -> None:
    rows = [[f"学员{chr(0x4E00 + i)}", make_id(i), "", ""] for i in range(1, 480)]
    rows += [[f"学员{chr(0x5000 + i)}", make_id(i, born="19990309"), "", ""] for i in range(480)]
    preview = _preview(school, _roster(tmp_path / "big.xlsx", rows))
    assert len(preview.valid) == len(rows)
    seen: list[tuple[int, int]] = []

    def stop_after_first_chunk(done: int, total: int, _text: str) -> None:
        seen.append((done, total))
        if done >= 500:
            raise _Stop

    with pytest.raises(_Stop):
        import_roster(school, preview, progress=stop_after_first_chunk)
    assert seen == [(0, len(rows)), (500, len(rows))]  # it had begun writing
    assert _count(school) == 0


def test_a_row_stored_meanwhile_refuses_the_whole_import(school: Database, tmp_path: Path) -> None:
    stale = _preview(school, _roster(tmp_path / "a.xlsx", [WANG, LI]))
    import_roster(school, _preview(school, _roster(tmp_path / "b.xlsx", [LI])))
    with pytest.raises(ImportRefused, match="请重新预览后再导入"):
        import_roster(school, stale)
    assert _count(school) == 1


def test_no_institution_no_import(database: Database, tmp_path: Path) -> None:
    sheet, mapping = choose_sheet(read_spreadsheet(_roster(tmp_path / "a.xlsx", [WANG])), "roster")
    with database.session() as session, pytest.raises(ImportRefused, match="本机构尚未登记"):
        preview_roster(session, sheet, mapping)


def test_missing_id_column_is_refused_before_any_row(school: Database) -> None:
    sheet = Sheet("S", [["姓名", "手机号"], ["王芳", "13812340001"]])
    with school.session() as session, pytest.raises(ImportRefused, match="缺少必需的列"):
        preview_roster(session, sheet, mapping_at(sheet, "roster", 0))


# --- Any cell content: never an exception, always a verdict -------------------------------------

_CELLS = st.one_of(
    st.none(),
    st.text(max_size=25),
    st.sampled_from(["", " ", "男", "女", "X", "1.40105E+17", "13812345678", "2025届", "在校学生"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 1, 1)),
    st.builds(make_id, st.integers(min_value=0, max_value=499)).map(str),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(_CELLS, min_size=0, max_size=10), min_size=1, max_size=12))
def test_random_cells_never_raise_and_every_row_gets_a_verdict(
    school: Database, rows: list[list[object]]
) -> None:
    header = ["姓名", "性别", "身份证号", "手机号", "身份", "工作单位", "专业", "班级", "毕业年份"]
    sheet = Sheet("S", [header, *rows])  # type: ignore[list-item]
    with school.session() as session:
        preview = preview_roster(session, sheet, mapping_at(sheet, "roster", 0), today=TODAY)
    for row in preview.rows:
        if row.status is RowStatus.INVALID:
            assert row.errors
            for issue in row.errors:
                assert issue.column and issue.message
                assert issue.col_index is None or header[issue.col_index] == issue.column
        else:
            assert not row.errors
            assert row.fields is not None and len(row.fields.id_number) == 18
    assert len(preview.rows) + preview.skipped_blank == len(rows)


def test_an_import_is_preceded_by_a_backup_and_audited(school: Database, tmp_path: Path) -> None:
    from core.safety.audit import IMPORTED
    from core.safety.backups import list_backups
    from models.audit import AuditEntry

    assert school.path is not None
    before = len(list_backups(school.path))
    import_roster(school, _preview(school, _roster(tmp_path / "a.xlsx", [WANG, LI])))
    backups = list_backups(school.path)
    assert len(backups) == before + 1
    assert any("before-import" in b.path.name for b in backups)
    with school.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == IMPORTED))
    assert entry is not None
    assert "新增2人" in entry.detail
