"""Trainees as use cases: add, edit, check, show, list, delete and undo, reveal a number.

The 学员 page, the trainee and certificate dialogs, the roster's picker and ``trainees …`` on
the command line all come here, so a trainee is refused for the same reasons with the same
words wherever it is typed. Each function opens its own session and commits once, or writes
nothing: the checks are ``core.trainees.checks.check_trainee`` and ``core.trainees.records`` (a
duplicate ID number names its holder), and a refusal is ``ValidationFailed`` with the field
errors. Row changes reach the audit log through ``models.audit_hook`` in the same commit; a
full number shown to the clerk is recorded here, by the one function that hands it out.

What is returned for the screen has its ID numbers and phones masked. The exceptions are
named where they are: the pickers' hits (the roster keeps them and masks them itself), the
snapshot a deletion returns for its undo, and ``reveal_full_number``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from enum import Enum
from typing import Literal

from sqlalchemy.orm import Session

from core.fields import FieldError, ValidationFailed
from core.identity.idcard import check_id_number, mask_id_number
from core.identity.phone import mask_phone
from core.safety.audit import REVEALED, record_action
from core.trainees import records as trainee_records
from core.trainees import search as trainee_search
from core.trainees.checks import TraineeFields, check_trainee
from core.trainees.records import (
    DeletedTrainees,
    DeletionPreview,
    TraineeDetails,
    duplicate_error,
    save_trainee,
    stored_trainee,
    trainee_details,
    trainee_fields,
)
from core.trainees.search import TraineeHit
from models.bookkeeping import local_origin
from models.database import Database
from models.trainee import Trainee

#: The numbers a clerk may ask to see in full.
NumberField = Literal["id_number", "phone"]
#: What a new trainee starts from before the clerk's input is applied.
BLANK = TraineeFields(name="", id_number="")


class Keep(Enum):
    """The value of a field that an edit leaves as it is stored."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class TraineeEdit:
    """What an edit changes; a field left at ``KEEP`` keeps its stored value.

    The edit form holds a stored ID number or phone masked, and learns it only if the clerk
    reveals it; ``trainees edit`` changes only the options given. Gender is never kept: the
    ID number says it, so it follows the number.
    """

    name: str | Keep = KEEP
    id_number: str | Keep = KEEP
    phone: str | Keep = KEEP
    identity: str | Keep = KEEP
    employer: str | Keep = KEEP
    major: str | Keep = KEEP
    class_name: str | Keep = KEEP
    graduation_year: int | Keep | None = KEEP

    def applied_to(self, stored: TraineeFields) -> TraineeFields:
        changes = {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not KEEP
        }
        return replace(stored, gender="", **changes)


@dataclass(frozen=True)
class SavedTrainee:
    """A trainee just written; ``warnings`` are what was accepted but worth a second look."""

    trainee_id: int
    uuid: str
    name: str
    warnings: tuple[FieldError, ...]


@dataclass(frozen=True)
class TraineeCheck:
    """The form's input checked as it is typed: the refusals, the warnings, and what the ID
    number says (gender, birth date, region), which the form shows instead of asking."""

    errors: tuple[FieldError, ...]
    warnings: tuple[FieldError, ...]
    gender: str | None = None
    birth_date: date | None = None
    region: str | None = None


@dataclass(frozen=True)
class TraineeRow:
    """One line of ``list_trainees``, numbers masked."""

    trainee_id: int
    name: str
    gender: str
    id_number: str
    phone: str
    identity: str
    major: str
    class_name: str
    employer: str
    graduation_year: int | None
    certificates: int
    origin: str


def require_institution(session: Session) -> None:
    """Refuse a write before this installation's institution is registered: every trainee
    and certificate is stored under its 统一社会信用代码 (the rows' ``origin``)."""
    if local_origin(session) is None:
        raise ValidationFailed(
            [FieldError("institution", "本机构", "尚未登记：请先完成初始设置（init）")]
        )


def _saved(trainee: Trainee, entered: TraineeFields, today: date | None) -> SavedTrainee:
    return SavedTrainee(
        trainee_id=trainee.id,
        uuid=trainee.uuid,
        name=trainee.name,
        warnings=check_trainee(entered, today=today).warnings,
    )


# --- Writing --------------------------------------------------------------------------------


def add_trainee(
    database: Database, entered: TraineeFields, today: date | None = None
) -> SavedTrainee:
    """Register a new trainee of this institution.

    Refused with every field error at once (an ID number already registered here names its
    holder, as ``DuplicateIdNumber``), and then nothing is written.
    """
    with database.session() as session:
        require_institution(session)
        trainee = save_trainee(session, None, entered, today=today)
        saved = _saved(trainee, entered, today)
        session.commit()
    return saved


def edit_trainee(
    database: Database, trainee_id: int, edit: TraineeEdit, today: date | None = None
) -> SavedTrainee:
    """Change the fields ``edit`` names; the others keep their stored values.

    Refused like ``add_trainee``, and also for a trainee another institution reported (its
    owner's next package would undo the change).
    """
    with database.session() as session:
        entered = edit.applied_to(trainee_fields(stored_trainee(session, trainee_id)))
        trainee = save_trainee(session, trainee_id, entered, today=today)
        saved = _saved(trainee, entered, today)
        session.commit()
    return saved


