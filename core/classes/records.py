"""Storing training classes with their teaching plans and rosters, and moving them along.

The rules of a class itself are in ``core.classes.checks`` and its steps in ``core.classes.status``;
this module adds what needs the database: the plan must add up to the class's hours, the
roster's voucher and completion marks must make sense, and a class takes a step only when it
is ready for it. Every function flushes and leaves the commit to the caller (the use cases of
``application.classes``), so a class, its plan, its roster and a step are saved in one
transaction or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from core import reference
from core.classes.checks import ClassFields, check_class, plan_total
from core.classes.status import ClassStatus, check_transition
from core.fields import FieldError, ValidationFailed
from models.trainee import Trainee
from models.training import Enrolment, PlanItem, TrainingClass

PLAN_LABELS = {
    "module": "模块",
    "content": "内容",
    "theory_hours": "理论课时",
    "practice_hours": "实践课时",
    "teacher": "授课教师",
}
PLAN_LIMITS = {"module": 100, "content": 500, "teacher": 50}

#: The marks of a roster entry, in the order Annex 2 takes them.
Mark = Literal["voucher_issued", "voucher_verified", "completed"]


@dataclass(frozen=True)
class PlanItemFields:
    """One module of the teaching plan (教学计划) as edited."""

    module: str
    content: str = ""
    theory_hours: int = 0
    practice_hours: int = 0
    teacher: str = ""


@dataclass(frozen=True)
class RosterEntry:
    """A trainee on the roster with the voucher steps of Annex 2 and the outcome."""

    trainee_id: int
    voucher_issued: bool = False
    voucher_verified: bool = False
    completed: bool = False
    completion_date: date | None = None

    def marked(self, mark: Mark, checked: bool, completion_date: date) -> RosterEntry:
        """This entry with one mark ticked or unticked, the steps kept in order.

        A voucher is issued before it is verified: verifying issues, withdrawing the issue
        withdraws the verification. Completing takes ``completion_date`` unless a date is
        already there; uncompleting clears it. The roster editor and the command line both
        mark through here, so a tick means the same in both.
        """
        if mark == "voucher_issued":
            return replace(
                self, voucher_issued=checked, voucher_verified=self.voucher_verified and checked
            )
        if mark == "voucher_verified":
            return replace(
                self, voucher_verified=checked, voucher_issued=self.voucher_issued or checked
            )
        if not checked:
            return replace(self, completed=False, completion_date=None)
        return replace(
            self, completed=True, completion_date=self.completion_date or completion_date
        )


def default_completion_date(end_date: date, today: date | None = None) -> date:
    """The completion date a tick gives: the class's end, or today for one marked before it."""
    return min(end_date, today or date.today())


@dataclass(frozen=True)
class RosterRow(RosterEntry):
    """A roster entry with what the roster shows of the trainee."""

    name: str = ""
    gender: str = ""
    id_number: str = ""
    phone: str = ""

    def entry(self) -> RosterEntry:
        """The entry alone, without what is shown of the trainee (what a save takes)."""
        return RosterEntry(
            trainee_id=self.trainee_id,
            voucher_issued=self.voucher_issued,
            voucher_verified=self.voucher_verified,
            completed=self.completed,
            completion_date=self.completion_date,
        )


@dataclass(frozen=True)
class ClassSummary:
    id: int
    name: str
    industry_code: str
    kind: str
    start_date: date
    end_date: date
    planned_headcount: int
    status: ClassStatus
    enrolled: int
    completed: int


def _refuse(field: str, label: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, label, message)])


def _how_many(mark: QueryableAttribute[bool]) -> ColumnElement[int]:
    """SQL: how many enrolments of the group carry ``mark`` (0 for an empty group)."""
    return func.coalesce(func.sum(case((mark, 1), else_=0)), 0)


def get_class(session: Session, class_id: int) -> TrainingClass:
    """The class, or the refusal every caller gives for one deleted meanwhile."""
    training_class = session.get(TrainingClass, class_id)
    if training_class is None:
        raise _refuse("class", "培训班", "不存在（可能已被删除）")
    return training_class


# --- Teaching plan --------------------------------------------------------------------------


