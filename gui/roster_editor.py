"""The class roster (学员名单): trainees added by search, the voucher steps of Annex 2 and the
outcome ticked per trainee, with the headcounts kept in view.

Changes stay in the editor until the class dialog saves, so the class, its plan and its
roster are written in one transaction, and 取消 really cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
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

from core.class_records import TRAINING_STATUSES, RosterEntry, RosterRow, check_enrolment
from core.idcard import mask_id_number
from core.phone import mask_phone
from core.trainee_search import TraineeHit
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
MARKS = {ISSUED: "voucher_issued", VERIFIED: "voucher_verified", COMPLETED: "completed"}
PROBLEM_BACKGROUND = QColor("#ffebee")


@dataclass
class _Entry:
    trainee_id: int
    name: str
    gender: str
    id_number: str
    phone: str
    voucher_issued: bool = False
    voucher_verified: bool = False
    completed: bool = False
    completion_date: date | None = None

    def entry(self) -> RosterEntry:
        return RosterEntry(
            trainee_id=self.trainee_id,
            voucher_issued=self.voucher_issued,
            voucher_verified=self.voucher_verified,
            completed=self.completed,
            completion_date=self.completion_date,
        )


class RosterModel(QAbstractTableModel):
    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[_Entry] = []
        self.status = "草稿"
        self.start_date = date.today()
        self.end_date = date.today()

    # --- what the dialog reads and writes ---------------------------------------------------

    def set_rows(self, rows: list[RosterRow]) -> None:
        self.beginResetModel()
        self._rows = [
            _Entry(
                trainee_id=r.trainee_id,
                name=r.name,
                gender=r.gender,
                id_number=r.id_number,
                phone=r.phone,
                voucher_issued=r.voucher_issued,
                voucher_verified=r.voucher_verified,
                completed=r.completed,
                completion_date=r.completion_date,
            )
            for r in rows
        ]
        self.endResetModel()

    def entries(self) -> list[RosterEntry]:
        return [row.entry() for row in self._rows]

    def can_complete(self) -> bool:
        return self.status in TRAINING_STATUSES

    def problems(self, row: int) -> list[str]:
        return check_enrolment(self._rows[row].entry(), self.status, self.start_date)

    def counts(self) -> dict[str, int]:
        return {
            "enrolled": len(self._rows),
            "voucher_issued": sum(r.voucher_issued for r in self._rows),
            "voucher_verified": sum(r.voucher_verified for r in self._rows),
            "completed": sum(r.completed for r in self._rows),
        }

    def add(self, hits: list[TraineeHit]) -> tuple[int, list[str]]:
        """Append trainees not yet on the roster; returns how many joined and who was there."""
        present = {r.trainee_id for r in self._rows}
        new = [h for h in hits if h.id not in present]
        if new:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._rows += [_Entry(h.id, h.name, h.gender, h.id_number, h.phone) for h in new]
            self.endInsertRows()
            self.edited.emit()
        return len(new), [h.name for h in hits if h.id in present]

    def remove(self, rows: list[int]) -> list[str]:
        """Take rows off the roster, except trainees marked completed; returns their names."""
        kept = [self._rows[r].name for r in rows if self._rows[r].completed]
        for row in sorted(rows, reverse=True):
            if not self._rows[row].completed:
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
        if column == COMPLETION_DATE and self._rows[index.row()].completed:
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
            return QDate(row.completion_date or self.default_completion_date())
        if role == Qt.ItemDataRole.CheckStateRole and column in MARKS:
            checked = getattr(row, MARKS[column])
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
            return f"{row.completion_date:%Y-%m-%d}" if row.completion_date else ""
        values = (row.name, row.gender, mask_id_number(row.id_number), mask_phone(row.phone))
        return values[column] if column < len(values) else ""

    def default_completion_date(self) -> date:
        """The class's end date, or today for a class marked before it ends."""
        return min(self.end_date, date.today())

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column in MARKS:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked  # type: ignore[call-overload]
            self._set_mark(row, column, checked)
        elif role == Qt.ItemDataRole.EditRole and column == COMPLETION_DATE:
            if not isinstance(value, QDate) or not value.isValid():
                return False
            row.completion_date = date(value.year(), value.month(), value.day())
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        self.edited.emit()
        return True

    def _set_mark(self, row: _Entry, column: int, checked: bool) -> None:
        # The steps come in order: a voucher is issued before it is verified. Ticking a later
        # step ticks the earlier one, unticking an earlier step unticks the later one.
        if column == ISSUED:
            row.voucher_issued = checked
            row.voucher_verified = row.voucher_verified and checked
        elif column == VERIFIED:
            row.voucher_verified = checked
            row.voucher_issued = row.voucher_issued or checked
        else:
            row.completed = checked
            if checked and row.completion_date is None:
                row.completion_date = self.default_completion_date()
            if not checked:
                row.completion_date = None


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

    def set_class(self, status: str, start: date, end: date, planned_headcount: int) -> None:
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
