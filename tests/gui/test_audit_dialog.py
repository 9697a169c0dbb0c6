"""操作日志 dialog: entries shown masked, filtered by date, type, action, user and text."""

from __future__ import annotations

from datetime import date, timedelta

from pytestqt.qtbot import QtBot

from core.safety.audit import REVEALED, record_action
from gui.audit_dialog import LIMIT, AuditDialog, _qdate
from models.audit import current_os_user
from models.database import Database
from models.trainee import Trainee
from tests.gui.keyboard import type_text

ID_NUMBER = "140105199003071234"


def _history(database: Database) -> None:
    with database.session() as session:
        trainee = Trainee(name="陈静", id_number=ID_NUMBER, phone="13812345678")
        session.add(trainee)
        session.commit()
        trainee.phone = "13987654321"
        record_action(session, REVEALED, "trainees", trainee.uuid, "学员列表")
        session.commit()


def _column(dialog: AuditDialog, column: int) -> list[str]:
    return [dialog.table.item(r, column).text() for r in range(dialog.table.rowCount())]


def _dialog(qtbot: QtBot, database: Database) -> AuditDialog:
    dialog = AuditDialog(database)
    qtbot.addWidget(dialog)
    return dialog


def test_shows_every_entry_masked(qtbot: QtBot, school: Database) -> None:
    _history(school)
    dialog = _dialog(qtbot, school)
    assert _column(dialog, 3) == ["修改", REVEALED, "新增", "新增"]  # one commit, flush order
    assert _column(dialog, 4) == ["学员", "学员", "学员", "机构"]
    assert _column(dialog, 1) == [current_os_user()] * 4
    assert dialog.count.text() == "共 4 条"
    cells = "".join(
        dialog.table.item(r, c).text()
        for r in range(dialog.table.rowCount())
        for c in range(dialog.table.columnCount())
    )
    assert ID_NUMBER not in cells
    assert "13812345678" not in cells
    assert "手机号：138****5678 → 139****4321" in cells


def test_filters_by_type_action_user_and_text(qtbot: QtBot, school: Database) -> None:
    _history(school)
    dialog = _dialog(qtbot, school)
    dialog.entity.setCurrentText("机构")
    assert _column(dialog, 4) == ["机构"]
    dialog.entity.setCurrentIndex(0)
    dialog.action.setCurrentText("修改")
    assert _column(dialog, 3) == ["修改"]
    dialog.action.setCurrentIndex(0)
    assert dialog.user.findText(current_os_user()) > 0
    dialog.user.setCurrentText(current_os_user())
    assert dialog.table.rowCount() == 4
    dialog.user.setCurrentIndex(0)
    type_text(dialog.search, "陈*")
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2)
    assert _column(dialog, 3) == ["修改", "新增"]  # the entries naming the trainee


def test_date_range(qtbot: QtBot, school: Database) -> None:
    _history(school)
    dialog = _dialog(qtbot, school)
    yesterday = date.today() - timedelta(days=1)
    dialog.until.setDate(_qdate(yesterday))
    assert dialog.table.rowCount() == 0
    assert dialog.count.text() == "共 0 条"
    dialog.until.setDate(_qdate(date.today()))
    assert dialog.table.rowCount() == 4


def test_a_long_log_says_it_shows_only_the_newest(qtbot: QtBot, school: Database) -> None:
    with school.session() as session:
        for i in range(LIMIT + 5):
            record_action(session, REVEALED, "trainees", None, f"第{i}次")
        session.commit()
    dialog = _dialog(qtbot, school)
    assert dialog.table.rowCount() == LIMIT
    assert f"只显示最新的 {LIMIT} 条" in dialog.count.text()
