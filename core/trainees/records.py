"""Saving, finding, deleting and restoring trainees: the one path every writer takes.

The form, the importer and a synchronised package must agree on what a duplicate is and on
what a deletion leaves behind, so those rules live here, without Qt. A deletion returns a
snapshot that :func:`restore_trainees` puts back under the same uuids, so an undo in the GUI
is not, for synchronisation, a new person who happens to have the same ID number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from core.fields import FieldError, ValidationFailed
from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.identity.textnorm import normalize_code
from core.institution import local_institution
from core.trainees.certificates import counted_level, display_number
from core.trainees.checks import LABELS, TraineeFields, check_trainee
from models.base import Base
from models.bookkeeping import local_origin
from models.institution import Institution
from models.sync import Tombstone
from models.trainee import Certificate, Trainee
from models.training import Enrolment, TrainingClass

#: The GUI deletes at most this many at once: each deletion is kept in memory for undo.
MAX_DELETE = 1000
#: SQLite accepts 32,766 parameters; stay far below it.
_CHUNK = 500

_EDITABLE = (
    "name",
    "gender",
    "id_number",
    "phone",
    "identity",
    "employer",
    "major",
    "class_name",
    "graduation_year",
)


@dataclass(frozen=True)
class DuplicateIdNumber(FieldError):
    """The ID number is already registered here; names the trainee holding it.

    A subclass rather than a plain message so the form can offer to jump to that trainee.
    """

    existing_id: int = 0
    existing_name: str = ""


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def find_by_id_number(
    session: Session, id_number: str, origin: str | None = None
) -> Trainee | None:
    """This installation's trainee (or ``origin``'s) with the ID number, typed in any form."""
    owner = origin or local_origin(session)
    number = normalize_code(id_number)
    if owner is None or not number:
        return None
    return session.scalar(
        select(Trainee).where(Trainee.origin == owner, Trainee.id_number == number)
    )


def duplicate_error(
    session: Session, id_number: str, exclude_id: int | None = None
) -> DuplicateIdNumber | None:
    """The refusal for an ID number another of this installation's trainees already holds."""
    existing = find_by_id_number(session, id_number)
    if existing is None or existing.id == exclude_id:
        return None
    return DuplicateIdNumber(
        "id_number",
        LABELS["id_number"],
        f"已登记为学员“{existing.name}”，同一人不能重复录入",
        existing_id=existing.id,
        existing_name=existing.name,
    )


def _foreign_error(trainee: Trainee, action: str) -> FieldError:
    owner = trainee.origin
    return FieldError(
        "trainee",
        "学员",
        f"“{trainee.name}”的数据由其他机构（{owner}）报送，本机只能查看，不能{action}",
    )


def trainee_fields(trainee: Trainee) -> TraineeFields:
    """The stored trainee as form fields, for editing."""
    return TraineeFields(**{key: getattr(trainee, key) for key in _EDITABLE})


def stored_trainee(session: Session, trainee_id: int) -> Trainee:
    """The trainee with this id; refused, naming the id, when it is not (or no longer) there."""
    trainee = session.get(Trainee, trainee_id)
    if trainee is None:
        raise ValidationFailed(
            [FieldError("trainee", "学员", f"编号 {trainee_id} 不存在（可能已被删除）")]
        )
    return trainee


def save_trainee(
    session: Session,
    trainee_id: int | None,
    fields: TraineeFields,
    today: date | None = None,
) -> Trainee:
    """Create (``trainee_id`` None) or update a trainee; ``ValidationFailed`` writes nothing.

    A duplicate ID number is refused with a :class:`DuplicateIdNumber`; a trainee another
    installation reported is refused, because its owner's next package would undo the edit.
    """
    checked = check_trainee(fields, today=today)
    errors = list(checked.errors)
    trainee: Trainee | None = None
    if trainee_id is not None:
        trainee = stored_trainee(session, trainee_id)
        if trainee.origin != local_origin(session):
            errors.insert(0, _foreign_error(trainee, "修改"))
    if not any(e.field == "id_number" for e in errors):
        duplicate = duplicate_error(session, checked.fields.id_number, trainee_id)
        if duplicate is not None:
            errors.append(duplicate)
    if errors:
        raise ValidationFailed(errors)
    if trainee is None:
        trainee = Trainee()
        session.add(trainee)
    for key in _EDITABLE:
        setattr(trainee, key, getattr(checked.fields, key))
    session.flush()
    return trainee


# --- Delete and undo ------------------------------------------------------------------------


def _row(obj: Base) -> dict[str, Any]:
    # Computed columns are the database's to fill: an INSERT naming them is refused.
    return {
        attr.key: getattr(obj, attr.key)
        for attr in sa_inspect(obj).mapper.column_attrs
        if all(column.computed is None for column in attr.columns)
    }