def check_plan(items: Sequence[PlanItemFields], total_hours: int) -> list[FieldError]:
    """Problems of the plan, row by row, and its total against the class's total hours.

    An empty plan passes here (a draft may be saved before the plan is written); the step to
    已申请 requires one.
    """
    errors: list[FieldError] = []
    for row, item in enumerate(items, start=1):

        def error(field: str, message: str, row: int = row) -> None:
            errors.append(FieldError("plan", f"教学计划第{row}行 {PLAN_LABELS[field]}", message))

        if not item.module.strip():
            error("module", "不能为空")
        for field, limit in PLAN_LIMITS.items():
            if len(getattr(item, field).strip()) > limit:
                error(field, f"不能超过{limit}个字")
        for field in ("theory_hours", "practice_hours"):
            if getattr(item, field) < 0:
                error(field, "不能为负数")
        if item.theory_hours + item.practice_hours == 0:
            error("practice_hours", "理论与实践课时不能都为0")
    total = plan_total((i.theory_hours, i.practice_hours) for i in items)
    if items and total != total_hours:
        errors.append(
            FieldError("plan_total", "教学计划合计", f"{total}课时，与总课时{total_hours}课时不符")
        )
    return errors


def _store_plan(training_class: TrainingClass, items: Sequence[PlanItemFields]) -> None:
    # Rows are reused position by position, so an unchanged module keeps its revision and a
    # package carries only what really changed.
    existing = list(training_class.plan_items)
    for position, item in enumerate(items):
        if position < len(existing):
            row = existing[position]
        else:
            row = PlanItem()
            training_class.plan_items.append(row)
        row.position = position
        row.module = item.module.strip()
        row.content = item.content.strip()
        row.theory_hours = item.theory_hours
        row.practice_hours = item.practice_hours
        row.teacher = item.teacher.strip()
    del training_class.plan_items[len(items) :]


def plan_fields(training_class: TrainingClass) -> list[PlanItemFields]:
    return [
        PlanItemFields(
            module=p.module,
            content=p.content,
            theory_hours=p.theory_hours,
            practice_hours=p.practice_hours,
            teacher=p.teacher,
        )
        for p in training_class.plan_items
    ]


# --- The class ------------------------------------------------------------------------------


def class_fields(training_class: TrainingClass) -> ClassFields:
    """A stored class as fields, to fill the dialog."""
    return ClassFields(
        name=training_class.name,
        industry_code=training_class.industry_code,
        start_date=training_class.start_date,
        end_date=training_class.end_date,
        occupation=training_class.occupation,
        kind=training_class.kind,
        location=training_class.location,
        planned_headcount=training_class.planned_headcount,
        participant_identity=training_class.participant_identity,
        total_hours=training_class.total_hours,
        subsidy_per_person=Decimal(training_class.subsidy_per_person),
    )


def save_class(
    session: Session,
    class_id: int | None,
    fields: ClassFields,
    plan_items: Sequence[PlanItemFields],
) -> TrainingClass:
    """Create (``class_id`` None) or update a class and its plan; raises ``ValidationFailed``.

    A new class is a draft. Its status then moves only through ``set_status``, whose checks
    an edit must not bypass, so even a class filed on paper before CertDesk was installed
    takes its steps one by one, each with its checks.
    """
    training_class = None if class_id is None else get_class(session, class_id)
    errors = check_class(fields) + check_plan(plan_items, fields.total_hours)
    if training_class is not None:
        early = _completed_before(session, training_class.id, fields.start_date)
        if early:
            errors.append(
                FieldError("start_date", "开班日期", f"有{early}名学员的结业日期早于该日期")
            )
    if len(fields.location.strip()) > 200:
        errors.append(FieldError("location", "培训地点", "不能超过200个字"))
    if errors:
        raise ValidationFailed(errors)
    industry = reference.find_industry(fields.industry_code)
    assert industry is not None  # check_class refused any other
    if training_class is None:
        training_class = TrainingClass(status=ClassStatus.DRAFT.value)
        session.add(training_class)
    training_class.name = fields.name.strip()
    training_class.industry_code = industry.code
    training_class.occupation = fields.occupation.strip()
    training_class.kind = fields.kind
    training_class.start_date = fields.start_date
    training_class.end_date = fields.end_date
    training_class.location = fields.location.strip()
    training_class.planned_headcount = fields.planned_headcount
    training_class.participant_identity = fields.participant_identity.strip()
    training_class.total_hours = fields.total_hours
    training_class.subsidy_per_person = fields.subsidy_per_person
    _store_plan(training_class, plan_items)
    session.flush()
    return training_class


def _completed_before(session: Session, class_id: int, start: date) -> int:
    """How many trainees of the class completed before ``start`` (a start date moved later)."""
    return (
        session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.class_id == class_id, Enrolment.completion_date < start
            )
        )
        or 0
    )


