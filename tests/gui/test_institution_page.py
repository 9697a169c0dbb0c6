"""The 本机构 page: editing the profile and the Annex 4 offerings; unsaved work is not lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.institution import local_institution
from core.safety.audit import REVEALED
from gui.institution_page import InstitutionPage
from gui.main_window import MainWindow
from models.audit import AuditEntry
from models.database import Database
from models.institution import OfferedOccupation, ServedIndustry
from tests.conftest import SCHOOL
from tests.gui.keyboard import press, type_text


@pytest.fixture
def page(qtbot: QtBot, school: Database) -> Iterator[InstitutionPage]:
    widget = InstitutionPage(school)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    yield widget
    widget.close()
    widget.deleteLater()


def type_in_new_row(qtbot: QtBot, page: InstitutionPage, text: str) -> None:
    """Click 添加工种 and type into the cell editor it opens, then Enter."""
    table = page.offerings.occupations
    qtbot.mouseClick(page.offerings.add_occupation, Qt.MouseButton.LeftButton)
    editors = [e for e in table.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    type_text(editors[0], text)
    press(editors[0], Qt.Key.Key_Return)  # the delegate commits on the next event loop turn
    row = table.rowCount() - 1
    qtbot.waitUntil(lambda: table.item(row, 0).text() == text)


def tick(qtbot: QtBot, page: InstitutionPage, code: str) -> None:
    """Click a check box on its box, as a clerk does (not in the empty space beside it)."""
    check = page.offerings.industry_boxes[code]
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))


def stored_phone(db: Database) -> str:
    with db.session() as session:
        institution = local_institution(session)
        assert institution is not None
        return institution.contact_phone


def test_the_stored_profile_is_shown_with_numbers_masked(page: InstitutionPage) -> None:
    assert page.form.name.text() == SCHOOL.name
    assert page.form.uscc.text() == SCHOOL.uscc and page.form.uscc.isReadOnly()
    assert page.form.contact_phone.line.text() == "155****1365"
    assert page.form.division.code() == "140109"
    assert not page.has_unsaved_changes() and not page.save_button.isEnabled()


def test_a_bad_phone_is_marked_and_not_saved(
    qtbot: QtBot, page: InstitutionPage, school: Database
) -> None:
    qtbot.mouseClick(page.form.contact_phone.toggle, Qt.MouseButton.LeftButton)
    editor = page.form.contact_phone.line
    assert editor.text() == "15500001365" and not editor.isReadOnly()
    editor.selectAll()
    qtbot.keyClicks(editor, "0351-30465")
    assert page.marks._fields["contact_phone"][1].text()
    assert page.has_unsaved_changes()
    press(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "未保存" in page.message.text()
    assert stored_phone(school) == "15500001365"
    qtbot.keyClicks(editor, "05")
    assert not page.marks._fields["contact_phone"][1].text()
    press(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.message.text() == "已保存。"
    assert stored_phone(school) == "0351-3046505"
    assert not page.has_unsaved_changes()


def reveals(db: Database) -> int:
    with db.session() as session:
        return len(session.scalars(select(AuditEntry).where(AuditEntry.action == REVEALED)).all())


def test_a_number_is_fetched_once_with_one_entry_and_kept_unless_revealed(
    qtbot: QtBot, page: InstitutionPage, school: Database
) -> None:
    page.form.address.selectAll()
    type_text(page.form.address, "新地址")
    press(page.form.address, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.message.text() == "已保存。"
    assert stored_phone(school) == "15500001365"  # never revealed: kept as stored
    assert reveals(school) == 0
    toggle = page.form.contact_phone.toggle
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert page.form.contact_phone.line.text() == "15500001365"
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert reveals(school) == 1  # fetched once; shown again from what the page holds


def test_offerings_are_edited_and_saved_together(
    qtbot: QtBot, page: InstitutionPage, school: Database
) -> None:
    offerings = page.offerings
    for name in ("信息通信网络运行管理员", "人工智能训练师"):
        type_in_new_row(qtbot, page, name)
    tick(qtbot, page, "E02")
    tick(qtbot, page, "E01")
    assert [o.name for o in offerings.occupation_list()] == [
        "信息通信网络运行管理员",
        "人工智能训练师",
    ]
    offerings.occupations.setCurrentCell(1, 0)
    qtbot.mouseClick(offerings.move_up, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "已保存。"
    with school.session() as session:
        names = list(
            session.scalars(select(OfferedOccupation.name).order_by(OfferedOccupation.position))
        )
        codes = list(
            session.scalars(select(ServedIndustry.industry_code).order_by(ServedIndustry.position))
        )
    assert names == ["人工智能训练师", "信息通信网络运行管理员"]
    assert codes == ["E01", "E02"]


def test_a_repeated_occupation_is_refused(
    qtbot: QtBot, page: InstitutionPage, school: Database
) -> None:
    page.offerings.set_offerings([], [])
    for _ in range(2):
        type_in_new_row(qtbot, page, "电工")
    assert "第2行“电工”与第1行重复" in page.marks._fields["occupations"][1].text()
    assert not page.save()
    with school.session() as session:
        assert session.scalar(select(OfferedOccupation.id)) is None
    page.reload()


def test_revert_restores_what_is_stored(
    qtbot: QtBot, page: InstitutionPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Discard)
    page.form.address.selectAll()
    type_text(page.form.address, "新地址")
    assert page.has_unsaved_changes()
    qtbot.mouseClick(page.revert_button, Qt.MouseButton.LeftButton)
    assert page.form.address.text() == SCHOOL.address and not page.has_unsaved_changes()


def test_closing_the_window_asks_about_unsaved_edits(
    qtbot: QtBot, school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[str] = []

    def question(*args: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    window = MainWindow(school)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.page_by_key["institution"]
    assert isinstance(page, InstitutionPage)
    press(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentIndex() == 1
    type_text(page.form.address, "（东校区）")
    assert not window.close()
    assert asked == ["“本机构”页有尚未保存的修改，关闭前保存吗？"]
    assert window.pages.currentWidget() is page
    assert window.close()
