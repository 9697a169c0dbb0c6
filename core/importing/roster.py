"""Importing a roster (学员名单): every row checked, then all written or none.

The rows are checked by the same ``check_trainee`` as the trainee form, after Excel damage
has been recognised from the cell's type, so an ID number Excel turned into 1.40105E+17 is
named as such instead of being stored with invented digits. Within the file the first row
of an ID number wins and the later ones are refused; an ID number already stored is a
trainee we know: updated only when the clerk asks, and then only from the cells the file
fills in.

Writing goes through SQLAlchemy Core in chunks on the caller's connection, inside its one
transaction (an ORM object per row would be six times slower), with the bookkeeping columns
from ``sync_columns``; a cancel or an error anywhere rolls the whole import back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.base.progress import ProgressFn
from core.classes.records import enrol
from core.fields import ValidationFailed
from core.identity.textnorm import excel_damage
from core.importing.header import ColumnMapping
from core.importing.reader import Cell, ImportRefused, Sheet
from core.importing.rows import (
    QUERY_CHUNK,
    ImportPreview,
    PreviewRow,
    RowIssue,
    RowReader,
    RowStatus,
    cell_as_text,
    cell_year,
    checking,
    chunks,
    collector_paused,
    local_origin_of,
    writing,
)
from core.trainees.checks import LABELS, TraineeFields, check_trainee, identity_names
from models.base import new_uuid, utcnow
from models.bookkeeping import sync_columns
from models.trainee import Trainee
from models.training import TrainingClass

#: Fields a roster fills, in the order of ``TraineeFields``; gender is derived when absent.
FIELDS = tuple(LABELS)
_CODES = ("id_number", "phone")
_TABLE = Trainee.__table__


@dataclass(slots=True)
class RosterRow(PreviewRow):
    """A roster row's verdict, the trainee as it would be stored and what it would change.

    ``filled`` names the fields whose cells hold something: an update writes only those, so
    a file without a phone column never wipes stored phone numbers. ``changes`` lists the
    labels of the fields that differ from the stored trainee.
    """

    fields: TraineeFields | None = None
    filled: frozenset[str] = frozenset()
    trainee_id: int | None = None
    changes: tuple[str, ...] = ()


RosterPreview = ImportPreview[RosterRow]


@dataclass(frozen=True)
class RosterImportResult:
    inserted: int
    updated: int
    unchanged: int
    enrolled: int
    skipped_invalid: int


def class_for_import(session: Session, class_id: int) -> TrainingClass:
    """The class to enrol into, or a refusal naming the id the clerk gave."""
    training_class = session.get(TrainingClass, class_id)
    if training_class is None:
        raise ImportRefused(f"找不到编号为 {class_id} 的培训班")
    return training_class


def class_identity(session: Session, class_id: int) -> str | None:
    """The 身份 a roster for this class implies for rows that leave it blank.

    A class's participant identity is free text (企业职工、新招录员工); only when it is exactly
    one of the identities a trainee can have does it stand in for a blank cell.
    """
    identity = class_for_import(session, class_id).participant_identity.strip()
    return identity if identity in identity_names() else None


def _check_row(
    reader: RowReader, index: int, cells: dict[str, Cell], default_identity: str, today: date
) -> tuple[RosterRow, str | None]:
    """The row's verdict and its ID number when that number itself is valid."""
    errors: list[RowIssue] = []
    text = {k: c if type(c) is str else cell_as_text(c) for k, c in cells.items()}
    damaged: set[str] = set()
    for key in _CODES:
        damage = excel_damage(cells.get(key))
        if damage:
            errors.append(reader.issue(key, damage))
            damaged.add(key)
            text[key] = ""
    year: int | None = None
    if "graduation_year" in cells:
        year = cell_year(cells["graduation_year"])
        if year is None:
            shown = text["graduation_year"].strip()
            errors.append(reader.issue("graduation_year", f"“{shown}”不是年份，应如 2025"))
    checked = check_trainee(
        TraineeFields(
            name=text.get("name", ""),
            id_number=text.get("id_number", ""),
            gender=text.get("gender", ""),
            phone=text.get("phone", ""),
            identity=text.get("identity", "").strip() or default_identity,
            employer=text.get("employer", ""),
            major=text.get("major", ""),
            class_name=text.get("class_name", ""),
            graduation_year=year,
        ),
        today=today,
    )
    # A damaged code was passed on as blank; its "不能为空" would only repeat the damage.
    errors += [reader.issue_for(e) for e in checked.errors if e.field not in damaged]
    if errors:
        errors.sort(key=lambda issue: -1 if issue.col_index is None else issue.col_index)
    row = RosterRow(
        index=index,
        status=RowStatus.INVALID if errors else RowStatus.NEW,
        errors=tuple(errors),
        warnings=tuple(reader.issue_for(w) for w in checked.warnings),
        fields=checked.fields,
        filled=frozenset(cells) | {"gender"},
    )
    id_ok = "id_number" not in damaged and all(e.field != "id_number" for e in checked.errors)
    return row, checked.fields.id_number if id_ok else None


