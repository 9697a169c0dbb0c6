"""First run: picking the unit from Annex 1, typing the rest, refusals that save nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from core import reference
from core.institution import local_institution
from gui.setup_dialog import NOT_LISTED, SetupDialog, ensure_institution
from gui.widgets import DivisionPicker
from models.database import Database
from tests.gui.keyboard import press, type_text

USCC = "12140000676444728G"


@pytest.fixture
def dialog(qtbot: QtBot, database: Database) -> Iterator[SetupDialog]:
    widget = SetupDialog(database)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.mark_clean()  # typed but unsaved: closing would ask, and no one is there to answer
    widget.close()
    widget.deleteLater()


def message(dialog: SetupDialog, field: str) -> str:
    return dialog.marks._fields[field][1].text()


def registered(db: Database) -> tuple[str, ...] | None:
    with db.session() as session:
        institution = local_institution(session)
        if institution is None:
            return None
        return (
            institution.name,
            institution.category,
            institution.role,
            institution.division_code,
            institution.annex1_unit or "",
        )


def choose_unit(dialog: SetupDialog, unit: str) -> None:
    """Type part of the name, then take the first match with ↓ and Enter."""
    editor = dialog.unit.lineEdit()
    editor.selectAll()
    type_text(editor, unit)
    popup = dialog.unit.completer().popup()
    press(popup, Qt.Key.Key_Down)
    press(popup, Qt.Key.Key_Return)


def test_a_unit_from_annex1_fills_the_form(qtbot: QtBot, dialog: SetupDialog) -> None:
    choose_unit(dialog, "阳泉职业")
    assert dialog.unit.currentText().startswith("阳泉职业技术学院")
    assert dialog.form.name.text() == "阳泉职业技术学院"
    assert dialog.form.category.currentText() == "高职院校"
    assert "高级工取证任务 500 个" in dialog.target_info.text()


def test_a_bad_code_is_shown_and_nothing_is_registered(
    qtbot: QtBot, dialog: SetupDialog, database: Database
) -> None:
    choose_unit(dialog, "阳泉职业")
    qtbot.keyClicks(dialog.form.uscc, USCC[:-1] + "H")
    assert message(dialog, "uscc")
    assert "border" in dialog.form.uscc.styleSheet()
    press(dialog.form.uscc, Qt.Key.Key_Return)
    assert dialog.isVisible() and registered(database) is None


def test_a_complete_profile_is_registered(
    qtbot: QtBot, dialog: SetupDialog, database: Database
) -> None:
    choose_unit(dialog, "阳泉职业")
    qtbot.keyClicks(dialog.form.uscc, USCC.lower())
    dialog.form.division.set_code("140302")
    type_text(dialog.form.admin_name, "张乐")
    qtbot.keyClicks(dialog.form.contact_phone.line, "15500001365")
    assert not message(dialog, "contact_phone")
    with qtbot.waitSignal(dialog.accepted):
        press(dialog.form.contact_phone.line, Qt.Key.Key_Return)
    assert registered(database) == (
        "阳泉职业技术学院",
        "高职院校",
        "school",
        "140302",
        "阳泉职业技术学院",
    )


def test_a_city_bureau_takes_its_city(
    qtbot: QtBot, dialog: SetupDialog, database: Database
) -> None:
    choose_unit(dialog, "晋中市教育局")
    assert dialog.form.role.currentData() == "city"
    assert dialog.form.division.code() == "140700"
    qtbot.keyClicks(dialog.form.uscc, USCC)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert registered(database) == ("晋中市教育局", "其他", "city", "140700", "晋中市教育局")


def test_a_shared_row_leaves_the_name_to_the_clerk(qtbot: QtBot, dialog: SetupDialog) -> None:
    index = next(
        i for i in range(dialog.unit.count()) if dialog.unit.itemText(i).startswith("技工院校")
    )
    dialog.unit.setCurrentIndex(index)
    assert dialog.form.name.text() == ""
    assert dialog.form.category.currentText() == "技工院校"
    assert "请在下方填写本校名称" in dialog.target_info.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert message(dialog, "name") == "不能为空"


def test_a_new_unit_is_typed_by_hand(qtbot: QtBot, dialog: SetupDialog, database: Database) -> None:
    assert dialog.unit.currentText() == NOT_LISTED
    type_text(dialog.form.name, "太原市新星职业培训学校")
    dialog.form.category.setCurrentText("其他")
    qtbot.keyClicks(dialog.form.uscc, USCC)
    dialog.form.division.set_code("140105")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert registered(database) == ("太原市新星职业培训学校", "其他", "school", "140105", "")


def test_no_dialog_once_registered(school: Database) -> None:
    assert ensure_institution(school) is True


def test_leaving_without_registering_is_refused(
    qtbot: QtBot, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SetupDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert ensure_institution(database) is False


def test_the_division_picker_offers_the_city_and_its_counties(qtbot: QtBot) -> None:
    picker = DivisionPicker()
    qtbot.addWidget(picker)
    assert picker.code() == "140000" and not picker.county.isEnabled()
    with qtbot.assertNotEmitted(picker.changed):
        picker.set_code("140100")
    counties = [picker.county.itemText(i) for i in range(picker.county.count())]
    assert counties[0] == "市本级" and "小店区" in counties
    assert picker.code() == "140100"
    with qtbot.waitSignal(picker.changed):
        press(picker.county, Qt.Key.Key_Down)  # the first county after 市本级
    assert picker.code() == reference.counties("140100")[0].code
    assert len(counties) == len(reference.counties("140100")) + 1
