"""The 证书 section driven by keyboard and mouse: the dialog, the list, delete and undo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.identity.idcard import id_check_char
from core.trainees.certificates import CertificateFields, save_certificate
from gui import certificates_page
from gui.certificate_dialog import NO_LEVEL_TEXT, CertificateDialog
from gui.certificates_page import COUNTS_COLUMN, CertificatesPage
from gui.import_wizard import ImportWizard
from models.database import Database
from models.trainee import Certificate, Trainee
from tests.core.importing.workbooks import write_xlsx
from tests.gui.keyboard import activate, press, type_text

pytestmark = pytest.mark.usefixtures("no_modal_questions")

SKILL = "职业技能等级证书（含1+X）"


def make_id(serial: int) -> str:
    first17 = f"14010520030105{serial:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def people(school: Database) -> dict[str, int]:
    with school.session() as session:
        trainees = {
            name: Trainee(name=name, gender="男", id_number=make_id(serial), phone="13912345678")
            for serial, name in enumerate(("王小明", "李娜", "赵刚"), start=11)
        }
        session.add_all(trainees.values())
        session.commit()
        return {name: t.id for name, t in trainees.items()}


def add(db: Database, trainee_id: int, number: str, **changes: object) -> int:
    values: dict[str, object] = {
        "trainee_id": trainee_id,
        "cert_type": SKILL,
        "occupation": "电工",
        "level": "三级/高级工",
        "number": number,
        "issue_date": date(2025, 6, 1),
        "issuer": "山西省职业技能鉴定指导中心",
        "route": "考核评价",
    }
    values.update(changes)
    with db.session() as session:
        cert_id = save_certificate(session, None, CertificateFields(**values)).id  # type: ignore[arg-type]
        session.commit()
        return cert_id


def count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Certificate.id))) or 0


def open_dialog(qtbot: QtBot, db: Database, **kwargs: object) -> CertificateDialog:
    dialog = CertificateDialog(db, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    return dialog


def pick_trainee(qtbot: QtBot, dialog: CertificateDialog, digits: str) -> None:
    qtbot.keyClicks(dialog.picker.search, digits)
    qtbot.waitUntil(lambda: dialog.picker.results.count() > 0)
    press(dialog.picker.search, Qt.Key.Key_Return)


# --- the dialog ---------------------------------------------------------------------------


def test_a_certificate_typed_in_and_saved_with_enter_lands(
    qtbot: QtBot, school: Database, people: dict[str, int]
) -> None:
    dialog = open_dialog(qtbot, school)
    pick_trainee(qtbot, dialog, make_id(12)[-4:])
    assert "李娜" in dialog.trainee_label.text()
    assert make_id(12) not in dialog.trainee_label.text()
    assert dialog.focusWidget() is dialog.cert_type
    assert dialog.cert_type.currentText() == SKILL
    press(dialog.cert_type, Qt.Key.Key_Down)
    assert dialog.cert_type.currentText() != SKILL
    press(dialog.cert_type, Qt.Key.Key_Up)
    assert dialog.cert_type.currentText() == SKILL
    press(dialog.cert_type, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.occupation
    type_text(dialog.occupation, "计算机程序设计员")
    dialog.level.setCurrentText("四级/中级工")
    qtbot.keyClicks(dialog.number, "s2025-0001")
    dialog.issuer.setFocus()
    type_text(dialog.issuer, "山西省职业技能鉴定指导中心")
    assert dialog.counting.text() == "计入本机构中级工任务"
    with qtbot.waitSignal(dialog.accepted):
        press(dialog.number, Qt.Key.Key_Return)
    with school.session() as session:
        stored = session.scalar(select(Certificate))
        assert stored is not None
        assert (stored.trainee_id, stored.occupation, stored.level, stored.number) == (
            people["李娜"],
            "计算机程序设计员",
            "四级/中级工",
            "S2025-0001",
        )
        assert stored.issue_date == date.today()


def test_a_graded_certificate_without_a_level_is_refused_and_nothing_saved(
    qtbot: QtBot, school: Database, people: dict[str, int]
) -> None:
    dialog = open_dialog(qtbot, school, trainee_id=people["赵刚"])
    assert "赵刚" in dialog.trainee_label.text()
    type_text(dialog.occupation, "电工")
    qtbot.keyClicks(dialog.number, "A100")
    assert dialog.level.currentText() == NO_LEVEL_TEXT
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert count(school) == 0
    message = dialog.marks._fields["level"][1]
    assert message.isVisible()
    assert "须填写等级" in message.text()
    assert dialog.focusWidget() is dialog.level
    dialog.level.setCurrentText("三级/高级工")
    assert not message.isVisible()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert count(school) == 1


def test_a_duplicate_number_turns_red_as_it_is_typed(
    qtbot: QtBot, school: Database, people: dict[str, int]
) -> None:
    add(school, people["王小明"], "S0001")
    dialog = open_dialog(qtbot, school, trainee_id=people["李娜"])
    qtbot.keyClicks(dialog.number, "s0001")
    message = dialog.marks._fields["number"][1]
    assert message.isVisible()
    assert "王小明" in message.text()
    assert "#c62828" in dialog.number.styleSheet()
    press(dialog.number, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.number, "2")
    assert not message.isVisible()


def test_a_fresh_form_is_not_red_until_touched(qtbot: QtBot, school: Database) -> None:
    dialog = open_dialog(qtbot, school)
    assert all(not label.isVisible() for _editor, label in dialog.marks._fields.values())
    assert dialog.focusWidget() is dialog.picker.search


def test_editing_fills_the_form_and_updates_the_row(
    qtbot: QtBot, school: Database, people: dict[str, int]
) -> None:
    cert_id = add(school, people["王小明"], "S0002")
    dialog = open_dialog(qtbot, school, certificate_id=cert_id)
    assert dialog.number.text() == "S0002"
    assert dialog.level.currentText() == "三级/高级工"
    assert dialog.counting.text() == "计入本机构中级工任务"
    dialog.route.setCurrentText("技能大赛")
    with qtbot.waitSignal(dialog.accepted):
        press(dialog.route, Qt.Key.Key_Enter)
    with school.session() as session:
        assert session.get(Certificate, cert_id).route == "技能大赛"  # type: ignore[union-attr]


def test_escape_with_changes_asks_first(
    qtbot: QtBot, school: Database, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[str] = []

    def question(_parent: object, title: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog = open_dialog(qtbot, school, trainee_id=people["李娜"])
    press(dialog.number, Qt.Key.Key_Escape)
    assert asked == []
    assert not dialog.isVisible()
    dialog = open_dialog(qtbot, school, trainee_id=people["李娜"])
    qtbot.keyClicks(dialog.number, "X1")
    press(dialog.number, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    press(dialog.number, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert asked == ["放弃修改", "放弃修改"]
    assert count(school) == 0


# --- the page -----------------------------------------------------------------------------


@pytest.fixture
def page(qtbot: QtBot, school: Database, people: dict[str, int]) -> CertificatesPage:
    add(school, people["王小明"], "A1", issue_date=date(2024, 5, 1))
    add(school, people["王小明"], "A2", level="五级/初级工")
    add(school, people["李娜"], "B1", cert_type="特种作业操作证", level="")
    add(school, people["赵刚"], "C1", cert_type="职业资格证书", level="")
    widget = CertificatesPage(school)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    activate(qtbot, widget)
    return widget


def shown(page: CertificatesPage, column: int = 5) -> list[str]:
    model = page.model
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_the_list_shows_masked_ids_and_what_counts(page: CertificatesPage) -> None:
    by_number = dict(zip(shown(page), shown(page, COUNTS_COLUMN), strict=True))
    assert by_number == {"A1": "是", "A2": "否", "B1": "否", "C1": "是"}
    assert make_id(11) not in shown(page, 1)
    assert f"140105********{make_id(11)[-4:]}" in shown(page, 1)
    assert page.summary.text() == "共 4 张证书，其中计入本机构中级工任务 2 张"


def test_filters_by_level_type_year_and_counting(qtbot: QtBot, page: CertificatesPage) -> None:
    page.level_filter.setCurrentText("五级/初级工")
    assert shown(page) == ["A2"]
    page.level_filter.setCurrentText("全部")
    page.type_filter.setCurrentText("职业资格证书")
    assert shown(page) == ["C1"]
    page.type_filter.setCurrentText("全部")
    page.year_filter.setCurrentText("2024")
    assert shown(page) == ["A1"]
    page.year_filter.setCurrentText("全部")
    qtbot.mouseClick(page.counting_only, Qt.MouseButton.LeftButton)
    assert sorted(shown(page)) == ["A1", "C1"]
    qtbot.mouseClick(page.counting_only, Qt.MouseButton.LeftButton)
    assert len(shown(page)) == 4


def test_search_filters_as_the_clerk_types(qtbot: QtBot, page: CertificatesPage) -> None:
    press(page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.focusWidget() is page.search
    qtbot.keyClicks(page.search, make_id(12)[-4:])
    qtbot.waitUntil(lambda: shown(page) == ["B1"])
    page.search.clear()
    type_text(page.search, "王小")
    qtbot.waitUntil(lambda: sorted(shown(page)) == ["A1", "A2"])


def test_sorting_by_a_column_happens_in_sql(qtbot: QtBot, page: CertificatesPage) -> None:
    header = page.table.horizontalHeader()
    header.setSortIndicator(5, Qt.SortOrder.AscendingOrder)
    assert shown(page) == ["A1", "A2", "B1", "C1"]
    header.setSortIndicator(5, Qt.SortOrder.DescendingOrder)
    assert shown(page) == ["C1", "B1", "A2", "A1"]


def test_delete_asks_and_ctrl_z_brings_it_back(
    qtbot: QtBot, page: CertificatesPage, school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    page.table.setFocus()
    row = shown(page).index("B1")
    page.table.selectRow(row)
    press(page.table, Qt.Key.Key_Delete)
    assert "B1" not in shown(page)
    assert count(school) == 3
    assert "Ctrl+Z" in page.message.text()
    press(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "B1" in shown(page)
    assert count(school) == 4
    assert page.model.certificate_id(page.table.currentIndex().row()) == page.selected_id()
    assert page.model.index(page.table.currentIndex().row(), 5).data() == "B1"


def test_ctrl_n_and_enter_open_the_dialog(
    qtbot: QtBot, page: CertificatesPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int | None] = []

    def exec_(dialog: CertificateDialog) -> int:
        opened.append(dialog.certificate_id)
        return 0

    monkeypatch.setattr(CertificateDialog, "exec", exec_)
    press(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    page.table.setFocus()
    page.table.selectRow(0)
    press(page.table, Qt.Key.Key_Return)
    assert opened == [None, page.selected_id()]


def test_rows_load_a_window_at_a_time(
    qtbot: QtBot, school: Database, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(certificates_page, "FIRST_WINDOW", 2)
    monkeypatch.setattr(certificates_page, "NEXT_WINDOW", 1)
    numbers = [f"W{n}" for n in range(5)]
    ids = [add(school, people["李娜"], number) for number in numbers]
    widget = CertificatesPage(school)
    qtbot.addWidget(widget)
    activate(qtbot, widget)
    model = widget.model
    widget.table.horizontalHeader().setSortIndicator(5, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 2
    assert widget.summary.text().startswith("共 5 张证书")
    root = model.index(-1, -1)
    assert model.canFetchMore(root)
    model.fetchMore(root)
    assert shown(widget) == numbers[:3]
    assert model.row_of(ids[4]) == 4
    model.fetchMore(root)
    assert model.rowCount() == 5
    assert not model.canFetchMore(root)


def test_the_import_button_brings_in_a_certificate_list(
    qtbot: QtBot, page: CertificatesPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = ["证书编号", "姓名", "身份证号", "职业（工种）", "等级", "发证日期"]
    listing = write_xlsx(
        tmp_path / "鉴定站证书清单.xlsx",
        [header, ["D1", "王小明", make_id(11), "车工", "三级", "2025-06-30"]],
        sheet="证书",
    )
    asked: list[str] = []

    def choose(_parent: object, title: str, *_args: object) -> tuple[str, str]:
        asked.append(title)
        return str(listing), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", choose)
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    wizard = page.findChild(ImportWizard)
    assert wizard is not None
    assert wizard.kind == "certificates"
    assert asked == ["选择要导入的证书名单"]
    qtbot.waitUntil(wizard.check_button.isEnabled, timeout=20_000)
    qtbot.mouseClick(wizard.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 1, timeout=20_000)
    assert wizard.import_button.isEnabled()
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
    assert sorted(shown(page)) == ["A1", "A2", "B1", "C1", "D1"]
    assert page.summary.text().startswith("共 5 张证书")
    assert page.message.text() == "证书已导入，列表已更新。"
    wizard.close()


def test_cancelling_the_file_choice_opens_no_wizard(
    qtbot: QtBot, page: CertificatesPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: ("", ""))
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    assert page.findChild(ImportWizard) is None
