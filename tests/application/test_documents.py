"""Document and progress use cases: each file with full numbers is described first and written
through the one door (one audit entry with its people count), and nothing else is audited."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from application import documents, progress
from core.fields import ValidationFailed
from core.progress import SchoolProgress, task_year
from core.safety.audit import EXPORTED, AuditFilter, query_audit
from core.trainees.search import TraineeQuery
from models.database import Database
from tests.core import progress_data as data
from tests.reports.builders import add_class

ROOT = Path(__file__).resolve().parents[2]


def exports(database: Database) -> list[str]:
    """The details of every 导出 entry, newest first."""
    with database.session() as session:
        return [row.detail for row in query_audit(session, AuditFilter(action=EXPORTED))]


@pytest.fixture
def college(database: Database) -> Database:
    return data.college(database)


def test_a_class_document_is_described_then_audited_once(school: Database, tmp_path: Path) -> None:
    class_id = add_class(school, 5)
    report = documents.describe_annex3(school, class_id)
    roster = documents.describe_class_roster(school, class_id)
    assert report is not None and roster is not None
    assert (report.what, report.people) == ("申请报告（附学员名单）", 5)
    assert "5 人的完整身份证号" in report.notice
    assert exports(school) == []  # describing writes nothing

    written = documents.write_annex3(school, class_id, tmp_path / "a.pdf", date(2026, 2, 20))
    documents.write_class_roster(school, class_id, tmp_path / "r.xlsx")
    assert written.rows == 5
    assert exports(school) == [
        f"学员名单（5 人，含完整号码；培训班学员名单）：{tmp_path / 'r.xlsx'}",
        f"申请报告（附学员名单）（5 人，含完整号码；开班申请报告）：{tmp_path / 'a.pdf'}",
    ]


def test_a_refused_or_failed_write_leaves_no_entry(school: Database, tmp_path: Path) -> None:
    empty = add_class(school, 0)
    assert documents.describe_annex3(school, empty) is None  # nobody's numbers
    with pytest.raises(ValidationFailed, match="没有学员"):
        documents.write_annex3(school, empty, tmp_path / "a.pdf")
    with pytest.raises(ValidationFailed, match="不存在"):
        documents.describe_class_roster(school, 999)
    class_id = add_class(school, 3, first_serial=10)
    with pytest.raises(ValidationFailed, match="不存在"):
        documents.write_class_roster(school, class_id, tmp_path / "no-folder" / "r.xlsx")

    def cancelled(_done: int, _total: int, _text: str) -> None:
        raise RuntimeError("取消")

    with pytest.raises(RuntimeError):
        documents.write_trainee_list(school, tmp_path / "t.xlsx", progress=cancelled)
    assert exports(school) == []
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.xlsx"))


def test_the_subsidy_claim_counts_its_completers(school: Database, tmp_path: Path) -> None:
    class_id = add_class(school, 10, status="结业", completed=8)
    claim = documents.describe_subsidy(school, class_id)
    assert claim is not None and claim.people == 8
    documents.write_subsidy(school, class_id, tmp_path / "s.xlsx", date(2026, 6, 10))
    (detail,) = exports(school)
    assert detail.startswith("补贴申请表（8 人，含完整号码；申领培训补贴）")


def test_the_trainee_list_holds_what_the_query_finds(school: Database, tmp_path: Path) -> None:
    add_class(school, 6, names=["王芳", "王强"])
    query = TraineeQuery("王", sort_key="name", descending=False)
    listed = documents.describe_trainee_list(school, query)
    everyone = documents.describe_trainee_list(school)
    assert listed is not None and everyone is not None
    assert (listed.people, everyone.people) == (2, 6)
    written = documents.write_trainee_list(school, tmp_path / "t.xlsx", query)
    assert written.rows == 2
    sheet = openpyxl.load_workbook(written.path)["学员"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["王强", "王芳"]
    assert exports(school) == [f"学员名单（含证书）（2 人，含完整号码；导出核对）：{written.path}"]
    assert documents.describe_trainee_list(school, TraineeQuery("欧阳")) is None


def test_annex4_and_tables_hold_no_full_numbers_and_are_not_audited(
    school: Database, tmp_path: Path
) -> None:
    with pytest.raises(ValidationFailed, match="可培训的职业"):
        documents.write_annex4(school, tmp_path / "a4.xlsx")
    documents.write_table(tmp_path / "t.xlsx", "各机构取证进度", ["机构", "人数"], [["甲", 1]])
    assert exports(school) == []


def test_the_missing_list_is_masked_unless_full(college: Database, tmp_path: Path) -> None:
    scope = progress.missing_scope(college, 2026)
    masked = documents.write_missing_list(college, scope, tmp_path / "m.xlsx")
    assert exports(college) == []
    sheet = openpyxl.load_workbook(masked.path)["还差谁"]
    assert all("*" in str(r[5]) for r in sheet.iter_rows(min_row=3, values_only=True))

    file = documents.describe_missing_list(college, scope)
    assert file is not None and (file.what, file.people) == ("还差谁名单", 3)
    full = documents.write_missing_list(college, scope, tmp_path / "f.xlsx", by="major", full=True)
    assert exports(college) == [
        f"还差谁名单（3 人，含完整号码；联系尚未取证的应届毕业生）：{full.path}"
    ]
    nobody = progress.missing_scope(college, 2020)
    assert documents.describe_missing_list(college, nobody) is None
    documents.write_missing_list(college, nobody, tmp_path / "none.xlsx", full=True)
    assert len(exports(college)) == 1


def test_progress_use_cases_mask_the_list_and_share_the_year(college: Database) -> None:
    snapshot = progress.progress_snapshot(college, data.CERT_DAY)
    assert isinstance(snapshot.progress, SchoolProgress)
    scope = snapshot.progress.missing_scope
    assert scope == progress.missing_scope(college, 2026)
    assert [g.missing for g in snapshot.groups["class_name"]][:1] == [2]
    assert progress.missing_total(college, scope) == 3
    assert progress.missing_total(college, scope, group="电工2202班") == 2
    page = progress.missing_page(college, scope, offset=1, limit=5)
    assert [r.name for r in page] == ["丁四", "戊五"]
    assert all("*" in r.id_number and "****" in r.phone for r in page)
    assert progress.missing_scope(college).year == task_year(date.today())


def test_a_bureau_or_an_unregistered_database_has_no_missing_list(database: Database) -> None:
    with pytest.raises(ValidationFailed, match="尚未登记"):
        progress.missing_scope(database)
    province = data.bureau(database, data.PROVINCE)
    with pytest.raises(ValidationFailed, match="是教育局"):
        progress.missing_scope(province)


def test_only_the_door_writes_an_export_entry() -> None:
    """Every 导出 entry goes through ``application.full_numbers``: no other module of the
    program names the action, so a new file with full numbers cannot skip the door."""
    door = {ROOT / "application" / "full_numbers.py", ROOT / "core" / "safety" / "audit.py"}
    naming = [
        path.relative_to(ROOT)
        for folder in ("application", "cli", "core", "gui", "models", "reports")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in door and re.search(r"\bEXPORTED\b|record_export", path.read_text("utf-8"))
    ]
    assert naming == []
