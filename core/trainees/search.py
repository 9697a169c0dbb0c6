"""Finding trainees by what a clerk has at hand: a name, the last digits of an ID, a phone.

Every search of trainees is answered here, read-only: the pickers of the certificate dialog
and the class roster (a handful of matches as the clerk types), the trainee table (a Qt model
that loads windows of rows as the clerk scrolls, so it asks for them itself rather than
through a use case that would have to hold its state) and ``trainees list``. Every branch of a
search is a prefix range on an indexed column, except the ID-suffix match, which a clerk asks
for only with at least four digits.

Which SQL answers a table search depends on how many trainees match, because no single plan
is fast both ways (measured on 200,000 trainees, see ``benchmarks/bench_trainee_table.py``):

* A *narrow* search (a name, the last digits of an ID number: at most ``NARROW_LIMIT``
  matches) is answered by the indexes of its terms, then sorted: every match is known, and
  the count is exact.
* A *broad* search ("1", "14", a common surname) would make SQLite sort most of the table on
  every keystroke. Instead the table walks in display order (the sort column's index, or the
  rowid) and tests each row, stopping when a window is full: the first screen costs a few
  hundred rows whatever the table's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Connection, Select, and_, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from core.identity.textnorm import normalize_code
from models.bookkeeping import local_origin
from models.database import Database
from models.trainee import Certificate, Trainee

#: Fewer digits than this match too many ID numbers by their end to be worth a scan.
MIN_SUFFIX_DIGITS = 4
#: More digits than this are the start of a number being typed, not its last digits (a
#: clerk reads the last 4 off a masked list, or says 后六位); sparing the scan keeps typing
#: a whole ID number or phone fast on a large table.
MAX_SUFFIX_DIGITS = 6
#: A table search with more matches than this is broad: it is walked in display order.
NARROW_LIMIT = 2000
#: The trainee table's columns, in the roster's order (姓名、性别、身份证号、手机号 first).
TABLE_FIELDS = (
    "name",
    "gender",
    "id_number",
    "phone",
    "identity",
    "major",
    "class_name",
    "employer",
    "graduation_year",
)
_FETCHED = (Trainee.id, *(getattr(Trainee, key) for key in TABLE_FIELDS))

#: One table row: the trainee's id, then the values of ``TABLE_FIELDS`` in order.
TableRow = tuple[Any, ...]


@dataclass(frozen=True)
class TraineeHit:
    id: int
    name: str
    gender: str
    id_number: str
    phone: str
    employer: str
    class_name: str


def prefix_match(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """``column`` starts with ``text``, as a range an index can answer.

    Not LIKE: in SQLite LIKE is case-insensitive and never uses an index.
    """
    return and_(column >= text, column < text + "\U0010ffff")


@dataclass(frozen=True)
class SearchTerms:
    """What a search text matches, split by cost: the trainee table plans its query by it.

    ``ranges`` are prefix ranges an index answers; ``suffixes`` match the last digits, found
    through the four-character tail columns' indexes and then checked in full.
    """

    ranges: tuple[ColumnElement[bool], ...] = ()
    suffixes: tuple[ColumnElement[bool], ...] = ()

    def condition(self) -> ColumnElement[bool] | None:
        """All terms OR-ed together; None when the text matches nothing in particular."""
        terms = (*self.ranges, *self.suffixes)
        return or_(*terms) if terms else None


def search_terms(text: str) -> SearchTerms:
    """A name prefix, or digits matching the start of an ID number or phone (or their end)."""
    raw = " ".join(text.split())
    code = normalize_code(text)
    if not code:
        return SearchTerms()
    if code.rstrip("X").isdigit():
        ranges = (prefix_match(Trainee.id_number, code), prefix_match(Trainee.phone, code))
        if not MIN_SUFFIX_DIGITS <= len(code) <= MAX_SUFFIX_DIGITS:
            return SearchTerms(ranges)
        tail = code[-4:]
        suffixes = (
            and_(Trainee.id_number_tail == tail, Trainee.id_number.endswith(code, autoescape=True)),
            and_(Trainee.phone_tail == tail, Trainee.phone.endswith(code, autoescape=True)),
        )
        return SearchTerms(ranges, suffixes)
    return SearchTerms((prefix_match(Trainee.name, raw.replace(" ", "")),))


# --- The pickers ----------------------------------------------------------------------------


def find_trainees(session: Session, text: str, limit: int = 20) -> list[TraineeHit]:
    """This institution's trainees matching ``text``, by name; nothing for an empty text."""
    condition = search_terms(text).condition()
    if condition is None:
        return []
    query = (
        select(Trainee)
        .where(condition, Trainee.origin == local_origin(session))
        .order_by(Trainee.name, Trainee.id)
        .limit(limit)
    )
    return [_hit(t) for t in session.scalars(query)]


def _hit(trainee: Trainee) -> TraineeHit:
    return TraineeHit(
        id=trainee.id,
        name=trainee.name,
        gender=trainee.gender,
        id_number=trainee.id_number,
        phone=trainee.phone,
        employer=trainee.employer,
        class_name=trainee.class_name,
    )


