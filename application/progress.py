"""Progress as use cases: the dashboard's figures, a held school's, and the 还差谁 list's pages.

The 进度 page (and a bureau's drill-down into one school) and ``progress`` on the command line
read the same ``Snapshot``, so a figure cannot differ between the screen and the terminal. The
figures are SQL aggregates from ``core.progress``; each function opens its own read-only
session. The 还差谁 rows come back masked: the screen needs no more, and a list with full
numbers leaves only as a file, through ``application.documents.write_missing_list``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from core import progress as figures
from core.fields import FieldError, ValidationFailed
from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.institution import local_institution
from core.progress import (
    DEFAULT_STALE_DAYS,
    MISSING_GROUPS,
    BureauProgress,
    GroupCount,
    MissingScope,
    MissingTrainee,
    SchoolProgress,
)
from models.database import Database

BUREAU_HAS_NO_LIST = "是教育局：还差谁名单是各校应届毕业生的名单，请在“进度”页打开该校后导出"


@dataclass(frozen=True)
class Snapshot:
    """What one refresh computed: the dashboard, and for a school its 还差谁 counts per
    grouping (``MISSING_GROUPS``: by class, by major); empty for a bureau."""

    progress: SchoolProgress | BureauProgress
    groups: dict[str, tuple[GroupCount, ...]]


def _groups(session: Session, progress: SchoolProgress) -> dict[str, tuple[GroupCount, ...]]:
    return {
        by: figures.missing_groups(session, progress.missing_scope, by) for by in MISSING_GROUPS
    }


def progress_snapshot(
    database: Database, today: date, stale_days: int = DEFAULT_STALE_DAYS
) -> Snapshot:
    """This installation's dashboard, the school or the bureau view by its role.

    ``ValidationFailed`` before the institution is registered.
    """
    with database.session() as session:
        progress = figures.dashboard(session, today, stale_days)
        groups = _groups(session, progress) if isinstance(progress, SchoolProgress) else {}
    return Snapshot(progress, groups)


def institution_snapshot(database: Database, today: date, uscc: str) -> Snapshot:
    """A held institution's school view, for a bureau's drill-down."""
    with database.session() as session:
        progress = figures.school_progress(session, today, uscc)
        return Snapshot(progress, _groups(session, progress))


def missing_total(
    database: Database, scope: MissingScope, *, by: str = "class_name", group: str | None = None
) -> int:
    """How many graduates of ``scope`` (of one class or major with ``group``) lack a
    qualifying certificate: the length of the list ``missing_page`` pages through."""
    with database.session() as session:
        return figures.missing_count(session, scope, by=by, group=group)


def _masked(row: MissingTrainee) -> MissingTrainee:
    return replace(
        row,
        id_number=mask_id_number(row.id_number),
        phone=mask_phone(row.phone) if row.phone else "",
    )


def missing_page(
    database: Database,
    scope: MissingScope,
    *,
    by: str = "class_name",
    group: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[MissingTrainee]:
    """One page of the 还差谁 list, ordered by class or major then name, numbers masked."""
    with database.session() as session:
        rows = figures.missing_graduates(
            session, scope, by=by, group=group, offset=offset, limit=limit
        )
    return [_masked(row) for row in rows]


def missing_scope(database: Database, year: int | None = None) -> MissingScope:
    """This school's 还差谁 of ``year``; without one, the year ``progress`` shows today
    (``core.progress.task_year``).

    ``ValidationFailed`` before the school is registered, and at a bureau, whose own graduates
    are none: its schools' lists are each school's (the 进度 page opens them one by one).
    """
    with database.session() as session:
        scope = figures.graduates_scope(session, year or figures.task_year(date.today()))
        own = local_institution(session)
        if own is not None and own.role != "school":
            raise ValidationFailed([FieldError("institution", "本机构", BUREAU_HAS_NO_LIST)])
    return scope
