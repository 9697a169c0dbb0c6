"""导出学员名单 and 导出学员: the roster workbooks from the GUI, as the pages call them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from pytestqt.qtbot import QtBot

from core.trainees.search import TraineeQuery
from gui.document_actions import export_class_roster, export_trainee_list
from models.database import Database
from tests.gui.test_document_actions import Dialogs
from tests.reports.builders import add_class


def test_class_roster_after_the_personal_data_notice(
    qtbot: QtBot, school: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class_id = add_class(school, 4)
    target = tmp_path / "名单.xlsx"
    dialogs = Dialogs(monkeypatch, [target])
    assert export_class_roster(None, school, class_id) is not None
    qtbot.waitUntil(lambda: dialogs.opened == [target], timeout=20_000)
    assert "4 人的完整身份证号" in dialogs.questions[0]
    assert dialogs.starts[0].endswith("信息通信网络运行管理员定向培训班学员名单.xlsx")
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None and sheet.max_row == 2 + 4


def test_trainee_list_as_filtered_on_screen(
    qtbot: QtBot, school: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_class(school, 6, names=["王芳", "王强"])
    target = tmp_path / "学员.xlsx"
    dialogs = Dialogs(monkeypatch, [target])
    export_trainee_list(None, school, TraineeQuery("王", sort_key="name", descending=False))
    qtbot.waitUntil(lambda: dialogs.opened == [target], timeout=20_000)
    assert "2 人的完整身份证号" in dialogs.questions[0]
    sheet = openpyxl.load_workbook(target)["学员"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["王强", "王芳"]
