"""The bureau dashboard: each institution held, the Annex 1 rows they fill, the totals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import reference
from core.progress.queries import (
    certificate_counts,
    find_institution,
    info,
    training_counts,
    trend,
)
from core.progress.results import (
    BureauProgress,
    InstitutionProgress,
    LevelTotal,
    RowProgress,
)
from core.progress.rules import (
    BASIS_ANNEX1,
    BASIS_GRADUATES,
    city_code,
    city_row,
    covering_row,
    own_row,
    target_level,
    task_year,
)
from models.exchange import RECEIVED, ExchangePackage
from models.institution import Institution

#: An institution whose newest package is older than this is listed as not reporting.
DEFAULT_STALE_DAYS = 30


def _last_packages(session: Session) -> dict[str, datetime]:
    """When each sender made the newest package this bureau has received from it."""
    query = (
        select(ExchangePackage.sender_uscc, func.max(ExchangePackage.created_at))
        .where(ExchangePackage.direction == RECEIVED)
        .group_by(ExchangePackage.sender_uscc)
    )
    return {sender: made for sender, made in session.execute(query)}


def _city_name(division_code: str) -> str:
    city = reference.division(city_code(division_code))
    return city.name if city else ""


def _sort_key(item: InstitutionProgress) -> tuple[bool, float, int, str]:
    rate = item.rate
    return (rate is None, rate if rate is not None else 0.0, -item.graduates, item.uscc)


def bureau_progress(
    session: Session, today: date, stale_days: int = DEFAULT_STALE_DAYS
) -> BureauProgress:
    """The bureau dashboard over every institution held (all but the bureau's own row).

    A city bureau's headline is its city's 中级工 row; the province's are the two Annex 1 level
    totals (107,671 高级工, 100,820 中级工).
    """
    bureau = find_institution(session, None)
    year = task_year(today)
    held = session.scalars(
        select(Institution).where(Institution.is_local.is_(False)).order_by(Institution.uscc)
    ).all()
    levels: dict[str, str] = {}
    rows_of: dict[str, reference.Target | None] = {}
    own: dict[str, reference.Target | None] = {}
    for institution in held:
        row = own_row(institution.annex1_unit)
        level = target_level(institution.category, row)
        levels[institution.uscc] = level
        own[institution.uscc] = row
        rows_of[institution.uscc] = row or covering_row(
            institution.category, institution.division_code, level
        )
    by_level: dict[str, list[str]] = {level: [] for level in reference.ANNEX1_LEVELS}
    for uscc, level in levels.items():
        by_level[level].append(uscc)
    certificates = certificate_counts(session, year, by_level)
    training = training_counts(session, year, list(levels))
    latest = _last_packages(session)

    institutions = []
    for institution in held:
        uscc = institution.uscc
        graduates, achieved = certificates.get(uscc, (0, 0))
        row = own[uscc]
        institutions.append(
            InstitutionProgress(
                uscc=uscc,
                name=institution.name,
                category=institution.category,
                division_code=institution.division_code,
                city=_city_name(institution.division_code),
                level=levels[uscc],
                target=row.target if row else graduates,
                basis=BASIS_ANNEX1 if row else BASIS_GRADUATES,
                annex1_unit=row.unit if row else None,
                graduates=graduates,
                achieved=achieved,
                commitment=institution.training_capacity,
                completers=training[uscc].completers if uscc in training else 0,
                last_package_at=latest.get(uscc),
            )
        )
    institutions.sort(key=_sort_key)

    rows = _row_progress(bureau, institutions, rows_of)
    totals = _totals(session, bureau, today, institutions=institutions, rows=rows, rows_of=rows_of)
    return BureauProgress(
        institution=info(bureau),
        today=today,
        totals=totals,
        institutions=tuple(institutions),
        rows=rows,
        stale_days=stale_days,
    )


def _row_progress(
    bureau: Institution,
    institutions: Iterable[InstitutionProgress],
    rows_of: dict[str, reference.Target | None],
) -> tuple[RowProgress, ...]:
    """Annex 1 rows and what their institutions achieved: all at the province, else those used."""
    achieved: dict[reference.Target, int] = {}
    covered: dict[reference.Target, int] = {}
    for item in institutions:
        row = rows_of[item.uscc]
        if row is not None:
            achieved[row] = achieved.get(row, 0) + item.achieved
            covered[row] = covered.get(row, 0) + 1
    own_city = city_row(bureau.division_code) if bureau.role == "city" else None
    return tuple(
        RowProgress(row, achieved.get(row, 0), covered.get(row, 0))
        for row in reference.annex1_targets()
        if bureau.role != "city" or row in covered or row == own_city
    )


def _totals(
    session: Session,
    bureau: Institution,
    today: date,
    *,
    institutions: Sequence[InstitutionProgress],
    rows: Sequence[RowProgress],
    rows_of: dict[str, reference.Target | None],
) -> tuple[LevelTotal, ...]:
    year = task_year(today)
    if bureau.role == "city":
        own_city = city_row(bureau.division_code)
        if own_city is None:
            return ()
        covered = sorted(uscc for uscc, row in rows_of.items() if row == own_city)
        return (
            LevelTotal(
                label=own_city.unit,
                level=own_city.level,
                target=own_city.target,
                achieved=next((r.achieved for r in rows if r.row == own_city), 0),
                trend=trend(session, year, today, own_city.level, covered),
            ),
        )
    targets = reference.annex1_totals()
    return tuple(
        LevelTotal(
            label=f"全省{level}",
            level=level,
            target=targets[level],
            achieved=sum(i.achieved for i in institutions if i.level == level),
            trend=trend(
                session, year, today, level, [i.uscc for i in institutions if i.level == level]
            ),
        )
        for level in reference.ANNEX1_LEVELS
    )