def delete_class(session: Session, class_id: int) -> None:
    """Delete a draft; a class that has been filed stays on record."""
    training_class = get_class(session, class_id)
    status = ClassStatus(training_class.status)
    if not status.can_be_deleted:
        draft = ClassStatus.DRAFT
        raise _refuse("status", "状态", f"只能删除{draft}状态的培训班（本班为{status}）")
    session.delete(training_class)
    session.flush()


def class_summaries(session: Session) -> list[ClassSummary]:
    """Every class with its headcount and completers, newest first, in one query."""
    enrolled = func.count(Enrolment.id)
    completed = _how_many(Enrolment.completed)
    query = (
        select(TrainingClass, enrolled, completed)
        .outerjoin(Enrolment, Enrolment.class_id == TrainingClass.id)
        .group_by(TrainingClass.id)
        .order_by(TrainingClass.start_date.desc(), TrainingClass.id.desc())
    )
    return [
        ClassSummary(
            id=c.id,
            name=c.name,
            industry_code=c.industry_code,
            kind=c.kind,
            start_date=c.start_date,
            end_date=c.end_date,
            planned_headcount=c.planned_headcount,
            status=ClassStatus(c.status),
            enrolled=n,
            completed=done,
        )
        for c, n, done in session.execute(query)
    ]


# --- Roster ---------------------------------------------------------------------------------


def check_enrolment(
    entry: RosterEntry, status: ClassStatus, start_date: date, today: date | None = None
) -> list[str]:
    """What is wrong with one trainee's marks on a roster (messages only).

    Takes the class's status and start date rather than the class, so the roster editor can
    check rows against what the dialog shows before anything is saved.
    """
    today = today or date.today()
    problems: list[str] = []
    if entry.voucher_verified and not entry.voucher_issued:
        problems.append("已验券的学员须先标记已发券")
    if entry.completed:
        if not status.marks_completion:
            problems.append(f"培训班{status}，开班后才能标记结业")
        if entry.completion_date is None:
            problems.append("已结业的学员须填写结业日期")
        elif entry.completion_date < start_date:
            problems.append(f"结业日期不能早于开班日期{start_date:%Y-%m-%d}")
        elif entry.completion_date > today:
            problems.append("结业日期不能晚于今天")
    elif entry.completion_date is not None:
        problems.append("未结业的学员不应有结业日期")
    return problems


def enrol(session: Session, class_id: int, trainee_ids: Sequence[int]) -> int:
    """Put trainees on the roster; those already on it are left alone. Returns how many joined."""
    training_class = get_class(session, class_id)
    if not ClassStatus(training_class.status).takes_trainees:
        raise _refuse("roster", "学员名单", f"培训班已{ClassStatus.FINISHED}，不能再加入学员")
    wanted = set(trainee_ids)
    found = set(session.scalars(select(Trainee.id).where(Trainee.id.in_(wanted))))
    if wanted - found:
        raise _refuse("roster", "学员名单", f"有{len(wanted - found)}名学员不存在（可能已被删除）")
    present = set(
        session.scalars(
            select(Enrolment.trainee_id).where(
                Enrolment.class_id == class_id, Enrolment.trainee_id.in_(wanted)
            )
        )
    )
    added = [t for t in dict.fromkeys(trainee_ids) if t not in present]
    session.add_all(Enrolment(class_id=class_id, trainee_id=t) for t in added)
    session.flush()
    return len(added)


def unenrol(session: Session, class_id: int, trainee_ids: Sequence[int]) -> int:
    """Take trainees off the roster; a trainee marked completed stays. Returns how many left."""
    get_class(session, class_id)
    enrolments = list(
        session.scalars(
            select(Enrolment).where(
                Enrolment.class_id == class_id, Enrolment.trainee_id.in_(trainee_ids)
            )
        )
    )
    completed = [e for e in enrolments if e.completed]
    if completed:
        raise _refuse(
            "roster",
            "学员名单",
            f"有{len(completed)}名学员已标记结业，不能移出名单（请先取消结业标记）",
        )
    for enrolment in enrolments:
        session.delete(enrolment)
    session.flush()
    return len(enrolments)


def _enrolment(session: Session, class_id: int, trainee_id: int) -> Enrolment:
    enrolment = session.scalar(
        select(Enrolment).where(Enrolment.class_id == class_id, Enrolment.trainee_id == trainee_id)
    )
    if enrolment is None:
        raise _refuse("roster", "学员名单", "该学员不在本班名单中")
    return enrolment


def _apply_marks(enrolment: Enrolment, entry: RosterEntry) -> None:
    enrolment.voucher_issued = entry.voucher_issued
    enrolment.voucher_verified = entry.voucher_verified
    enrolment.completed = entry.completed
    enrolment.completion_date = entry.completion_date


