"""The figures a dashboard shows, as frozen values computed once and read by the GUI, CLI, tests."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from core import reference
from core.progress.rules import MILESTONE_STATE_LABELS, month_day, rate_of, status_of, task_year


@dataclass(frozen=True, slots=True)
class InstitutionInfo:
    name: str
    uscc: str
    category: str
    role: str
    division_code: str
    annex1_unit: str | None
    training_capacity: int | None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """Graduates holding a qualifying certificate by the end of the week starting ``week``."""

    week: date
    achieved: int


@dataclass(frozen=True, slots=True)
class CertificateProgress:
    """A school's certificate figures for this year's graduates."""

    level: str
    target: int
    basis: str
    annex1_unit: str | None
    graduates: int
    achieved: int
    deadline: date
    today: date
    trend: tuple[TrendPoint, ...]

    @property
    def missing(self) -> int:
        """Graduates still without a qualifying certificate (the 还差谁 list)."""
        return self.graduates - self.achieved

    @property
    def remaining(self) -> int:
        return max(0, self.target - self.achieved)

    @property
    def beyond_graduates(self) -> int:
        """How far the target stays out of reach even if every remaining graduate passes."""
        return max(0, self.remaining - self.missing)

    @property
    def rate(self) -> float | None:
        return rate_of(self.achieved, self.target)

    @property
    def status(self) -> str:
        return status_of(self.rate)

    @property
    def days_left(self) -> int:
        """Days to the deadline, negative once it has passed."""
        return (self.deadline - self.today).days

    @property
    def per_week_needed(self) -> int | None:
        """New holders needed per week (a part week counts whole); None after the deadline."""
        if self.remaining == 0:
            return 0
        if self.days_left <= 0:
            return None
        return math.ceil(self.remaining / math.ceil(self.days_left / 7))


@dataclass(frozen=True, slots=True)
class Milestone:
    """One of the 40% / 80% / 100% dates of the plan's 二(四)."""

    due: date
    share: float
    required: int | None
    achieved: int
    today: date

    @property
    def state(self) -> str:
        """met, missed (due passed short of the mark), pending, or none without a commitment."""
        if self.required is None:
            return "none"
        if self.achieved >= self.required:
            return "met"
        return "missed" if self.today > self.due else "pending"

    @property
    def label(self) -> str:
        """6月30日 40%: the milestone as the plan names it, wherever it is shown."""
        return f"{month_day(self.due)} {self.share:.0%}"

    @property
    def state_label(self) -> str:
        return MILESTONE_STATE_LABELS[self.state]


@dataclass(frozen=True, slots=True)
class LateClass:
    """A 定向 class that ends after the last milestone, so its completers come too late."""

    id: int
    name: str
    start_date: date
    end_date: date
    planned_headcount: int
    enrolled: int


@dataclass(frozen=True, slots=True)
class TrainingProgress:
    commitment: int | None
    enrolled: int
    completers: int
    milestones: tuple[Milestone, ...]
    late_classes: tuple[LateClass, ...]

    @property
    def rate(self) -> float | None:
        return rate_of(self.completers, self.commitment)

    @property
    def status(self) -> str:
        return status_of(self.rate)


@dataclass(frozen=True, slots=True)
class SubsidyRow:
    class_id: int
    name: str
    kind: str
    status: str
    completers: int
    per_person: Decimal
    capped: bool

    @property
    def amount(self) -> Decimal:
        return self.per_person * self.completers


@dataclass(frozen=True, slots=True)
class SubsidySummary:
    rows: tuple[SubsidyRow, ...]
    cap: int

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal(0))

    @property
    def completers(self) -> int:
        return sum(r.completers for r in self.rows)


@dataclass(frozen=True, slots=True)
class MissingScope:
    """Who the 还差谁 list is about: one institution's graduates of one year, at one level."""

    origin: str
    year: int
    level: str


@dataclass(frozen=True, slots=True)
class SchoolProgress:
    institution: InstitutionInfo
    today: date
    certificates: CertificateProgress
    training: TrainingProgress
    subsidy: SubsidySummary

    @property
    def year(self) -> int:
        """The plan year of the figures: its graduates are the ones counted."""
        return task_year(self.today)

    @property
    def missing_scope(self) -> MissingScope:
        return MissingScope(self.institution.uscc, self.year, self.certificates.level)


@dataclass(frozen=True, slots=True)
class InstitutionProgress:
    """One row of a bureau's table."""

    uscc: str
    name: str
    category: str
    division_code: str
    city: str
    level: str
    target: int
    basis: str
    annex1_unit: str | None
    graduates: int
    achieved: int
    commitment: int | None
    completers: int
    last_package_at: datetime | None

    @property
    def rate(self) -> float | None:
        return rate_of(self.achieved, self.target)

    @property
    def status(self) -> str:
        return status_of(self.rate)


@dataclass(frozen=True, slots=True)
class RowProgress:
    """An Annex 1 row with what the institutions it covers have achieved."""

    row: reference.Target
    achieved: int
    institutions: int

    @property
    def rate(self) -> float | None:
        return rate_of(self.achieved, self.row.target)

    @property
    def status(self) -> str:
        return status_of(self.rate)


@dataclass(frozen=True, slots=True)
class LevelTotal:
    """A bureau's headline figure: a city's 中级工 row, or a province level total."""

    label: str
    level: str
    target: int
    achieved: int
    trend: tuple[TrendPoint, ...]

    @property
    def rate(self) -> float | None:
        return rate_of(self.achieved, self.target)

    @property
    def status(self) -> str:
        return status_of(self.rate)


@dataclass(frozen=True, slots=True)
class BureauProgress:
    institution: InstitutionInfo
    today: date
    totals: tuple[LevelTotal, ...]
    institutions: tuple[InstitutionProgress, ...]
    rows: tuple[RowProgress, ...]
    stale_days: int

    @property
    def completers(self) -> int:
        return sum(i.completers for i in self.institutions)

    @property
    def stale(self) -> tuple[InstitutionProgress, ...]:
        """Institutions with no package received, or none made in ``stale_days``; oldest first."""
        cutoff = datetime.combine(self.today - timedelta(days=self.stale_days), time.min)
        quiet = [
            i for i in self.institutions if i.last_package_at is None or i.last_package_at < cutoff
        ]
        return tuple(sorted(quiet, key=lambda i: (i.last_package_at or datetime.min, i.uscc)))


@dataclass(frozen=True, slots=True)
class MissingTrainee:
    """A graduate without a qualifying certificate; ID and phone unmasked, mask before showing."""

    id: int
    name: str
    gender: str
    id_number: str
    phone: str
    major: str
    class_name: str
    certificates: int


@dataclass(frozen=True, slots=True)
class GroupCount:
    """Graduates and missing ones in one class or major."""

    name: str
    graduates: int
    missing: int
