"""The import and export buttons of the 学员 and 本机构 pages, and a roster dropped onto the
trainee table: each reaches the wizard or the document action, and the page follows."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from core.institution import Occupation, local_institution, save_offerings
from gui.import_wizard import ImportWizard
from gui.institution_page import InstitutionPage
from gui.trainees_page import TraineesPage
from models.database import Database
from models.trainee import Trainee
from tests.core.importing.workbooks import make_id, write_xlsx
from tests.gui.keyboard import activate, type_text
from tests.gui.test_document_actions import Dialogs

WAIT_MS = 20_000


@pytest.fixture
def page(qtbot: QtBot, school: Database) -> TraineesPage:
    with school.session() as session:
        session.add_all(
            Trainee(name=name, gender="女", id_number=make_id(serial, female=True))
            for serial, name in ((1, "李娜"), (2, "赵敏"), (3, "李静"))
        )
        session.commit()
    widget = TraineesPage(school)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    activate(qtbot, widget)
    return widget


def roster(path: Path) -> Path:
    return write_xlsx(
        path,
        [
            ["姓名", "身份证号", "联系电话"],
            ["王芳", make_id(11, female=True), "13812340001"],
            ["张伟", make_id(12), "13812340002"],
        ],
    )


def shown_names(page: TraineesPage) -> list[str]:
    return [page.model.index(r, 0).data() for r in range(page.model.rowCount())]


def drag(page: TraineesPage, path: Path) -> QDragEnterEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    event.ignore()
    QApplication.sendEvent(page.table.viewport(), event)
    return event


def drop(page: TraineesPage, path: Path) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    event.ignore()
    QApplication.sendEvent(page.table.viewport(), event)
    return event


def close_when_loaded(qtbot: QtBot, wizard: ImportWizard) -> None:
    """Close only after the file is read, so no reading job outlives the test."""
    qtbot.waitUntil(wizard.check_button.isEnabled, timeout=WAIT_MS)
    wizard.close()


def test_the_import_button_imports_a_roster_and_the_table_follows(
    qtbot: QtBot, page: TraineesPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = roster(tmp_path / "名单.xlsx")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(path), ""))
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    wizard = page.findChild(ImportWizard)
    assert wizard is not None
    assert wizard.windowTitle() == "导入学员名单"
    qtbot.waitUntil(wizard.check_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(wizard.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 1, timeout=WAIT_MS)
    with qtbot.waitSignal(wizard.imported, timeout=WAIT_MS):
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert sorted(shown_names(page)) == sorted(["李娜", "赵敏", "李静", "王芳", "张伟"])
    assert page.summary.text() == "共 5 名学员"
    assert page.message.text() == "名册已导入，表格已更新。"
    wizard.close()


def test_a_spreadsheet_dropped_on_the_table_opens_the_wizard(
    qtbot: QtBot, page: TraineesPage, tmp_path: Path
) -> None:
    path = roster(tmp_path / "数控系名单.xlsx")
    assert drag(page, path).isAccepted()
    assert page.findChild(ImportWizard) is None  # dragging over is not dropping
    assert drop(page, path).isAccepted()
    wizard = page.findChild(ImportWizard)
    assert wizard is not None
    assert wizard.path == path
    assert wizard.isVisible()
    close_when_loaded(qtbot, wizard)


def test_other_files_are_refused(page: TraineesPage, tmp_path: Path) -> None:
    letter = tmp_path / "通知.docx"
    letter.write_bytes(b"PK")
    assert not drag(page, letter).isAccepted()
    assert not drop(page, letter).isAccepted()
    assert page.findChild(ImportWizard) is None


def test_the_export_button_writes_what_the_table_shows(
    qtbot: QtBot, page: TraineesPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "学员.xlsx"
    dialogs = Dialogs(monkeypatch, [target])
    page.search.setText("李")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)  # before the search delay
    qtbot.waitUntil(lambda: dialogs.opened == [target], timeout=WAIT_MS)
    assert "2 人的完整身份证号" in dialogs.questions[0]
    sheet = openpyxl.load_workbook(target)["学员"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == shown_names(page) == ["李静", "李娜"]  # newest first, as on screen


def test_the_institution_page_exports_the_annex4_form_once_complete(
    qtbot: QtBot, school: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    institution = InstitutionPage(school)
    qtbot.addWidget(institution)
    activate(qtbot, institution)
    target = tmp_path / "机构情况表.xlsx"
    dialogs = Dialogs(monkeypatch, [target, target])
    assert institution.annex4_button.isEnabled()
    qtbot.mouseClick(institution.annex4_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialogs.messages), timeout=WAIT_MS)
    assert "可培训的职业（工种）: 未填写" in dialogs.messages[0]
    assert not target.exists()

    with school.session() as session:
        stored = local_institution(session)
        assert stored is not None
        save_offerings(session, stored, [Occupation("电工")], ["E02"])
        session.commit()
    qtbot.mouseClick(institution.annex4_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialogs.opened == [target], timeout=WAIT_MS)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    school_row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == 1)
    assert school_row[1:4] == ("山西机械高级技工学校\n12140000676444728G", "电工", "大数据产业")

    institution.form.address.setFocus()
    type_text(institution.form.address, "1号")
    assert not institution.annex4_button.isEnabled()  # unsaved edits would be missing
    assert "先保存" in institution.annex4_button.toolTip()
