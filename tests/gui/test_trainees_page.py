"""The 学员 section driven by keyboard and mouse: entering, searching, deleting, undoing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.identity.idcard import id_check_char
from gui.trainee_dialog import TraineeDialog
from gui.trainees_page import TraineesPage
from models.database import Database
from models.sync import Tombstone
from models.trainee import Certificate, Trainee
from models.training import Enrolment, TrainingClass
from tests.gui.keyboard import press, type_text


def make_id(serial: int, born: str = "20030105") -> str:
    first17 = f"140105{born}{serial:03d}"
    return first17 + id_check_char(first17)


WANG = make_id(11)  # odd sequence: a man


def count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Trainee.id))) or 0


@pytest.fixture
def people(school: Database) -> dict[str, int]:
    with school.session() as session:
        trainees = {
            name: Trainee(
                name=name, gender="女", id_number=make_id(serial), phone=f"1390000{serial:04d}"
            )
            for serial, name in ((12, "李娜"), (14, "赵敏"), (16, "李静"))
        }
        session.add_all(trainees.values())
        session.flush()
        klass = TrainingClass(
            name="光伏运维定向班",
            industry_code="E05",
            start_date=date(2026, 3, 2),
            end_date=date(2026, 6, 1),
        )
        session.add(klass)
        session.flush()
        li_na = trainees["李娜"].id
        session.add(Enrolment(class_id=klass.id, trainee_id=li_na, voucher_issued=True))
        session.add(
            Certificate(
                trainee_id=li_na,
                cert_type="职业资格证书",
                occupation="注册安全工程师",
                level="",
                number="ZG2026000123",
            )
        )
        session.commit()
        return {name: t.id for name, t in trainees.items()}


@pytest.fixture
def page(qtbot: QtBot, people: dict[str, int], school: Database) -> TraineesPage:
    widget = TraineesPage(school)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def shown_names(page: TraineesPage) -> list[str]:
    model = page.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def when_modal(qtbot: QtBot, action: Callable[[QWidget], None]) -> None:
    """Run ``action`` on the next modal window (a dialog opened with ``exec``)."""

    def attempt() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, attempt)
            return
        action(modal)

    QTimer.singleShot(0, attempt)


def answer_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: QWidget, _title: str, text: str, *_args: object) -> int:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_a_bad_id_shows_why_and_saves_nothing(qtbot: QtBot, school: Database) -> None:
    dialog = TraineeDialog(school)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(dialog.name, "王伟")
    press(dialog.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.id_number.line, WANG[:-1] + ("0" if WANG[-1] != "0" else "1"))
    assert "校验位不符" in dialog.marks._fields["id_number"][1].text()
    assert "border" in dialog.id_number.line.styleSheet()
    press(dialog.id_number.line, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.saved_id is None
    assert count(school) == 0
    dialog.mark_clean()


def test_a_good_trainee_lands_in_the_database(qtbot: QtBot, school: Database) -> None:
    dialog = TraineeDialog(school)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(dialog.name, "王伟")
    qtbot.keyClicks(dialog.id_number.line, WANG.lower())
    assert dialog.derived.text().startswith("男  2003年1月5日  山西省太原市小店区")
    qtbot.keyClicks(dialog.phone.line, "13800001111")
    qtbot.keyClicks(dialog.graduation_year, "2024")
    press(dialog.graduation_year, Qt.Key.Key_Return)
    assert not dialog.isVisible() and dialog.saved_id is not None
    with school.session() as session:
        trainee = session.get(Trainee, dialog.saved_id)
        assert trainee is not None
        assert (trainee.name, trainee.gender, trainee.id_number) == ("王伟", "男", WANG)
        assert (trainee.phone, trainee.graduation_year) == ("13800001111", 2024)


def test_ctrl_n_adds_and_the_new_trainee_is_selected(
    qtbot: QtBot, page: TraineesPage, school: Database
) -> None:
    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, TraineeDialog)
        type_text(dialog.name, "王伟")
        qtbot.keyClicks(dialog.id_number.line, WANG)
        press(dialog.id_number.line, Qt.Key.Key_Enter)

    when_modal(qtbot, fill)
    press(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: count(school) == 4)
    assert shown_names(page)[0] == "王伟"
    assert page.current_id() == page.model.trainee_id(0)
    assert page.details.heading.text() == "王伟"


def test_a_duplicate_id_jumps_to_the_existing_trainee(
    qtbot: QtBot, page: TraineesPage, people: dict[str, int], school: Database
) -> None:
    def type_duplicate(dialog: QWidget) -> None:
        assert isinstance(dialog, TraineeDialog)
        qtbot.keyClicks(dialog.id_number.line, make_id(14))
        assert dialog.jump.isVisible()
        assert "已登记为学员“赵敏”" in dialog.marks._fields["id_number"][1].text()
        qtbot.mouseClick(dialog.jump, Qt.MouseButton.LeftButton)

    when_modal(qtbot, type_duplicate)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert count(school) == 3
    assert page.current_id() == people["赵敏"]
    assert page.details.heading.text() == "赵敏"


def test_search_filters_as_you_type(qtbot: QtBot, page: TraineesPage) -> None:
    press(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    type_text(page.search, "李")
    qtbot.waitUntil(lambda: sorted(shown_names(page)) == ["李娜", "李静"])
    assert page.summary.text() == "找到 2 名学员"
    page.search.clear()
    qtbot.keyClicks(page.search, make_id(14)[-4:])
    qtbot.waitUntil(lambda: shown_names(page) == ["赵敏"])
    press(page.search, Qt.Key.Key_Down)
    assert page.table.hasFocus() and page.current_id() is not None


def test_numbers_are_masked_until_revealed(qtbot: QtBot, page: TraineesPage) -> None:
    id_column = 2
    first = page.model.data(page.model.index(0, id_column))
    assert first == f"140105********{make_id(16)[-4:]}"
    qtbot.mouseClick(page.reveal, Qt.MouseButton.LeftButton)
    assert page.model.data(page.model.index(0, id_column)) == make_id(16)


def test_the_details_show_certificates_and_classes(
    qtbot: QtBot, page: TraineesPage, people: dict[str, int]
) -> None:
    page.select(people["李娜"])
    assert page.details.tabs.tabText(0) == "证书（1）"
    assert page.details.tabs.tabText(1) == "培训班（1）"
    assert page.details.certificates.item(0, 5).text() == "高级工"
    assert page.details.classes.item(0, 0).text() == "光伏运维定向班"
    assert page.details.classes.item(0, 3).text() == "是"


def test_delete_asks_and_ctrl_z_brings_it_back(
    qtbot: QtBot,
    page: TraineesPage,
    people: dict[str, int],
    school: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = answer_yes(monkeypatch)
    with school.session() as session:
        uuid = session.get(Trainee, people["李娜"]).uuid  # type: ignore[union-attr]
    page.select(people["李娜"])
    page.table.setFocus()
    press(page.table, Qt.Key.Key_Delete)
    assert (
        asked
        and "“李娜”" in asked[0]
        and "1 张证书" in asked[0]
        and "1 条培训班名单记录" in asked[0]
    )
    assert count(school) == 2 and "李娜" not in shown_names(page)
    assert "Ctrl+Z" in page.message.text()
    press(page.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert count(school) == 3
    with school.session() as session:
        restored = session.get(Trainee, people["李娜"])
        assert restored is not None and restored.uuid == uuid
        assert session.scalar(select(func.count(Tombstone.id))) == 0
        assert session.scalar(select(func.count(Enrolment.id))) == 1
    assert page.current_id() == people["李娜"]
    assert not page.undo_button.isEnabled()


def test_declining_the_question_deletes_nothing(
    qtbot: QtBot, page: TraineesPage, school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.No)
    page.table.selectRow(0)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert count(school) == 3


def test_enter_on_a_row_edits_it(
    qtbot: QtBot, page: TraineesPage, people: dict[str, int], school: Database
) -> None:
    def rename(dialog: QWidget) -> None:
        assert isinstance(dialog, TraineeDialog)
        assert dialog.id_number.line.isReadOnly() and "*" in dialog.id_number.line.text()
        dialog.name.selectAll()
        type_text(dialog.name, "赵小敏")
        press(dialog.name, Qt.Key.Key_Return)

    page.select(people["赵敏"])
    page.table.setFocus()
    when_modal(qtbot, rename)
    press(page.table, Qt.Key.Key_Return)
    with school.session() as session:
        assert session.get(Trainee, people["赵敏"]).name == "赵小敏"  # type: ignore[union-attr]
    assert page.details.heading.text() == "赵小敏"


def test_closing_a_changed_form_asks_first(
    qtbot: QtBot, school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def question(*args: object) -> int:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog = TraineeDialog(school)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.name, "王")
    press(dialog.name, Qt.Key.Key_Escape)
    assert asked and dialog.isVisible()
    dialog.mark_clean()


def _reveals(db: Database) -> list[tuple[str, str | None, str]]:
    from core.safety.audit import REVEALED
    from models.audit import AuditEntry

    with db.session() as session:
        rows = session.execute(
            select(AuditEntry.entity, AuditEntry.record_uuid, AuditEntry.detail).where(
                AuditEntry.action == REVEALED
            )
        ).all()
    return [tuple(r) for r in rows]


def test_revealing_full_numbers_is_audited(
    qtbot: QtBot, page: TraineesPage, people: dict[str, int], school: Database
) -> None:
    assert _reveals(school) == []
    page.reveal.setChecked(True)
    page.reveal.setChecked(False)
    assert _reveals(school) == [("trainees", None, "学员列表：显示完整号码")]

    dialog = TraineeDialog(school, next(iter(people.values())))
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.id_number.toggle, Qt.MouseButton.LeftButton)
    assert dialog.id_number.revealed
    [_, (entity, uuid, detail)] = _reveals(school)
    assert (entity, detail) == ("trainees", "学员编辑窗口")
    assert uuid is not None and len(uuid) == 32


def test_the_form_holds_stored_numbers_only_once_revealed(
    qtbot: QtBot, people: dict[str, int], school: Database
) -> None:
    dialog = TraineeDialog(school, people["赵敏"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.id_number.value() is None and dialog.phone.value() is None
    assert dialog.id_number.line.text() == f"140105********{make_id(14)[-4:]}"
    assert dialog.derived.text().startswith("女  2003年1月5日")
    qtbot.keyClicks(dialog.major, "CNC")
    press(dialog.major, Qt.Key.Key_Return)
    assert dialog.saved_id == people["赵敏"]
    with school.session() as session:
        stored = session.get(Trainee, people["赵敏"])
        assert stored is not None
        assert (stored.id_number, stored.phone, stored.major) == (make_id(14), "13900000014", "CNC")
    assert _reveals(school) == []

    dialog = TraineeDialog(school, people["赵敏"])
    qtbot.addWidget(dialog)
    for _ in range(3):  # shown, hidden, shown again: the number was fetched once
        qtbot.mouseClick(dialog.phone.toggle, Qt.MouseButton.LeftButton)
    assert dialog.phone.line.text() == "13900000014" and not dialog.phone.line.isReadOnly()
    assert len(_reveals(school)) == 1
