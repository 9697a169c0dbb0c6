"""The rules a training class must meet before its application report can be printed.

From the seed's 二(四): classes run 3–6 months, are tied to one of the 24 industries, and are
subsidised by actual completers at no more than 10,000 yuan a person.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core import reference
from core.fields import FieldError

LABELS = {
    "name": "培训班名称",
    "industry_code": "对接产业",
    "occupation": "培训职业（工种）",
    "kind": "培训类型",
    "start_date": "开班日期",
    "end_date": "结业日期",
    "location": "培训地点",
    "planned_headcount": "培训人数",
    "participant_identity": "参培人员身份",
    "total_hours": "总课时",
    "status": "状态",
    "subsidy_per_person": "人均补贴（元）",
}


@dataclass(frozen=True)
class ClassFields:
    """The blanks of the Annex 3 report as the clerk fills them in.

    The status is not among them: it moves only by the steps of ``core.classes.status``, whose
    checks an edit must not bypass.
    """

    name: str
    industry_code: str
    start_date: date
    end_date: date
    occupation: str = ""
    kind: str = "定向"
    location: str = ""
    planned_headcount: int = 0
    participant_identity: str = "企业职工"
    total_hours: int = 0
    subsidy_per_person: Decimal = Decimal(0)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def directed_end_range(start: date) -> tuple[date, date]:
    """Earliest and latest end date of a 定向 class starting on ``start`` (3 to 6 months)."""
    rules = reference.training_rules()
    months = rules.directed_months
    return (
        add_months(start, months[0]) - timedelta(days=1),
        add_months(start, months[1]) - timedelta(days=1),
    )


def _error(field: str, message: str) -> FieldError:
    return FieldError(field, LABELS[field], message)


def check_class(fields: ClassFields) -> list[FieldError]:
    rules = reference.training_rules()
    errors: list[FieldError] = []
    if not fields.name.strip():
        errors.append(_error("name", "不能为空"))
    if reference.find_industry(fields.industry_code) is None:
        errors.append(_error("industry_code", "应为14个战略性新兴产业或十大产业集群之一"))
    if fields.kind not in rules.class_kinds:
        errors.append(_error("kind", f"应为{'、'.join(rules.class_kinds)}之一"))
    if fields.end_date <= fields.start_date:
        errors.append(_error("end_date", "应晚于开班日期"))
    elif fields.kind == rules.directed_kind:
        earliest, latest = directed_end_range(fields.start_date)
        if not earliest <= fields.end_date <= latest:
            low, high = rules.directed_months
            errors.append(
                _error(
                    "end_date",
                    f"定向培训每期{low}—{high}个月：结业日期应在"
                    f"{earliest:%Y-%m-%d}至{latest:%Y-%m-%d}之间",
                )
            )
    if fields.planned_headcount < 0:
        errors.append(_error("planned_headcount", "不能为负数"))
    if fields.total_hours <= 0:
        errors.append(_error("total_hours", "应大于0"))
    if fields.subsidy_per_person < 0:
        errors.append(_error("subsidy_per_person", "不能为负数"))
    elif fields.subsidy_per_person > rules.subsidy_cap_per_person:
        errors.append(_error("subsidy_per_person", f"每人不超过{rules.subsidy_cap_per_person:,}元"))
    return errors


def plan_total(items: Iterable[tuple[int, int]]) -> int:
    """Total hours of a teaching plan given (theory, practice) hours per module."""
    return sum(theory + practice for theory, practice in items)
