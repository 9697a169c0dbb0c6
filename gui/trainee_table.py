"""The trainee table: a Qt item model over SQL that stays quick at 200,000 trainees.

The model never holds a Python object per trainee. It keeps the ordered ids of the rows
loaded so far and a small cache of row values; ``data()`` is a cache lookup and a formatting
call, and a row that fell out of the cache is fetched again with its whole page.

The queries are ``core.trainees.search``'s (read-only; see there for why a narrow search and
a broad one take different plans): a narrow search knows every match and its count at once;
a broad one loads windows as the clerk scrolls (``canFetchMore``/``fetchMore``), and its count
is known only once all have loaded. Sorting and filtering are SQL; nothing is sorted or
filtered in Python.
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

from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.trainees.search import (
    TABLE_FIELDS,
    TableRow,
    TraineeQuery,
    table_count,
    table_matches,
    table_rows,
    table_window,
)
from models.database import Database

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
    """How one of ``TABLE_FIELDS`` is shown: header, width, masking, alignment."""

    key: str
    header: str
    width: int
    masked: Callable[[str], str] | None = None
    centred: bool = False


_LOOK = {
    column.key: column
    for column in (
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
}
#: In the order the query returns them, so column ``i`` shows value ``i`` of a row.
COLUMNS: tuple[TableColumn, ...] = tuple(_LOOK[key] for key in TABLE_FIELDS)


class TraineeTableModel(QAbstractTableModel):
    """Trainees as table rows; ``statusChanged`` says how many match, for the status line."""

    statusChanged = Signal(str)

    def __init__(self, database: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._database = database
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
            self._query = TraineeQuery(text, self._query.sort_key, self._query.descending)
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
        self._ids = []
        if self._query.terms.condition() is None:
            self._total = table_count(self._database)
            self._load_window(FIRST_WINDOW)
        else:
            narrow = table_matches(self._database, self._query)
            if narrow is None:
                self._total = None
                self._load_window(FIRST_WINDOW)
            else:
                self._ids = narrow
                self._total = len(narrow)
                self._complete = True
        self.endResetModel()
        self.statusChanged.emit(self.status_text())

    def _load_window(self, limit: int) -> None:
        rows = table_window(self._database, self._query, len(self._ids), limit)
        for row in rows:
            self._remember(row[0], tuple(row[1:]))
        self._ids.extend(row[0] for row in rows)
        self._complete = len(rows) < limit
        if self._complete:
            self._total = len(self._ids)

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
        for row in table_rows(self._database, missing):
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
        rows: list[TableRow] = table_window(
            self._database, self._query, len(self._ids), NEXT_WINDOW
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
        key = COLUMNS[column].key if 0 <= column < len(COLUMNS) else None
        if (key, descending) == (self._query.sort_key, self._query.descending):
            return
        self._query = TraineeQuery(self._query.text, key, descending)
        self._reload()
