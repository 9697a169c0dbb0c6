"""Picking trainees by search, without leaving the keyboard.

The clerk types a name, the last digits of an ID number or a phone number; matches appear
below; ↑/↓ move through them while the cursor stays in the search box, Enter takes the
highlighted one. ID numbers and phones are shown masked, as everywhere on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from application.trainees import find_trainees
from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.trainees.search import TraineeHit
from gui.widgets import as_plain
from models.database import Database

#: Long enough to skip the queries for the first letters of a name typed at speed.
SEARCH_DELAY_MS = 150
PICK_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def describe(hit: TraineeHit) -> str:
    """One line per trainee: enough to tell two of the same name apart, nothing more."""
    parts = [hit.name, hit.gender, mask_id_number(hit.id_number)]
    if hit.phone:
        parts.append(mask_phone(hit.phone))
    return "  ".join(p for p in parts if p)


def where_from(hit: TraineeHit) -> str:
    """The trainee's class or employer, which tells namesakes apart when the numbers don't."""
    return hit.class_name or hit.employer


class TraineePicker(QWidget):
    """A search box over a short list of matches; ``picked`` carries the chosen trainees."""

    picked = Signal(list)

    def __init__(
        self, database: Database, multiple: bool = False, parent: QWidget | None = None
    ) -> None:
        """``multiple`` pickers (a roster) keep their list in view; single ones (a dialog
        field) show it only while there is something to choose from."""
        super().__init__(parent)
        self.database = database
        self._always_list = multiple
        self.search = QLineEdit()
        self.search.setPlaceholderText("姓名、身份证号或手机号（可只输后4位）")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        mode = QAbstractItemView.SelectionMode
        self.results.setSelectionMode(mode.ExtendedSelection if multiple else mode.SingleSelection)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #666;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        self.results.setVisible(multiple)
        self.hint.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._timer.start)
        self.search.installEventFilter(self)
        self.results.itemActivated.connect(lambda _item: self.pick_selected())
        self._hits: list[TraineeHit] = []

    def refresh(self) -> None:
        """Run the search now (the box runs it by itself shortly after the last keystroke)."""
        self._timer.stop()
        self._hits = find_trainees(self.database, self.search.text())
        self.results.clear()
        for hit in self._hits:
            item = QListWidgetItem(describe(hit))
            item.setData(Qt.ItemDataRole.UserRole, hit.id)
            item.setToolTip(as_plain(where_from(hit)))
            self.results.addItem(item)
        if self._hits:
            self.results.setCurrentRow(0)
        text = self.search.text().strip()
        self.results.setVisible(self._always_list or bool(text))
        if not text:
            self.hint.setText("")
        elif not self._hits:
            self.hint.setText("没有找到学员；请先在“学员”中录入")
        else:
            self.hint.setText("↑↓ 选择，Enter 确定")
        self.hint.setVisible(bool(self.hint.text()))

    def hits(self) -> list[TraineeHit]:
        return list(self._hits)

    def pick_selected(self) -> None:
        chosen = {item.data(Qt.ItemDataRole.UserRole) for item in self.results.selectedItems()}
        hits = [h for h in self._hits if h.id in chosen]
        if hits:
            self.picked.emit(hits)
            self.search.clear()
            self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
        ):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                row = min(max(self.results.currentRow() + step, 0), self.results.count() - 1)
                self.results.setCurrentRow(row)
                return True
            if key in PICK_KEYS:
                if self._timer.isActive():
                    self.refresh()
                if self.results.selectedItems():
                    self.pick_selected()
                    return True
        return super().eventFilter(watched, event)
