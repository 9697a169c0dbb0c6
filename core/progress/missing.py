"""还差谁: this year's graduates without a qualifying certificate, paged and grouped in SQL.

The rows carry full ID numbers and phones because the Excel export may need them; whoever shows
them on a screen masks them first (``core.identity.idcard.mask_id_number``,
``core.identity.phone.mask_phone``).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from core.progress.results import GroupCount, MissingScope, MissingTrainee
from core.progress.rules import holds_qualifying
from models.trainee import Certificate, Trainee

#: Columns the 还差谁 list can be grouped by, with their labels.
MISSING_GROUPS = {"class_name": "班级", "major": "专业"}


def _group_column(by: str) -> ColumnElement[str]:
    if by not in MISSING_GROUPS:
        raise ValueError(f"未知的分组：{by}")
    return Trainee.class_name if by == "class_name" else Trainee.major


def _graduates(scope: MissingScope) -> ColumnElement[bool]:
    return and_(Trainee.origin == scope.origin, Trainee.graduation_year == scope.year)


def _missing(scope: MissingScope, by: str, group: str | None) -> ColumnElement[bool]:
    condition = and_(_graduates(scope), ~holds_qualifying(scope.level))
    if group is not None:
        condition = and_(condition, _group_column(by) == group)
    return condition


def missing_count(
    session: Session, scope: MissingScope, *, by: str = "class_name", group: str | None = None
) -> int:
    """How many rows ``missing_graduates`` would return without a limit."""
    query = select(func.count(Trainee.id)).where(_missing(scope, by, group))
    return session.scalar(query) or 0


def missing_graduates(
    session: Session,
    scope: MissingScope,
    *,
    by: str = "class_name",
    group: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[MissingTrainee]:
    """A page of the 还差谁 list, ordered by class or major, then name."""
    held = (
        select(func.count(Certificate.id))
        .where(Certificate.trainee_id == Trainee.id)
        .scalar_subquery()
    )
    query = (
        select(
            Trainee.id,
            Trainee.name,
            Trainee.gender,
            Trainee.id_number,
            Trainee.phone,
            Trainee.major,
            Trainee.class_name,
            held,
        )
        .where(_missing(scope, by, group))
        .order_by(_group_column(by), Trainee.name, Trainee.id)
        .offset(offset)
        .limit(limit)
    )
    return [MissingTrainee(*row) for row in session.execute(query)]


def missing_groups(session: Session, scope: MissingScope, by: str) -> tuple[GroupCount, ...]:
    """Graduates and missing ones per class or major, the groups with most missing first."""
    column = _group_column(by)
    missing = func.sum(case((~holds_qualifying(scope.level), 1), else_=0))
    query = (
        select(column, func.count(Trainee.id), missing)
        .where(_graduates(scope))
        .group_by(column)
        .order_by(missing.desc(), column)
    )
    return tuple(
        GroupCount(name or "", graduates, lacking or 0)
        for name, graduates, lacking in session.execute(query)
    )
