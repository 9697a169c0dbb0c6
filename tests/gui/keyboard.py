"""Typing into widgets from tests, Chinese included.

``qtbot.keyClicks`` with non-ASCII text aborts the whole pytest process (see FACTS.md), so
each character goes in as its own key event carrying the text, as an input method delivers it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot


def type_text(widget: QWidget | None, text: str) -> None:
    # QTest aborts the process on a key event for no widget; fail the test instead.
    assert widget is not None, "no widget has the keyboard focus"
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def press(
    widget: QWidget | None,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    assert widget is not None, "no widget has the keyboard focus"
    QTest.keyClick(widget, key, modifier)


def activate(qtbot: QtBot, window: QWidget) -> None:
    """Show ``window`` as the active window, as a clerk's click would.

    Shortcuts and keyboard focus work only in the active window, and the offscreen platform
    activates a window only when asked.
    """
    window.show()
    qtbot.waitExposed(window)
    handle = window.windowHandle()
    assert handle is not None
    handle.requestActivate()
    qtbot.waitUntil(window.isActiveWindow)
