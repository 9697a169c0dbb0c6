"""The class dialog and ``classes add`` are two faces of one use case: the same input gives the
same refusal, word for word, and in both nothing is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.classes.checks import directed_end_range
from gui.class_dialog import ClassDialog
from main import main
from models.audit import AuditEntry
from models.database import Database
from models.training import TrainingClass
from tests.gui.keyboard import activate

pytestmark = pytest.mark.usefixtures("no_modal_questions")

START = date(2026, 3, 2)


def written(db: Database) -> tuple[int | None, int | None]:
    with db.session() as session:
        return (
            session.scalar(select(func.count(TrainingClass.id))),
            session.scalar(select(func.count(AuditEntry.id))),
        )


def test_a_bad_date_range_is_refused_alike_by_the_dialog_and_the_command_line(
    qtbot: QtBot, school: Database, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    end = directed_end_range(START)[1].replace(year=2027)  # a directed class of 18 months
    before = written(school)

    dialog = ClassDialog(school)
    qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    dialog.industry.setCurrentIndex(dialog.industry.findData("E01"))
    dialog.name.setText("信创运维定向培训班")
    dialog.start_date.setDate(START)
    dialog.end_date.setDate(end)
    dialog.total_hours.setValue(144)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    shown = dialog.marks._fields["end_date"][1].text()

    code = main(
        [
            *("--db", str(db_path), "classes", "add", "--name", "信创运维定向培训班"),
            *("--industry", "E01", "--start", f"{START}", "--end", f"{end}", "--hours", "144"),
        ]
    )
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == f"结业日期: {shown}\n"
    assert shown.startswith("定向培训每期3—6个月：结业日期应在2026-06-01至")
    assert written(school) == before
