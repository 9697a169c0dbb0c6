"""Aggregates shared by the school and bureau views: one grouped query, never a row per person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from core import reference
from core.fields import FieldError, ValidationFailed
from core.progress.results import InstitutionInfo, TrendPoint
from core.progress.rules import holds_qualifying, qualifying
from models.institution import Institution
from models.trainee import Certificate, Trainee
from models.training import Enrolment, TrainingClass


def info(institution: Institution) -> InstitutionInfo:
    return InstitutionInfo(
        name=institution.name,
        uscc=institution.uscc,
        category=institution.category,
        role=institution.role,
        division_code=institution.division_code,
        annex1_unit=institution.annex1_unit,
        training_capacity=institution.training_capacity,
    )


def find_institution(session: Session, origin: str | None) -> Institution:
    condition = Institution.is_local if origin is None else Institution.uscc == origin
    institution = session.scalar(select(Institution).where(condition))
    if institution is None:
        if origin is None:
            error = FieldError("institution", "本机构", "尚未登记：请先完成初始设置（init）")
        else:
            error = FieldError("institution", "机构", f"没有统一社会信用代码为{origin}的机构")
        raise ValidationFailed([error])
    return institution


def certificate_counts(
    session: Session, year: int, origins_by_level: dict[str, Sequence[str]]
) -> dict[str, tuple[int, int]]:
    """(graduates, achieved) per origin: one grouped query per Annex 1 level."""
    counts: dict[str, tuple[int, int]] = {}
    for level, origins in origins_by_level.items():
        if not origins:
            continue
        query = (
            select(
                Trainee.origin,
                func.count(Trainee.id),
                func.sum(case((holds_qualifying(level), 1), else_=0)),
            )
            .where(Trainee.graduation_year == year, Trainee.origin.in_(origins))
            .group_by(Trainee.origin)
        )
        for origin, graduates, achieved in session.execute(query):
            counts[origin] = (graduates, achieved or 0)
    return counts


def _weeks(year: int, today: date) -> list[date]:
    """Mondays from the week holding 1 January to the week holding ``today`` (or 31 December)."""
    first = date(year, 1, 1)
    first -= timedelta(days=first.weekday())
    last = min(today, date(year, 12, 31))
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def trend(
    session: Session, year: int, today: date, level: str, origins: Sequence[str]
) -> tuple[TrendPoint, ...]:
    """Cumulative qualified graduates per week, from each person's first qualifying certificate.

    A certificate without an issue date counts from before the year; one dated after the last
    week falls into the last week, so the last point always equals the achieved figure.
    """
    weeks = _weeks(year, today)
    if not origins:
        return tuple(TrendPoint(week, 0) for week in weeks)
    before = weeks[0] - timedelta(days=1)
    first_dates = (
        select(
            Trainee.id.label("trainee_id"),
            func.min(func.coalesce(Certificate.issue_date, before)).label("first"),
        )
        .join(Certificate, Certificate.trainee_id == Trainee.id)
        .where(Trainee.graduation_year == year, Trainee.origin.in_(origins), qualifying(level))
        .group_by(Trainee.id)
        .subquery()
    )
    per_day = session.execute(
        select(first_dates.c.first, func.count()).group_by(first_dates.c.first)
    ).all()
    added = [0] * len(weeks)
    baseline = 0
    for value, count in per_day:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        if day < weeks[0]:
            baseline += count
        else:
            added[min((day - weeks[0]).days // 7, len(weeks) - 1)] += count
    points = []
    running = baseline
    for week, count in zip(weeks, added, strict=True):
        running += count
        points.append(TrendPoint(week, running))
    return tuple(points)


def _class_done_date() -> ColumnElement[date]:
    return func.coalesce(Enrolment.completion_date, TrainingClass.end_date)


def in_year(year: int) -> ColumnElement[bool]:
    """Classes that run during any part of the year."""
    return and_(
        TrainingClass.start_date <= date(year, 12, 31), TrainingClass.end_date >= date(year, 1, 1)
    )


def milestone_dates(year: int) -> list[tuple[date, float]]:
    return [
        (date(year, m, d), share) for m, d, share in reference.training_rules().training_milestones
    ]


@dataclass(frozen=True, slots=True)
class TrainingCounts:
    enrolled: int
    completers: int
    by_milestone: tuple[int, ...]


def training_counts(
    session: Session, year: int, origins: Sequence[str]
) -> dict[str, TrainingCounts]:
    """Enrolled and completed (in the year, and by each milestone) in 定向 classes, per origin."""
    if not origins:
        return {}
    done = _class_done_date()
    year_start = date(year, 1, 1)

    def completed_by(day: date) -> ColumnElement[int]:
        return func.sum(
            case((and_(Enrolment.completed, done >= year_start, done <= day), 1), else_=0)
        )

    milestones = milestone_dates(year)
    query = (
        select(
            TrainingClass.origin,
            func.count(Enrolment.id),
            completed_by(date(year, 12, 31)),
            *(completed_by(day) for day, _share in milestones),
        )
        .join(Enrolment, Enrolment.class_id == TrainingClass.id)
        .where(
            TrainingClass.kind == reference.training_rules().directed_kind,
            TrainingClass.origin.in_(origins),
            in_year(year),
        )
        .group_by(TrainingClass.origin)
    )
    return {
        origin: TrainingCounts(enrolled, completers or 0, tuple(n or 0 for n in by))
        for origin, enrolled, completers, *by in session.execute(query)
    }
