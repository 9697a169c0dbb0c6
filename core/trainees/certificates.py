"""Certificates a trainee holds: what makes one acceptable, storing it, and listing them.

One set of checks serves the certificate dialog, ``import-certificates`` and package loads, so
whatever one accepts the others accept too. Type, level and route are stored by their
reference *names* (职业技能等级证书（含1+X）, 三级/高级工, 考核评价): the rows are read by
people at the bureau and by exports, and the reference lookups accept names as well as codes.

Which certificates count toward Annex 1 follows ``reference.counts_toward`` and, in SQL, the
progress figures' ``core.progress.rules``: the list and the dashboard must never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from core import reference
from core.base.privacy import mask_personal_numbers
from core.fields import FieldError, ValidationFailed
from core.identity.textnorm import normalize_code
from core.institution import local_institution
from core.progress.rules import own_row, qualifying, target_level
from core.trainees.search import prefix_match, search_terms
from models.bookkeeping import local_origin
from models.trainee import Certificate, Trainee

LABELS = {
    "trainee_id": "学员",
    "cert_type": "证书类型",
    "occupation": "职业（工种）",
    "occupation_code": "职业编码",
    "level": "等级",
    "number": "证书编号",
    "issue_date": "发证日期",
    "issuer": "发证机构",
    "route": "取得途径",
}

#: No certificate of the plan's kinds predates the People's Republic's skill grading.
EARLIEST_ISSUE = date(1950, 1, 1)
NO_LEVEL = ""


@dataclass(frozen=True)
class CertificateFields:
    """A certificate as typed or read from a sheet, before or after normalising."""

    trainee_id: int | None
    cert_type: str
    occupation: str
    level: str = NO_LEVEL
    number: str = ""
    issue_date: date | None = None
    issuer: str = ""
    route: str = ""
    occupation_code: str = ""


def _error(field: str, message: str) -> FieldError:
    return FieldError(field, LABELS[field], message)


def normalize_certificate(fields: CertificateFields) -> CertificateFields:
    """Reference names for type, level and route; codes upper-cased without copy-paste noise."""
    kind = reference.certificate_type(fields.cert_type)
    level = reference.skill_level(fields.level) if fields.level.strip() else None
    route = fields.route.strip() or reference.training_rules().certificate_routes[0]
    return replace(
        fields,
        cert_type=kind.name if kind else fields.cert_type.strip(),
        occupation=" ".join(fields.occupation.split()),
        level=level.name if level else fields.level.strip(),
        number=normalize_code(fields.number),
        issuer=" ".join(fields.issuer.split()),
        route=route,
        occupation_code=normalize_code(fields.occupation_code),
    )


def _check_lengths(fields: CertificateFields) -> list[FieldError]:
    limits = {"occupation": 100, "occupation_code": 20, "number": 50, "issuer": 100}
    return [
        _error(name, f"不能超过{limit}个字")
        for name, limit in limits.items()
        if len(getattr(fields, name)) > limit
    ]


def check_certificate(
    fields: CertificateFields,
    session: Session | None = None,
    certificate_id: int | None = None,
    today: date | None = None,
) -> list[FieldError]:
    """Every problem with a certificate (empty when it may be stored).

    Without a session only the fields themselves are checked; with one, also that the trainee
    exists and that no other certificate of this institution has the same number.
    """
    today = today or date.today()
    fields = normalize_certificate(fields)
    errors: list[FieldError] = []
    if fields.trainee_id is None:
        errors.append(_error("trainee_id", "请选择学员"))
    elif session is not None and session.get(Trainee, fields.trainee_id) is None:
        errors.append(_error("trainee_id", "该学员不存在（可能已被删除）"))

    kind = reference.certificate_type(fields.cert_type)
    if kind is None:
        names = "、".join(c.name for c in reference.certificate_types())
        errors.append(_error("cert_type", f"应为{names}之一"))
    if not fields.occupation:
        errors.append(_error("occupation", "不能为空"))

    if fields.level:
        if reference.skill_level(fields.level) is None:
            names = "、".join(lv.name for lv in reference.skill_levels())
            errors.append(_error("level", f"应为{names}之一"))
    elif kind is not None and kind.graded:
        errors.append(_error("level", f"{kind.name}须填写等级"))

    if not fields.number:
        errors.append(_error("number", "不能为空"))
    elif session is not None:
        holder = duplicate_number_holder(session, fields.number, certificate_id)
        if holder is not None:
            errors.append(_error("number", f"与学员“{holder}”的证书编号重复"))

    if fields.issue_date is None:
        errors.append(_error("issue_date", "不能为空"))
    elif fields.issue_date > today:
        errors.append(_error("issue_date", "不能晚于今天"))
    elif fields.issue_date < EARLIEST_ISSUE:
        errors.append(_error("issue_date", f"不能早于{EARLIEST_ISSUE:%Y年}"))

    routes = reference.training_rules().certificate_routes
    if fields.route not in routes:
        errors.append(_error("route", f"应为{'、'.join(routes)}之一"))
    return errors + _check_lengths(fields)


def duplicate_number_holder(
    session: Session, number: str, certificate_id: int | None = None
) -> str | None:
    """The name of the trainee who already holds ``number`` here, if anyone does.

    Unique per origin: a certificate that arrived in another institution's package may carry
    the same number (a bureau keeps every school's rows) without being a duplicate of ours.
    """
    query = (
        select(Trainee.name)
        .join(Certificate.trainee)
        .where(Certificate.number == normalize_code(number))
        .where(Certificate.origin == local_origin(session))
    )
    if certificate_id is not None:
        query = query.where(Certificate.id != certificate_id)
    return session.scalar(query.limit(1))


def stored_certificate(session: Session, certificate_id: int) -> Certificate:
    """The certificate with this id; refused, naming the id, when it is not (or no longer)
    there."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise ValidationFailed(
            [FieldError("certificate", "证书", f"编号 {certificate_id} 不存在（可能已被删除）")]
        )
    return certificate


