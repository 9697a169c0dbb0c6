"""The import wizard driven like a clerk would: a file, its columns, the preview, the import."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QUrl
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.importing import RowStatus
from gui.import_mapping_page import NOT_IMPORTED
from gui.import_preview_page import SHOW_ALL
from gui.import_wizard import ImportWizard, dropped_spreadsheet, open_import_wizard
from models.database import Database
from models.trainee import Certificate, Trainee
from tests.core.importing.hostile import far_cell_xlsx
from tests.core.importing.workbooks import make_id, write_csv, write_xlsx

WAIT_MS = 20_000


def _count(database: Database, model: type = Trainee) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(model.id))) or 0


def _roster(path: Path, extra: int = 0) -> Path:
    rows: list[list[object]] = [
        ["数控系学员名单"],
        ["序号", "学员姓名", "身份证号码", "联系电话", "所学专业"],
        [1, "王芳", make_id(1, female=True), "13812340001", "数控技术"],
        [2, "李强", make_id(2), "13812340002", "数控技术"],
        [3, "张伟", int(make_id(3)), "13812340003", "数控技术"],  # damaged by Excel
        [4, "刘洋", make_id(4), "138", "数控技术"],  # short phone
        [5, "陈静", make_id(5, female=True), "", "数控技术"],
    ]
    rows += [
        [
            6 + i,
            f"学员{chr(0x4E00 + i % 400)}",
            make_id(i % 500, born=f"1990{1 + i // 500:02d}01"),
            "",
            "",
        ]
        for i in range(extra)
    ]
    return write_xlsx(path, rows, merges=[(1, 1, 1, 5)])


def _open(qtbot: QtBot, database: Database, path: Path, kind: str = "roster") -> ImportWizard:
    wizard = ImportWizard(None, database, kind)  # type: ignore[arg-type]
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.load(path)
    qtbot.waitUntil(wizard.check_button.isEnabled, timeout=WAIT_MS)
    return wizard


def _displayed(wizard: ImportWizard) -> list[str]:
    model = wizard.model
    return [
        str(model.data(model.index(r, c)) or "")
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    ]


def _check(qtbot: QtBot, wizard: ImportWizard) -> None:
    qtbot.mouseClick(wizard.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 1, timeout=WAIT_MS)


def test_a_roster_from_file_to_database(qtbot: QtBot, school: Database, tmp_path: Path) -> None:
    wizard = _open(qtbot, school, _roster(tmp_path / "名单.xlsx"))
    assert wizard.header_spin.value() == 2
    assert wizard.field_combos["id_number"].currentText() == "C列：身份证号码"
    assert wizard.field_combos["gender"].currentText() == NOT_IMPORTED
    samples = [
        wizard.sample.item(r, c).text()
        for r in range(wizard.sample.rowCount())
        for c in range(wizard.sample.columnCount())
        if wizard.sample.item(r, c)
    ]
    assert "140105********0023" in samples  # masked on screen
    assert not any(make_id(2) in text or "13812340002" in text for text in samples)

    # The clerk takes the ID column away: the required field is named and checking waits.
    wizard.field_combos["id_number"].setCurrentIndex(0)
    assert not wizard.check_button.isEnabled()
    assert "身份证号" in wizard.mapping_message.text()
    wizard.field_combos["id_number"].setCurrentIndex(3)
    assert wizard.check_button.isEnabled()

    _check(qtbot, wizard)
    assert "有误 2" in wizard.summary.text()
    assert wizard.model.rowCount() == 2  # the errors come first
    shown = _displayed(wizard)
    assert any("身份证号码: Excel 已把号码存成数字" in text for text in shown)
    wizard.filter_combo.setCurrentText(SHOW_ALL)
    assert wizard.model.rowCount() == 5
    assert [wizard.model.row_at(r).status for r in range(5)].count(RowStatus.NEW) == 3
    shown = _displayed(wizard)
    assert not any(make_id(2) in text or "13812340002" in text for text in shown)

    assert not wizard.import_button.isEnabled()
    report = tmp_path / "错误报告.xlsx"
    wizard.save_error_report(report)
    qtbot.waitUntil(report.exists, timeout=WAIT_MS)
    wizard.skip_invalid.setChecked(True)
    assert wizard.import_button.isEnabled()
    with qtbot.waitSignal(wizard.imported, timeout=WAIT_MS) as done:
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert done.args[0].inserted == 3
    assert wizard.pages.currentIndex() == 2
    assert "新增学员 3 人" in wizard.done_label.text()
    assert _count(school) == 3


def test_cancel_while_writing_leaves_nothing(
    qtbot: QtBot, school: Database, tmp_path: Path
) -> None:
    wizard = _open(qtbot, school, _roster(tmp_path / "big.xlsx", extra=3000))
    _check(qtbot, wizard)
    wizard.skip_invalid.setChecked(True)
    wizard.start_import()
    assert wizard.task is not None
    wizard.task.progress.cancel()
    qtbot.waitUntil(lambda: "已取消" in wizard.preview_message.text(), timeout=WAIT_MS)
    assert _count(school) == 0
    assert wizard.import_button.isEnabled()  # the clerk may try again


def test_an_unreadable_file_is_explained(qtbot: QtBot, school: Database, tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    wizard = ImportWizard(None, school, "roster")
    qtbot.addWidget(wizard)
    wizard.load(path)
    qtbot.waitUntil(lambda: "纯文本" in wizard.mapping_message.text(), timeout=WAIT_MS)
    assert not wizard.check_button.isEnabled()


def test_a_file_larger_than_any_roster_is_refused_and_the_window_lives(
    qtbot: QtBot, school: Database, tmp_path: Path
) -> None:
    """One value at XFD1048576 used to abort the whole program (issue 20)."""
    path = far_cell_xlsx(tmp_path / "名单.xlsx", "XFD1048576")
    wizard = ImportWizard(None, school, "roster")
    qtbot.addWidget(wizard)
    wizard.load(path)
    qtbot.waitUntil(lambda: "超过上限 200,000 行" in wizard.mapping_message.text(), timeout=WAIT_MS)
    assert "XFD1048576" in wizard.mapping_message.text()
    assert not wizard.check_button.isEnabled()
    assert _count(school) == 0


def test_certificates_and_the_class_choice(qtbot: QtBot, school: Database, tmp_path: Path) -> None:
    roster = write_csv(tmp_path / "r.csv", [["姓名", "身份证号"], ["李强", make_id(2)]])
    wizard = _open(qtbot, school, roster)
    assert wizard.class_combo.count() == 1  # no open class: only “none”
    _check(qtbot, wizard)
    with qtbot.waitSignal(wizard.imported, timeout=WAIT_MS):
        wizard.start_import()
    header = ["证书编号", "姓名", "身份证号", "职业（工种）", "等级", "发证日期"]
    path = write_xlsx(
        tmp_path / "c.xlsx", [header, ["C-1", "李强", make_id(2), "车工", "三级", "2024-06-30"]]
    )
    wizard = _open(qtbot, school, path, "certificates")
    _check(qtbot, wizard)
    assert wizard.model.rowCount() == 1
    with qtbot.waitSignal(wizard.imported, timeout=WAIT_MS):
        wizard.start_import()
    assert _count(school, Certificate) == 1


def test_dropped_files(qtbot: QtBot, school: Database, tmp_path: Path) -> None:
    mime = QMimeData()
    mime.setUrls(
        [
            QUrl.fromLocalFile(str(tmp_path / "readme.docx")),
            QUrl.fromLocalFile(str(tmp_path / "名单.XLSX")),
        ]
    )
    assert dropped_spreadsheet(mime) == tmp_path / "名单.XLSX"
    mime.setUrls([QUrl("https://example.com/a.xlsx")])
    assert dropped_spreadsheet(mime) is None
    assert dropped_spreadsheet(QMimeData()) is None

    wizard = open_import_wizard(None, school, _roster(tmp_path / "r.xlsx"))
    assert wizard is not None
    qtbot.addWidget(wizard)
    qtbot.waitUntil(wizard.check_button.isEnabled, timeout=WAIT_MS)
    assert wizard.windowTitle() == "导入学员名单"
