"""Every file CertDesk writes from its data, as use cases, for the GUI and the CLI alike.

The Annex 3 application report (申请报告, with its roster), the Annex 4 workbook (机构情况表),
the subsidy claim (补贴申请表), a class's 学员名单, the trainee list (everyone, or what the 学员
table shows), the 还差谁 list and an on-screen table of the 进度 page: each has its ``write_…``
here and nowhere else, so the document buttons and ``export …`` write the same file.

Those with full ID numbers or phones (the reports' rosters and lists, the 还差谁 list when the
clerk asks for full numbers) have a ``describe_…`` as well: the ``FullNumberFile`` whose
notice the GUI shows before its save dialog and the command line prints before writing. Their
``write_…`` describes the file again and writes it through
``application.full_numbers.write_full_number_file``, the one door that records the audit
entry, so the entry counts the people the file holds when it is written, not when the clerk
was asked, and a refused or failed write leaves none. ``describe_…`` returns ``None`` for a
file that would hold nobody's numbers. Annex 4 holds institutions' names, codes, addresses
and contact phones but no person's ID number, the masked 还差谁 list no full number and the
tables only figures: they get neither a notice nor an entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select

from application.full_numbers import FullNumberFile, write_full_number_file
from core.base.progress import ProgressFn
from core.classes.records import roster_counts
from core.progress import MissingScope, missing_count
from core.trainees.search import TraineeQuery
from models.database import Database
from models.trainee import Trainee
from reports import annex3, annex4, missing_xlsx, roster_xlsx, subsidy, table_xlsx
from reports.output import WrittenDocument

#: How each file with full numbers is named in its notice and its audit entry.
ANNEX3 = "申请报告（附学员名单）"
SUBSIDY = "补贴申请表"
CLASS_ROSTER = "学员名单"
TRAINEE_LIST = "学员名单（含证书）"
MISSING_LIST = "还差谁名单"

#: The order of the trainee list written without the 学员 table's sort (``export trainees``).
BY_NAME = (Trainee.name, Trainee.id)


def _described(what: str, people: int, reason: str) -> FullNumberFile | None:
    return FullNumberFile(what, people, reason) if people else None


def _write(
    database: Database,
    file: FullNumberFile | None,
    path: Path,
    write: Callable[[Path], WrittenDocument],
) -> WrittenDocument:
    """A file with full numbers through the door; one without, as it is."""
    if file is None:
        return write(path)
    return write_full_number_file(database, file, path, write)


# --- A class's documents --------------------------------------------------------------------


def _roster_count(
    database: Database, class_id: int, counted: Literal["enrolled", "completed"]
) -> int:
    """The class's headcount or completers; ``ValidationFailed`` for a class that is gone."""
    with database.session() as session:
        annex3.find_class(session, class_id)
        return roster_counts(session, class_id)[counted]


def class_file_name(database: Database, class_id: int, document: str) -> str:
    """The name a save dialog suggests for one of the class's documents: the class as the
    report designates it (…培训班), then ``document`` (申请报告.pdf, 学员名单.xlsx …)."""
    with database.session() as session:
        return annex3.class_designation(annex3.find_class(session, class_id).name) + document


def describe_annex3(database: Database, class_id: int) -> FullNumberFile | None:
    """The Annex 3 report's roster: everyone enrolled, with full ID numbers and phones (the
    province registers the trainees from it)."""
    return _described(ANNEX3, _roster_count(database, class_id, "enrolled"), "开班申请报告")


def write_annex3(
    database: Database,
    class_id: int,
    path: Path,
    report_date: date | None = None,
    progress: ProgressFn | None = None,
) -> WrittenDocument:
    """The class's application report as PDF; ``ValidationFailed`` with every reason it
    cannot be reported yet, and then no file and no audit entry."""
    return _write(
        database,
        describe_annex3(database, class_id),
        path,
        lambda out: annex3.write_annex3(database, class_id, out, report_date, progress),
    )