def preview_roster(
    session: Session,
    sheet: Sheet,
    mapping: ColumnMapping,
    *,
    default_identity: str | None = None,
    today: date | None = None,
    progress: ProgressFn | None = None,
) -> RosterPreview:
    """Check every row of ``sheet`` and compare it with the stored trainees; writes nothing.

    ``default_identity`` is the 身份 of a trainee whose row leaves it blank (a class's
    participant identity, say); blank rows are passed over and counted.
    """
    mapping.require_complete()
    origin = local_origin_of(session)
    today = today or date.today()
    identity = default_identity or identity_names()[0]
    reader = RowReader(mapping)
    preview = RosterPreview(sheet=sheet, mapping=mapping)
    total = len(sheet.rows)
    first_line: dict[str, int] = {}
    with collector_paused():
        for index, cells in reader.filled_rows(sheet, preview, progress):
            checked, number = _check_row(reader, index, cells, identity, today)
            preview.rows.append(checked)
            if number is None:
                continue
            if number in first_line:
                checked.refuse(
                    reader.issue("id_number", f"与第{first_line[number]}行的身份证号重复")
                )
            else:
                first_line[number] = checked.line
    _compare_with_stored(session, origin, preview, reader)
    if progress is not None:
        progress(total, total, checking(total, total))
    return preview


def _compare_with_stored(
    session: Session, origin: str, preview: RosterPreview, reader: RowReader
) -> None:
    """Mark rows whose ID number is already stored here, with what an update would change."""
    by_number = {r.fields.id_number: r for r in preview.valid if r.fields is not None}
    numbers = list(by_number)
    columns = [_TABLE.c.id, *(_TABLE.c[k] for k in FIELDS)]
    for part in chunks(len(numbers), QUERY_CHUNK):
        query = select(*columns).where(
            _TABLE.c.origin == origin, _TABLE.c.id_number.in_([numbers[i] for i in part])
        )
        for stored in session.execute(query):
            row = by_number[stored.id_number]
            assert row.fields is not None
            row.status = RowStatus.EXISTING
            row.trainee_id = stored.id
            fields = row.fields
            changed = [
                k for k in FIELDS if k in row.filled and getattr(fields, k) != getattr(stored, k)
            ]
            row.changes = tuple(LABELS[k] for k in changed)
            if "name" in changed:
                row.warnings = (
                    *row.warnings,
                    reader.issue("name", f"库中该身份证号的学员姓名为“{stored.name}”"),
                )


def _values(fields: TraineeFields, keys: Sequence[str]) -> dict[str, Any]:
    return {k: getattr(fields, k) for k in keys}