@dataclass(frozen=True)
class DeletedTrainees:
    """Every column of the deleted trainees and of what went with them, for undo."""

    trainees: tuple[dict[str, Any], ...]
    certificates: tuple[dict[str, Any], ...]
    enrolments: tuple[dict[str, Any], ...]

    @property
    def count(self) -> int:
        return len(self.trainees)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(row["name"] for row in self.trainees)


def delete_trainees(session: Session, ids: Sequence[int]) -> DeletedTrainees:
    """Delete trainees with their certificates and roster places; return what was deleted.

    Children are deleted through the ORM, not left to ``ON DELETE CASCADE``, so that each one
    gets its tombstone and a package carries the deletion to the bureau. Ids that no longer
    exist are ignored; trainees of another installation are refused.
    """
    unique_ids = list(dict.fromkeys(ids))
    if len(unique_ids) > MAX_DELETE:
        raise ValidationFailed(
            [FieldError("trainee", "学员", f"一次最多删除{MAX_DELETE:,}名学员，请分批删除")]
        )
    trainees: list[Trainee] = []
    certificates: list[Certificate] = []
    enrolments: list[Enrolment] = []
    for chunk in _chunks(unique_ids):
        trainees += session.scalars(select(Trainee).where(Trainee.id.in_(chunk)))
        certificates += session.scalars(
            select(Certificate).where(Certificate.trainee_id.in_(chunk)).order_by(Certificate.id)
        )
        enrolments += session.scalars(
            select(Enrolment).where(Enrolment.trainee_id.in_(chunk)).order_by(Enrolment.id)
        )
    origin = local_origin(session)
    foreign = [_foreign_error(t, "删除") for t in trainees if t.origin != origin]
    if foreign:
        raise ValidationFailed(foreign[:5])
    snapshot = DeletedTrainees(
        trainees=tuple(_row(t) for t in trainees),
        certificates=tuple(_row(c) for c in certificates),
        enrolments=tuple(_row(e) for e in enrolments),
    )
    for obj in (*enrolments, *certificates, *trainees):
        session.delete(obj)
    session.flush()
    return snapshot


#: How many names a deletion's question lists before “等”.
NAMES_SHOWN = 3


@dataclass(frozen=True)
class DeletionPreview:
    """What a deletion would take with it, for the question asked before it."""

    count: int
    names: tuple[str, ...]
    certificates: int
    places: int


def deletion_preview(session: Session, ids: Sequence[int]) -> DeletionPreview:
    """The first few names of ``ids`` and the certificates and roster places they hold."""
    unique_ids = list(dict.fromkeys(ids))
    names = session.scalars(select(Trainee.name).where(Trainee.id.in_(unique_ids[:NAMES_SHOWN])))
    certificates = session.scalar(
        select(func.count()).where(Certificate.trainee_id.in_(unique_ids))
    )
    places = session.scalar(select(func.count()).where(Enrolment.trainee_id.in_(unique_ids)))
    return DeletionPreview(len(unique_ids), tuple(names), certificates or 0, places or 0)


def _restore_conflicts(session: Session, snapshot: DeletedTrainees) -> list[FieldError]:
    """Rows entered since the deletion that the restored ones would collide with."""
    errors: list[FieldError] = []
    for row in snapshot.trainees:
        holder = find_by_id_number(session, row["id_number"], origin=row["origin"])
        if holder is not None:
            errors.append(
                FieldError(
                    "id_number",
                    LABELS["id_number"],
                    f"无法恢复“{row['name']}”：其身份证号已被学员“{holder.name}”使用",
                )
            )
    for row in snapshot.certificates:
        if row["number"] and session.scalar(
            select(Certificate.id).where(
                Certificate.origin == row["origin"], Certificate.number == row["number"]
            )
        ):
            errors.append(
                FieldError(
                    "number",
                    "证书编号",
                    f"无法恢复证书 {display_number(row['number'])}：该编号已被其他证书使用",
                )
            )
    return errors


