"""备份与恢复 dialog: list, 立即备份, restore (confirmed, declined, refused, cancelled)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from core.safety.backups import list_backups, size_text
from gui.backup_dialog import BackupDialog, open_backup_dialog
from models.backup import backup_sqlite
from models.database import Database
from models.trainee import Trainee


def _count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Trainee)) or 0


def _add(database: Database, how_many: int = 1, start: int = 0) -> None:
    with database.session() as session:
        session.add_all(
            Trainee(name="刘洋", id_number=f"{start + i:018d}", employer="某" * 80)
            for i in range(how_many)
        )
        session.commit()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Message boxes answered without showing them; what they said is recorded."""
    said: dict[str, list[str]] = {"question": [], "information": [], "warning": [], "critical": []}
    reply = {"question": QMessageBox.StandardButton.Yes}

    def recorder(kind: str):
        def show(_parent: object, _title: str, text: str, *_args: object) -> object:
            said[kind].append(text)
            return reply.get(kind, QMessageBox.StandardButton.Ok)

        return show

    for kind in said:
        monkeypatch.setattr(QMessageBox, kind, recorder(kind))
    said["reply"] = reply  # type: ignore[assignment]
    return said


def _dialog(qtbot: QtBot, database: Database) -> BackupDialog:
    dialog = BackupDialog(database)
    qtbot.addWidget(dialog)
    return dialog


def _wait(qtbot: QtBot, dialog: BackupDialog) -> None:
    qtbot.waitUntil(lambda: dialog._task is None, timeout=20_000)


def test_lists_backups_newest_first_with_dates_and_sizes(qtbot: QtBot, school: Database) -> None:
    first = backup_sqlite(school.engine, "manual")
    second = backup_sqlite(school.engine, "before-import")
    dialog = _dialog(qtbot, school)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 4).text() == second.name
    assert dialog.table.item(0, 1).text() == "导入前"
    assert dialog.table.item(1, 4).text() == first.name
    assert dialog.table.item(0, 0).text()[:2] == "20"
    assert dialog.table.item(0, 2).text() == size_text(second.stat().st_size)
    assert dialog.selected_backup() is not None
    assert "未设置" in dialog.second_label.text()


def test_back_up_now(qtbot: QtBot, school: Database, answers) -> None:
    dialog = _dialog(qtbot, school)
    assert dialog.table.rowCount() == 0
    assert not dialog.restore_button.isEnabled()
    dialog.backup_button.click()
    _wait(qtbot, dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "手动"
    assert "已备份并通过完整性检查" in dialog.status.text()
    assert dialog.restore_button.isEnabled()


def test_restore_the_selected_backup(qtbot: QtBot, school: Database, answers) -> None:
    _add(school)
    backup_sqlite(school.engine, "manual")
    _add(school, start=100)
    dialog = _dialog(qtbot, school)
    dialog.table.selectRow(0)
    dialog.restore_button.click()
    _wait(qtbot, dialog)
    assert "替换当前的全部数据" in answers["question"][0]
    assert "已从备份恢复" in answers["information"][0]
    assert dialog.restored
    assert _count(school) == 1
    reasons = [dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]
    assert "恢复前" in reasons  # the data before the restore was kept


def test_declining_changes_nothing(qtbot: QtBot, school: Database, answers) -> None:
    backup_sqlite(school.engine, "manual")
    _add(school)
    answers["reply"]["question"] = QMessageBox.StandardButton.No  # type: ignore[index]
    dialog = _dialog(qtbot, school)
    dialog.restore_button.click()
    assert dialog._task is None
    assert not dialog.restored
    assert _count(school) == 1
    assert len(list_backups(school.path)) == 1


def test_a_file_that_is_no_backup_is_refused(
    qtbot: QtBot, school: Database, answers, tmp_path: Path
) -> None:
    _add(school)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database")
    dialog = _dialog(qtbot, school)
    dialog.restore_file(junk, "确定吗？")
    _wait(qtbot, dialog)
    assert "不是持证通数据库" in answers["warning"][0]
    assert not dialog.restored
    assert _count(school) == 1


def test_cancelling_a_restore_changes_nothing(qtbot: QtBot, school: Database, answers) -> None:
    _add(school, how_many=3000)
    big = backup_sqlite(school.engine, "manual")
    with school.session() as session:
        session.query(Trainee).delete()
        session.commit()
    dialog = _dialog(qtbot, school)
    dialog.restore_file(big, "确定吗？")
    assert dialog._task is not None
    dialog._task.progress.cancel()
    _wait(qtbot, dialog)
    assert "已取消" in dialog.status.text()
    assert not dialog.restored
    assert _count(school) == 0


def test_second_folder(qtbot: QtBot, school: Database, answers, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    dialog = _dialog(qtbot, school)
    dialog.set_second_folder(stick)
    assert str(stick) in dialog.second_label.text()
    assert dialog.clear_second.isEnabled()
    dialog.backup_button.click()
    _wait(qtbot, dialog)
    locations = {dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())}
    assert locations == {"本机备份文件夹", "第二备份位置"}
    assert len(list(stick.iterdir())) == 1
    stick.rename(tmp_path / "unplugged")
    dialog.refresh()
    assert "U 盘未插入" in dialog.second_label.text()
    dialog.backup_button.click()
    _wait(qtbot, dialog)
    assert "未能复制到第二备份位置" in answers["warning"][0]
    dialog.clear_second.click()
    assert "未设置" in dialog.second_label.text()


def test_server_database_is_explained(qtbot: QtBot, answers) -> None:
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    server = Database(engine=engine, sessions=sessionmaker(engine))
    assert open_backup_dialog(None, server) is False
    assert "PostgreSQL" in answers["information"][0]
