"""The trainee table: a Qt item model over SQL that stays quick at 200,000 trainees.

The model never holds a Python object per trainee. It keeps the ordered ids of the rows
loaded so far and a small cache of row values; ``data()`` is a cache lookup and a formatting
call, and a row that fell out of the cache is fetched again with its whole page.

Which SQL answers a search depends on how many trainees match, because no single plan is
fast both ways (measured on 200,000 trainees, see ``benchmarks/bench_trainee_table.py``):

* A *narrow* search (a name, the last digits of an ID number: at most ``NARROW_LIMIT``
  matches) is answered by the indexes of its terms, then sorted: every match is known, and
  the count is exact.
* A *broad* search ("1", "14", a common surname) would make SQLite sort most of the table on
  every keystroke. Instead the table walks in display order (the sort column's index, or the
  rowid) and tests each row, stopping when a window is full: the first screen costs a few
  hundred rows whatever the table's size. Further windows load as the clerk scrolls
  (``canFetchMore``/``fetchMore``), and the count is known only once all have loaded.

Sorting and filtering are SQL; nothing is sorted or filtered in Python.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from sqlalchemy import Boolean, ColumnElement, Connection, Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from core.idcard import mask_id_number
from core.phone import mask_phone
from core.trainee_search import SearchTerms, search_terms
from models.database import Database
from models.trainee import Trainee

#: A search with more matches than this is broad: it is walked in display order instead.
NARROW_LIMIT = 2000
#: Rows loaded with a new search or sort: a screenful and then some.
FIRST_WINDOW = 100
#: Rows loaded each time the clerk scrolls to the end of what is loaded.
NEXT_WINDOW = 500
#: Rows fetched together when a row is missing from the cache.
PAGE = 100
#: Row values kept; older ones are fetched again when scrolled back to.
CACHE_ROWS = 4000

TRAINEE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


def _as_is(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class TableColumn:
    """One column: where its value comes from, how it is shown, whether it is masked."""

    key: str
    header: str
    width: int
    masked: Callable[[str], str] | None = None
    centred: bool = False

    @property
    def attribute(self) -> Any:
        return getattr(Trainee, self.key)


COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("name", "姓名", 90),
    TableColumn("gender", "性别", 48, centred=True),
    TableColumn("id_number", "身份证号", 170, masked=mask_id_number),
    TableColumn("phone", "手机号", 120, masked=mask_phone),
    TableColumn("identity", "身份", 90),
    TableColumn("major", "专业", 150),
    TableColumn("class_name", "班级", 130),
    TableColumn("employer", "工作单位", 170),
    TableColumn("graduation_year", "毕业年份", 76, centred=True),
)
_FETCHED = (Trainee.id, *(c.attribute for c in COLUMNS))


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
    """What the table shows: the search text and the order, as SQL."""

    text: str = ""
    sort_column: int = -1
    descending: bool = True

    @property
    def terms(self) -> SearchTerms:
        return search_terms(self.text)

    def order_by(self) -> tuple[Any, ...]:
        """Sort column then id, both in the same direction so one index serves them both.

        Without a sort column: newest first, so a trainee just entered is on top.
        """
        keys = [Trainee.id]
        if 0 <= self.sort_column < len(COLUMNS):
            keys.insert(0, COLUMNS[self.sort_column].attribute)
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


class TraineeTableModel(QAbstractTableModel):
    """Trainees as table rows; ``statusChanged`` says how many match, for the status line."""

    statusChanged = Signal(str)

    def __init__(self, database: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = database.engine
        self._query = TraineeQuery()
        self._reveal = False
        self._ids: list[int] = []
        self._complete = True
        self._total: int | None = 0
        self._rows: OrderedDict[int, tuple[Any, ...]] = OrderedDict()
        self._reload()

    # --- what the page asks for -------------------------------------------------------------

    @property
    def query(self) -> TraineeQuery:
        return self._query

    @property
    def reveal(self) -> bool:
        return self._reveal

    @property
    def total(self) -> int | None:
        """How many trainees match, when known (always for a narrow search)."""
        return self._total

    def set_search(self, text: str) -> None:
        if text != self._query.text:
            self._query = TraineeQuery(text, self._query.sort_column, self._query.descending)
            self._reload()

    def set_reveal(self, reveal: bool) -> None:
        """Show full ID numbers and phones (the clerk asked), or masked ones (the default)."""
        if reveal == self._reveal:
            return
        self._reveal = reveal
        if self._ids:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._ids) - 1, len(COLUMNS) - 1),
                [Qt.ItemDataRole.DisplayRole],
            )

    def refresh(self) -> None:
        """Query again (after a save, a delete, an import)."""
        self._reload()

    def trainee_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, trainee_id: int, load_up_to: int = 5000) -> int | None:
        """The row showing a trainee, loading windows of a broad search up to ``load_up_to``."""
        while True:
            try:
                return self._ids.index(trainee_id)
            except ValueError:
                if self._complete or len(self._ids) >= load_up_to:
                    return None
                self.fetchMore(QModelIndex())

    def status_text(self) -> str:
        if self._total is None:
            return (
                f"已显示 {len(self._ids):,} 名，还有更多（向下滚动继续显示，或输入更多以缩小范围）"
            )
        if self._query.terms.condition() is None:
            return f"共 {self._total:,} 名学员"
        return f"找到 {self._total:,} 名学员"

    # --- loading ----------------------------------------------------------------------------

    def _reload(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        with self._engine.connect() as connection:
            if self._query.terms.condition() is None:
                self._total = connection.scalar(select(func.count()).select_from(Trainee))
                self._ids = []
                self._load_window(connection, FIRST_WINDOW)
            else:
                narrow = self._query.narrow_ids(connection)
                if narrow is None:
                    self._total = None
                    self._ids = []
                    self._load_window(connection, FIRST_WINDOW)
                else:
                    self._ids = list(connection.scalars(self._query.ordered(narrow)))
                    self._total = len(self._ids)
                    self._complete = True
        self.endResetModel()
        self.statusChanged.emit(self.status_text())

    def _load_window(self, connection: Connection, limit: int) -> int:
        rows = connection.execute(self._query.window(len(self._ids), limit)).tuples().all()
        for row in rows:
            self._remember(row[0], tuple(row[1:]))
        self._ids.extend(row[0] for row in rows)
        self._complete = len(rows) < limit
        if self._complete:
            self._total = len(self._ids)
        return len(rows)

    def _remember(self, trainee_id: int, values: tuple[Any, ...]) -> None:
        self._rows[trainee_id] = values
        self._rows.move_to_end(trainee_id)
        while len(self._rows) > CACHE_ROWS:
            self._rows.popitem(last=False)

    def _values(self, row: int) -> tuple[Any, ...] | None:
        trainee_id = self._ids[row]
        values = self._rows.get(trainee_id)
        if values is None:
            start = row - row % PAGE
            self._fetch_page(self._ids[start : start + PAGE])
            values = self._rows.get(trainee_id)
        return values

    def _fetch_page(self, ids: Sequence[int]) -> None:
        missing = [i for i in ids if i not in self._rows]
        if not missing:
            return
        with self._engine.connect() as connection:
            rows = connection.execute(select(*_FETCHED).where(Trainee.id.in_(missing))).tuples()
            for row in rows:
                self._remember(row[0], tuple(row[1:]))

    # --- QAbstractTableModel -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._complete

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._complete:
            return
        with self._engine.connect() as connection:
            rows = (
                connection.execute(self._query.window(len(self._ids), NEXT_WINDOW)).tuples().all()
            )
        if rows:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            for row in rows:
                self._remember(row[0], tuple(row[1:]))
            self._ids.extend(row[0] for row in rows)
            self.endInsertRows()
        self._complete = len(rows) < NEXT_WINDOW
        if self._complete:
            self._total = len(self._ids)
        self.statusChanged.emit(self.status_text())

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = self._values(index.row())
            if values is None:  # deleted since the query ran; the next refresh drops it
                return ""
            text = _as_is(values[index.column()])
            if column.masked is not None and not self._reveal and text:
                return column.masked(text)
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole and column.centred:
            return Qt.AlignmentFlag.AlignCenter
        if role == TRAINEE_ID_ROLE:
            return self._ids[index.row()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].header if 0 <= section < len(COLUMNS) else None
        return str(section + 1)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        if (column, descending) == (self._query.sort_column, self._query.descending):
            return
        self._query = TraineeQuery(self._query.text, column, descending)
        self._reload()
