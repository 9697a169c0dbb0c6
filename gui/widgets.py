"""Small widgets the pages and dialogs share.

Inline error lines, the red border and the remembered dialog size live in
``gui.record_dialog``; this module adds what the profile and trainee forms need besides:
a number field that stays masked until the clerk asks, the Shanxi division picker, and the
title, button row, table and shortcuts the record pages (学员, 证书, 培训班) are built from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6 import QtGui
from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from core import reference

# --- Text from outside ----------------------------------------------------------------------
#
# Qt guesses whether a label's, a message box's or a tooltip's text is rich text (AutoText: a
# tag such as "<b>" near the start is enough), so a school named "<b>甲</b>中学" in a package,
# a spreadsheet cell or a file name would be shown bold, or as a link or an image. Text that
# holds such values is shown as written, by one of these two.


def plain_label(text: str = "") -> QLabel:
    """A label that shows its text exactly as it is, never as markup."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def as_plain(text: str) -> str:
    """``text`` for a place that guesses (QMessageBox's static helpers, a tooltip): as it is
    when Qt would show it so, else as HTML that shows exactly those characters."""
    return QtGui.Qt.convertFromPlainText(text) if QtGui.Qt.mightBeRichText(text) else text


# --- Masked numbers -------------------------------------------------------------------------


class MaskedLineEdit(QWidget):
    """A line edit for an ID number or a phone that shows it masked until the clerk asks.

    Masked, the box is read-only (editing a row of asterisks makes no sense); 显示 shows the
    full number and makes it editable. An empty box is never masked, so a new record can be
    typed straight away. Listen to ``line.textEdited`` and read ``text()``. A stored number is
    given masked, with ``set_hidden``: the box then does not hold it at all until 显示 fetches
    it (and the fetch records the viewing); a number the clerk typed is theirs to see.
    """

    def __init__(self, mask: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._mask = mask
        self._value = ""
        self._revealed = True
        self._hidden: tuple[str, Callable[[], str]] | None = None
        self.line = QLineEdit()
        self.toggle = QPushButton("显示")
        self.toggle.setAutoDefault(False)
        self.toggle.setToolTip("显示完整号码以便核对或修改")
        self.toggle.clicked.connect(self._toggle)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.toggle)
        self.setFocusProxy(self.line)
        self._show()

    @property
    def revealed(self) -> bool:
        return self._revealed

    def text(self) -> str:
        """The number; empty while a number given to ``set_hidden`` is still unfetched."""
        return self.line.text() if self._revealed else self._value

    def value(self) -> str | None:
        """The number, or None while a number given to ``set_hidden`` is still unfetched."""
        return None if self._hidden is not None else self.text()

    def setText(self, value: str) -> None:
        self._hidden = None
        self._value = value
        self._revealed = not value
        self._show()

    def set_hidden(self, masked: str, fetch: Callable[[], str]) -> None:
        """Show ``masked``; ``fetch`` returns the full number when the clerk presses 显示."""
        if not masked:
            self.setText("")
            return
        self._hidden = (masked, fetch)
        self._value = ""
        self._revealed = False
        self._show()

    def set_revealed(self, revealed: bool) -> None:
        if revealed == self._revealed:
            return
        if self._revealed:
            self._value = self.line.text()
        elif self._hidden is not None:
            self._value = self._hidden[1]()
            self._hidden = None
        self._revealed = revealed or not self._value
        self._show()

    def _toggle(self) -> None:
        self.set_revealed(not self._revealed)
        if self._revealed:
            self.line.setFocus()

    def _show(self) -> None:
        if self._hidden is not None:
            self.line.setText(self._hidden[0])
        else:
            self.line.setText(self._value if self._revealed else self._mask(self._value))
        self.line.setReadOnly(not self._revealed)
        self.toggle.setText("隐藏" if self._revealed else "显示")
        self.toggle.setVisible(bool(self._value) or not self._revealed)


# --- Shanxi divisions -----------------------------------------------------------------------

PROVINCE_CODE = "140000"


class DivisionPicker(QWidget):
    """行政区划 as two boxes, city then county, giving one six-digit code.

    Only current divisions are offered: a new profile has no reason to name an abolished
    one. 省本级 and 市本级 stand for the province's and a city's own code. ``changed`` fires
    when the clerk picks a city or county, not when ``set_code`` fills the boxes.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.city = QComboBox()
        self.city.addItem("省本级（山西省）", PROVINCE_CODE)
        for city in reference.cities():
            self.city.addItem(city.name, city.code)
        self.county = QComboBox()
        self.county.setMinimumContentsLength(8)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.city, 1)
        layout.addWidget(self.county, 1)
        self.setFocusProxy(self.city)
        self.city.currentIndexChanged.connect(self._fill_counties)
        self.city.activated.connect(self._picked)
        self.county.activated.connect(self._picked)
        self._fill_counties()

    def code(self) -> str:
        return str(self.county.currentData() or self.city.currentData())

    def set_code(self, code: str) -> None:
        """Select ``code``; an unknown or abolished one leaves the boxes as they are."""
        division = reference.division(code)
        if division is None:
            return
        city_code = code if division.level in ("city", "province") else division.parent
        city_index = self.city.findData(city_code)
        if city_index < 0:
            return
        self.city.setCurrentIndex(city_index)
        county_index = self.county.findData(code) if division.level == "county" else 0
        self.county.setCurrentIndex(max(county_index, 0))

    def _fill_counties(self) -> None:
        city_code = str(self.city.currentData())
        self.county.clear()
        if city_code == PROVINCE_CODE:
            self.county.addItem("—", None)
        else:
            self.county.addItem("市本级", None)
            for county in reference.counties(city_code):
                self.county.addItem(county.name, county.code)
        self.county.setEnabled(city_code != PROVINCE_CODE)

    def _picked(self) -> None:
        self.changed.emit()


# --- Record pages ---------------------------------------------------------------------------


def page_title(text: str) -> QLabel:
    """The heading of a page, named ``pageTitle`` as every page names its heading."""
    title = QLabel(text)
    title.setObjectName("pageTitle")
    return title


def action_row(buttons: Sequence[QPushButton], summary: QLabel) -> QHBoxLayout:
    """A page's buttons left to right, then ``summary`` (the counts) at the right edge."""
    actions = QHBoxLayout()
    for button in buttons:
        actions.addWidget(button)
    actions.addStretch(1)
    actions.addWidget(summary)
    return actions


def record_table(
    model: QAbstractItemModel,
    selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
) -> QTableView:
    """A read-only table of records chosen by whole rows: editing goes through the dialogs."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(selection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    return table


def record_shortcuts(
    page: QWidget,
    table: QTableView,
    *,
    new: Callable[[], object],
    find: Callable[[], object],
    undo: Callable[[], object],
    delete: Callable[[], object],
) -> None:
    """Ctrl+N, Ctrl+F and Ctrl+Z anywhere on the page; Del only on the table, so that in the
    search box it still deletes text rather than a record."""
    context = Qt.ShortcutContext.WidgetWithChildrenShortcut
    for keys, slot in (
        (QKeySequence.StandardKey.New, new),
        (QKeySequence.StandardKey.Find, find),
        (QKeySequence.StandardKey.Undo, undo),
    ):
        QShortcut(keys, page, slot, context=context)
    QShortcut(QKeySequence(Qt.Key.Key_Delete), table, delete, context=context)
