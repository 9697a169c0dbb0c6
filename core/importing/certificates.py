"""Importing certificate lists from evaluation bodies and competitions: all rows or none.

A list names each holder by 姓名 and 身份证号. The ID number finds the trainee; a number that
finds nobody, or a name that disagrees with the trainee the number finds, is reported and
never guessed at, because a certificate stored under the wrong person counts toward the
wrong school's target and is hard to notice afterwards. Each row is checked by the same
``check_certificate`` as the certificate dialog. A certificate number already stored for the
same trainee is the same certificate, listed again: passed over, not stored twice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import reference
from core.base.progress import ProgressFn
from core.identity.idcard import check_id_number
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
    cell_date,
    checking,
    chunks,
    local_origin_of,
    writing,
)
from core.trainees.certificates import CertificateFields, check_certificate, normalize_certificate
from core.trainees.checks import normalize_name
from models.bookkeeping import sync_columns
from models.trainee import Certificate, Trainee

#: Lists from evaluation bodies seldom say which kind of certificate they list: they issue
#: 职业技能等级证书, so that is what a blank 证书类型 means.
DEFAULT_TYPE_CODE = "SKILL_LEVEL"
_TABLE = Certificate.__table__
_BRACKETED = re.compile(r"[(\[【](.*?)[)\]】]")
_STORED = (
    "trainee_id",
    "cert_type",
    "occupation",
    "occupation_code",
    "level",
    "number",
    "issue_date",
    "issuer",
    "route",
)


@dataclass(slots=True)
class CertificateRow(PreviewRow):
    """A certificate row's verdict, the certificate as it would be stored and its holder as
    the file gives them (``id_number`` normalised when valid, else as read)."""

    fields: CertificateFields | None = None
    holder: str = ""
    id_number: str = ""


CertificatePreview = ImportPreview[CertificateRow]


@dataclass(frozen=True)
class CertificateImportResult:
    inserted: int
    already_stored: int
    skipped_invalid: int


def _squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def certificate_type_name(text: str) -> str:
    """The reference name for a type as lists spell it (职业技能等级证书, 1+X证书 …).

    Blank means the default kind; an unknown spelling is returned as typed, for
    ``check_certificate`` to refuse with the list of kinds.
    """
    if not text.strip():
        default = reference.certificate_type(DEFAULT_TYPE_CODE)
        assert default is not None, "reference data lacks the skill-level certificate"
        return default.name
    kind = reference.certificate_type(text)
    if kind is not None:
        return kind.name
    key = _BRACKETED.sub("", _squeeze(text))
    for candidate in reference.certificate_types():
        if _BRACKETED.sub("", _squeeze(candidate.name)) == key:
            return candidate.name
    if "1+X" in _squeeze(text).upper():
        return certificate_type_name(DEFAULT_TYPE_CODE)
    return text.strip()


def skill_level_name(text: str) -> str:
    """The reference name for a level written as 三级（高级工）, 高级 or 三级/高级工.

    Every part that names a level must name the same one; otherwise the text is returned as
    typed, for ``check_certificate`` to refuse.
    """
    level = reference.skill_level(text)
    if level is not None or not text.strip():
        return level.name if level else ""
    squeezed = _squeeze(text)
    parts = [p for p in re.split(r"[()/、（）\s]+", squeezed) if p]
    found = {lv.name for p in parts if (lv := reference.skill_level(p)) is not None}
    return found.pop() if len(found) == 1 else text.strip()


def _check_row(
    reader: RowReader, index: int, cells: dict[str, Cell], today: date
) -> tuple[CertificateRow, str | None, str]:
    """The row's own verdict, the holder's valid ID number (if any) and the name as given."""
    errors: list[RowIssue] = []
    text = {k: cell_as_text(c) for k, c in cells.items()}
    quiet: set[str] = {"trainee_id"}  # the holder is matched by ID number below
    damage = excel_damage(cells.get("number"))
    if damage:
        errors.append(reader.issue("number", damage))
        quiet.add("number")
        text["number"] = ""
    checked_id = check_id_number(cells.get("id_number"), today=today)
    errors += [reader.issue("id_number", m) for m in checked_id.errors]
    name = normalize_name(text.get("name", ""))
    if not name:
        errors.append(reader.issue("name", "不能为空"))
    issued: date | None = None
    if "issue_date" in cells:
        issued = cell_date(cells["issue_date"])
        if issued is None:
            shown = text["issue_date"].strip()
            errors.append(reader.issue("issue_date", f"“{shown}”不是日期，应如 2024-06-30"))
            quiet.add("issue_date")
    fields = CertificateFields(
        trainee_id=None,
        cert_type=certificate_type_name(text.get("cert_type", "")),
        occupation=text.get("occupation", ""),
        level=skill_level_name(text.get("level", "")),
        number=text.get("number", ""),
        issue_date=issued,
        issuer=text.get("issuer", ""),
        route=text.get("route", ""),
        occupation_code=text.get("occupation_code", ""),
    )
    errors += [
        reader.issue_for(e) for e in check_certificate(fields, today=today) if e.field not in quiet
    ]
    errors.sort(key=lambda issue: -1 if issue.col_index is None else issue.col_index)
    row = CertificateRow(
        index=index,
        status=RowStatus.INVALID if errors else RowStatus.NEW,
        errors=tuple(errors),
        warnings=tuple(reader.issue("id_number", w) for w in checked_id.warnings),
        fields=normalize_certificate(fields),
        holder=name,
        id_number=checked_id.value or text.get("id_number", ""),
    )
    return row, checked_id.value, name


def preview_certificates(
    session: Session,
    sheet: Sheet,
    mapping: ColumnMapping,
    *,
    today: date | None = None,
    progress: ProgressFn | None = None,
) -> CertificatePreview:
    """Check every row, find each holder by ID number and spot numbers already stored."""
    mapping.require_complete()
    origin = local_origin_of(session)
    today = today or date.today()
    reader = RowReader(mapping)
    preview = CertificatePreview(sheet=sheet, mapping=mapping)
    holders: dict[int, tuple[str, str]] = {}
    first_line: dict[str, int] = {}
    total = len(sheet.rows)
    for index, cells in reader.filled_rows(sheet, preview, progress):
        checked, id_number, name = _check_row(reader, index, cells, today)
        preview.rows.append(checked)
        if id_number is not None:
            holders[len(preview.rows) - 1] = (id_number, name)
        number = checked.fields.number if checked.fields else ""
        if number and checked.status is not RowStatus.INVALID:
            if number in first_line:
                checked.refuse(reader.issue("number", f"与第{first_line[number]}行的证书编号重复"))
            else:
                first_line[number] = checked.line
    _match_holders(session, origin, preview, holders, reader)
    _find_stored_numbers(session, origin, preview, reader)
    if progress is not None:
        progress(total, total, checking(total, total))
    return preview


def _match_holders(
    session: Session,
    origin: str,
    preview: CertificatePreview,
    holders: dict[int, tuple[str, str]],
    reader: RowReader,
) -> None:
    """Tie each row to the trainee its ID number names, refusing strangers and name clashes."""
    numbers = sorted({n for n, _ in holders.values()})
    stored: dict[str, tuple[int, str]] = {}
    for part in chunks(len(numbers), QUERY_CHUNK):
        query = select(Trainee.id, Trainee.id_number, Trainee.name).where(
            Trainee.origin == origin, Trainee.id_number.in_([numbers[i] for i in part])
        )
        stored.update({n: (i, name) for i, n, name in session.execute(query).tuples()})
    for position, (id_number, name) in holders.items():
        row = preview.rows[position]
        found = stored.get(id_number)
        if found is None:
            row.refuse(reader.issue("id_number", "库中没有该身份证号的学员，请先导入学员名单"))
            continue
        trainee_id, stored_name = found
        if name and normalize_name(stored_name) != name:
            row.refuse(reader.issue("name", f"与库中该身份证号的学员姓名“{stored_name}”不一致"))
            continue
        if row.fields is not None:
            row.fields = replace(row.fields, trainee_id=trainee_id)


def _find_stored_numbers(
    session: Session, origin: str, preview: CertificatePreview, reader: RowReader
) -> None:
    """The same number held by the same trainee is listed again; by someone else, a clash."""
    by_number = {
        r.fields.number: r
        for r in preview.rows
        if r.fields is not None and r.fields.number and r.status is not RowStatus.INVALID
    }
    numbers = list(by_number)
    for part in chunks(len(numbers), QUERY_CHUNK):
        query = (
            select(Certificate.number, Certificate.trainee_id, Trainee.name)
            .join(Certificate.trainee)
            .where(Certificate.origin == origin)
            .where(Certificate.number.in_([numbers[i] for i in part]))
        )
        for number, trainee_id, holder in session.execute(query).tuples():
            row = by_number[number]
            assert row.fields is not None
            if row.fields.trainee_id == trainee_id:
                row.status = RowStatus.EXISTING
            else:
                row.refuse(reader.issue("number", f"该证书编号已登记在学员“{holder}”名下"))


def write_certificates(
    connection: Connection,
    preview: CertificatePreview,
    *,
    progress: ProgressFn | None = None,
) -> CertificateImportResult:
    """Store the new certificates on ``connection``, inside the caller's one transaction.

    As with ``write_roster``, the caller (``application.importing``) holds the transaction,
    the backup and the audit entry, so a cancel (an exception raised by ``progress``) or any
    error leaves the database unchanged; invalid rows are never written.
    """
    new = [r for r in preview.rows if r.status is RowStatus.NEW]
    try:
        origin = local_origin_of(connection)
        if progress is not None:
            progress(0, len(new), writing(0, len(new)))
        for part in chunks(len(new)):
            connection.execute(insert(_TABLE), [_new_row(new[i], origin) for i in part])
            if progress is not None:
                progress(part.stop, len(new), writing(part.stop, len(new)))
    except IntegrityError as exc:
        raise ImportRefused(
            "导入期间库中数据已被改动（可能有相同编号的证书刚被录入），"
            "未导入任何数据；请重新预览后再导入"
        ) from exc
    return CertificateImportResult(
        inserted=len(new),
        already_stored=sum(1 for r in preview.rows if r.status is RowStatus.EXISTING),
        skipped_invalid=len(preview.invalid),
    )


def _new_row(row: CertificateRow, origin: str) -> dict[str, Any]:
    fields = row.fields
    assert fields is not None and fields.trainee_id is not None
    return {**{k: getattr(fields, k) for k in _STORED}, **sync_columns(origin)}
