"""The trainee form and ``trainees add`` refuse the same input in the same words: both go
through ``application.trainees``, and this keeps them from drifting apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from application.trainees import add_trainee
from core.identity.idcard import id_check_char
from core.trainees.checks import LABELS, TraineeFields
from gui.trainee_dialog import TraineeDialog
from main import main
from models.database import Database
from tests.gui.keyboard import press, type_text

HELD = "14010520030105011" + id_check_char("14010520030105011")
BAD_CHECK = HELD[:-1] + ("0" if HELD[-1] != "0" else "1")
NEW = "14010520040202012" + id_check_char("14010520040202012")


@pytest.mark.parametrize(
    ("id_number", "phone"),
    [
        (BAD_CHECK, ""),  # 身份证号: 校验位不符…
        (HELD.lower(), ""),  # 身份证号: 已登记为学员“王伟”…
        (NEW, "1380000111"),  # 手机号: …
        ("1.40105E+17", "12"),  # both fields at once
    ],
)
def test_the_same_bad_input_gets_the_same_message(
    qtbot: QtBot,
    capsys: pytest.CaptureFixture[str],
    school: Database,
    db_path: Path,
    *,
    id_number: str,
    phone: str,
) -> None:
    add_trainee(school, TraineeFields(name="王伟", id_number=HELD))
    dialog = TraineeDialog(school)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(dialog.name, "李娜")
    qtbot.keyClicks(dialog.id_number.line, id_number)
    qtbot.keyClicks(dialog.phone.line, phone)
    press(dialog.phone.line, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.saved_id is None
    shown = {
        LABELS[field]: label.text()
        for field, (_editor, label) in dialog.marks._fields.items()
        if label.text()
    }
    dialog.mark_clean()

    argv = ["--db", str(db_path), "trainees", "add", "--name", "李娜", f"--id-number={id_number}"]
    code = main([*argv, f"--phone={phone}"] if phone else argv)
    _out, err = capsys.readouterr()
    assert code == 1
    printed = dict(line.split(": ", 1) for line in err.splitlines())
    assert shown and printed == shown