def restore_trainees(session: Session, snapshot: DeletedTrainees) -> list[int]:
    """Put deleted trainees back, under their uuids, and withdraw their tombstones.

    Each restored row gets a revision above its tombstone's, so wherever a package has
    already carried the deletion, the restored copy wins. A trainee keeps its id unless a
    new trainee has taken it; roster places of a class deleted since are not restored.
    Returns the restored trainees' ids.
    """
    errors = _restore_conflicts(session, snapshot)
    if errors:
        raise ValidationFailed(errors)
    rows = (*snapshot.trainees, *snapshot.certificates, *snapshot.enrolments)
    uuids = [row["uuid"] for row in rows]
    tomb_revisions: dict[str, int] = {}
    for chunk in _chunks(uuids):
        found = session.execute(
            select(Tombstone.uuid, Tombstone.revision).where(Tombstone.uuid.in_(chunk))
        )
        tomb_revisions.update((uuid, revision) for uuid, revision in found)
        session.execute(delete(Tombstone).where(Tombstone.uuid.in_(chunk)))

    def revived(row: dict[str, Any]) -> dict[str, Any]:
        values = dict(row)
        values["revision"] = max(row["revision"], tomb_revisions.get(row["uuid"], 0)) + 1
        return values

    new_ids: dict[int, int] = {}
    for row in snapshot.trainees:
        values = revived(row)
        if session.get(Trainee, row["id"]) is not None:
            del values["id"]
        trainee = Trainee(**values)
        session.add(trainee)
        session.flush()
        new_ids[row["id"]] = trainee.id
    for row in snapshot.certificates:
        values = revived(row)
        del values["id"]
        values["trainee_id"] = new_ids[row["trainee_id"]]
        session.add(Certificate(**values))
    live_classes = set(
        session.scalars(
            select(TrainingClass.id).where(
                TrainingClass.id.in_({row["class_id"] for row in snapshot.enrolments})
            )
        )
    )
    for row in snapshot.enrolments:
        if row["class_id"] not in live_classes:
            continue
        values = revived(row)
        del values["id"]
        values["trainee_id"] = new_ids[row["trainee_id"]]
        session.add(Enrolment(**values))
    session.flush()
    return list(new_ids.values())


# --- What the detail panel shows --------------------------------------------------------------


@dataclass(frozen=True)
class CertificateLine:
    certificate_id: int
    cert_type: str
    occupation: str
    level: str
    number: str
    issue_date: date | None
    counts_as: str | None


@dataclass(frozen=True)
class ClassLine:
    class_id: int
    name: str
    start_date: date
    end_date: date
    status: str
    voucher_issued: bool
    voucher_verified: bool
    completed: bool
    completion_date: date | None


@dataclass(frozen=True)
class TraineeDetails:
    """One trainee as the screen and ``trainees show`` describe them: numbers masked."""

    trainee_id: int
    uuid: str
    name: str
    gender: str
    id_number: str
    phone: str
    identity: str
    employer: str
    major: str
    class_name: str
    graduation_year: int | None
    origin: str
    owner: str
    editable: bool
    certificates: tuple[CertificateLine, ...]
    classes: tuple[ClassLine, ...]


def trainee_details(session: Session, trainee_id: int) -> TraineeDetails | None:
    """A trainee with their certificates and classes, with numbers fit for the screen."""
    trainee = session.get(Trainee, trainee_id)
    if trainee is None:
        return None
    certificates = session.scalars(
        select(Certificate)
        .where(Certificate.trainee_id == trainee_id)
        .order_by(Certificate.issue_date.desc(), Certificate.id)
    )
    classes = session.execute(
        select(TrainingClass, Enrolment)
        .join(Enrolment, Enrolment.class_id == TrainingClass.id)
        .where(Enrolment.trainee_id == trainee_id)
        .order_by(TrainingClass.start_date.desc(), TrainingClass.id)
    ).tuples()
    local = local_institution(session)
    if local is not None and trainee.origin == local.uscc:
        owner = local.name
    else:
        owner = (
            session.scalar(select(Institution.name).where(Institution.uscc == trainee.origin))
            or trainee.origin
        )
    return TraineeDetails(
        trainee_id=trainee.id,
        uuid=trainee.uuid,
        name=trainee.name,
        gender=trainee.gender,
        id_number=mask_id_number(trainee.id_number),
        phone=mask_phone(trainee.phone),
        identity=trainee.identity,
        employer=trainee.employer,
        major=trainee.major,
        class_name=trainee.class_name,
        graduation_year=trainee.graduation_year,
        origin=trainee.origin,
        owner=owner,
        editable=local is not None and trainee.origin == local.uscc,
        certificates=tuple(
            CertificateLine(
                certificate_id=c.id,
                cert_type=c.cert_type,
                occupation=c.occupation,
                level=c.level,
                number=display_number(c.number),
                issue_date=c.issue_date,
                counts_as=counted_level(c.cert_type, c.level),
            )
            for c in certificates
        ),
        classes=tuple(
            ClassLine(
                class_id=k.id,
                name=k.name,
                start_date=k.start_date,
                end_date=k.end_date,
                status=k.status,
                voucher_issued=e.voucher_issued,
                voucher_verified=e.voucher_verified,
                completed=e.completed,
                completion_date=e.completion_date,
            )
            for k, e in classes
        ),
    )
