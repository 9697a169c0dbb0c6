"""Progress against the plan's targets: graduates' certificates by 8月31日, training by 11月30日.

Every figure is an SQL aggregate (COUNT with EXISTS over qualifying certificates, GROUP BY origin
at a bureau), so a bureau holding 200,000 trainees gets its dashboard without a Python object per
person. Which certificate counts toward which Annex 1 level, the deadline and the milestones all
come from ``core.reference``; this package only turns them into queries and figures.

Readings of the seed the figures rest on (also in docs/progress-json.md):

- "This year's graduates" are the trainees of an institution (its origin) whose graduation year
  is the year of ``today`` (``task_year``, the one place that says so); one person counts once
  however many certificates they hold.
- An institution with its own Annex 1 row is measured against that row's 任务数. A school the
  table does not list on its own (a city's secondary school, a technical school) is measured
  against its number of graduates, since the plan expects every graduate to leave with a
  certificate; its achievement also counts toward the Annex 1 row that covers it (its city
  bureau's 中级工 row, or the 技工院校 row).
- The training commitment is the institution's 培训规模 (Annex 4), the only number the forms
  give; completers are completed enrolments (人次) in the year's 定向 classes.

Every function takes ``today`` so that tests have known answers; the app passes the real date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from core.progress.bureau import DEFAULT_STALE_DAYS, bureau_progress
from core.progress.missing import (
    MISSING_GROUPS,
    missing_count,
    missing_graduates,
    missing_groups,
)
from core.progress.queries import find_institution
from core.progress.results import (
    BureauProgress,
    CertificateProgress,
    GroupCount,
    InstitutionInfo,
    InstitutionProgress,
    LateClass,
    LevelTotal,
    Milestone,
    MissingScope,
    MissingTrainee,
    RowProgress,
    SchoolProgress,
    SubsidyRow,
    SubsidySummary,
    TrainingProgress,
    TrendPoint,
)
from core.progress.rules import (
    BASIS_ANNEX1,
    BASIS_GRADUATES,
    MILESTONE_STATE_LABELS,
    STATUS_LABELS,
    month_day,
    qualifying,
    status_of,
    task_year,
)
from core.progress.school import graduates_scope, school_progress


def dashboard(
    session: Session, today: date, stale_days: int = DEFAULT_STALE_DAYS
) -> SchoolProgress | BureauProgress:
    """The school view for a school installation, the bureau view for a city or the province."""
    if find_institution(session, None).role == "school":
        return school_progress(session, today)
    return bureau_progress(session, today, stale_days)


__all__ = [
    "BASIS_ANNEX1",
    "BASIS_GRADUATES",
    "DEFAULT_STALE_DAYS",
    "MILESTONE_STATE_LABELS",
    "MISSING_GROUPS",
    "STATUS_LABELS",
    "BureauProgress",
    "CertificateProgress",
    "GroupCount",
    "InstitutionInfo",
    "InstitutionProgress",
    "LateClass",
    "LevelTotal",
    "Milestone",
    "MissingScope",
    "MissingTrainee",
    "RowProgress",
    "SchoolProgress",
    "SubsidyRow",
    "SubsidySummary",
    "TrainingProgress",
    "TrendPoint",
    "bureau_progress",
    "dashboard",
    "graduates_scope",
    "missing_count",
    "missing_graduates",
    "missing_groups",
    "month_day",
    "qualifying",
    "school_progress",
    "status_of",
    "task_year",
]
