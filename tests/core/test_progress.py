"""Every progress figure against databases whose answers were worked out by hand.

The data and the expected numbers are described in ``tests/core/progress_data.py``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.fields import ValidationFailed
from core.progress import (
    BASIS_ANNEX1,
    BASIS_GRADUATES,
    MILESTONE_STATE_LABELS,
    BureauProgress,
    Milestone,
    MissingScope,
    SchoolProgress,
    TrendPoint,
    bureau_progress,
    dashboard,
    missing_count,
    missing_graduates,
    missing_groups,
    school_progress,
    status_of,
)
from core.progress.rules import covering_row, own_row, target_level
from models.database import Database
from models.trainee import Trainee
from models.training import Enrolment, TrainingClass
from tests.core import progress_data as data


@pytest.fixture
def college(database: Database) -> Database:
    return data.college(database)


@pytest.fixture
def province(database: Database) -> Database:
    return data.bureau(database, data.PROVINCE)


@pytest.fixture
def taiyuan(database: Database) -> Database:
    return data.bureau(database, data.TAIYUAN)


# --- Certificates at a school ------------------------------------------------------------


def test_school_certificates_count_each_graduate_once(college: Database) -> None:
    with college.session() as session:
        progress = school_progress(session, data.CERT_DAY)
    cert = progress.certificates
    assert (cert.level, cert.target, cert.basis) == ("高级工", 4800, BASIS_ANNEX1)
    assert cert.annex1_unit == "山西职业技术学院"
    assert cert.graduates == 6
    assert cert.achieved == 3
    assert cert.missing == 3
    assert cert.remaining == 4797
    assert cert.beyond_graduates == 4794
    assert cert.rate == pytest.approx(3 / 4800)
    assert cert.status == "far_behind"


def test_school_deadline_and_weekly_pace(college: Database) -> None:
    with college.session() as session:
        cert = school_progress(session, data.CERT_DAY).certificates
    assert cert.deadline == date(2026, 8, 31)
    assert cert.days_left == 91
    assert cert.per_week_needed == 369  # ceil(4797 / 13 weeks)
    with college.session() as session:
        late = school_progress(session, date(2026, 9, 1)).certificates
    assert late.days_left == -1
    assert late.per_week_needed is None
    with college.session() as session:
        last_days = school_progress(session, date(2026, 8, 29)).certificates
    assert last_days.per_week_needed == 4797  # two days left: the whole rest this week


def test_school_weekly_trend_starts_with_earlier_certificates(college: Database) -> None:
    with college.session() as session:
        trend = school_progress(session, data.CERT_DAY).certificates.trend
    assert trend[0] == TrendPoint(date(2025, 12, 29), 2)  # 乙 (2025) and 己 (no date)
    by_week = {point.week: point.achieved for point in trend}
    assert by_week[date(2026, 3, 2)] == 2
    assert by_week[date(2026, 3, 9)] == 3  # 甲's first certificate, 2026-03-10
    assert by_week[date(2026, 4, 20)] == 3  # 甲's second certificate adds nobody
    assert trend[-1] == TrendPoint(date(2026, 6, 1), 3)
    assert [p.week for p in trend] == [
        date(2025, 12, 29) + timedelta(weeks=n) for n in range(len(trend))
    ]


def test_school_without_its_own_row_is_measured_against_its_graduates(school: Database) -> None:
    with school.session() as session:
        data.add_graduate(session, "张一", 2026, [(data.SKILL, "四级/中级工", date(2026, 5, 1))])
        data.add_graduate(session, "张二", 2026, [(data.SKILL, "五级/初级工", date(2026, 5, 1))])
        session.commit()
        cert = school_progress(session, data.CERT_DAY).certificates
    assert (cert.level, cert.basis, cert.annex1_unit) == ("中级工", BASIS_GRADUATES, None)
    assert (cert.target, cert.achieved, cert.missing) == (2, 1, 1)
    assert cert.status == "behind"


def test_school_with_no_graduates_has_no_rate(school: Database) -> None:
    with school.session() as session:
        cert = school_progress(session, data.CERT_DAY).certificates
    assert (cert.graduates, cert.achieved, cert.target) == (0, 0, 0)
    assert cert.rate is None
    assert cert.status == "none"
    assert cert.per_week_needed == 0


def test_unregistered_database_is_refused(database: Database) -> None:
    with database.session() as session, pytest.raises(ValidationFailed, match="尚未登记"):
        school_progress(session, data.CERT_DAY)


# --- 还差谁 --------------------------------------------------------------------------------


def test_missing_list_names_who_lacks_a_qualifying_certificate(college: Database) -> None:
    with college.session() as session:
        scope = school_progress(session, data.CERT_DAY).missing_scope
        rows = missing_graduates(session, scope)
        assert missing_count(session, scope) == 3
        assert [(r.class_name, r.name, r.certificates) for r in rows] == [
            ("数控2201班", "丙三", 1),
            ("电工2202班", "丁四", 1),
            ("电工2202班", "戊五", 0),
        ]
        assert all(len(r.id_number) == 18 for r in rows)
        page = missing_graduates(session, scope, offset=1, limit=1)
        assert [r.name for r in page] == ["丁四"]
        only = missing_graduates(session, scope, by="major", group="电气自动化技术")
        assert [r.name for r in only] == ["丁四", "戊五"]
        assert missing_count(session, scope, by="major", group="数控技术") == 1


def test_missing_groups_put_the_most_missing_first(college: Database) -> None:
    with college.session() as session:
        scope = MissingScope(data.COLLEGE.uscc, 2026, "高级工")
        by_class = missing_groups(session, scope, "class_name")
        by_major = missing_groups(session, scope, "major")
    assert [(g.name, g.graduates, g.missing) for g in by_class] == [
        ("电工2202班", 2, 2),
        ("数控2201班", 1, 1),
        ("机电2201班", 3, 0),
    ]
    assert by_major[0].name == "电气自动化技术"
    assert sum(g.graduates for g in by_major) == 6


def test_missing_groups_refuse_an_unknown_column(college: Database) -> None:
    with college.session() as session, pytest.raises(ValueError, match="未知的分组"):
        missing_groups(session, MissingScope(data.COLLEGE.uscc, 2026, "高级工"), "name")


# --- Training and subsidy ----------------------------------------------------------------


def test_training_counts_completers_in_the_years_directed_classes(college: Database) -> None:
    with college.session() as session:
        training = school_progress(session, data.TRAINING_DAY).training
    assert training.commitment == 100
    assert training.enrolled == 10
    assert training.completers == 6
    assert training.rate == pytest.approx(0.06)
    assert [(m.due, m.required, m.achieved, m.state) for m in training.milestones] == [
        (date(2026, 6, 30), 40, 4, "missed"),
        (date(2026, 9, 30), 80, 6, "missed"),
        (date(2026, 11, 30), 100, 6, "pending"),
    ]


def test_milestones_are_labelled_once_for_every_face() -> None:
    """The words the 进度 page, ``progress`` and its JSON all show for a milestone."""
    due, today = date(2026, 6, 30), date(2026, 7, 1)
    states = [
        Milestone(due, 0.4, required, achieved, today)
        for required, achieved in ((40, 40), (40, 4), (None, 4))
    ]
    assert [(m.label, m.state_label) for m in states] == [
        ("6月30日 40%", "已完成"),
        ("6月30日 40%", "未完成"),
        ("6月30日 40%", "无承诺数"),
    ]
    assert Milestone(due, 0.4, 40, 4, date(2026, 6, 1)).state_label == "未到期"
    assert set(MILESTONE_STATE_LABELS) == {"met", "missed", "pending", "none"}


def test_a_class_spanning_november_30_is_flagged(college: Database) -> None:
    with college.session() as session:
        late = school_progress(session, data.TRAINING_DAY).training.late_classes
    assert [(c.name, c.end_date, c.enrolled) for c in late] == [
        ("K2 新能源汽车定向班", date(2026, 12, 20), 3)
    ]


def test_milestone_met_once_enough_have_completed(school: Database) -> None:
    """The shared school has a capacity of 500; 200 completers by 6月30日 meet 40%."""
    with school.session() as session:
        k = TrainingClass(
            name="大班",
            industry_code="E01",
            start_date=date(2026, 1, 4),
            end_date=date(2026, 4, 3),
            total_hours=300,
        )
        for i in range(200):
            worker = Trainee(name=f"工人{i}", id_number=f"140105199001{i:06d}")
            k.enrolments.append(Enrolment(trainee=worker, completed=True))
        session.add(k)
        session.commit()
        milestones = school_progress(session, date(2026, 5, 1)).training.milestones
    assert [(m.required, m.achieved, m.state) for m in milestones] == [
        (200, 200, "met"),
        (400, 200, "pending"),
        (500, 200, "pending"),
    ]


def test_subsidy_is_completers_times_the_capped_amount(college: Database) -> None:
    with college.session() as session:
        subsidy = school_progress(session, data.TRAINING_DAY).subsidy
    rows = {r.name[:2]: r for r in subsidy.rows}
    assert set(rows) == {"K1", "K2", "K3", "K4"}  # K5 ran in 2025
    assert (rows["K1"].completers, rows["K1"].amount) == (4, Decimal(12000))
    assert rows["K2"].amount == 0
    assert (rows["K3"].per_person, rows["K3"].capped, rows["K3"].amount) == (
        Decimal(10000),
        True,
        Decimal(20000),
    )
    assert rows["K4"].amount == Decimal(3000)
    assert subsidy.total == Decimal(35000)
    assert subsidy.completers == 9
    assert subsidy.cap == 10000


# --- Bureau ------------------------------------------------------------------------------


def test_province_totals_and_order(province: Database) -> None:
    with province.session() as session:
        progress = bureau_progress(session, data.CERT_DAY)
    totals = {t.level: t for t in progress.totals}
    assert (totals["高级工"].target, totals["高级工"].achieved) == (107671, 2)
    assert (totals["中级工"].target, totals["中级工"].achieved) == (100820, 4)
    assert totals["中级工"].trend[-1].achieved == 4
    assert totals["高级工"].trend[-1].achieved == 2
    assert [i.name for i in progress.institutions] == [
        "山西职业技术学院",
        "太原市第一职业中学",
        "大同市第二职业中学",
        "太原技师学院",
        "清徐县职业教育中心",
    ]


def test_province_institution_figures(province: Database) -> None:
    with province.session() as session:
        progress = bureau_progress(session, data.CERT_DAY)
    by_code = {i.uscc: i for i in progress.institutions}
    x = by_code[data.X_COLLEGE]
    assert (x.level, x.target, x.basis, x.graduates, x.achieved) == (
        "高级工",
        4800,
        BASIS_ANNEX1,
        3,
        2,
    )
    y = by_code[data.Y_SECONDARY]
    assert (y.level, y.target, y.basis, y.achieved, y.city) == (
        "中级工",
        4,
        BASIS_GRADUATES,
        1,
        "太原市",
    )
    assert (y.completers, y.commitment) == (1, 50)
    assert y.status == "far_behind"
    assert by_code[data.Z_SECONDARY].status == "done"
    w = by_code[data.W_CENTRE]
    assert (w.graduates, w.rate, w.status) == (0, None, "none")
    assert progress.completers == 1


def test_province_rows_collect_the_institutions_they_cover(province: Database) -> None:
    with province.session() as session:
        rows = {(r.row.level, r.row.unit): r for r in bureau_progress(session, data.CERT_DAY).rows}
    assert len(rows) == 119  # every printed row of Annex 1
    assert (
        rows["中级工", "太原市教育局"].achieved,
        rows["中级工", "太原市教育局"].institutions,
    ) == (
        1,
        2,
    )
    assert rows["中级工", "大同市教育局"].achieved == 2
    assert rows["中级工", "技工院校"].achieved == 1
    assert rows["高级工", "技工院校"].achieved == 0
    assert rows["高级工", "山西职业技术学院"].achieved == 2
    assert rows["中级工", "运城市教育局"].institutions == 0


def test_city_bureau_measures_its_own_row(taiyuan: Database) -> None:
    with taiyuan.session() as session:
        progress = bureau_progress(session, data.CERT_DAY)
    (total,) = progress.totals
    assert (total.label, total.level, total.target, total.achieved) == (
        "太原市教育局",
        "中级工",
        5900,
        1,
    )
    assert total.trend[-1].achieved == 1
    units = {r.row.unit for r in progress.rows}
    assert "太原市教育局" in units
    assert "运城市教育局" not in units


def test_institutions_without_a_recent_package_are_listed(province: Database) -> None:
    with province.session() as session:
        progress = bureau_progress(session, data.CERT_DAY, stale_days=30)
        assert [i.uscc for i in progress.stale] == [data.T_TECHNICAL, data.W_CENTRE]
        assert progress.stale[0].last_package_at is None
        assert progress.stale[1].last_package_at == data.STALE_AT
        by_code = {i.uscc: i for i in progress.institutions}
        assert by_code[data.X_COLLEGE].last_package_at == data.RECENT
        early = bureau_progress(session, data.STALE_AT.date() + timedelta(days=10))
        assert [i.uscc for i in early.stale] == [data.T_TECHNICAL]


def test_drill_down_to_a_held_institution(province: Database) -> None:
    with province.session() as session:
        progress = school_progress(session, data.CERT_DAY, origin=data.Y_SECONDARY)
        assert progress.institution.name == "太原市第一职业中学"
        assert (progress.certificates.graduates, progress.certificates.achieved) == (4, 1)
        assert progress.training.completers == 1
        with pytest.raises(ValidationFailed, match="没有统一社会信用代码为"):
            school_progress(session, data.CERT_DAY, origin="no-such-code")


def test_dashboard_for_a_school(college: Database) -> None:
    with college.session() as session:
        assert isinstance(dashboard(session, data.CERT_DAY), SchoolProgress)


def test_dashboard_for_a_bureau(province: Database) -> None:
    with province.session() as session:
        assert isinstance(dashboard(session, data.CERT_DAY), BureauProgress)


# --- Rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "status"),
    [(None, "none"), (0.0, "far_behind"), (0.5, "behind"), (0.8, "near"), (1.0, "done")],
)
def test_status_thresholds(rate: float | None, status: str) -> None:
    assert status_of(rate) == status


def test_row_assignment() -> None:
    assert own_row("技工院校") is None  # printed twice: a sector, not one school
    assert own_row(None) is None
    college_row = own_row("山西职业技术学院")
    assert college_row is not None
    assert target_level("高职院校", college_row) == "高级工"
    assert target_level("本科院校", None) == "高级工"
    assert target_level("中职学校", None) == "中级工"
    row = covering_row("县级职教中心", "140121", "中级工")
    assert row is not None
    assert row.unit == "太原市教育局"
    technical = covering_row("技工院校", "140109", "中级工")
    assert technical is not None
    assert technical.target == 17000
    assert covering_row("本科院校", "140105", "高级工") is None