def describe_subsidy(database: Database, class_id: int) -> FullNumberFile | None:
    """The subsidy claim lists each completer with their full ID number."""
    return _described(SUBSIDY, _roster_count(database, class_id, "completed"), "申领培训补贴")


def write_subsidy(
    database: Database,
    class_id: int,
    path: Path,
    claim_date: date | None = None,
    progress: ProgressFn | None = None,
) -> WrittenDocument:
    """A finished class's subsidy claim, as PDF or workbook by the suffix of ``path``."""
    return _write(
        database,
        describe_subsidy(database, class_id),
        path,
        lambda out: subsidy.write_subsidy(database, class_id, out, claim_date, progress),
    )


def describe_class_roster(database: Database, class_id: int) -> FullNumberFile | None:
    """The class's 学员名单: everyone enrolled, full ID numbers and phones as text cells."""
    return _described(CLASS_ROSTER, _roster_count(database, class_id, "enrolled"), "培训班学员名单")


def write_class_roster(database: Database, class_id: int, path: Path) -> WrittenDocument:
    """The class's 学员名单 workbook; a class without trainees is refused."""
    return _write(
        database,
        describe_class_roster(database, class_id),
        path,
        lambda out: roster_xlsx.write_class_roster(database, class_id, out),
    )


# --- Institution-wide documents -------------------------------------------------------------


def write_annex4(database: Database, path: Path) -> WrittenDocument:
    """The Annex 4 workbook: the school's own row, or a bureau's consolidation of its schools'
    (a gap in a school's row is then a warning naming it). No person's ID number is in it."""
    return annex4.write_annex4(database, path)


def describe_trainee_list(
    database: Database, query: TraineeQuery | None = None
) -> FullNumberFile | None:
    """The trainees ``query`` finds (the 学员 table's search; everyone without it), with
    their full ID numbers and phones and their certificates."""
    count = select(func.count(Trainee.id))
    condition = query.terms.condition() if query is not None else None
    if condition is not None:
        count = count.where(condition)
    with database.session() as session:
        people = session.scalar(count) or 0
    return _described(TRAINEE_LIST, people, "导出核对")


def write_trainee_list(
    database: Database,
    path: Path,
    query: TraineeQuery | None = None,
    progress: ProgressFn | None = None,
) -> WrittenDocument:
    """The trainee list with their certificates: searched and sorted as ``query`` (the 学员
    table's, so the file holds what the clerk sees), or everyone by name."""
    where = query.terms.condition() if query is not None else None
    order_by = query.order_by() if query is not None else BY_NAME
    return _write(
        database,
        describe_trainee_list(database, query),
        path,
        lambda out: roster_xlsx.write_trainee_list(
            database, out, where=where, order_by=order_by, progress=progress
        ),
    )


def describe_missing_list(database: Database, scope: MissingScope) -> FullNumberFile | None:
    """The 还差谁 list with full numbers: every graduate of ``scope`` still without a
    qualifying certificate, for a clerk who has to reach them."""
    with database.session() as session:
        people = missing_count(session, scope)
    return _described(MISSING_LIST, people, "联系尚未取证的应届毕业生")


def write_missing_list(
    database: Database,
    scope: MissingScope,
    path: Path,
    *,
    by: str = "class_name",
    full: bool = False,
) -> WrittenDocument:
    """The 还差谁 workbook ordered by ``by`` (class_name or major), with a count per group;
    numbers masked unless ``full``, which makes it a file with full numbers."""
    return _write(
        database,
        describe_missing_list(database, scope) if full else None,
        path,
        lambda out: missing_xlsx.write_missing_xlsx(database, scope, out, by=by, reveal=full),
    )


def write_table(
    path: Path, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]
) -> WrittenDocument:
    """A table of the 进度 page as shown (figures and institutions, no person): a workbook
    for a meeting, printable on A4."""
    return table_xlsx.write_table_xlsx(path, title, headers, rows)
