"""Training classes as use cases: list, show, create, edit, step along, delete.

The class dialog and the ``classes`` commands call these and nothing else, so a class saved
from either is checked by the same rules and written the same way. Each function opens its
own session and commits once or not at all; the row changes are audited by
``models.audit_hook`` in the same flush, so a refusal leaves neither a change nor an entry.
The rules themselves stay in ``core``: the Annex 3 fields (``core.classes.checks``), the plan, the
roster and what a step needs (``core.classes.records``), which steps exist
(``core.classes.status``).

What is shown of a trainee is masked (ID number and phone): neither the screen nor a
command's output needs more, and full numbers leave only through the audited exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from core.classes import records as class_records
from core.classes.checks import ClassFields
from core.classes.records import ClassSummary, PlanItemFields, RosterEntry, RosterRow
from core.classes.status import ClassStatus
from core.fields import FieldError, ValidationFailed
from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.institution import local_institution
from core.trainees.records import find_by_id_number
from models.database import Database

__all__ = [
    "ClassDetail",
    "ClassInput",
    "ClassSummary",
    "change_status",
    "create_class",
    "delete_class",
    "edit_class",
    "list_classes",
    "occupation_choices",
    "show_class",
    "trainees_by_id_number",
]


@dataclass(frozen=True)
class ClassInput:
    """Everything the clerk edits of a class: the Annex 3 fields, the plan and the roster.

    The roster is given whole: who is on it and each one's marks; whoever is left out leaves.
    """

    fields: ClassFields
    plan: Sequence[PlanItemFields] = ()
    roster: Sequence[RosterEntry] = ()


@dataclass(frozen=True)
class ClassDetail:
    """A stored class as the dialog and ``classes show`` present it; numbers masked."""

    id: int
    status: ClassStatus
    fields: ClassFields
    plan: tuple[PlanItemFields, ...]
    roster: tuple[RosterRow, ...]

    def as_input(self) -> ClassInput:
        """What is stored, as the input of an edit that changes only part of it."""
        return ClassInput(self.fields, self.plan, tuple(r.entry() for r in self.roster))

    def counts(self) -> dict[str, int]:
        """Headcount and how many reached each voucher step and completion."""
        return {
            "enrolled": len(self.roster),
            "voucher_issued": sum(r.voucher_issued for r in self.roster),
            "voucher_verified": sum(r.voucher_verified for r in self.roster),
            "completed": sum(r.completed for r in self.roster),
        }


def _masked(row: RosterRow) -> RosterRow:
    return replace(row, id_number=mask_id_number(row.id_number), phone=mask_phone(row.phone))


def _detail(session: Session, class_id: int) -> ClassDetail:
    training_class = class_records.get_class(session, class_id)
    return ClassDetail(
        id=training_class.id,
        status=ClassStatus(training_class.status),
        fields=class_records.class_fields(training_class),
        plan=tuple(class_records.plan_fields(training_class)),
        roster=tuple(_masked(r) for r in class_records.roster_rows(session, class_id)),
    )


def list_classes(database: Database) -> list[ClassSummary]:
    """Every class with its headcount and completers, newest first."""
    with database.session() as session:
        return class_records.class_summaries(session)


def show_class(database: Database, class_id: int) -> ClassDetail:
    """One class with its plan and roster; ``ValidationFailed`` if it does not exist."""
    with database.session() as session:
        return _detail(session, class_id)


def occupation_choices(database: Database) -> list[str]:
    """The occupations this institution offers (Annex 4), suggested for a class's 工种."""
    with database.session() as session:
        institution = local_institution(session)
        return [o.name for o in institution.occupations] if institution else []


def trainees_by_id_number(database: Database, id_numbers: Sequence[str]) -> dict[str, int]:
    """This institution's trainees by ID number as typed (any form), for a roster given by
    number; refuses, naming every number (masked) that belongs to no trainee here."""
    found: dict[str, int] = {}
    errors: list[FieldError] = []
    with database.session() as session:
        for number in dict.fromkeys(id_numbers):
            trainee = find_by_id_number(session, number)
            if trainee is None:
                errors.append(
                    FieldError(
                        "roster",
                        "学员名单",
                        f"没有身份证号为{mask_id_number(number)}的学员（请先登记学员）",
                    )
                )
            else:
                found[number] = trainee.id
    if errors:
        raise ValidationFailed(errors)
    return found


def _save(
    database: Database, class_id: int | None, data: ClassInput, move_to: ClassStatus | None
) -> ClassDetail:
    with database.session() as session:
        training_class = class_records.save_class(session, class_id, data.fields, data.plan)
        class_records.save_roster(session, training_class.id, data.roster)
        if move_to is not None:
            class_records.set_status(session, training_class.id, move_to)
        session.commit()
        return _detail(session, training_class.id)


def create_class(
    database: Database, data: ClassInput, move_to: ClassStatus | None = None
) -> ClassDetail:
    """Create a class (a draft) with its plan and roster; ``move_to`` takes its first step in
    the same transaction (the dialog's 推进 before the first save). Raises
    ``ValidationFailed`` with every field's problem, having written nothing."""
    return _save(database, None, data, move_to)


def edit_class(
    database: Database, class_id: int, data: ClassInput, move_to: ClassStatus | None = None
) -> ClassDetail:
    """Replace a class's fields, plan and roster with ``data``, and with ``move_to`` take a
    step as well, all or nothing: the dialog saves what the clerk changed with the step."""
    return _save(database, class_id, data, move_to)


def change_status(database: Database, class_id: int, target: ClassStatus) -> ClassDetail:
    """Move the class to ``target``: ``TransitionRefused`` (naming both statuses) unless it is
    the next step, ``ValidationFailed`` with what is missing unless the class is ready."""
    with database.session() as session:
        class_records.set_status(session, class_id, target)
        session.commit()
        return _detail(session, class_id)


def delete_class(database: Database, class_id: int) -> str:
    """Delete a draft with its plan and roster; returns its name for the confirmation."""
    with database.session() as session:
        name = class_records.get_class(session, class_id).name
        class_records.delete_class(session, class_id)
        session.commit()
        return name