def save_certificate(
    session: Session,
    certificate_id: int | None,
    fields: CertificateFields,
    today: date | None = None,
) -> Certificate:
    """Create (``certificate_id`` None) or update a certificate; raises ``ValidationFailed``.

    Flushes but does not commit: the caller owns the transaction.
    """
    certificate = None if certificate_id is None else stored_certificate(session, certificate_id)
    errors = check_certificate(fields, session, certificate_id, today)
    if errors:
        raise ValidationFailed(errors)
    clean = normalize_certificate(fields)
    if certificate is None:
        certificate = Certificate()
        session.add(certificate)
    certificate.trainee_id = clean.trainee_id  # type: ignore[assignment]
    certificate.cert_type = clean.cert_type
    certificate.occupation = clean.occupation
    certificate.occupation_code = clean.occupation_code
    certificate.level = clean.level
    certificate.number = clean.number
    certificate.issue_date = clean.issue_date
    certificate.issuer = clean.issuer
    certificate.route = clean.route
    session.flush()
    return certificate


def certificate_fields(certificate: Certificate) -> CertificateFields:
    """A stored certificate as fields: to fill the dialog, or to restore it after a delete."""
    return CertificateFields(
        trainee_id=certificate.trainee_id,
        cert_type=certificate.cert_type,
        occupation=certificate.occupation,
        level=certificate.level,
        number=certificate.number or "",
        issue_date=certificate.issue_date,
        issuer=certificate.issuer,
        route=certificate.route,
        occupation_code=certificate.occupation_code,
    )


def delete_certificate(session: Session, certificate_id: int) -> CertificateFields:
    """Delete a certificate and return what it held, so the clerk can undo the deletion."""
    certificate = stored_certificate(session, certificate_id)
    fields = certificate_fields(certificate)
    session.delete(certificate)
    session.flush()
    return fields


def occupation_suggestions(session: Session, limit: int = 500) -> list[str]:
    """Occupations to offer while typing: the institution's own (Annex 4) first, then those
    already on certificates, so the same 工种 is spelt the same way every time."""
    institution = local_institution(session)
    offered = [o.name for o in institution.occupations] if institution else []
    used = session.scalars(
        select(Certificate.occupation).distinct().order_by(Certificate.occupation).limit(limit)
    )
    return list(dict.fromkeys([*offered, *used]))


def display_number(number: str | None) -> str:
    """A certificate number fit for the screen: a 特种作业操作证 is numbered “T” + the holder's
    ID number, and that ID number must not be shown whole."""
    return mask_personal_numbers(number or "")


# --- Annex 1 --------------------------------------------------------------------------------


def institution_target_level(session: Session) -> str | None:
    """The Annex 1 level (高级工/中级工) the local institution is measured at.

    The same reading of Annex 1 as the progress figures (``core.progress.rules``), so the
    certificate list and the progress page never disagree about what counts.
    """
    institution = local_institution(session)
    if institution is None:
        return None
    return target_level(institution.category, own_row(institution.annex1_unit))


def counted_level(cert_type: str, level: str | None) -> str | None:
    """The most senior Annex 1 level a certificate counts as (高级工 counts for 中级工 too)."""
    return next(
        (t for t in reference.ANNEX1_LEVELS if reference.counts_toward(cert_type, level, t)),
        None,
    )