def write_roster(
    connection: Connection,
    preview: RosterPreview,
    *,
    update_existing: bool = False,
    class_id: int | None = None,
    progress: ProgressFn | None = None,
) -> RosterImportResult:
    """Write the previewed rows on ``connection`` and, if asked, enrol them into a class.

    The caller holds the one transaction (``application.importing``, with the backup before
    and the audit entry after), so a cancel (an exception raised by ``progress``) or any
    refusal here rolls everything back. Invalid rows are never written; whether an import
    with some goes ahead is decided before, by ``ImportPreview.require_importable``.
    """
    new = [r for r in preview.rows if r.status is RowStatus.NEW]
    existing = [r for r in preview.rows if r.status is RowStatus.EXISTING]
    changed = [r for r in existing if r.changes] if update_existing else []
    total = len(new) + len(changed) + (1 if class_id is not None else 0)
    done = 0

    def advance(step: int) -> None:
        nonlocal done
        done += step
        if progress is not None:
            progress(done, total, writing(done, total))

    try:
        origin = local_origin_of(connection)
        if progress is not None:
            progress(0, total, writing(0, total))
        bookkeeping = sync_columns(origin)
        for part in chunks(len(new)):
            connection.execute(insert(_TABLE), [_new_row(new[i], bookkeeping) for i in part])
            advance(len(part))
        _update_changed(connection, changed, advance)
        enrolled = 0
        if class_id is not None:
            enrolled = _enrol(connection, origin, class_id, [*new, *existing])
            advance(1)
    except IntegrityError as exc:
        raise ImportRefused(
            "导入期间库中数据已被改动（可能有同一身份证号的学员刚被录入），"
            "未导入任何数据；请重新预览后再导入"
        ) from exc
    except ValidationFailed as exc:
        raise ImportRefused(f"{exc}；未导入任何数据") from exc
    return RosterImportResult(
        inserted=len(new),
        updated=len(changed),
        unchanged=len(existing) - len(changed),
        enrolled=enrolled,
        skipped_invalid=len(preview.invalid),
    )


def _new_row(row: RosterRow, bookkeeping: dict[str, Any]) -> dict[str, Any]:
    """The insert values: one ``updated_at`` serves the whole import, as it is one write;
    only the uuid must be the row's own."""
    assert row.fields is not None
    return {**_values(row.fields, FIELDS), **bookkeeping, "uuid": new_uuid()}


def _update_changed(
    connection: Connection, rows: Sequence[RosterRow], advance: Callable[[int], None]
) -> None:
    """Update only the filled cells (``COALESCE`` keeps the rest) and bump the revision."""
    if not rows:
        return
    now = utcnow()
    statement = (
        update(_TABLE)
        .where(_TABLE.c.id == bindparam("b_id"))
        .values(
            {
                **{k: func.coalesce(bindparam(f"b_{k}"), _TABLE.c[k]) for k in FIELDS},
                "revision": _TABLE.c.revision + 1,
                "updated_at": bindparam("b_updated_at"),
            }
        )
    )
    for part in chunks(len(rows)):
        params = []
        for i in part:
            row = rows[i]
            assert row.fields is not None
            values = {f"b_{k}": getattr(row.fields, k) if k in row.filled else None for k in FIELDS}
            values["b_id"] = row.trainee_id
            values["b_updated_at"] = now
            params.append(values)
        connection.execute(statement, params)
        advance(len(part))


def _enrol(connection: Connection, origin: str, class_id: int, rows: Sequence[RosterRow]) -> int:
    """Put the imported trainees on the class roster through the roster's own rules."""
    numbers = [r.fields.id_number for r in rows if r.fields is not None]
    ids: list[int] = []
    for part in chunks(len(numbers), QUERY_CHUNK):
        ids += connection.scalars(
            select(_TABLE.c.id).where(
                _TABLE.c.origin == origin,
                _TABLE.c.id_number.in_([numbers[i] for i in part]),
            )
        )
    with Session(bind=connection) as session:
        class_for_import(session, class_id)
        return enrol(session, class_id, ids)
