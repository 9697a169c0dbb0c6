"""The bureau's view of what has arrived: each institution, its last package, its records.

Also the cross-school list: one person (one ID number) may be a trainee at two schools, which
is legitimate (a graduate retrained elsewhere). The records stay apart, one per school, and
this list shows where it happens instead of merging them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.identity.idcard import mask_id_number
from models.exchange import RECEIVED, ExchangePackage, ImportConflict
from models.institution import Institution
from models.trainee import Certificate, Trainee
from models.training import TrainingClass


@dataclass(frozen=True)
class InstitutionStatus:
    uscc: str
    name: str
    role: str
    division_code: str
    last_sequence: int | None
    last_kind: str | None
    last_imported_at: datetime | None
    last_created_at: datetime | None
    packages: int
    trainees: int
    certificates: int
    classes: int
    open_conflicts: int


def _counts_by_origin(session: Session, column: InstrumentedAttribute[str]) -> dict[str, int]:
    return {
        origin: count
        for origin, count in session.execute(select(column, func.count()).group_by(column))
    }


def institutions_overview(session: Session) -> list[InstitutionStatus]:
    """Every other institution known here (from packages or as their records' owner)."""
    institutions = {
        row.uscc: row
        for row in session.scalars(select(Institution).where(Institution.is_local.is_(False)))
    }
    packages: dict[str, list[ExchangePackage]] = {}
    for package in session.scalars(
        select(ExchangePackage)
        .where(ExchangePackage.direction == RECEIVED)
        .order_by(ExchangePackage.id)
    ):
        packages.setdefault(package.sender_uscc, []).append(package)
    trainees = _counts_by_origin(session, Trainee.origin)
    certificates = _counts_by_origin(session, Certificate.origin)
    classes = _counts_by_origin(session, TrainingClass.origin)
    open_conflicts = {
        origin: count
        for origin, count in session.execute(
            select(ImportConflict.origin, func.count())
            .where(ImportConflict.resolution.is_(None))
            .group_by(ImportConflict.origin)
        )
    }
    statuses = []
    for uscc in sorted(set(institutions) | set(packages)):
        institution = institutions.get(uscc)
        sent = packages.get(uscc, [])
        last = sent[-1] if sent else None
        statuses.append(
            InstitutionStatus(
                uscc=uscc,
                name=institution.name if institution else (last.sender_name if last else ""),
                role=institution.role if institution else "",
                division_code=institution.division_code if institution else "",
                last_sequence=last.sequence if last else None,
                last_kind=last.kind if last else None,
                last_imported_at=last.processed_at if last else None,
                last_created_at=last.created_at if last else None,
                packages=len(sent),
                trainees=trainees.get(uscc, 0),
                certificates=certificates.get(uscc, 0),
                classes=classes.get(uscc, 0),
                open_conflicts=open_conflicts.get(uscc, 0),
            )
        )
    return statuses


@dataclass(frozen=True)
class SharedPerson:
    """One ID number held by trainees of several schools; the number is shown masked."""

    masked_id: str
    names: tuple[str, ...]
    schools: tuple[str, ...]


def people_at_several_schools(session: Session, limit: int = 1000) -> list[SharedPerson]:
    shared = (
        select(Trainee.id_number)
        .group_by(Trainee.id_number)
        .having(func.count(func.distinct(Trainee.origin)) > 1)
        .order_by(Trainee.id_number)
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        select(Trainee.id_number, Trainee.name, Trainee.origin, Institution.name)
        .join(shared, shared.c.id_number == Trainee.id_number)
        .outerjoin(Institution, Institution.uscc == Trainee.origin)
        .order_by(Trainee.id_number, Trainee.origin)
    )
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for id_number, name, origin, school in rows:
        names, schools = grouped.setdefault(id_number, ([], []))
        if name not in names:
            names.append(name)
        schools.append(school or origin)
    return [
        SharedPerson(mask_id_number(number), tuple(names), tuple(schools))
        for number, (names, schools) in grouped.items()
    ]