# --- Listing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFilter:
    """What the certificate list shows; ``level`` ``NO_LEVEL`` means ungraded certificates,
    ``trainee_id`` one trainee's (``certificates list --trainee``)."""

    text: str = ""
    cert_type: str | None = None
    level: str | None = None
    year: int | None = None
    counting_toward: str | None = None
    trainee_id: int | None = None


@dataclass(frozen=True)
class CertificateRow:
    id: int
    trainee_id: int
    trainee_name: str
    id_number: str
    cert_type: str
    occupation: str
    level: str
    number: str
    issue_date: date | None
    issuer: str
    route: str


#: Sortable columns of the list, by the key the GUI uses.
SORT_COLUMNS: dict[str, QueryableAttribute[Any]] = {
    "trainee_name": Trainee.name,
    "id_number": Trainee.id_number,
    "cert_type": Certificate.cert_type,
    "occupation": Certificate.occupation,
    "level": Certificate.level,
    "number": Certificate.number,
    "issue_date": Certificate.issue_date,
    "issuer": Certificate.issuer,
    "route": Certificate.route,
}


def _filtered(query: Select[tuple[int]], flt: CertificateFilter) -> Select[tuple[int]]:
    if flt.text.strip():
        matches = [prefix_match(Certificate.number, normalize_code(flt.text))]
        holder = search_terms(flt.text).condition()
        if holder is not None:
            # A subquery, not a join: the trainees' indexes find the holders, and the
            # certificates' own order (an index too) needs no sort afterwards.
            matches.append(Certificate.trainee_id.in_(select(Trainee.id).where(holder)))
        query = query.where(or_(*matches))
    if flt.trainee_id is not None:
        query = query.where(Certificate.trainee_id == flt.trainee_id)
    if flt.cert_type is not None:
        query = query.where(Certificate.cert_type == flt.cert_type)
    if flt.level is not None:
        query = query.where(Certificate.level == flt.level)
    if flt.year is not None:
        query = query.where(
            Certificate.issue_date >= date(flt.year, 1, 1),
            Certificate.issue_date <= date(flt.year, 12, 31),
        )
    if flt.counting_toward is not None:
        query = query.where(qualifying(flt.counting_toward))
    return query


def certificate_ids(
    session: Session,
    flt: CertificateFilter,
    sort_key: str = "issue_date",
    descending: bool = True,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[int]:
    """Ids of the certificates ``flt`` selects, sorted in SQL (rows are fetched separately).

    ``offset``/``limit`` give one window of them: the list loads a screenful first and the
    rest as the clerk scrolls, so a filter answers at once whatever the table's size.
    """
    column = SORT_COLUMNS[sort_key]
    query = select(Certificate.id)
    if column.class_ is Trainee:
        query = query.join(Certificate.trainee)
    # Ties broken by id in the same direction, which an index on the sort column yields
    # without sorting 200,000 rows.
    if descending:
        query = query.order_by(column.desc(), Certificate.id.desc())
    else:
        query = query.order_by(column.asc(), Certificate.id.asc())
    query = _filtered(query, flt).offset(offset).limit(limit)
    # Through Core: the ORM's result handling costs more than SQLite for a long id list.
    return list(session.connection().execute(query).scalars())


def certificate_rows(session: Session, ids: Sequence[int]) -> dict[int, CertificateRow]:
    """The rows for ``ids`` (a screenful at a time), keyed by certificate id."""
    query = (
        select(
            Certificate.id,
            Certificate.trainee_id,
            Trainee.name,
            Trainee.id_number,
            Certificate.cert_type,
            Certificate.occupation,
            Certificate.level,
            Certificate.number,
            Certificate.issue_date,
            Certificate.issuer,
            Certificate.route,
        )
        .join(Certificate.trainee)
        .where(Certificate.id.in_(ids))
    )
    return {
        row.id: CertificateRow(
            id=row.id,
            trainee_id=row.trainee_id,
            trainee_name=row.name,
            id_number=row.id_number,
            cert_type=row.cert_type,
            occupation=row.occupation,
            level=row.level,
            number=row.number or "",
            issue_date=row.issue_date,
            issuer=row.issuer,
            route=row.route,
        )
        for row in session.execute(query)
    }


def count_certificates(session: Session, flt: CertificateFilter) -> int:
    query = select(func.count(Certificate.id))
    return session.scalar(_filtered(query, flt)) or 0  # type: ignore[arg-type]


def issue_years(session: Session) -> list[int]:
    """The years from the newest certificate back to the oldest: the year filter's choices.

    Taken from the indexed minimum and maximum rather than a scan for distinct years, which
    would read every row of a large database.
    """
    oldest, newest = session.execute(
        select(func.min(Certificate.issue_date), func.max(Certificate.issue_date))
    ).one()
    if oldest is None or newest is None:
        return []
    return list(range(newest.year, oldest.year - 1, -1))
