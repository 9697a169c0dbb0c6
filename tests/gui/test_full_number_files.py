"""Files with full numbers from the GUI: the notice comes before the save dialog (and before
anything is written), declining it writes nothing, and each file written is one audit entry
with its people count, the same entry ``audit --json --action 导出`` lists."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from core.institution import Occupation, local_institution, save_offerings
from core.safety.audit import EXPORTED, AuditFilter, query_audit
from gui.document_actions import (
    export_annex4,
    export_class_roster,
    export_subsidy,
    export_trainee_list,
    generate_annex3,
)
from gui.progress_page import ProgressPage
from gui.trainees_page import TraineesPage
from main import main
from models.database import Database
from tests.core import progress_data as data
from tests.gui.keyboard import activate
from tests.reports.builders import add_class

WAIT_MS = 20_000
Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
Ok, Cancel = QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.Cancel


def exports(database: Database) -> list[str]:
    with database.session() as session:
        return [row.detail for row in query_audit(session, AuditFilter(action=EXPORTED))]


class Recorder:
    """The modal dialogs and the viewer, noting in what order they came and, at each, how
    many export entries there were and whether the file existed yet."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, database: Database, target: Path, agree: bool
    ) -> None:
        self.database, self.target, self.agree = database, target, agree
        self.events: list[tuple[str, int, bool]] = []
        self.notices: list[str] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self.save)
        monkeypatch.setattr(QMessageBox, "question", self.question)
        monkeypatch.setattr(QMessageBox, "warning", self.warning)
        monkeypatch.setattr(QDesktopServices, "openUrl", self.open)

    def _note(self, event: str) -> None:
        self.events.append((event, len(exports(self.database)), self.target.exists()))

    def save(self, _parent: object, _title: str, _start: str, filters: str) -> tuple[str, str]:
        self._note("save")
        return str(self.target), filters.split(";;", maxsplit=1)[0]

    def question(self, _parent: object, _title: str, text: str, *_args: object) -> object:
        self._note("notice")
        self.notices.append(text)
        return Yes if self.agree else No

    def warning(self, _parent: object, _title: str, text: str, *_args: object) -> object:
        if "完整身份证号" not in text:  # a refusal or a warning about the written file
            self._note(f"message: {text}")
            return Ok
        self._note("notice")
        self.notices.append(text)
        return Ok if self.agree else Cancel

    def open(self, _url: QUrl) -> bool:
        self._note("opened")
        return True


BEFORE = [("notice", 0, False), ("save", 0, False)]
Record = Callable[[Database, str, bool], Recorder]
Listed = Callable[[], list[str]]


