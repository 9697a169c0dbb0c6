"""The document buttons' actions: save dialog, background job, viewer, remembered folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.safety.audit import EXPORTED
from gui.document_actions import LAST_FOLDER_KEY, export_subsidy, generate_annex3
from models.audit import AuditEntry
from models.database import Database
from tests.reports.builders import add_class


class Dialogs:
    """Stand-ins for the modal dialogs, recording what the action asked and showed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: list[Path]) -> None:
        self.answers = answers
        self.starts: list[str] = []
        self.opened: list[Path] = []
        self.messages: list[str] = []
        self.questions: list[str] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self.save)
        monkeypatch.setattr(QMessageBox, "question", self.question)
        monkeypatch.setattr(QMessageBox, "warning", self.warning)
        monkeypatch.setattr(QDesktopServices, "openUrl", self.open)

    def save(self, _parent: object, _title: str, start: str, filters: str) -> tuple[str, str]:
        self.starts.append(start)
        return str(self.answers.pop(0)), filters.split(";;", maxsplit=1)[0]

    def question(self, _parent: object, _title: str, text: str, *_args: object) -> object:
        self.questions.append(text)
        return QMessageBox.StandardButton.Yes

    def warning(self, _parent: object, _title: str, text: str) -> object:
        self.messages.append(text)
        return QMessageBox.StandardButton.Ok

    def open(self, url: QUrl) -> bool:
        self.opened.append(Path(url.toLocalFile()))
        return True


def test_the_report_is_written_in_the_background_and_opened(
    qtbot: QtBot, school: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class_id = add_class(school, 5)
    folder = tmp_path / "documents"
    folder.mkdir()
    first, second = folder / "报告.pdf", folder / "报告2.pdf"
    dialogs = Dialogs(monkeypatch, [first, second])

    assert generate_annex3(None, school, class_id) is not None
    qtbot.waitUntil(lambda: dialogs.opened == [first], timeout=20000)
    assert first.read_bytes().startswith(b"%PDF")
    assert "5 人的完整身份证号" in dialogs.questions[0]
    assert dialogs.starts[0].endswith("信息通信网络运行管理员定向培训班申请报告.pdf")
    assert QSettings().value(LAST_FOLDER_KEY) == str(folder)

    generate_annex3(None, school, class_id)
    qtbot.waitUntil(lambda: len(dialogs.opened) == 2, timeout=20000)
    assert Path(dialogs.starts[1]).parent == folder
    assert dialogs.messages == []
    # Each file with full numbers is in the audit log, by name.
    with school.session() as session:
        details = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == EXPORTED)
        ).all()
    assert len(details) == 2 and str(first) in details[0]


def test_a_refusal_is_shown_and_nothing_is_written(
    qtbot: QtBot, school: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class_id = add_class(school, 3)  # still 已申请: not finished, no subsidy yet
    target = tmp_path / "out" / "claim"
    target.parent.mkdir()
    dialogs = Dialogs(monkeypatch, [target])
    export_subsidy(None, school, class_id)
    qtbot.waitUntil(lambda: bool(dialogs.messages), timeout=20000)
    assert "无法生成补贴申请表" in dialogs.messages[0]
    assert "尚未结业" in dialogs.messages[0]
    assert dialogs.opened == []
    assert list(target.parent.iterdir()) == []
