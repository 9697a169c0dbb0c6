"""Training classes: the Annex 3 checks, the teaching plan, the roster and the status steps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.classes.checks import ClassFields
from core.classes.records import (
    PlanItemFields,
    RosterEntry,
    check_plan,
    class_fields,
    class_summaries,
    delete_class,
    enrol,
    plan_fields,
    roster_counts,
    roster_rows,
    save_class,
    save_roster,
    set_status,
    step_problems,
    unenrol,
)
from core.classes.status import ClassStatus, TransitionRefused
from core.fields import ValidationFailed
from core.identity.idcard import id_check_char
from models.database import Database
from models.trainee import Trainee
from models.training import Enrolment, PlanItem, TrainingClass

TODAY = date(2025, 6, 30)
PLAN = [
    PlanItemFields("信创基础软硬件", "国产CPU与操作系统概论", 40, 24, "赵志强"),
    PlanItemFields("国产数据库", "部署、迁移与调优", 24, 56, "周晓东"),
]


def directed(**changes: object) -> ClassFields:
    fields = ClassFields(
        name="信息技术应用创新产业运维定向培训班",
        industry_code="E01",
        start_date=date(2025, 3, 3),
        end_date=date(2025, 6, 2),
        occupation="计算机程序设计员",
        location="实训楼",
        planned_headcount=40,
        total_hours=144,
        subsidy_per_person=Decimal(3200),
    )
    return replace(fields, **changes)  # type: ignore[arg-type]


def refused_fields(db: Database, fields: ClassFields, plan: list[PlanItemFields]) -> set[str]:
    """Try to save; return the fields named in the refusal, having checked nothing was written."""
    with db.session() as session:
        with pytest.raises(ValidationFailed) as refused:
            save_class(session, None, fields, plan)
        session.rollback()
        assert session.scalar(select(func.count(TrainingClass.id))) == 0
        assert session.scalar(select(func.count(PlanItem.id))) == 0
    return {e.field for e in refused.value.errors}


def add_trainees(db: Database, count: int) -> list[int]:
    with db.session() as session:
        trainees = []
        for serial in range(count):
            first17 = f"14010519850312{serial:03d}"
            trainees.append(
                Trainee(
                    name=f"学员{'甲乙丙丁戊己庚辛'[serial]}",
                    id_number=first17 + id_check_char(first17),
                )
            )
        session.add_all(trainees)
        session.commit()
        return [t.id for t in trainees]


def create(db: Database, fields: ClassFields | None = None) -> int:
    with db.session() as session:
        class_id = save_class(session, None, fields or directed(), PLAN).id
        session.commit()
        return class_id


# --- Annex 3 rules -------------------------------------------------------------------------


def test_a_good_directed_class_lands_with_its_plan(school: Database) -> None:
    class_id = create(school)
    with school.session() as session:
        stored = session.get(TrainingClass, class_id)
        assert stored is not None
        assert class_fields(stored) == directed()
        assert plan_fields(stored) == PLAN
        assert [p.position for p in stored.plan_items] == [0, 1]


@pytest.mark.parametrize(
    "end",
    [date(2025, 6, 1), date(2025, 3, 31)],
    ids=["a day short of 3 months", "4 weeks"],
)
def test_a_directed_class_shorter_than_three_months_is_refused(school: Database, end: date) -> None:
    assert refused_fields(school, directed(end_date=end), PLAN) == {"end_date"}


def test_a_directed_class_longer_than_six_months_is_refused(school: Database) -> None:
    assert refused_fields(school, directed(end_date=date(2025, 9, 3)), PLAN) == {"end_date"}
    assert create(school, directed(end_date=date(2025, 9, 2))) > 0


def test_other_kinds_are_not_held_to_three_to_six_months(school: Database) -> None:
    assert create(school, directed(kind="订单", end_date=date(2025, 3, 20))) > 0


def test_a_subsidy_above_ten_thousand_is_refused(school: Database) -> None:
    assert refused_fields(school, directed(subsidy_per_person=Decimal("10000.01")), PLAN) == {
        "subsidy_per_person"
    }
    assert create(school, directed(subsidy_per_person=Decimal(10000))) > 0


@pytest.mark.parametrize("industry", ["E99", "煤炭产业", ""])
def test_an_industry_outside_the_24_is_refused(school: Database, industry: str) -> None:
    assert refused_fields(school, directed(industry_code=industry), PLAN) == {"industry_code"}


def test_an_industry_given_by_name_is_stored_by_code(school: Database) -> None:
    class_id = create(school, directed(industry_code="大数据产业"))
    with school.session() as session:
        assert session.get(TrainingClass, class_id).industry_code == "E02"  # type: ignore[union-attr]


@pytest.mark.parametrize("end", [date(2025, 3, 2), date(2025, 3, 3)], ids=["before", "same day"])
def test_an_end_not_after_the_start_is_refused(school: Database, end: date) -> None:
    assert refused_fields(school, directed(end_date=end), PLAN) == {"end_date"}


def test_every_refusal_is_reported_at_once(school: Database) -> None:
    fields = directed(name=" ", industry_code="X", total_hours=0, subsidy_per_person=Decimal(-1))
    assert refused_fields(school, fields, []) == {
        "name",
        "industry_code",
        "total_hours",
        "subsidy_per_person",
    }


# --- teaching plan -------------------------------------------------------------------------


def test_the_plan_total_must_equal_the_total_hours(school: Database) -> None:
    errors = check_plan(PLAN, 150)
    assert [(e.field, e.message) for e in errors] == [
        ("plan_total", "144课时，与总课时150课时不符")
    ]
    assert check_plan(PLAN, 144) == []
    assert check_plan([], 144) == []
    assert refused_fields(school, directed(total_hours=150), PLAN) == {"plan_total"}


def test_plan_rows_are_named_by_row_number() -> None:
    plan = [*PLAN, PlanItemFields(" ", theory_hours=-4, practice_hours=4)]
    labels = [e.label for e in check_plan(plan, 144)]
    assert labels == ["教学计划第3行 模块", "教学计划第3行 理论课时", "教学计划第3行 实践课时"]


def test_editing_the_plan_reuses_rows_and_drops_the_rest(school: Database) -> None:
    class_id = create(school)
    with school.session() as session:
        first = session.get(TrainingClass, class_id)
        assert first is not None
        kept_uuid = first.plan_items[0].uuid
        new_plan = [replace(PLAN[0], practice_hours=104)]
        save_class(session, class_id, directed(), new_plan)
        session.commit()
    with school.session() as session:
        stored = session.get(TrainingClass, class_id)
        assert stored is not None
        assert plan_fields(stored) == new_plan
        assert stored.plan_items[0].uuid == kept_uuid
        assert session.scalar(select(func.count(PlanItem.id))) == 1


def test_a_new_class_is_a_draft_and_an_edit_keeps_its_status(school: Database) -> None:
    class_id = create(school)
    with school.session() as session:
        stored = session.get(TrainingClass, class_id)
        assert stored is not None
        assert stored.status == ClassStatus.DRAFT
        stored.status = ClassStatus.OPEN.value
        save_class(session, class_id, directed(location="二号楼"), PLAN)
        session.commit()
        assert (stored.status, stored.location) == ("开班", "二号楼")


# --- roster --------------------------------------------------------------------------------


def test_enrol_and_unenrol_update_the_counts(school: Database) -> None:
    class_id = create(school)
    a, b, c = add_trainees(school, 3)
    with school.session() as session:
        assert enrol(session, class_id, [a, b, a]) == 2
        assert enrol(session, class_id, [b, c]) == 1
        assert roster_counts(session, class_id) == {
            "enrolled": 3,
            "voucher_issued": 0,
            "voucher_verified": 0,
            "completed": 0,
        }
        assert unenrol(session, class_id, [b]) == 1
        session.commit()
        assert [r.trainee_id for r in roster_rows(session, class_id)] == [a, c]


def test_enrolling_a_missing_trainee_changes_nothing(school: Database) -> None:
    class_id = create(school)
    (a,) = add_trainees(school, 1)
    with school.session() as session, pytest.raises(ValidationFailed):
        enrol(session, class_id, [a, 9999])
    with school.session() as session:
        assert roster_counts(session, class_id)["enrolled"] == 0


def test_completion_needs_an_open_class_a_date_and_a_sane_one(school: Database) -> None:
    class_id = create(school)
    (a,) = add_trainees(school, 1)

    def marks(**flags: object) -> list[RosterEntry]:
        return [RosterEntry(trainee_id=a, **flags)]  # type: ignore[arg-type]

    with school.session() as session:
        enrol(session, class_id, [a])
        with pytest.raises(ValidationFailed, match="开班后才能标记结业"):
            save_roster(session, class_id, marks(completed=True, completion_date=TODAY), TODAY)
        session.get(TrainingClass, class_id).status = "开班"  # type: ignore[union-attr]
        with pytest.raises(ValidationFailed, match="须填写结业日期"):
            save_roster(session, class_id, marks(completed=True), TODAY)
        with pytest.raises(ValidationFailed, match="不能早于开班日期"):
            save_roster(
                session, class_id, marks(completed=True, completion_date=date(2025, 3, 2)), TODAY
            )
        with pytest.raises(ValidationFailed, match="不能晚于今天"):
            save_roster(
                session, class_id, marks(completed=True, completion_date=date(2025, 7, 1)), TODAY
            )
        with pytest.raises(ValidationFailed, match="须先标记已发券"):
            save_roster(session, class_id, marks(voucher_verified=True), TODAY)
        done = marks(
            voucher_issued=True,
            voucher_verified=True,
            completed=True,
            completion_date=date(2025, 6, 2),
        )
        save_roster(session, class_id, done, TODAY)
        assert roster_counts(session, class_id) == {
            "enrolled": 1,
            "voucher_issued": 1,
            "voucher_verified": 1,
            "completed": 1,
        }
        with pytest.raises(ValidationFailed, match="不能移出名单"):
            unenrol(session, class_id, [a])


def test_save_roster_reports_every_bad_row_and_writes_nothing(school: Database) -> None:
    class_id = create(school)
    a, b, c = add_trainees(school, 3)
    with school.session() as session:
        enrol(session, class_id, [a])
        session.commit()
    entries = [
        RosterEntry(b, voucher_verified=True),
        RosterEntry(c, completed=True, completion_date=TODAY),
    ]
    with school.session() as session:
        with pytest.raises(ValidationFailed) as refused:
            save_roster(session, class_id, entries, today=TODAY)
        session.rollback()
        assert [e.label for e in refused.value.errors] == [
            "学员名单第1行（学员乙）",
            "学员名单第2行（学员丙）",
        ]
        assert [r.trainee_id for r in roster_rows(session, class_id)] == [a]


def test_save_roster_makes_the_roster_exactly_the_entries(school: Database) -> None:
    class_id = create(school)
    a, b, c = add_trainees(school, 3)
    with school.session() as session:
        enrol(session, class_id, [a, b])
        session.commit()
    with school.session() as session:
        save_roster(
            session,
            class_id,
            [RosterEntry(b, voucher_issued=True), RosterEntry(c)],
            today=TODAY,
        )
        session.commit()
        rows = roster_rows(session, class_id)
        assert [(r.trainee_id, r.voucher_issued, r.name) for r in rows] == [
            (b, True, "学员乙"),
            (c, False, "学员丙"),
        ]
        assert session.scalar(select(func.count(Enrolment.id))) == 2


def test_class_summaries_count_headcount_and_completers(school: Database) -> None:
    empty = create(
        school, directed(name="空班", start_date=date(2025, 1, 6), end_date=date(2025, 4, 30))
    )
    busy = create(school)
    a, b, c = add_trainees(school, 3)
    with school.session() as session:
        enrol(session, busy, [a, b, c])
        session.get(TrainingClass, busy).status = "开班"  # type: ignore[union-attr]
        save_roster(
            session,
            busy,
            [
                RosterEntry(trainee_id=a),
                RosterEntry(trainee_id=b, completed=True, completion_date=date(2025, 6, 2)),
                RosterEntry(trainee_id=c),
            ],
            TODAY,
        )
        session.commit()
        summaries = class_summaries(session)
    assert [(s.id, s.enrolled, s.completed) for s in summaries] == [(busy, 3, 1), (empty, 0, 0)]


def test_moving_the_start_after_a_completion_is_refused(school: Database) -> None:
    class_id = create(school)
    (a,) = add_trainees(school, 1)
    with school.session() as session:
        enrol(session, class_id, [a])
        session.get(TrainingClass, class_id).status = "开班"  # type: ignore[union-attr]
        done = RosterEntry(trainee_id=a, completed=True, completion_date=date(2025, 4, 1))
        save_roster(session, class_id, [done], TODAY)
        session.commit()
        later = directed(start_date=date(2025, 4, 2), end_date=date(2025, 7, 1))
        with pytest.raises(ValidationFailed) as refused:
            save_class(session, class_id, later, PLAN)
    assert [e.field for e in refused.value.errors] == ["start_date"]


# --- status --------------------------------------------------------------------------------


def step(session: Session, class_id: int) -> ClassStatus:
    """Take the class's next step, as the dialog's 推进 does."""
    current = ClassStatus(session.get(TrainingClass, class_id).status)  # type: ignore[union-attr]
    assert current.following is not None
    return set_status(session, class_id, current.following)


def test_the_status_walks_from_draft_to_completed(school: Database) -> None:
    class_id = create(school)
    with school.session() as session:
        with pytest.raises(ValidationFailed) as refused:
            step(session, class_id)
        assert [e.field for e in refused.value.errors] == ["roster"]
        enrol(session, class_id, add_trainees(school, 1))
        steps = [step(session, class_id) for _ in range(4)]
        assert steps == ["已申请", "已备案", "开班", "结业"]
        with pytest.raises(TransitionRefused, match="“结业”是最后一步"):
            set_status(session, class_id, ClassStatus.DRAFT)


def test_applying_needs_a_plan(school: Database) -> None:
    with school.session() as session:
        class_id = save_class(session, None, directed(), []).id
        with pytest.raises(ValidationFailed) as refused:
            set_status(session, class_id, ClassStatus.APPLIED)
    assert {e.field for e in refused.value.errors} == {"plan", "roster"}


def test_opening_needs_a_roster_still_there(school: Database) -> None:
    class_id = create(school)
    (a,) = add_trainees(school, 1)
    with school.session() as session:
        enrol(session, class_id, [a])
        set_status(session, class_id, ClassStatus.APPLIED)
        set_status(session, class_id, ClassStatus.FILED)
        unenrol(session, class_id, [a])
        with pytest.raises(ValidationFailed, match="开班前须报送学员名单"):
            set_status(session, class_id, ClassStatus.OPEN)
        assert session.get(TrainingClass, class_id).status == "已备案"  # type: ignore[union-attr]


def test_only_the_application_and_the_opening_have_conditions() -> None:
    bare = directed(total_hours=0)
    for target in ClassStatus:
        problems = {e.field for e in step_problems(target, bare, [], 0)}
        expected = {
            ClassStatus.APPLIED: {"total_hours", "plan", "roster"},
            ClassStatus.OPEN: {"roster"},
        }.get(target, set())
        assert problems == expected, target
    assert step_problems(ClassStatus.APPLIED, directed(), PLAN, 1) == []
    assert step_problems(ClassStatus.OPEN, directed(), [], 1) == []


def test_only_drafts_can_be_deleted(school: Database) -> None:
    draft = create(school)
    filed = create(school)
    (a,) = add_trainees(school, 1)
    with school.session() as session:
        enrol(session, filed, [a])
        step(session, filed)
        delete_class(session, draft)
        with pytest.raises(ValidationFailed, match="只能删除草稿"):
            delete_class(session, filed)
        session.commit()
        assert [s.id for s in class_summaries(session)] == [filed]
