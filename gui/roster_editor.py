"""The class roster (学员名单): trainees added by search, the voucher steps of Annex 2 and the
outcome ticked per trainee, with the headcounts kept in view.

Changes stay in the editor until the class dialog saves, so the class, its plan and its
roster are written in one transaction, and 取消 really cancels. The editor holds numbers only
masked: the roster comes masked from ``application.classes.show_class``, and a trainee found
by search is masked as it joins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.classes.records import (
    Mark,
    RosterEntry,
    RosterRow,
    check_enrolment,
    default_completion_date,
)
from core.classes.status import ClassStatus
from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.trainees.search import TraineeHit
from gui.record_dialog import error_label, set_message
from gui.trainee_picker import TraineePicker
from models.database import Database

Index = QModelIndex | QPersistentModelIndex

#: (header, widest text expected)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("姓名", "欧阳晓明"),
    ("性别", "性别"),
    ("身份证号", "140105********123X"),
    ("手机号", "138****5678"),
    ("已发券", "已发券"),
    ("已验券", "已验券"),
    ("已结业", "已结业"),
    ("结业日期", "2025-06-30"),
)
ISSUED, VERIFIED, COMPLETED, COMPLETION_DATE = 4, 5, 6, 7
MARKS: dict[int, Mark] = {
    ISSUED: "voucher_issued",
    VERIFIED: "voucher_verified",
    COMPLETED: "completed",
}
PROBLEM_BACKGROUND = QColor("#ffebee")


@dataclass
class _Entry:
    """A row: what is shown of the trainee (numbers masked) and the entry with its marks."""

    name: str
    gender: str
    masked_id_number: str
    masked_phone: str
    entry: RosterEntry


class RosterModel(QAbstractTableModel):
    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[_Entry] = []
        self.status = ClassStatus.DRAFT
        self.start_date = date.today()
        self.end_date = date.today()

    # --- what the dialog reads and writes ---------------------------------------------------

    def set_rows(self, rows: list[RosterRow]) -> None:
        """The stored roster, its numbers already masked."""
        self.beginResetModel()
        self._rows = [
            _Entry(
                name=r.name,
                gender=r.gender,
                masked_id_number=r.id_number,
                masked_phone=r.phone,
                entry=r.entry(),
            )
            for r in rows
        ]
        self.endResetModel()

    def entries(self) -> list[RosterEntry]:
        return [row.entry for row in self._rows]

    def can_complete(self) -> bool:
        return self.status.marks_completion

    def problems(self, row: int) -> list[str]:
        return check_enrolment(self._rows[row].entry, self.status, self.start_date)

    def counts(self) -> dict[str, int]:
        entries = self.entries()
        return {
            "enrolled": len(entries),
            "voucher_issued": sum(e.voucher_issued for e in entries),
            "voucher_verified": sum(e.voucher_verified for e in entries),
            "completed": sum(e.completed for e in entries),
        }

    def add(self, hits: list[TraineeHit]) -> tuple[int, list[str]]:
        """Append trainees not yet on the roster; returns how many joined and who was there."""
        present = {r.entry.trainee_id for r in self._rows}
        new = [h for h in hits if h.id not in present]
        if new:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._rows += [
                _Entry(
                    h.name,
                    h.gender,
                    mask_id_number(h.id_number),
                    mask_phone(h.phone),
                    RosterEntry(h.id),
                )
                for h in new
            ]
            self.endInsertRows()
            self.edited.emit()
        return len(new), [h.name for h in hits if h.id in present]

    def remove(self, rows: list[int]) -> list[str]:
        """Take rows off the roster, except trainees marked completed; returns their names."""
        kept = [self._rows[r].name for r in rows if self._rows[r].entry.completed]
        for row in sorted(rows, reverse=True):
            if not self._rows[row].entry.completed:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        if len(kept) < len(rows):
            self.edited.emit()
        return kept

    def mark(self, rows: list[int], column: int) -> None:
        for row in rows:
            self.setData(
                self.index(row, column), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
            )

    # --- Qt's side ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        column = index.column()
        if column in (ISSUED, VERIFIED) or (column == COMPLETED and self.can_complete()):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if column == COMPLETION_DATE and self._rows[index.row()].entry.completed:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.EditRole and column == COMPLETION_DATE:
            return QDate(row.entry.completion_date or self.default_completion_date())
        if role == Qt.ItemDataRole.CheckStateRole and column in MARKS:
            checked = getattr(row.entry, MARKS[column])
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole and self.problems(index.row()):
            return PROBLEM_BACKGROUND
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COMPLETED and not self.can_complete():
                return f"培训班{self.status}，开班后才能标记结业"
            return "\n".join(self.problems(index.row())) or None
        return None

    @staticmethod
    def _text(row: _Entry, column: int) -> str:
        if column == COMPLETION_DATE:
            done = row.entry.completion_date
            return f"{done:%Y-%m-%d}" if done else ""
        values = (row.name, row.gender, row.masked_id_number, row.masked_phone)
        return values[column] if column < len(values) else ""

    def default_completion_date(self) -> date:
        return default_completion_date(self.end_date)

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column in MARKS:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked  # type: ignore[call-overload]
            row.entry = row.entry.marked(MARKS[column], checked, self.default_completion_date())
        elif role == Qt.ItemDataRole.EditRole and column == COMPLETION_DATE:
            if not isinstance(value, QDate) or not value.isValid():
                return False
            day = date(value.year(), value.month(), value.day())
            row.entry = replace(row.entry, completion_date=day)
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        self.edited.emit()
        return True


class RosterEditor(QWidget):
    edited = Signal()

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RosterModel()
        self.planned_headcount = 0
        self.picker = TraineePicker(database, multiple=True)
        self.add_button = QPushButton("加入名单 →")
        search_box = QGroupBox("查找学员，加入名单")
        search_layout = QVBoxLayout(search_box)
        search_layout.addWidget(self.picker, 1)
        search_layout.addWidget(self.add_button)

        self.counts_label = QLabel()
        self.counts_label.setStyleSheet("font-weight: bold;")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        metrics = self.table.fontMetrics()
        for column, (title, widest) in enumerate(COLUMNS):
            width = max(metrics.horizontalAdvance(title), metrics.horizontalAdvance(widest))
            header.resizeSection(column, width + (24 if column in MARKS else 16))
        header.setStretchLastSection(True)
        self.remove_button = QPushButton("移出名单（Del）")
        self.issue_button = QPushButton("选中的标为已发券")
        self.verify_button = QPushButton("选中的标为已验券")
        self.complete_button = QPushButton("选中的标为已结业")
        self.message = error_label()
        buttons = QHBoxLayout()
        for button in (
            self.remove_button,
            self.issue_button,
            self.verify_button,
            self.complete_button,
        ):
            buttons.addWidget(button)
        for button in (
            self.add_button,
            self.remove_button,
            self.issue_button,
            self.verify_button,
            self.complete_button,
        ):
            # Enter belongs to the dialog's 保存 (or, in the search box, to picking).
            button.setAutoDefault(False)
        buttons.addStretch(1)
        roster_box = QWidget()
        roster_layout = QVBoxLayout(roster_box)
        roster_layout.setContentsMargins(0, 0, 0, 0)
        roster_layout.addWidget(self.counts_label)
        roster_layout.addWidget(self.table, 1)
        roster_layout.addLayout(buttons)
        roster_layout.addWidget(self.message)

        splitter = QSplitter()
        splitter.addWidget(search_box)
        splitter.addWidget(roster_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 680])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._connect()
        self._show_counts()

    def _connect(self) -> None:
        self.picker.picked.connect(self.add_trainees)
        self.add_button.clicked.connect(self.picker.pick_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.issue_button.clicked.connect(lambda: self._mark_selected(ISSUED))
        self.verify_button.clicked.connect(lambda: self._mark_selected(VERIFIED))
        self.complete_button.clicked.connect(lambda: self._mark_selected(COMPLETED))
        self.model.edited.connect(self._changed)
        self.model.modelReset.connect(self._show_counts)
        QShortcut(
            QKeySequence(Qt.Key.Key_Delete),
            self.table,
            self.remove_selected,
            context=Qt.ShortcutContext.WidgetShortcut,
        )

    def set_class(
        self, status: ClassStatus, start: date, end: date, planned_headcount: int
    ) -> None:
        """What the marks are checked against; the dialog calls it whenever these change."""
        model = self.model
        if (model.status, model.start_date, model.end_date) != (status, start, end):
            model.status, model.start_date, model.end_date = status, start, end
            # Repainted in place, not reset: the clerk's current row and selection stay.
            if model.rowCount():
                last = model.index(model.rowCount() - 1, len(COLUMNS) - 1)
                model.dataChanged.emit(model.index(0, 0), last)
        self.planned_headcount = planned_headcount
        self.complete_button.setEnabled(self.model.can_complete())
        self._show_counts()

    def set_rows(self, rows: list[RosterRow]) -> None:
        self.model.set_rows(rows)

    def entries(self) -> list[RosterEntry]:
        return self.model.entries()

    def problem_rows(self) -> list[int]:
        return [r for r in range(self.model.rowCount()) if self.model.problems(r)]

    def add_trainees(self, hits: list[TraineeHit]) -> None:
        added, present = self.model.add(hits)
        if present:
            set_message(self.message, f"{'、'.join(present)}已在名单中")
        if added:
            self.table.scrollToBottom()

    def _selected_rows(self) -> list[int]:
        return sorted(index.row() for index in self.table.selectionModel().selectedRows())

    def remove_selected(self) -> None:
        kept = self.model.remove(self._selected_rows())
        if kept:
            set_message(
                self.message, f"{'、'.join(kept)}已标记结业，不能移出名单（请先取消结业标记）"
            )

    def _mark_selected(self, column: int) -> None:
        rows = self._selected_rows()
        if not rows:
            set_message(self.message, "请先在名单中选中学员（可按住 Ctrl 或 Shift 多选）")
            return
        self.model.mark(rows, column)

    def _changed(self) -> None:
        set_message(self.message, "")
        self._show_counts()
        self.edited.emit()

    def _show_counts(self) -> None:
        counts = self.model.counts()
        text = f"名单 {counts['enrolled']} 人"
        if self.planned_headcount:
            text += f"（计划 {self.planned_headcount} 人）"
        text += (
            f"　已发券 {counts['voucher_issued']}　已验券 {counts['voucher_verified']}"
            f"　已结业 {counts['completed']}"
        )
        problems = len(self.problem_rows())
        if problems:
            text += f"　{problems} 人的标记有误（红色行，悬停查看原因）"
        self.counts_label.setText(text)