def save_roster(
    session: Session,
    class_id: int,
    entries: Sequence[RosterEntry],
    today: date | None = None,
) -> None:
    """Make the roster exactly ``entries``: join, leave and marks, all checked first.

    Every problem of every row is reported at once, named by its row and trainee.
    """
    training_class = get_class(session, class_id)
    query = select(Trainee.id, Trainee.name).where(Trainee.id.in_([e.trainee_id for e in entries]))
    names = {trainee_id: name for trainee_id, name in session.execute(query)}
    errors: list[FieldError] = []
    for row, entry in enumerate(entries, start=1):
        label = f"学员名单第{row}行（{names.get(entry.trainee_id, '已删除的学员')}）"
        problems = check_enrolment(
            entry, ClassStatus(training_class.status), training_class.start_date, today
        )
        if entry.trainee_id not in names:
            problems.insert(0, "该学员不存在（可能已被删除）")
        errors += [FieldError("roster", label, p) for p in problems]
    if errors:
        raise ValidationFailed(errors)
    wanted = {e.trainee_id: e for e in entries}
    current = {e.trainee_id for e in training_class.enrolments}
    leaving = sorted(current - wanted.keys())
    if leaving:
        unenrol(session, class_id, leaving)
    joining = [t for t in wanted if t not in current]
    if joining:
        enrol(session, class_id, joining)
    session.expire(training_class, ["enrolments"])
    for enrolment in training_class.enrolments:
        _apply_marks(enrolment, wanted[enrolment.trainee_id])
    session.flush()


def roster_rows(session: Session, class_id: int) -> list[RosterRow]:
    """The roster in the order trainees joined it."""
    query = (
        select(Enrolment, Trainee)
        .join(Enrolment.trainee)
        .where(Enrolment.class_id == class_id)
        .order_by(Enrolment.id)
    )
    return [
        RosterRow(
            trainee_id=t.id,
            voucher_issued=e.voucher_issued,
            voucher_verified=e.voucher_verified,
            completed=e.completed,
            completion_date=e.completion_date,
            name=t.name,
            gender=t.gender,
            id_number=t.id_number,
            phone=t.phone,
        )
        for e, t in session.execute(query).tuples()
    ]


def roster_counts(session: Session, class_id: int) -> dict[str, int]:
    """Headcount and how many reached each voucher step and completion, by SQL aggregates."""
    row = session.execute(
        select(
            func.count(Enrolment.id).label("enrolled"),
            _how_many(Enrolment.voucher_issued).label("voucher_issued"),
            _how_many(Enrolment.voucher_verified).label("voucher_verified"),
            _how_many(Enrolment.completed).label("completed"),
        ).where(Enrolment.class_id == class_id)
    ).one()
    return {key: int(value) for key, value in row._mapping.items()}


# --- Status ---------------------------------------------------------------------------------


def step_problems(
    target: ClassStatus,
    fields: ClassFields,
    plan: Sequence[PlanItemFields],
    enrolled: int,
) -> list[FieldError]:
    """What the class still lacks for the step to ``target`` (empty when it is ready).

    To file the application (已申请) the Annex 3 report must be complete: valid fields, a
    teaching plan adding up to the total hours, and a roster (its attachment 1). To open
    (开班) the roster must still hold trainees: Annex 2 has it reported before the class
    opens, and a roster may change after the application. Whether the step itself is allowed
    is ``core.classes.status``'s table, checked first by ``set_status``.
    """
    errors: list[FieldError] = []
    if target is ClassStatus.APPLIED:
        errors += check_class(fields)
        if not plan:
            errors.append(FieldError("plan", "教学计划", "申请前须填写教学计划"))
        errors += check_plan(plan, fields.total_hours)
        if not enrolled:
            errors.append(FieldError("roster", "学员名单", "申请前须加入学员"))
    elif target is ClassStatus.OPEN and not enrolled:
        errors.append(FieldError("roster", "学员名单", "开班前须报送学员名单，名单中还没有学员"))
    return errors


def set_status(session: Session, class_id: int, target: ClassStatus) -> ClassStatus:
    """Move the class to ``target``: ``TransitionRefused`` if the table does not allow the
    move, ``ValidationFailed`` with what is missing if the class is not ready for it."""
    training_class = get_class(session, class_id)
    check_transition(ClassStatus(training_class.status), target)
    errors = step_problems(
        target,
        class_fields(training_class),
        plan_fields(training_class),
        roster_counts(session, class_id)["enrolled"],
    )
    if errors:
        raise ValidationFailed(errors)
    training_class.status = target.value
    session.flush()
    return target
