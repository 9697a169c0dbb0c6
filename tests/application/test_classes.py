"""The training-class use cases: each one transaction with its audit entries, or nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from application.classes import (
    ClassInput,
    change_status,
    create_class,
    delete_class,
    edit_class,
    list_classes,
    occupation_choices,
    show_class,
    trainees_by_id_number,
)
from core.classes.checks import ClassFields, directed_end_range
from core.classes.records import PlanItemFields, RosterEntry
from core.classes.status import ClassStatus, TransitionRefused
from core.fields import ValidationFailed
from core.identity.idcard import id_check_char
from core.safety.audit import AuditFilter, query_audit
from models.audit import AuditEntry
from models.database import Database
from models.trainee import Trainee
from models.training import Enrolment, PlanItem, TrainingClass

START = date.today() - timedelta(days=30)
PLAN = (
    PlanItemFields("信创基础软硬件", "国产CPU与操作系统概论", 40, 24, "赵志强"),
    PlanItemFields("国产数据库", "部署、迁移与调优", 24, 56, "周晓东"),
)
FIELDS = ClassFields(
    name="信息技术应用创新产业运维定向培训班",
    industry_code="E01",
    start_date=START,
    end_date=directed_end_range(START)[0],
    occupation="计算机程序设计员",
    location="实训楼",
    planned_headcount=40,
    total_hours=144,
    subsidy_per_person=Decimal(3200),
)


def make_id(serial: int) -> str:
    first17 = f"14010519850312{serial:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def trainees(school: Database) -> list[int]:
    with school.session() as session:
        people = [
            Trainee(name=name, gender="男", id_number=make_id(serial), phone="13700001111")
            for serial, name in enumerate(("孙海", "周敏", "吴刚"), start=1)
        ]
        session.add_all(people)
        session.commit()
        return [p.id for p in people]


def snapshot(db: Database) -> tuple[object, ...]:
    """Everything a refused use case must leave as it was."""
    with db.session() as session:
        counts = tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (TrainingClass, PlanItem, Enrolment, AuditEntry)
        )
        rows = tuple(
            session.execute(
                select(TrainingClass.location, TrainingClass.status, TrainingClass.revision)
            ).tuples()
        )
        return (*counts, rows)


def audit(db: Database, entity: str) -> list[tuple[str, str]]:
    with db.session() as session:
        return [(e.action, e.changes) for e in query_audit(session, AuditFilter(entity=entity))]


def test_create_writes_the_class_its_plan_and_roster_as_a_draft(
    school: Database, trainees: list[int]
) -> None:
    detail = create_class(school, ClassInput(FIELDS, PLAN, [RosterEntry(t) for t in trainees]))
    assert detail.status is ClassStatus.DRAFT
    assert detail.fields == FIELDS
    assert detail.plan == PLAN
    assert [r.name for r in detail.roster] == ["孙海", "周敏", "吴刚"]
    assert detail.roster[0].id_number == f"140105********{make_id(1)[-4:]}"
    assert detail.roster[0].phone == "137****1111"
    assert show_class(school, detail.id) == detail
    assert [(s.id, s.enrolled) for s in list_classes(school)] == [(detail.id, 3)]
    assert [a for a, _ in audit(school, "training_classes")] == ["新增"]
    assert [a for a, _ in audit(school, "plan_items")] == ["新增", "新增"]
    assert [a for a, _ in audit(school, "enrolments")] == ["新增"] * 3


def test_a_refused_create_writes_nothing_and_names_every_field(school: Database) -> None:
    before = snapshot(school)
    bad = replace(FIELDS, name=" ", end_date=START, total_hours=150)
    with pytest.raises(ValidationFailed) as refused:
        create_class(school, ClassInput(bad, PLAN))
    assert {e.field for e in refused.value.errors} == {"name", "end_date", "plan_total"}
    assert snapshot(school) == before


def test_a_roster_refused_after_the_class_was_flushed_leaves_nothing(school: Database) -> None:
    before = snapshot(school)
    with pytest.raises(ValidationFailed, match="该学员不存在"):
        create_class(school, ClassInput(FIELDS, PLAN, [RosterEntry(9999)]))
    assert snapshot(school) == before


def test_edit_changes_fields_plan_and_marks(school: Database, trainees: list[int]) -> None:
    class_id = create_class(school, ClassInput(FIELDS, PLAN, [RosterEntry(trainees[0])])).id
    change_status(school, class_id, ClassStatus.APPLIED)
    change_status(school, class_id, ClassStatus.FILED)
    change_status(school, class_id, ClassStatus.OPEN)
    done = date.today()
    roster = [
        RosterEntry(trainees[0], voucher_issued=True, voucher_verified=True),
        RosterEntry(trainees[1], voucher_issued=True, completed=True, completion_date=done),
    ]
    plan = (PlanItemFields("综合实训", "", 0, 144, "赵志强"),)
    detail = edit_class(
        school, class_id, ClassInput(replace(FIELDS, location="二号楼"), plan, roster)
    )
    assert (detail.status, detail.fields.location, detail.plan) == (
        ClassStatus.OPEN,
        "二号楼",
        plan,
    )
    assert [r.entry() for r in detail.roster] == roster
    assert detail.counts() == {
        "enrolled": 2,
        "voucher_issued": 2,
        "voucher_verified": 1,
        "completed": 1,
    }
    changes = [c for a, c in audit(school, "training_classes") if a == "修改"]
    assert any("培训地点" in c for c in changes)
    assert sum("状态" in c for c in changes) == 3


def test_an_edit_with_a_refused_step_saves_nothing(school: Database, trainees: list[int]) -> None:
    class_id = create_class(school, ClassInput(FIELDS, PLAN)).id
    before = snapshot(school)
    edited = ClassInput(replace(FIELDS, location="二号楼"), PLAN)
    with pytest.raises(ValidationFailed, match="申请前须加入学员"):
        edit_class(school, class_id, edited, ClassStatus.APPLIED)
    assert snapshot(school) == before
    with_roster = replace(edited, roster=[RosterEntry(trainees[0])])
    detail = edit_class(school, class_id, with_roster, ClassStatus.APPLIED)
    assert (detail.status, detail.fields.location) == (ClassStatus.APPLIED, "二号楼")


def test_a_bad_mark_refuses_the_whole_edit(school: Database, trainees: list[int]) -> None:
    class_id = create_class(school, ClassInput(FIELDS, PLAN, [RosterEntry(trainees[0])])).id
    before = snapshot(school)
    marked = [RosterEntry(trainees[0], completed=True, completion_date=date.today())]
    with pytest.raises(ValidationFailed, match="开班后才能标记结业"):
        edit_class(school, class_id, ClassInput(replace(FIELDS, location="新址"), PLAN, marked))
    assert snapshot(school) == before


def test_a_refused_step_names_both_statuses_and_changes_nothing(
    school: Database, trainees: list[int]
) -> None:
    class_id = create_class(school, ClassInput(FIELDS, PLAN, [RosterEntry(trainees[0])])).id
    before = snapshot(school)
    with pytest.raises(TransitionRefused, match="不能由“草稿”改为“开班”"):
        change_status(school, class_id, ClassStatus.OPEN)
    assert snapshot(school) == before
    assert change_status(school, class_id, ClassStatus.APPLIED).status is ClassStatus.APPLIED
    with pytest.raises(TransitionRefused, match="状态不能回退"):
        change_status(school, class_id, ClassStatus.DRAFT)


def test_delete_takes_a_draft_and_refuses_a_filed_class(
    school: Database, trainees: list[int]
) -> None:
    draft = create_class(school, ClassInput(FIELDS, PLAN, [RosterEntry(trainees[0])])).id
    filed = create_class(school, ClassInput(FIELDS, PLAN, [RosterEntry(trainees[1])]))
    change_status(school, filed.id, ClassStatus.APPLIED)
    assert delete_class(school, draft) == FIELDS.name
    before = snapshot(school)
    with pytest.raises(ValidationFailed, match="只能删除草稿状态的培训班（本班为已申请）"):
        delete_class(school, filed.id)
    assert snapshot(school) == before
    assert [s.id for s in list_classes(school)] == [filed.id]
    assert "删除" in [action for action, _ in audit(school, "training_classes")]
    with pytest.raises(ValidationFailed, match="不存在"):
        show_class(school, draft)


def test_trainees_are_found_by_id_number_in_any_form(school: Database, trainees: list[int]) -> None:
    typed = make_id(2).replace("1", "１")
    assert trainees_by_id_number(school, [typed]) == {typed: trainees[1]}
    with pytest.raises(ValidationFailed) as refused:
        trainees_by_id_number(school, [make_id(1), make_id(9)])
    (error,) = refused.value.errors
    assert error.field == "roster"
    assert f"140105********{make_id(9)[-4:]}" in error.message


def test_the_occupations_suggested_are_the_institutions(school: Database) -> None:
    assert occupation_choices(school) == []
