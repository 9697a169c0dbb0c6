"""The 培训班 section driven by keyboard and mouse: the class dialog, its teaching plan and
roster, the status steps, and the list of classes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDateTimeEdit,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.classes.checks import ClassFields, directed_end_range
from core.classes.records import PlanItemFields, enrol, roster_counts, save_class
from core.identity.idcard import id_check_char
from gui import classes_page
from gui.class_dialog import PLAN_TAB, ROSTER_TAB, ClassDialog
from gui.classes_page import ClassesPage
from gui.roster_editor import COMPLETED, ISSUED, VERIFIED
from models.database import Database
from models.trainee import Trainee
from models.training import PlanItem, TrainingClass
from tests.gui.keyboard import activate, press, type_text
from tests.gui.test_document_actions import Dialogs

pytestmark = pytest.mark.usefixtures("no_modal_questions")

W = TypeVar("W", bound=QWidget)
START = date.today() - timedelta(days=40)
PLAN = [
    PlanItemFields("信创基础软硬件", "国产CPU与操作系统概论", 40, 24, "赵志强"),
    PlanItemFields("国产数据库", "部署、迁移与调优", 24, 56, "周晓东"),
]


def make_id(serial: int) -> str:
    first17 = f"14010519850312{serial:03d}"
    return first17 + id_check_char(first17)


def answer_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: object, title: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


@pytest.fixture
def workers(school: Database) -> dict[str, int]:
    with school.session() as session:
        trainees = {
            name: Trainee(name=name, gender="男", id_number=make_id(serial), phone="13700001111")
            for serial, name in enumerate(("孙海", "周敏", "吴刚"), start=21)
        }
        session.add_all(trainees.values())
        session.commit()
        return {name: t.id for name, t in trainees.items()}


def create_class(
    db: Database, status: str = "草稿", trainees: tuple[int, ...] = (), start: date = START
) -> int:
    fields = ClassFields(
        name="信息技术应用创新产业运维定向培训班",
        industry_code="E01",
        start_date=start,
        end_date=directed_end_range(start)[0],
        location="实训楼",
        planned_headcount=40,
        total_hours=144,
        subsidy_per_person=Decimal(3200),
    )
    with db.session() as session:
        training_class = save_class(session, None, fields, PLAN)
        if trainees:
            enrol(session, training_class.id, list(trainees))
        training_class.status = status
        session.commit()
        return training_class.id


def focused(qtbot: QtBot, kind: type[W]) -> W:
    """The widget with the keyboard focus once it is a ``kind`` (item editors open queued)."""
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), kind))
    widget = QApplication.focusWidget()
    assert isinstance(widget, kind)
    return widget


def classes(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(TrainingClass.id))) or 0


def open_dialog(qtbot: QtBot, db: Database, class_id: int | None = None) -> ClassDialog:
    dialog = ClassDialog(db, class_id)
    qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    return dialog


def message_of(dialog: ClassDialog, field: str) -> str:
    label = dialog.marks._fields[field][1]
    return label.text() if label.isVisible() else ""


def fill_application(dialog: ClassDialog) -> None:
    """The Annex 3 blanks in the order of the paper form, from the keyboard."""
    assert dialog.focusWidget() is dialog.industry
    press(dialog.industry, Qt.Key.Key_Down)
    assert dialog.industry.currentData() == "E01"
    press(dialog.industry, Qt.Key.Key_Tab)
    press(dialog.kind, Qt.Key.Key_Tab)
    type_text(dialog.occupation, "计算机程序设计员")
    dialog.location.setFocus()
    type_text(dialog.location, "山西机械高级技工学校实训楼")
    dialog.name.setFocus()
    type_text(dialog.name, "信创运维定向培训班")
    dialog.planned_headcount.setFocus()
    dialog.planned_headcount.selectAll()
    QtBot.keyClicks(dialog.planned_headcount, "30")
    dialog.total_hours.setFocus()
    dialog.total_hours.selectAll()
    QtBot.keyClicks(dialog.total_hours, "144")


# --- the application form ------------------------------------------------------------------


def test_bad_dates_show_the_message_and_save_nothing(qtbot: QtBot, school: Database) -> None:
    dialog = open_dialog(qtbot, school)
    fill_application(dialog)
    assert message_of(dialog, "end_date") == ""
    dialog.end_date.setFocus()
    dialog.end_date.setSelectedSection(QDateTimeEdit.Section.YearSection)
    qtbot.keyClicks(dialog.end_date, "2020")
    assert dialog.end_date.date().year() == 2020
    assert message_of(dialog, "end_date") == "应晚于开班日期"
    assert "#c62828" in dialog.end_date.styleSheet()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert classes(school) == 0


def test_a_directed_class_longer_than_six_months_is_marked(qtbot: QtBot, school: Database) -> None:
    dialog = open_dialog(qtbot, school)
    fill_application(dialog)
    latest = directed_end_range(dialog.fields().start_date)[1]
    dialog.end_date.setDate(latest + timedelta(days=1))
    assert "定向培训每期3—6个月" in message_of(dialog, "end_date")
    assert f"{latest:%Y-%m-%d}" in dialog.end_hint.text()
    press(dialog.save_button, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert classes(school) == 0


def test_a_subsidy_above_the_cap_is_marked(qtbot: QtBot, school: Database) -> None:
    dialog = open_dialog(qtbot, school)
    dialog.subsidy.setFocus()
    dialog.subsidy.selectAll()
    qtbot.keyClicks(dialog.subsidy, "12000")
    assert message_of(dialog, "subsidy_per_person") == "每人不超过10,000元"


def test_a_good_class_with_its_plan_lands_on_enter(qtbot: QtBot, school: Database) -> None:
    dialog = open_dialog(qtbot, school)
    fill_application(dialog)
    assert message_of(dialog, "end_date") == ""
    dialog.tabs.setCurrentIndex(PLAN_TAB)
    table = dialog.plan.table
    for module, theory, practice in (("信创基础", "40", "24"), ("数据库实践", "24", "56")):
        table.setFocus()
        press(table, Qt.Key.Key_Insert, Qt.KeyboardModifier.ControlModifier)
        type_text(focused(qtbot, QLineEdit), module)
        press(focused(qtbot, QLineEdit), Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: table.currentIndex().column() == 1)
        press(focused(qtbot, QLineEdit), Qt.Key.Key_Tab)
        for column, hours in ((2, theory), (3, practice)):
            qtbot.waitUntil(lambda column=column: table.currentIndex().column() == column)
            spin = focused(qtbot, QSpinBox)
            spin.selectAll()
            qtbot.keyClicks(spin, hours)
            press(spin, Qt.Key.Key_Tab)
        # Tab stops on the subtotal, which is computed, not typed.
        qtbot.waitUntil(lambda: table.state() == QAbstractItemView.State.NoState)
        assert table.currentIndex().column() == 4
    assert dialog.plan.model.total() == 144
    assert "教学计划合计 144 课时" in dialog.plan.total_label.text()
    assert "#2e7d32" in dialog.plan.total_label.styleSheet()
    with qtbot.waitSignal(dialog.accepted):
        press(dialog.save_button, Qt.Key.Key_Return)
    with school.session() as session:
        stored = session.scalar(select(TrainingClass))
        assert stored is not None
        assert (stored.name, stored.industry_code, stored.total_hours, stored.status) == (
            "信创运维定向培训班",
            "E01",
            144,
            "草稿",
        )
        assert [(p.module, p.theory_hours, p.practice_hours) for p in stored.plan_items] == [
            ("信创基础", 40, 24),
            ("数据库实践", 24, 56),
        ]


def test_escape_with_changes_asks_and_cancel_keeps_the_dialog(
    qtbot: QtBot, school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: answers.pop(0))
    dialog = open_dialog(qtbot, school)
    type_text(dialog.name, "某班")
    press(dialog.name, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    press(dialog.name, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert answers == []
    assert classes(school) == 0


# --- the teaching plan ---------------------------------------------------------------------


def test_editing_plan_hours_updates_the_live_total(qtbot: QtBot, school: Database) -> None:
    dialog = open_dialog(qtbot, school, create_class(school))
    dialog.tabs.setCurrentIndex(PLAN_TAB)
    label = dialog.plan.total_label
    assert label.text() == "教学计划合计 144 课时（理论 64 + 实践 80）／培训班总课时 144 课时"
    table = dialog.plan.table
    table.setFocus()
    table.setCurrentIndex(dialog.plan.model.index(0, 2))
    press(table, Qt.Key.Key_F2)
    spin = table.findChild(QSpinBox)
    spin.selectAll()
    qtbot.keyClicks(spin, "50")
    press(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() == QAbstractItemView.State.NoState)
    assert dialog.plan.model.index(0, 4).data() == 74
    assert "教学计划合计 154 课时" in label.text()
    assert "相差 10 课时" in label.text()
    assert "#c62828" in label.styleSheet()
    assert dialog.tabs.tabText(PLAN_TAB) == "教学计划（154 课时）"
    assert dialog.plan.fix_button.isVisible()
    qtbot.mouseClick(dialog.plan.fix_button, Qt.MouseButton.LeftButton)
    assert dialog.total_hours.value() == 154
    assert "#2e7d32" in label.styleSheet()
    assert not dialog.plan.fix_button.isVisible()


def test_enter_in_a_plan_cell_finishes_the_cell_not_the_dialog(
    qtbot: QtBot, school: Database
) -> None:
    dialog = open_dialog(qtbot, school, create_class(school))
    dialog.tabs.setCurrentIndex(PLAN_TAB)
    table = dialog.plan.table
    table.setFocus()
    table.setCurrentIndex(dialog.plan.model.index(0, 5))
    press(table, Qt.Key.Key_F2)
    editor = focused(qtbot, QLineEdit)
    editor.selectAll()
    type_text(editor, "孙海燕")
    press(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() == QAbstractItemView.State.NoState)
    assert dialog.isVisible()
    assert dialog.plan.items()[0].teacher == "孙海燕"
    with qtbot.waitSignal(dialog.accepted):
        press(table, Qt.Key.Key_Return)


def test_a_plan_that_does_not_add_up_is_refused(qtbot: QtBot, school: Database) -> None:
    class_id = create_class(school)
    dialog = open_dialog(qtbot, school, class_id)
    dialog.total_hours.setValue(150)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "与总课时150课时不符" in dialog.general.text()
    assert dialog.tabs.currentIndex() == PLAN_TAB
    with school.session() as session:
        assert session.get(TrainingClass, class_id).total_hours == 144  # type: ignore[union-attr]


def test_plan_rows_are_added_moved_and_removed_by_keyboard(qtbot: QtBot, school: Database) -> None:
    dialog = open_dialog(qtbot, school, create_class(school))
    dialog.tabs.setCurrentIndex(PLAN_TAB)
    table = dialog.plan.table
    model = dialog.plan.model
    table.setFocus()
    table.setCurrentIndex(model.index(1, 0))
    press(table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [i.module for i in model.items()] == ["国产数据库", "信创基础软硬件"]
    assert table.currentIndex().row() == 0
    press(table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert [i.module for i in model.items()] == ["信创基础软硬件"]
    assert "教学计划合计 64 课时" in dialog.plan.total_label.text()
    with qtbot.waitSignal(dialog.accepted):
        dialog.total_hours.setValue(64)
        press(dialog.save_button, Qt.Key.Key_Return)
    with school.session() as session:
        assert session.scalar(select(func.count(PlanItem.id))) == 1


# --- the roster ----------------------------------------------------------------------------


def test_adding_trainees_and_ticking_completion_updates_the_counts(
    qtbot: QtBot, school: Database, workers: dict[str, int]
) -> None:
    class_id = create_class(school, status="开班")
    dialog = open_dialog(qtbot, school, class_id)
    dialog.tabs.setCurrentIndex(ROSTER_TAB)
    roster = dialog.roster
    search = roster.picker.search
    search.setFocus()
    qtbot.keyClicks(search, make_id(22)[-4:])
    qtbot.waitUntil(lambda: roster.picker.results.count() == 1)
    press(search, Qt.Key.Key_Return)
    type_text(search, "孙")
    qtbot.waitUntil(lambda: roster.picker.results.count() == 1)
    press(search, Qt.Key.Key_Enter)
    assert roster.counts_label.text().startswith("名单 2 人（计划 40 人）")
    assert dialog.tabs.tabText(ROSTER_TAB) == "学员名单（2 人）"
    shown = [roster.model.index(r, 2).data() for r in range(2)]
    assert shown == [f"140105********{make_id(22)[-4:]}", f"140105********{make_id(21)[-4:]}"]

    table = roster.table
    table.setFocus()
    table.setCurrentIndex(roster.model.index(0, VERIFIED))
    press(table, Qt.Key.Key_Space)
    table.setCurrentIndex(roster.model.index(0, COMPLETED))
    press(table, Qt.Key.Key_Space)
    assert "已发券 1　已验券 1　已结业 1" in roster.counts_label.text()
    assert roster.model.index(0, 7).data() == f"{min(date.today(), dialog.fields().end_date)}"
    table.selectRow(1)
    qtbot.mouseClick(roster.issue_button, Qt.MouseButton.LeftButton)
    assert "已发券 2　已验券 1　已结业 1" in roster.counts_label.text()

    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with school.session() as session:
        assert roster_counts(session, class_id) == {
            "enrolled": 2,
            "voucher_issued": 2,
            "voucher_verified": 1,
            "completed": 1,
        }


def test_removing_trainees_and_what_cannot_be_removed(
    qtbot: QtBot, school: Database, workers: dict[str, int]
) -> None:
    ids = tuple(workers.values())
    class_id = create_class(school, status="开班", trainees=ids)
    dialog = open_dialog(qtbot, school, class_id)
    dialog.tabs.setCurrentIndex(ROSTER_TAB)
    roster = dialog.roster
    table = roster.table
    table.setFocus()
    table.setCurrentIndex(roster.model.index(0, COMPLETED))
    press(table, Qt.Key.Key_Space)
    table.setFocus()
    table.selectRow(0)
    press(table, Qt.Key.Key_Delete)
    assert roster.model.rowCount() == 3
    assert "孙海已标记结业，不能移出名单" in roster.message.text()
    table.selectRow(2)
    press(table, Qt.Key.Key_Delete)
    assert roster.model.rowCount() == 2
    assert roster.counts_label.text().startswith("名单 2 人")
    with qtbot.waitSignal(dialog.accepted):
        press(dialog.save_button, Qt.Key.Key_Return)
    with school.session() as session:
        assert roster_counts(session, class_id)["enrolled"] == 2


def test_completion_cannot_be_ticked_before_the_class_opens(
    qtbot: QtBot, school: Database, workers: dict[str, int]
) -> None:
    dialog = open_dialog(qtbot, school, create_class(school, trainees=(workers["周敏"],)))
    roster = dialog.roster
    index = roster.model.index(0, COMPLETED)
    assert not roster.model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    roster.table.setCurrentIndex(index)
    press(roster.table, Qt.Key.Key_Space)
    assert roster.model.counts()["completed"] == 0
    assert not roster.complete_button.isEnabled()
    assert "开班后才能标记结业" in index.data(Qt.ItemDataRole.ToolTipRole)
    roster.table.setCurrentIndex(roster.model.index(0, ISSUED))
    press(roster.table, Qt.Key.Key_Space)
    assert roster.model.counts()["voucher_issued"] == 1


def test_a_trainee_already_on_the_roster_is_not_added_twice(
    qtbot: QtBot, school: Database, workers: dict[str, int]
) -> None:
    dialog = open_dialog(qtbot, school, create_class(school, trainees=(workers["吴刚"],)))
    roster = dialog.roster
    type_text(roster.picker.search, "吴")
    qtbot.waitUntil(lambda: roster.picker.results.count() == 1)
    press(roster.picker.search, Qt.Key.Key_Return)
    assert roster.model.rowCount() == 1
    assert roster.message.text() == "吴刚已在名单中"


# --- the status ----------------------------------------------------------------------------


def test_the_status_steps_forward_from_the_dialog(
    qtbot: QtBot, school: Database, workers: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_yes(monkeypatch)
    class_id = create_class(school, trainees=(workers["周敏"],))
    dialog = open_dialog(qtbot, school, class_id)
    assert dialog.status_label.text() == "状态：草稿"
    assert dialog.advance_button.text() == "推进为“已申请”"
    dialog.location.setFocus()
    type_text(dialog.location, "二号")
    qtbot.mouseClick(dialog.advance_button, Qt.MouseButton.LeftButton)
    assert asked == ["推进状态"]
    assert dialog.status_label.text() == "状态：已申请"
    assert not dialog.dirty
    with school.session() as session:
        stored = session.get(TrainingClass, class_id)
        assert stored is not None
        assert (stored.status, stored.location) == ("已申请", "实训楼二号")
    for expected in ("已备案", "开班", "结业"):
        qtbot.mouseClick(dialog.advance_button, Qt.MouseButton.LeftButton)
        assert dialog.status_label.text() == f"状态：{expected}"
    assert not dialog.advance_button.isVisible()
    assert not dialog.roster.picker.isEnabled()


def test_a_step_that_is_not_ready_says_why(
    qtbot: QtBot, school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_yes(monkeypatch)
    class_id = create_class(school)
    dialog = open_dialog(qtbot, school, class_id)
    qtbot.mouseClick(dialog.advance_button, Qt.MouseButton.LeftButton)
    assert "学员名单: 申请前须加入学员" in dialog.general.text()
    assert dialog.tabs.currentIndex() == ROSTER_TAB
    assert dialog.status_label.text() == "状态：草稿"
    with school.session() as session:
        assert session.get(TrainingClass, class_id).status == "草稿"  # type: ignore[union-attr]


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def page(qtbot: QtBot, school: Database, workers: dict[str, int]) -> ClassesPage:
    create_class(school, status="开班", trainees=tuple(workers.values()))
    create_class(school, start=START - timedelta(days=7))
    widget = ClassesPage(school)
    qtbot.addWidget(widget)
    widget.resize(1200, 500)
    activate(qtbot, widget)
    return widget


def row_texts(page: ClassesPage, row: int) -> list[str]:
    return [page.model.index(row, c).data() for c in range(page.model.columnCount())]


def test_the_page_lists_classes_with_headcounts(page: ClassesPage) -> None:
    texts = [row_texts(page, r) for r in range(page.model.rowCount())]
    assert [(t[1], t[5], t[6], t[7], t[8]) for t in texts] == [
        ("信息技术应用创新产业", "40", "3", "0", "开班"),
        ("信息技术应用创新产业", "40", "0", "0", "草稿"),
    ]
    assert page.summary.text() == "共 2 个班，名单 3 人次，结业 0 人次"


def test_ctrl_n_and_enter_open_the_dialog_and_the_list_follows(
    qtbot: QtBot, page: ClassesPage, school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int | None] = []

    def exec_(dialog: ClassDialog) -> int:
        opened.append(dialog.class_id)
        if dialog.class_id is None:
            dialog.class_id = create_class(school)
        return 1

    monkeypatch.setattr(ClassDialog, "exec", exec_)
    press(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert opened == [None]
    assert page.model.rowCount() == 3
    assert page.selected() is not None
    page.table.setFocus()
    page.table.selectRow(0)
    press(page.table, Qt.Key.Key_Return)
    assert opened == [None, page.model.summaries[0].id]


def test_only_drafts_are_deleted_and_only_after_asking(
    qtbot: QtBot, page: ClassesPage, school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = answer_yes(monkeypatch)
    page.table.setFocus()
    page.table.selectRow(0)
    assert not page.delete_button.isEnabled()
    press(page.table, Qt.Key.Key_Delete)
    assert asked == []
    page.table.selectRow(1)
    assert page.delete_button.isEnabled()
    press(page.table, Qt.Key.Key_Delete)
    assert asked == ["删除培训班"]
    assert page.model.rowCount() == 1
    assert classes(school) == 1


def test_the_document_buttons_act_on_the_selected_class(
    qtbot: QtBot, page: ClassesPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int, bool]] = []

    def annex3(_parent: object, _db: object, class_id: int, print_it: bool = False) -> None:
        calls.append(("申请报告", class_id, print_it))

    def subsidy(_parent: object, _db: object, class_id: int) -> None:
        calls.append(("补贴申请表", class_id, False))

    monkeypatch.setattr(classes_page, "generate_annex3", annex3)
    monkeypatch.setattr(classes_page, "export_subsidy", subsidy)
    assert not page.report_button.isEnabled()
    page.table.selectRow(0)
    opened = page.model.summaries[0]
    assert opened.status == "开班"
    assert not page.subsidy_button.isEnabled()
    qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert calls == [("申请报告", opened.id, False), ("申请报告", opened.id, True)]


def test_the_roster_button_exports_the_selected_class(
    qtbot: QtBot, page: ClassesPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "名单.xlsx"
    dialogs = Dialogs(monkeypatch, [target])
    assert not page.roster_button.isEnabled()
    page.table.selectRow(0)
    assert page.roster_button.isEnabled()
    qtbot.mouseClick(page.roster_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialogs.opened == [target], timeout=20_000)
    assert "3 人的完整身份证号" in dialogs.questions[0]
    assert Path(dialogs.starts[0]).name.endswith("学员名单.xlsx")
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    names = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert names == {"孙海", "周敏", "吴刚"}


def test_ticking_keeps_the_clerks_place_in_the_roster(
    qtbot: QtBot, school: Database, workers: dict[str, int]
) -> None:
    class_id = create_class(school, status="开班", trainees=tuple(workers.values()))
    dialog = open_dialog(qtbot, school, class_id)
    dialog.tabs.setCurrentIndex(ROSTER_TAB)
    table = dialog.roster.table
    table.setFocus()
    table.setCurrentIndex(dialog.roster.model.index(1, ISSUED))
    press(table, Qt.Key.Key_Space)
    press(table, Qt.Key.Key_Down)
    press(table, Qt.Key.Key_Space)
    assert table.currentIndex().row() == 2
    issued = [
        dialog.roster.model.index(r, ISSUED).data(Qt.ItemDataRole.CheckStateRole) for r in range(3)
    ]
    assert issued == [Qt.CheckState.Unchecked, Qt.CheckState.Checked, Qt.CheckState.Checked]
