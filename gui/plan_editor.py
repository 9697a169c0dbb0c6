"""The teaching plan (教学计划, Annex 3's second attachment) as an editable table.

Its total is shown against the class's total hours as the clerk types, red while they differ,
because the report may not be filed until they agree.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.classes.checks import plan_total
from core.classes.records import PLAN_LABELS, PlanItemFields

Index = QModelIndex | QPersistentModelIndex
HOURS_COLUMNS = (2, 3)
SUBTOTAL_COLUMN = 4
MAX_HOURS = 2000
OK_STYLE = "color: #2e7d32; font-weight: bold;"
WRONG_STYLE = "color: #c62828; font-weight: bold;"

#: Model column → (attribute of the row, header); the subtotal has no attribute.
COLUMNS: tuple[tuple[str | None, str], ...] = (
    ("module", PLAN_LABELS["module"]),
    ("content", PLAN_LABELS["content"]),
    ("theory_hours", PLAN_LABELS["theory_hours"]),
    ("practice_hours", PLAN_LABELS["practice_hours"]),
    (None, "小计"),
    ("teacher", PLAN_LABELS["teacher"]),
)


@dataclass
class _Row:
    module: str = ""
    content: str = ""
    theory_hours: int = 0
    practice_hours: int = 0
    teacher: str = ""


class PlanModel(QAbstractTableModel):
    """The plan's rows, edited in place; ``edited`` fires after every change."""

    edited = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[_Row] = []

    def set_items(self, items: list[PlanItemFields]) -> None:
        self.beginResetModel()
        self._rows = [_Row(**{f.name: getattr(i, f.name) for f in fields(_Row)}) for i in items]
        self.endResetModel()

    def items(self) -> list[PlanItemFields]:
        return [PlanItemFields(**vars(row)) for row in self._rows]

    def total(self) -> int:
        return plan_total((r.theory_hours, r.practice_hours) for r in self._rows)

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
            return COLUMNS[section][1]
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == SUBTOTAL_COLUMN:
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        attribute = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if attribute is None:
                return row.theory_hours + row.practice_hours
            return getattr(row, attribute)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (
            *HOURS_COLUMNS,
            SUBTOTAL_COLUMN,
        ):
            return Qt.AlignmentFlag.AlignCenter
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        attribute = COLUMNS[index.column()][0]
        if role != Qt.ItemDataRole.EditRole or attribute is None:
            return False
        row = self._rows[index.row()]
        hours = index.column() in HOURS_COLUMNS
        stored = max(0, int(str(value) or 0)) if hours else str(value)
        if getattr(row, attribute) == stored:
            return False
        setattr(row, attribute, stored)
        subtotal = self.index(index.row(), SUBTOTAL_COLUMN)
        self.dataChanged.emit(index, subtotal if hours else index)
        self.edited.emit()
        return True

    def add_row(self, at: int) -> int:
        at = max(0, min(at, len(self._rows)))
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, _Row())
        self.endInsertRows()
        self.edited.emit()
        return at

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        self.edited.emit()

    def move_row(self, row: int, step: int) -> int:
        """Move a row up (-1) or down (+1); returns where it ended up."""
        target = row + step
        if not 0 <= target < len(self._rows):
            return row
        # Qt's destination is the row *before which* the moved row lands.
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), target + (step > 0))
        self._rows.insert(target, self._rows.pop(row))
        self.endMoveRows()
        self.edited.emit()
        return target


class HoursDelegate(QStyledItemDelegate):
    """Hours are whole, non-negative numbers: a spin box that cannot go below 0."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QSpinBox(parent)
        editor.setRange(0, MAX_HOURS)
        editor.setFrame(False)
        return editor


class PlanEditor(QWidget):
    """The plan table, its buttons, and the live total against ``target_hours``."""

    edited = Signal()
    use_total = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PlanModel()
        self.target_hours = 0
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(HOURS_COLUMNS[0], HoursDelegate(self.table))
        self.table.setItemDelegateForColumn(HOURS_COLUMNS[1], HoursDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        triggers = QAbstractItemView.EditTrigger
        self.table.setEditTriggers(
            triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        for column, sample in (
            (0, "国产操作系统运维实训"),
            (2, "理论课时"),
            (3, "实践课时"),
            (4, "小计"),
            (5, "授课教师"),
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 28)

        self.add_button = QPushButton("添加模块（Ctrl+Ins）")
        self.remove_button = QPushButton("删除模块（Ctrl+Del）")
        self.up_button = QPushButton("上移（Alt+↑）")
        self.down_button = QPushButton("下移（Alt+↓）")
        self.total_label = QLabel()
        self.fix_button = QPushButton()
        buttons = QHBoxLayout()
        for button in self._buttons():
            buttons.addWidget(button)
        for button in (*self._buttons(), self.fix_button):
            # Enter belongs to the dialog's 保存, not to whichever of these had focus last.
            button.setAutoDefault(False)
        buttons.addStretch(1)
        totals = QHBoxLayout()
        totals.addWidget(self.total_label)
        totals.addWidget(self.fix_button)
        totals.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addLayout(totals)

        self.add_button.clicked.connect(self.add_module)
        self.remove_button.clicked.connect(self.remove_module)
        self.up_button.clicked.connect(lambda: self.move_module(-1))
        self.down_button.clicked.connect(lambda: self.move_module(1))
        self.fix_button.clicked.connect(lambda: self.use_total.emit(self.model.total()))
        self.model.edited.connect(self._changed)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Ctrl+Ins", self.add_module),
            ("Ctrl+Del", self.remove_module),
            # Not Ctrl+↑/↓: the table takes those for moving the cursor.
            ("Alt+Up", lambda: self.move_module(-1)),
            ("Alt+Down", lambda: self.move_module(1)),
        ):
            QShortcut(QKeySequence(keys), self, slot, context=context)
        self._show_total()

    def _buttons(self) -> tuple[QPushButton, ...]:
        return (self.add_button, self.remove_button, self.up_button, self.down_button)

    def set_items(self, items: list[PlanItemFields]) -> None:
        self.model.set_items(items)
        self._show_total()

    def items(self) -> list[PlanItemFields]:
        return self.model.items()

    def set_target_hours(self, hours: int) -> None:
        self.target_hours = hours
        self._show_total()

    def add_module(self) -> None:
        current = self.table.currentIndex()
        row = self.model.add_row(current.row() + 1 if current.isValid() else self.model.rowCount())
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def remove_module(self) -> None:
        current = self.table.currentIndex()
        if current.isValid():
            self.model.remove_row(current.row())

    def move_module(self, step: int) -> None:
        current = self.table.currentIndex()
        if current.isValid():
            row = self.model.move_row(current.row(), step)
            self.table.setCurrentIndex(self.model.index(row, current.column()))

    def _changed(self) -> None:
        self._show_total()
        self.edited.emit()

    def _show_total(self) -> None:
        items = self.model.items()
        total = self.model.total()
        theory = sum(i.theory_hours for i in items)
        text = (
            f"教学计划合计 {total} 课时（理论 {theory} + 实践 {total - theory}）"
            f"／培训班总课时 {self.target_hours} 课时"
        )
        agrees = total == self.target_hours
        if not agrees:
            text += f"，相差 {abs(total - self.target_hours)} 课时"
        self.total_label.setText(text)
        self.total_label.setStyleSheet(OK_STYLE if agrees else WRONG_STYLE)
        self.fix_button.setText(f"将总课时改为 {total}")
        self.fix_button.setVisible(not agrees and total > 0)
