"""Starting the GUI safely: the instance lock, a damaged file, the backup timer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.safety.audit import RESTORED, query_audit
from core.safety.instance_lock import InstanceLock, lock_path_for
from gui.startup_checks import BackupTimer, run_startup_checks
from models.backup import backup_dir_for, backup_sqlite, list_backup_files
from models.database import Database, open_database
from models.trainee import Trainee
from tests.core.safety.test_restore import corrupt_middle


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    messages: list[str] = []

    def record(_parent: object, _title: str, text: str, *_args: object) -> object:
        messages.append(text)
        return QMessageBox.StandardButton.Ok

    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, record)
    return messages


def _press(monkeypatch: pytest.MonkeyPatch, button_text: str) -> list[str]:
    """Answer the damaged-database question by pressing the button with this text."""
    shown: list[str] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box.text())
        for button in box.buttons():
            if button.text() == button_text:
                button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return shown


def test_a_second_start_is_told_who_holds_the_database(qtbot: QtBot, school: Database, said):
    first = run_startup_checks(str(school.path))
    assert first is not None
    try:
        assert run_startup_checks(str(school.path)) is None
        assert "正在被使用" in said[0]
        assert "进程号" in said[0]
    finally:
        first.release()
    second = run_startup_checks(str(school.path))
    assert second is not None
    second.release()


def test_a_stale_lock_is_taken_over_and_mentioned(qtbot: QtBot, school: Database, said) -> None:
    holder = {"pid": 999999, "host": "old-pc", "user": "clerk", "started": "2025-03-01 08:00:00"}
    lock_path_for(school.path).write_text(json.dumps(holder))
    guard = run_startup_checks(str(school.path))
    assert guard is not None
    try:
        assert said == []
        assert any("上次持证通没有正常退出" in n for n in guard.notices)
    finally:
        guard.release()


def _damaged_with_backup(school: Database) -> Path:
    with school.session() as session:
        session.add(Trainee(name="周杰", id_number="140105199003071234"))
        session.commit()
    good = backup_sqlite(school.engine, "manual")
    with school.session() as session:
        session.add_all(Trainee(name="某", id_number=f"{i:018d}") for i in range(2000))
        session.commit()
    school.close()
    corrupt_middle(school.path)
    return good


def test_a_damaged_database_is_replaced_by_the_offered_backup(
    qtbot: QtBot, school: Database, said, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _damaged_with_backup(school)
    shown = _press(monkeypatch, "用这份备份恢复")
    guard = run_startup_checks(str(school.path))
    assert guard is not None
    try:
        assert "已损坏" in shown[0]
        assert str(good) in shown[0]
        assert guard.restored is not None
        database = open_database(school.path)
        guard.opened(database)
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Trainee)) == 1
            assert query_audit(session)[0].action == RESTORED
        database.close()
        assert any("已从" in n for n in guard.notices)
    finally:
        guard.release()


def test_declining_leaves_the_damaged_file_alone(
    qtbot: QtBot, school: Database, said, monkeypatch: pytest.MonkeyPatch
) -> None:
    _damaged_with_backup(school)
    damaged = school.path.read_bytes()
    _press(monkeypatch, "退出")
    assert run_startup_checks(str(school.path)) is None
    assert school.path.read_bytes() == damaged
    InstanceLock(school.path).acquire().release()  # the lock was let go on the way out


def test_backup_timer_backs_up_on_start_and_after_changes(qtbot: QtBot, school: Database) -> None:
    timer = BackupTimer(school, interval_ms=3_600_000)
    with qtbot.waitSignal(timer.message, timeout=20_000) as started:
        timer.start()
    assert "已自动备份" in started.args[0]
    folder = backup_dir_for(school.path)
    assert len(list_backup_files(folder)) == 1
    timer.check()
    qtbot.waitUntil(lambda: not timer.busy, timeout=20_000)
    assert len(list_backup_files(folder)) == 1  # nothing changed, nothing written
    with school.session() as session:
        session.add(Trainee(name="吴刚", id_number="140105199003071234"))
        session.commit()
    with qtbot.waitSignal(timer.message, timeout=20_000):
        timer.check()
    assert len(list_backup_files(folder)) == 2
    timer.stop()


def test_backup_timer_reports_a_failed_backup(qtbot: QtBot, school: Database) -> None:
    folder = backup_dir_for(school.path)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    timer = BackupTimer(school, interval_ms=3_600_000)
    with qtbot.waitSignal(timer.failed, timeout=20_000) as failed:
        timer.start()
    assert failed.args[0].startswith("自动备份失败：")
    timer.stop()
