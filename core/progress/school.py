"""The school dashboard: certificates by 8月31日, 定向 training by its milestones, the subsidy."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core import reference
from core.progress.queries import (
    TrainingCounts,
    certificate_counts,
    find_institution,
    in_year,
    info,
    milestone_dates,
    training_counts,
    trend,
)
from core.progress.results import (
    CertificateProgress,
    LateClass,
    Milestone,
    MissingScope,
    SchoolProgress,
    SubsidyRow,
    SubsidySummary,
    TrainingProgress,
)
from core.progress.rules import BASIS_ANNEX1, BASIS_GRADUATES, own_row, target_level, task_year
from models.institution import Institution
from models.training import Enrolment, TrainingClass


def _training(session: Session, institution: Institution, today: date) -> TrainingProgress:
    year = task_year(today)
    counts = training_counts(session, year, [institution.uscc]).get(
        institution.uscc, TrainingCounts(0, 0, tuple(0 for _ in milestone_dates(year)))
    )
    commitment = institution.training_capacity
    milestones = tuple(
        Milestone(
            due=day,
            share=share,
            required=math.ceil(commitment * share) if commitment else None,
            achieved=achieved,
            today=today,
        )
        for (day, share), achieved in zip(milestone_dates(year), counts.by_milestone, strict=True)
    )
    final_due = milestones[-1].due
    enrolled = func.count(Enrolment.id)
    late = session.execute(
        select(
            TrainingClass.id,
            TrainingClass.name,
            TrainingClass.start_date,
            TrainingClass.end_date,
            TrainingClass.planned_headcount,
            enrolled,
        )
        .outerjoin(Enrolment, Enrolment.class_id == TrainingClass.id)
        .where(
            TrainingClass.origin == institution.uscc,
            TrainingClass.kind == reference.training_rules().directed_kind,
            TrainingClass.end_date > final_due,
            TrainingClass.start_date <= date(year, 12, 31),
        )
        .group_by(TrainingClass.id)
        .order_by(TrainingClass.end_date.desc(), TrainingClass.id)
    ).all()
    return TrainingProgress(
        commitment=commitment,
        enrolled=counts.enrolled,
        completers=counts.completers,
        milestones=milestones,
        late_classes=tuple(LateClass(*row) for row in late),
    )


def _subsidy(session: Session, origin: str, year: int) -> SubsidySummary:
    """Completers × subsidy per person, by class, for every class running during the year."""
    cap = reference.training_rules().subsidy_cap_per_person
    completers = func.sum(case((Enrolment.completed, 1), else_=0))
    rows = session.execute(
        select(
            TrainingClass.id,
            TrainingClass.name,
            TrainingClass.kind,
            TrainingClass.status,
            func.coalesce(completers, 0),
            TrainingClass.subsidy_per_person,
        )
        .outerjoin(Enrolment, Enrolment.class_id == TrainingClass.id)
        .where(TrainingClass.origin == origin, in_year(year))
        .group_by(TrainingClass.id)
        .order_by(TrainingClass.start_date, TrainingClass.id)
    ).all()
    return SubsidySummary(
        rows=tuple(
            SubsidyRow(
                class_id=class_id,
                name=name,
                kind=kind,
                status=status,
                completers=count,
                per_person=min(Decimal(per_person or 0), Decimal(cap)),
                capped=Decimal(per_person or 0) > cap,
            )
            for class_id, name, kind, status, count, per_person in rows
        ),
        cap=cap,
    )


def school_progress(session: Session, today: date, origin: str | None = None) -> SchoolProgress:
    """The school dashboard for the local institution, or for ``origin`` (a bureau's drill-down)."""
    institution = find_institution(session, origin)
    year = task_year(today)
    row = own_row(institution.annex1_unit)
    level = target_level(institution.category, row)
    graduates, achieved = certificate_counts(session, year, {level: [institution.uscc]}).get(
        institution.uscc, (0, 0)
    )
    month, day = reference.training_rules().graduate_certificate_deadline
    certificates = CertificateProgress(
        level=level,
        target=row.target if row else graduates,
        basis=BASIS_ANNEX1 if row else BASIS_GRADUATES,
        annex1_unit=row.unit if row else None,
        graduates=graduates,
        achieved=achieved,
        deadline=date(year, month, day),
        today=today,
        trend=trend(session, year, today, level, [institution.uscc]),
    )
    return SchoolProgress(
        institution=info(institution),
        today=today,
        certificates=certificates,
        training=_training(session, institution, today),
        subsidy=_subsidy(session, institution.uscc, year),
    )


def graduates_scope(session: Session, year: int, origin: str | None = None) -> MissingScope:
    """The 还差谁 list of ``year`` for the local school (or ``origin``), without the dashboard:
    its graduates of that year, at the level its dashboard counts them (``school_progress``)."""
    institution = find_institution(session, origin)
    level = target_level(institution.category, own_row(institution.annex1_unit))
    return MissingScope(institution.uscc, year, level)