@pytest.fixture
def record(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Record:
    """A recorder whose save dialog answers ``tmp_path/file<suffix>``."""

    def make(database: Database, suffix: str, agree: bool) -> Recorder:
        return Recorder(monkeypatch, database, tmp_path / f"file{suffix}", agree)

    return make


@pytest.fixture
def listed(capsys: pytest.CaptureFixture[str], db_path: Path) -> Listed:
    """The details ``audit --json --action 导出`` lists."""

    def listing() -> list[str]:
        capsys.readouterr()
        assert main(["--db", str(db_path), "audit", "--json", "--action", "导出"]) == 0
        return [entry["detail"] for entry in json.loads(capsys.readouterr().out)]

    return listing


def check_one_entry(listed: Listed, what: str, people: int, target: Path) -> None:
    """Exactly one 导出 entry, naming the file and its people, as the command line lists it."""
    (detail,) = listed()
    assert detail.startswith(f"{what}（{people} 人，含完整号码；")
    assert detail.endswith(str(target))


Action = Callable[[Database, int], object]

#: (the button's action, what the notice and the entry call the file, people, suffix)
CLASS_ACTIONS: dict[str, tuple[Action, str, int, str]] = {
    "annex3": (lambda db, c: generate_annex3(None, db, c), "申请报告（附学员名单）", 5, ".pdf"),
    "roster": (lambda db, c: export_class_roster(None, db, c), "学员名单", 5, ".xlsx"),
    "subsidy": (lambda db, c: export_subsidy(None, db, c), "补贴申请表", 3, ".pdf"),
    "trainees": (lambda db, _c: export_trainee_list(None, db), "学员名单（含证书）", 5, ".xlsx"),
}


@pytest.mark.parametrize("kind", CLASS_ACTIONS)
def test_notice_before_the_save_dialog_then_one_entry(
    qtbot: QtBot, school: Database, record: Record, listed: Listed, kind: str
) -> None:
    action, what, people, suffix = CLASS_ACTIONS[kind]
    class_id = add_class(school, 5, status="结业", completed=3)
    recorder = record(school, suffix, True)
    assert action(school, class_id) is not None
    qtbot.waitUntil(lambda: any(e[0] == "opened" for e in recorder.events), timeout=WAIT_MS)
    assert recorder.events == [*BEFORE, ("opened", 1, True)]
    assert f"即将写出的{what}含有 {people} 人的完整身份证号" in recorder.notices[0]
    check_one_entry(listed, what, people, recorder.target)


@pytest.mark.parametrize("kind", CLASS_ACTIONS)
def test_declining_the_notice_writes_nothing(school: Database, record: Record, kind: str) -> None:
    action, _what, _people, suffix = CLASS_ACTIONS[kind]
    class_id = add_class(school, 5, status="结业", completed=3)
    recorder = record(school, suffix, False)
    assert action(school, class_id) is None
    assert recorder.events == [("notice", 0, False)]
    assert exports(school) == [] and not recorder.target.exists()


def test_the_trainee_page_exports_its_table_after_the_notice(
    qtbot: QtBot, school: Database, record: Record, listed: Listed
) -> None:
    add_class(school, 6, names=["王芳", "王强"])
    page = TraineesPage(school)
    qtbot.addWidget(page)
    activate(qtbot, page)
    recorder = record(school, ".xlsx", True)
    page.search.setText("王")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(e[0] == "opened" for e in recorder.events), timeout=WAIT_MS)
    assert recorder.events == [*BEFORE, ("opened", 1, True)]
    assert "2 人的完整身份证号" in recorder.notices[0]
    check_one_entry(listed, "学员名单（含证书）", 2, recorder.target)


def test_annex4_asks_nothing_and_is_not_audited(
    qtbot: QtBot, school: Database, record: Record
) -> None:
    with school.session() as session:
        stored = local_institution(session)
        assert stored is not None
        save_offerings(session, stored, [Occupation("电工")], ["E02"])
        session.commit()
    recorder = record(school, ".xlsx", True)
    assert export_annex4(None, school) is not None
    qtbot.waitUntil(lambda: any(e[0] == "opened" for e in recorder.events), timeout=WAIT_MS)
    assert recorder.events == [("save", 0, False), ("opened", 0, True)]
    assert exports(school) == []


# --- 还差谁 -------------------------------------------------------------------------------


@pytest.fixture
def missing_page(qtbot: QtBot, database: Database) -> ProgressPage:
    page = ProgressPage(data.college(database), today=lambda: data.CERT_DAY)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT_MS):
        page.show()
    return page


def test_missing_with_full_numbers_notice_first_then_one_entry(
    qtbot: QtBot, missing_page: ProgressPage, record: Record, listed: Listed
) -> None:
    missing = missing_page.school.missing
    recorder = record(missing_page.database, ".xlsx", True)
    missing.reveal.setChecked(True)
    with qtbot.waitSignal(missing.exported, timeout=WAIT_MS):
        qtbot.mouseClick(missing.export_button, Qt.MouseButton.LeftButton)
    assert recorder.events == BEFORE
    assert "即将写出的还差谁名单含有 3 人的完整身份证号" in recorder.notices[0]
    check_one_entry(listed, "还差谁名单", 3, recorder.target)


def test_missing_declined_or_masked_is_not_audited(
    qtbot: QtBot, missing_page: ProgressPage, record: Record
) -> None:
    missing = missing_page.school.missing
    recorder = record(missing_page.database, ".xlsx", False)
    missing.reveal.setChecked(True)
    qtbot.mouseClick(missing.export_button, Qt.MouseButton.LeftButton)
    assert recorder.events == [("notice", 0, False)]

    missing.reveal.setChecked(False)
    with qtbot.waitSignal(missing.exported, timeout=WAIT_MS):
        qtbot.mouseClick(missing.export_button, Qt.MouseButton.LeftButton)
    assert recorder.events[1:] == [("save", 0, False)]  # masked: no notice
    assert recorder.target.exists() and exports(missing_page.database) == []
