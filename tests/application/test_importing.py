"""Import use cases: checking writes nothing; an import is a backup, one transaction and one
audit entry, or nothing at all; the error report is told of before it exists and audited once,
from the wizard and from the command line alike."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from application.importing import (
    check_certificates,
    check_roster,
    error_report_file,
    import_certificates,
    import_roster,
    read_for_correction,
    read_import_file,
    write_error_report,
)
from core.importing import ImportRefused, RowStatus
from core.safety.audit import EXPORTED, IMPORTED
from core.safety.backups import list_backups
from gui.import_wizard import ImportWizard
from main import main
from models.audit import AuditEntry
from models.database import Database
from models.trainee import Certificate, Trainee
from tests.core.importing.workbooks import make_id, write_csv, write_xlsx

WAIT_MS = 20_000


def _count(database: Database, model: type = Trainee) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(model.id))) or 0


def _audit(database: Database, action: str) -> list[AuditEntry]:
    with database.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _backups(database: Database) -> int:
    assert database.path is not None
    return len(list_backups(database.path))


def _name(serial: int) -> str:
    return f"学员{chr(0x4E00 + serial)}"


def _id(serial: int) -> str:
    """Distinct for every serial (``make_id`` alone repeats after 500)."""
    return make_id(serial % 400, born=f"1990{1 + serial // 400:02d}01")


def _roster(path: Path, rows: int = 2, bad: bool = True) -> Path:
    """A roster under a title row; with ``bad`` its last row's phone is a digit short."""
    lines: list[list[object]] = [["数控系学员名单"], ["姓名", "身份证号码", "手机号码"]]
    lines += [[_name(i), _id(i), ""] for i in range(1, rows + 1)]
    if bad:
        lines.append(["刘洋", _id(rows + 1), "1381234000"])
    return write_xlsx(path, lines, merges=[(1, 1, 1, 3)])


def test_checking_writes_nothing(school: Database, tmp_path: Path) -> None:
    backups = _backups(school)
    file = read_import_file(_roster(tmp_path / "r.xlsx"), "roster")
    preview = check_roster(school, file)
    assert [r.status for r in preview.rows] == [RowStatus.NEW, RowStatus.NEW, RowStatus.INVALID]
    assert preview.invalid[0].error_lines()[0].startswith("第5行 手机号码: 手机号应为11位数字")
    assert _count(school) == 0
    assert _audit(school, IMPORTED) == []
    assert _backups(school) == backups


def test_an_import_is_a_backup_the_rows_and_one_audit_entry(
    school: Database, tmp_path: Path
) -> None:
    backups = _backups(school)
    preview = check_roster(school, read_import_file(_roster(tmp_path / "r.xlsx"), "roster"))
    with pytest.raises(ImportRefused, match="有1行有误，未导入任何数据"):
        import_roster(school, preview)
    assert (_count(school), _backups(school), _audit(school, IMPORTED)) == (0, backups, [])

    result = import_roster(school, preview, skip_invalid=True)
    assert (result.inserted, result.skipped_invalid) == (2, 1)
    assert _count(school) == 2
    assert _backups(school) == backups + 1
    [entry] = _audit(school, IMPORTED)
    assert entry.detail == "导入学员名册：新增2人，更新0人，编入培训班0人"

    header = ["证书编号", "姓名", "身份证号", "职业（工种）", "等级", "发证日期"]
    listed = write_xlsx(
        tmp_path / "c.xlsx", [header, ["C-1", _name(2), _id(2), "车工", "三级", "2024-06-30"]]
    )
    certificates = check_certificates(school, read_import_file(listed, "certificates"))
    assert import_certificates(school, certificates).inserted == 1
    assert _count(school, Certificate) == 1
    assert _backups(school) == backups + 2
    assert [e.detail for e in _audit(school, IMPORTED)][-1] == "导入证书名单：新增1本"


class _Stop(Exception):
    pass


def test_a_cancel_half_way_leaves_the_database_unchanged(school: Database, tmp_path: Path) -> None:
    preview = check_roster(
        school, read_import_file(_roster(tmp_path / "r.xlsx", rows=1200, bad=False), "roster")
    )
    seen: list[int] = []

    def stop_after_first_chunk(done: int, _total: int, _text: str) -> None:
        seen.append(done)
        if done >= 500:
            raise _Stop

    with pytest.raises(_Stop):
        import_roster(school, preview, progress=stop_after_first_chunk)
    assert seen == [0, 500]  # 500 rows had been written in the transaction
    assert _count(school) == 0
    assert _audit(school, IMPORTED) == []


