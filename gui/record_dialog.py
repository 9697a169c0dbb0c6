"""What every edit dialog of CertDesk shares: inline field errors, a remembered size, and
never losing typed work silently.

A field turns red and says why under itself, but only once the clerk has touched it or tried
to save: a fresh form shouting “不能为空” at every empty box teaches clerks to ignore red.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise

from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.fields import FieldError
from gui.widgets import plain_label

INVALID_STYLE = "border: 1px solid #c62828;"
MESSAGE_STYLE = "color: #c62828;"


def error_label() -> QLabel:
    """A red message line, hidden while it has nothing to say."""
    label = plain_label()  # a refusal may quote a stored name (the holder of an ID number)
    label.setStyleSheet(MESSAGE_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def set_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def with_message(editor: QWidget) -> tuple[QWidget, QLabel]:
    """The editor with its error line underneath, as one cell of a form layout."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(editor)
    label = error_label()
    layout.addWidget(label)
    return box, label


class FieldMarks:
    """Shows ``FieldError``s at the fields they name; the rest go to a general message line."""

    def __init__(self, general: QLabel) -> None:
        self.general = general
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        self._touched: set[str] = set()
        self.reveal_all = False

    def bind(self, field: str, editor: QWidget, label: QLabel) -> None:
        self._fields[field] = (editor, label)

    def add_row(
        self,
        form: QFormLayout,
        label: str,
        field: str,
        editor: QWidget,
        marked: QWidget | None = None,
    ) -> None:
        """Add ``editor`` to ``form`` with its error line; ``marked`` (a part of a compound
        editor, such as a masked number's line) is what turns red and takes the cursor."""
        box, message = with_message(editor)
        form.addRow(label, box)
        self.bind(field, marked or editor, message)

    def touch(self, field: str) -> None:
        self._touched.add(field)

    def show(self, errors: Iterable[FieldError]) -> None:
        by_field: dict[str, list[str]] = {}
        general: list[str] = []
        for error in errors:
            if error.field in self._fields:
                if self.reveal_all or error.field in self._touched:
                    by_field.setdefault(error.field, []).append(error.message)
            elif self.reveal_all:
                general.append(str(error))
        for field, (editor, label) in self._fields.items():
            messages = by_field.get(field, [])
            editor.setStyleSheet(INVALID_STYLE if messages else "")
            set_message(label, "；".join(messages))
        set_message(self.general, "\n".join(general))

    def first_invalid(self, errors: Iterable[FieldError]) -> QWidget | None:
        """The editor of the first refused field, to put the cursor there after a failed save."""
        return next((self._fields[e.field][0] for e in errors if e.field in self._fields), None)

    def refuse(self, errors: Sequence[FieldError]) -> None:
        """After a refused save: every error shows, touched or not, and the cursor goes to
        the first refused field so the clerk can fix it straight away."""
        self.reveal_all = True
        self.show(errors)
        target = self.first_invalid(errors)
        if target is not None:
            target.setFocus()


class RecordDialog(QDialog):
    """A dialog that remembers its size and asks before throwing edits away.

    Esc, the close button and 取消 all end in ``reject``, so asking there covers them all.
    """

    def __init__(self, settings_key: str, default_size: QSize, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._settings_key = f"dialogs/{settings_key}/geometry"
        self._dirty = False
        self._loading = False
        geometry = QSettings().value(self._settings_key)
        if geometry is None or not self.restoreGeometry(geometry):  # type: ignore[arg-type]
            self.resize(fit_screen(default_size))

    def confirm_buttons(
        self,
        confirm: str = "保存",
        cancel: str = "取消",
        *,
        standard: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Save,
        default: bool = False,
    ) -> tuple[QDialogButtonBox, QPushButton]:
        """The dialog's confirm and cancel buttons, in Chinese, wired to ``accept`` and
        ``reject``; with ``default``, Enter in the form presses the confirm button."""
        buttons = QDialogButtonBox(standard | QDialogButtonBox.StandardButton.Cancel)
        button = buttons.button(standard)
        button.setText(confirm)
        if default:
            button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        return buttons, button

    @property
    def dirty(self) -> bool:
        return self._dirty

    def mark_dirty(self) -> None:
        if not self._loading:
            self._dirty = True

    def mark_clean(self) -> None:
        self._dirty = False

    @contextmanager
    def loading(self) -> Iterator[None]:
        """``with self.loading():`` fills the form without counting it as an edit."""
        self._loading = True
        try:
            yield
        finally:
            self._loading = False

    def reject(self) -> None:
        if self._dirty:
            answer = QMessageBox.question(
                self,
                "放弃修改",
                "有尚未保存的修改，确定放弃吗？",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def done(self, result: int) -> None:
        QSettings().setValue(self._settings_key, self.saveGeometry())
        super().done(result)


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab goes through ``widgets`` in this order: the order of the paper form."""
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)


def fit_screen(size: QSize) -> QSize:
    """``size``, shrunk to the available screen (1366×768 laptops less their taskbar)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return size
    available = screen.availableGeometry()
    return QSize(
        min(size.width(), available.width() - 40), min(size.height(), available.height() - 60)
    )