def trainee_hit(session: Session, trainee_id: int) -> TraineeHit | None:
    """One trainee as the pickers describe them, to show who an existing record belongs to."""
    trainee = session.get(Trainee, trainee_id)
    return None if trainee is None else _hit(trainee)


# --- A listing ------------------------------------------------------------------------------


def certificate_count() -> ColumnElement[int]:
    """How many certificates the trainee of the surrounding query holds (a subquery)."""
    return (
        select(func.count(Certificate.id))
        .where(Certificate.trainee_id == Trainee.id)
        .scalar_subquery()
    )


def search_trainees(
    session: Session,
    text: str = "",
    *,
    without_certificate: bool = False,
    limit: int | None = None,
) -> list[tuple[Trainee, int]]:
    """Trainees matching ``text`` as the table matches it, newest first, with how many
    certificates each holds; ``without_certificate`` keeps those who hold none."""
    query = select(Trainee, certificate_count()).order_by(Trainee.id.desc()).limit(limit)
    condition = search_terms(text).condition()
    if condition is not None:
        query = query.where(condition)
    if without_certificate:
        query = query.where(~exists().where(Certificate.trainee_id == Trainee.id))
    return [(trainee, held) for trainee, held in session.execute(query).tuples()]


# --- The trainee table ----------------------------------------------------------------------


class Unindexed(ColumnElement[bool]):
    """A condition SQLite's planner should not answer from an index.

    For a broad search the walk in display order is the fast plan; left alone, SQLite would
    use the search's indexes and then sort most of the table. SQLite's way to say so is a
    unary ``+``; other databases (a bureau's PostgreSQL) get the plain condition.
    """

    inherit_cache = True
    # The wrapped condition is part of the statement's cache key: without it every search
    # would share the first one's compiled SQL.
    _traverse_internals = [("condition", InternalTraversal.dp_clauseelement)]  # noqa: RUF012
    type = Boolean()

    def __init__(self, condition: ColumnElement[bool]) -> None:
        self.condition = condition


@compiles(Unindexed)
def _plain(element: Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.condition.self_group(), **kw)


@compiles(Unindexed, "sqlite")
def _unary_plus(element: Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.condition.self_group(), **kw)


@dataclass(frozen=True)
class TraineeQuery:
    """What the table shows: the search text and the order (a key of ``TABLE_FIELDS``)."""

    text: str = ""
    sort_key: str | None = None
    descending: bool = True

    @property
    def terms(self) -> SearchTerms:
        return search_terms(self.text)

    def order_by(self) -> tuple[Any, ...]:
        """Sort column then id, both in the same direction so one index serves them both.

        Without a sort column: newest first, so a trainee just entered is on top.
        """
        keys = [Trainee.id]
        if self.sort_key in TABLE_FIELDS:
            keys.insert(0, getattr(Trainee, self.sort_key))
        return tuple(k.desc() if self.descending else k.asc() for k in keys)

    def narrow_ids(self, connection: Connection) -> set[int] | None:
        """Every matching id when there are at most ``NARROW_LIMIT``, else None.

        Each term is asked on its own, so that its column's index answers it (a suffix scans
        that index rather than the table), and stops counting past the limit; the suffixes,
        which scan, come last and are skipped once the search is known to be broad.
        """
        terms = self.terms
        found: set[int] = set()
        for term in (*terms.ranges, *terms.suffixes):
            ids = connection.scalars(select(Trainee.id).where(term).limit(NARROW_LIMIT + 1)).all()
            found.update(ids)
            if len(ids) > NARROW_LIMIT or len(found) > NARROW_LIMIT:
                return None
        return found

    def ordered(self, ids: set[int]) -> Select[tuple[int]]:
        """The known matching ids in display order: at most ``NARROW_LIMIT`` of them, so a
        plain IN list serves SQLite and a bureau's PostgreSQL alike."""
        return select(Trainee.id).where(Trainee.id.in_(sorted(ids))).order_by(*self.order_by())

    def window(self, offset: int, limit: int) -> Select[Any]:
        """One window of a broad search (or of the whole table), rows and all."""
        query = select(*_FETCHED).order_by(*self.order_by()).offset(offset).limit(limit)
        condition = self.terms.condition()
        if condition is not None:
            query = query.where(Unindexed(condition))
        return query


def table_count(database: Database) -> int:
    """How many trainees the database holds: the table's count before any search."""
    with database.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Trainee)) or 0


def table_matches(database: Database, query: TraineeQuery) -> list[int] | None:
    """Every id a narrow search matches, in display order; None for a broad search."""
    with database.engine.connect() as connection:
        narrow = query.narrow_ids(connection)
        if narrow is None:
            return None
        return list(connection.scalars(query.ordered(narrow)))


def table_window(
    database: Database, query: TraineeQuery, offset: int, limit: int
) -> list[TableRow]:
    """Rows ``offset`` to ``offset + limit`` of a broad search (or of the whole table)."""
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query.window(offset, limit))]


def table_rows(database: Database, ids: Sequence[int]) -> list[TableRow]:
    """The rows of ``ids`` (a page the table's cache no longer holds), in no order."""
    with database.engine.connect() as connection:
        return [
            tuple(row) for row in connection.execute(select(*_FETCHED).where(Trainee.id.in_(ids)))
        ]