def test_a_file_is_offered_for_correction_when_its_header_is_not_found(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [["甲", "乙"], ["王芳", make_id(1)]])
    with pytest.raises(ImportRefused, match="找不到表头"):
        read_import_file(path, "roster")
    file = read_for_correction(path, "roster")
    assert file.mapping.header_row == 0
    assert [s.key for s in file.missing] == ["name", "id_number"]
    corrected = file.with_column("name", 0).with_column("id_number", 1)
    assert corrected.missing == ()
    assert corrected.with_column("name", 1).mapping.fields == {"name": 1}  # one field a column


def test_the_error_report_is_one_audited_full_number_file(school: Database, tmp_path: Path) -> None:
    preview = check_roster(school, read_import_file(_roster(tmp_path / "r.xlsx"), "roster"))
    described = error_report_file(preview)
    assert (described.what, described.people) == ("学员名单导入错误报告", 1)
    assert "1 人的完整身份证号" in described.notice
    out = tmp_path / "错误报告.xlsx"
    written = write_error_report(school, preview, out)
    assert written.path == out and out.exists()
    [entry] = _audit(school, EXPORTED)
    assert entry.detail.startswith("学员名单导入错误报告（1 人，含完整号码；改正后重新导入）")


def _exported(capsys: pytest.CaptureFixture[str], db_path: Path) -> list[dict[str, str]]:
    assert main(["--db", str(db_path), "audit", "--json", "--action", EXPORTED]) == 0
    return json.loads(capsys.readouterr().out)


class _Stderr:
    """stderr that notes, with each line written, whether the report existed by then."""

    def __init__(self, report: Path) -> None:
        self.report = report
        self.lines: list[tuple[str, bool]] = []

    def write(self, text: str) -> int:
        self.lines.append((text, self.report.exists()))
        return len(text)

    def flush(self) -> None:
        pass


def test_the_command_line_tells_before_it_writes_the_report(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    school: Database,
    db_path: Path,
    tmp_path: Path,
) -> None:
    report = tmp_path / "错误报告.xlsx"
    stderr = _Stderr(report)
    monkeypatch.setattr(sys, "stderr", stderr)
    argv = ["--db", str(db_path), "import-roster", str(_roster(tmp_path / "r.xlsx"))]
    assert main([*argv, "--skip-invalid", "--report", str(report)]) == 0
    monkeypatch.undo()
    capsys.readouterr()
    [(notice, existed)] = [line for line in stderr.lines if line[0].startswith("注意：")]
    assert "学员名单导入错误报告含有 1 人的完整身份证号" in notice
    assert not existed
    assert report.exists()
    [entry] = _exported(capsys, db_path)
    assert "学员名单导入错误报告（1 人，含完整号码" in entry["detail"]
    assert str(report) in entry["detail"]


def test_the_wizard_tells_before_it_asks_where_to_save_the_report(
    qtbot: QtBot,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    school: Database,
    tmp_path: Path,
) -> None:
    report = tmp_path / "错误报告.xlsx"
    calls: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> object:
        calls.append(f"notice: {text}")
        return QMessageBox.StandardButton.Yes

    def save_dialog(*_args: object) -> tuple[str, str]:
        calls.append("file dialog")
        return str(report), ""

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    wizard = ImportWizard(None, school, "roster")
    qtbot.addWidget(wizard)
    wizard.load(_roster(tmp_path / "r.xlsx"))
    qtbot.waitUntil(wizard.check_button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(wizard.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 1, timeout=WAIT_MS)
    qtbot.mouseClick(wizard.preview_page.report_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "错误报告已保存" in wizard.preview_message.text(), timeout=WAIT_MS)
    assert len(calls) == 2
    assert calls[0].startswith("notice: 即将写出的学员名单导入错误报告含有 1 人的完整身份证号")
    assert calls[1] == "file dialog"
    assert report.exists()
    assert school.path is not None
    [entry] = _exported(capsys, school.path)
    assert str(report) in entry["detail"]


def test_a_clerk_who_declines_the_notice_is_not_asked_where(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, school: Database, tmp_path: Path
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.No)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: pytest.fail("asked where"))
    wizard = ImportWizard(None, school, "roster")
    qtbot.addWidget(wizard)
    wizard.load(_roster(tmp_path / "r.xlsx"))
    qtbot.waitUntil(wizard.check_button.isEnabled, timeout=WAIT_MS)
    wizard.check_rows()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == 1, timeout=WAIT_MS)
    qtbot.mouseClick(wizard.preview_page.report_button, Qt.MouseButton.LeftButton)
    assert _audit(school, EXPORTED) == []
