"""Which certificates count, which Annex 1 row measures an institution, and what a rate means.

The counting rule itself is ``core.reference.counts_toward``; here it becomes an SQL condition so
that counting runs in the database, and the seed's assignment of institutions to Annex 1 rows is
spelled out once for the school and the bureau views alike.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, exists, or_, select

from core import reference
from models.trainee import Certificate, Trainee

BASIS_ANNEX1 = "附件1任务数"
BASIS_GRADUATES = "应届毕业生人数"

#: Seed 二(三): 本科 and 高职 graduates (and technical schools' senior classes) take 高级工;
#: secondary schools (and technical schools' intermediate classes) take 中级工.
SENIOR_CATEGORIES = frozenset({"本科院校", "高职院校"})

STATUS_LABELS = {
    "done": "已完成",
    "near": "接近完成",
    "behind": "滞后",
    "far_behind": "严重滞后",
    "none": "无任务数",
}

#: What a 定向 training milestone's state is called: on the 进度 page, by ``progress`` and in
#: its JSON, so that the clerk and the bureau read the same words for the same figure.
MILESTONE_STATE_LABELS = {
    "met": "已完成",
    "missed": "未完成",
    "pending": "未到期",
    "none": "无承诺数",
}


def month_day(day: date) -> str:
    """6月30日: how the plan names its dates (the year goes without saying)."""
    return f"{day.month}月{day.day}日"


def task_year(today: date) -> int:
    """The plan year whose figures ``today`` shows: its graduates, classes and milestones.

    For now the calendar year of ``today``; the one place to change when the task year is no
    longer the clock year (the province issues a task table each year).
    """
    return today.year


def status_of(rate: float | None) -> str:
    """A status code for a completion rate: ≥100% done, ≥80% near, ≥50% behind, else far behind."""
    if rate is None:
        return "none"
    if rate >= 1:
        return "done"
    if rate >= 0.8:
        return "near"
    if rate >= 0.5:
        return "behind"
    return "far_behind"


def rate_of(achieved: int, target: int | None) -> float | None:
    return achieved / target if target else None


def _spellings(level: reference.SkillLevel) -> tuple[str, ...]:
    return (level.code, level.name, *level.aliases)


def qualifying(target_level: str) -> ColumnElement[bool]:
    """SQL condition on ``certificates``: the certificate counts toward ``target_level``.

    Built by asking ``reference.counts_toward`` about every certificate kind and every spelling
    of every skill level, so the rule lives in one place and the query can use the index.
    """
    clauses: list[ColumnElement[bool]] = []
    for kind in reference.certificate_types():
        kind_is = Certificate.cert_type.in_((kind.code, kind.name))
        if reference.counts_toward(kind.code, None, target_level):
            clauses.append(kind_is)
            continue
        levels = [
            spelling
            for level in reference.skill_levels()
            for spelling in _spellings(level)
            if reference.counts_toward(kind.code, spelling, target_level)
        ]
        if levels:
            clauses.append(and_(kind_is, Certificate.level.in_(levels)))
    return or_(*clauses)


def holds_qualifying(target_level: str) -> ColumnElement[bool]:
    return exists(
        select(Certificate.id).where(Certificate.trainee_id == Trainee.id, qualifying(target_level))
    )


def own_row(annex1_unit: str | None) -> reference.Target | None:
    """The institution's own Annex 1 row; a unit printed twice (技工院校) is a whole sector."""
    rows = [t for t in reference.annex1_targets() if annex1_unit and t.unit == annex1_unit]
    return rows[0] if len(rows) == 1 else None


def target_level(category: str, row: reference.Target | None) -> str:
    """The Annex 1 level an institution's graduates are counted at."""
    if row is not None:
        return row.level
    return "高级工" if category in SENIOR_CATEGORIES else "中级工"


def city_code(division_code: str) -> str:
    return division_code[:4] + "00"


def city_row(division_code: str) -> reference.Target | None:
    """The 市教育局 row of the city a division lies in."""
    code = city_code(division_code)
    return next((t for t in reference.annex1_targets() if t.division == code), None)


def covering_row(category: str, division_code: str, level: str) -> reference.Target | None:
    """The Annex 1 row a school without a row of its own counts toward, if any.

    Secondary schools and county centres (whose Annex 4 rows the city consolidates) count toward
    their city bureau's 中级工 row; technical schools toward the 技工院校 row of their level.
    """
    consolidated = {c.name for c in reference.institution_categories() if c.city_consolidates}
    if category in consolidated:
        return city_row(division_code)
    return next(
        (
            t
            for t in reference.annex1_targets()
            if t.unit == category and t.category == category and t.level == level
        ),
        None,
    )