def check_trainee_input(
    database: Database, trainee_id: int | None, edit: TraineeEdit, today: date | None = None
) -> TraineeCheck:
    """What saving ``edit`` would be refused for, without writing: the form asks on every
    keystroke so that a duplicate ID number is caught as soon as it is complete."""
    with database.session() as session:
        stored = session.get(Trainee, trainee_id) if trainee_id is not None else None
        entered = edit.applied_to(BLANK if stored is None else trainee_fields(stored))
        checked = check_trainee(entered, today=today)
        errors = list(checked.errors)
        if not any(e.field == "id_number" for e in errors):
            duplicate = duplicate_error(session, checked.fields.id_number, trainee_id)
            if duplicate is not None:
                errors.append(duplicate)
    number = check_id_number(entered.id_number) if entered.id_number.strip() else None
    return TraineeCheck(
        errors=tuple(errors),
        warnings=checked.warnings,
        gender=number.gender if number else None,
        birth_date=number.birth_date if number else None,
        region=number.region if number else None,
    )


def deletion_preview(database: Database, trainee_ids: Sequence[int]) -> DeletionPreview:
    """Who would be deleted, and how many certificates and roster places go with them."""
    with database.session() as session:
        return trainee_records.deletion_preview(session, trainee_ids)


def delete_trainees(database: Database, trainee_ids: Sequence[int]) -> DeletedTrainees:
    """Delete trainees with their certificates and roster places, each leaving a tombstone.

    Returns everything deleted (full numbers included), which ``undo_deletion`` puts back
    under the same uuids; ids no longer there are ignored. At most
    ``core.trainees.records.MAX_DELETE`` at once; another institution's trainees are refused.
    """
    with database.session() as session:
        snapshot = trainee_records.delete_trainees(session, trainee_ids)
        session.commit()
    return snapshot


def undo_deletion(database: Database, snapshot: DeletedTrainees) -> list[int]:
    """Restore what ``delete_trainees`` deleted, under the same uuids; the restored ids.

    Refused, writing nothing, when an ID or certificate number has been taken since.
    """
    with database.session() as session:
        restored = trainee_records.restore_trainees(session, snapshot)
        session.commit()
    return restored


# --- Reading --------------------------------------------------------------------------------


def show_trainee(database: Database, trainee_id: int) -> TraineeDetails | None:
    """One trainee with their certificates and classes, numbers masked; None if not there."""
    with database.session() as session:
        return trainee_details(session, trainee_id)


def list_trainees(
    database: Database,
    search: str = "",
    *,
    without_certificate: bool = False,
    limit: int | None = None,
) -> list[TraineeRow]:
    """Trainees matching ``search`` as the 学员 table matches it (a name's start, an ID
    number's or phone's start, or their last 4–6 digits), newest first, numbers masked."""
    with database.session() as session:
        found = trainee_search.search_trainees(
            session, search, without_certificate=without_certificate, limit=limit
        )
        return [
            TraineeRow(
                trainee_id=t.id,
                name=t.name,
                gender=t.gender,
                id_number=mask_id_number(t.id_number),
                phone=mask_phone(t.phone),
                identity=t.identity,
                major=t.major,
                class_name=t.class_name,
                employer=t.employer,
                graduation_year=t.graduation_year,
                certificates=held,
                origin=t.origin,
            )
            for t, held in found
        ]


def find_trainees(database: Database, text: str, limit: int = 20) -> list[TraineeHit]:
    """This institution's trainees a picker offers for ``text`` (the roster masks them)."""
    with database.session() as session:
        return trainee_search.find_trainees(session, text, limit)


def picked_trainee(database: Database, trainee_id: int) -> TraineeHit | None:
    """The trainee a certificate belongs to, described as the pickers describe them."""
    with database.session() as session:
        return trainee_search.trainee_hit(session, trainee_id)


# --- Revealing a full number ----------------------------------------------------------------


def _record_reveal(session: Session, uuid: str | None, where: str) -> None:
    record_action(session, REVEALED, "trainees", uuid, where)


def reveal_full_number(database: Database, trainee_id: int, field: NumberField, where: str) -> str:
    """A trainee's full ID number or phone, for a clerk who asked to see it.

    The one entry “查看完整号码” is written in the same commit as the number is read, so no
    full number reaches a screen unrecorded; ``where`` says which window showed it.
    """
    with database.session() as session:
        trainee = stored_trainee(session, trainee_id)
        number = trainee.id_number if field == "id_number" else trainee.phone
        _record_reveal(session, trainee.uuid, where)
        session.commit()
    return number


def reveal_listed_numbers(database: Database, where: str) -> None:
    """Record that the clerk chose to see the full numbers of every trainee a list shows.

    The 学员 table holds its rows' numbers already (it masks them as it paints), so there is
    nothing to hand out, only the one entry to write.
    """
    with database.session() as session:
        _record_reveal(session, None, where)
        session.commit()
