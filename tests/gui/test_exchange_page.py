"""The 数据交换 page: a school imports its bureau's key and exports; the bureau previews,
imports and resolves conflicts. Dialogs that would wait for the clerk are answered here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from application import exchange
from application.exchange import Refusal
from application.safety import audit_log
from core.demo import create_demo
from core.institution import local_institution
from core.packages.keys import LocalKeys
from core.packages.trust import FINGERPRINT_SETTING, setting
from core.safety.audit import PASSPHRASE_WRONG, AuditFilter
from gui.exchange_page import ExchangePage
from models.database import open_database
from models.trainee import Trainee
from tests.core.packages.sites import (
    CITY,
    PASSPHRASE,
    Site,
    bureau_keys_for,
    make_bureau_keys,
    make_site,
)

TIMEOUT = 20_000


@pytest.fixture
def school(tmp_path: Path, template_db: Path) -> Iterator[Site]:
    folder = tmp_path / "school"
    folder.mkdir()
    (folder / "certdesk.sqlite3").write_bytes(template_db.read_bytes())
    database = open_database(folder / "certdesk.sqlite3")
    with database.session() as session:
        create_demo(session, trainees=30)
        session.commit()
        own = local_institution(session)
        assert own is not None
        site = Site(
            database,
            LocalKeys(folder / "keys", own.uscc, "school"),
            folder,
            own.uscc,
            own.name,
            own.division_code,
        )
    yield site
    database.close()


@pytest.fixture
def city(tmp_path: Path, template_db: Path) -> Iterator[Site]:
    keys = make_bureau_keys(tmp_path / "all-keys")
    site = make_site(
        tmp_path / "city", template_db, CITY, bureau_keys_for(keys, CITY, tmp_path / "k")
    )
    yield site
    site.database.close()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Every question answered 是; every warning recorded instead of shown."""
    said: dict[str, list[str]] = {"question": [], "warning": [], "information": []}

    def question(_parent: object, title: str, text: str, *_args: object) -> object:
        said["question"].append(f"{title}\n{text}")
        return QMessageBox.StandardButton.Yes

    def record(kind: str) -> Callable[..., object]:
        def show(_parent: object, title: str, text: str, *_args: object) -> object:
            said[kind].append(f"{title}\n{text}")
            return QMessageBox.StandardButton.Ok

        return show

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "warning", record("warning"))
    monkeypatch.setattr(QMessageBox, "information", record("information"))
    return said


def open_page(qtbot: QtBot, site: Site) -> ExchangePage:
    page = ExchangePage(site.database)
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    return page


def test_a_school_trusts_its_bureau_and_exports(
    qtbot: QtBot, school: Site, city: Site, tmp_path: Path, answers: dict[str, list[str]]
) -> None:
    page = open_page(qtbot, school)
    assert not page.receive_box.isVisible()
    assert "尚未导入上级教育局的公钥" in page.recipient_label.text()
    with school.database.session() as session:
        own_print = setting(session, FINGERPRINT_SETTING)
    assert own_print and own_print in page.identity.text()  # made on first use

    key_file = city.public_key_file(tmp_path)
    assert page.trust_key_file(key_file)
    assert "太原市教育局" in answers["question"][0]
    assert "太原市教育局" in page.recipient_label.text()

    out = tmp_path / "usb"
    out.mkdir()
    page.full_check.setChecked(True)
    page.export_to(out)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=TIMEOUT)
    assert page.last_export is not None
    assert page.last_export.path.exists() and page.last_export.manifest.sealing is not None
    assert str(page.last_export.path) in page.export_result.text()
    assert answers["warning"] == []


def test_an_unencrypted_export_needs_a_yes(
    qtbot: QtBot, school: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, school)
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.No)
    out = tmp_path / "usb"
    out.mkdir()
    page.export_to(out)
    qtbot.wait(200)
    assert list(out.iterdir()) == [] and page.last_export is None


def test_an_unencrypted_export_is_announced_before_the_folder_and_audited(
    qtbot: QtBot, school: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, school)
    out = tmp_path / "usb"
    out.mkdir()
    calls: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> object:
        calls.append("notice")
        assert "完整身份证号" in text
        return QMessageBox.StandardButton.Yes

    def folder(*_args: object) -> str:
        calls.append("folder")
        return str(out)

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", folder)
    page.export_button.click()
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=TIMEOUT)
    assert calls == ["notice", "folder"]  # asked once, before the folder was picked
    entries = audit_log(school.database, AuditFilter(action="导出"))
    [entry] = entries
    assert "未加密的数据包" in entry.detail and "含完整号码" in entry.detail


def test_a_bureau_previews_then_imports(
    qtbot: QtBot, school: Site, city: Site, tmp_path: Path, answers: dict[str, list[str]]
) -> None:
    school.trust(city)
    package = school.export(tmp_path / "out")
    page = open_page(qtbot, city)
    assert page.receive_box.isVisible() and page.send_box.title() == "向省教育厅报送数据包"
    asked: list[int] = []

    def passphrase() -> str:
        asked.append(1)
        return PASSPHRASE

    page.ask_passphrase = passphrase
    confirmed: list[str] = []
    page.confirm_new_sender = lambda sender: confirmed.append(sender.fingerprint) or True
    page.preview_imports([package.path, tmp_path / "missing.certpkg"])
    qtbot.waitUntil(lambda: page.preview is not None and page.preview.isVisible(), timeout=TIMEOUT)
    preview = page.preview
    assert preview is not None
    assert preview.table.rowCount() == 2
    assert preview.table.item(0, 1).text().startswith(school.name)
    assert int(preview.table.item(0, 4).text()) == package.total_records
    assert "首次收到" in preview.table.item(0, 9).text()
    assert "拒绝" in preview.table.item(1, 9).text()
    assert page.institutions.rowCount() == 0  # nothing written by the preview

    preview.import_button.click()
    qtbot.waitUntil(lambda: bool(page.last_results), timeout=TIMEOUT)
    assert page.institutions.rowCount() == 1
    assert page.institutions.item(0, 0).text() == school.name
    assert page.institutions.item(0, 2).text() == "第1号（完整）"
    assert "已导入 1 个数据包" in page.import_result.text()
    assert asked == [1]  # the passphrase is asked once, on the GUI thread
    assert confirmed == [package.manifest.sender.fingerprint]  # shown once, before writing
    assert not any(isinstance(r, Refusal) for r in page.last_results)


def test_a_new_sender_not_confirmed_is_not_imported(
    qtbot: QtBot, school: Site, city: Site, tmp_path: Path, answers: dict[str, list[str]]
) -> None:
    school.trust(city)
    package = school.export(tmp_path / "out")
    page = open_page(qtbot, city)
    page.ask_passphrase = lambda: PASSPHRASE
    page.confirm_new_sender = lambda _sender: False
    page.preview_imports([package.path])
    qtbot.waitUntil(lambda: page.preview is not None and page.preview.isVisible(), timeout=TIMEOUT)
    assert page.preview is not None
    page.preview.import_button.click()
    qtbot.waitUntil(lambda: bool(page.last_results), timeout=TIMEOUT)
    assert page.institutions.rowCount() == 0
    [refusal] = page.last_results
    assert isinstance(refusal, Refusal) and "尚未确认" in refusal.reason
    assert any("尚未确认" in text for text in answers["warning"])


def test_a_wrong_passphrase_is_forgotten(
    qtbot: QtBot, school: Site, city: Site, tmp_path: Path, answers: dict[str, list[str]]
) -> None:
    school.trust(city)
    package = school.export(tmp_path / "out")
    page = open_page(qtbot, city)
    page.ask_passphrase = lambda: "not the passphrase"
    page.preview_imports([package.path])
    qtbot.waitUntil(lambda: bool(answers["warning"]), timeout=TIMEOUT)
    assert "口令不正确" in answers["warning"][0]
    assert page.preview is None
    page.ask_passphrase = lambda: PASSPHRASE
    page.preview_imports([package.path])
    qtbot.waitUntil(lambda: page.preview is not None, timeout=TIMEOUT)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits before passphrase checks (application.exchange), recorded, not slept."""
    waited: list[float] = []
    monkeypatch.setattr(exchange, "sleep", waited.append)
    return waited


def test_wrong_passphrases_are_counted_and_slowed_as_on_the_command_line(
    qtbot: QtBot, school: Site, city: Site, answers: dict[str, list[str]], waits: list[float]
) -> None:
    school.trust(city)
    package = school.export(school.folder / "out")
    page = open_page(qtbot, city)
    page.ask_passphrase = lambda: "not the passphrase"
    for attempt in range(1, 7):
        page.preview_imports([package.path])
        qtbot.waitUntil(lambda n=attempt: len(answers["warning"]) == n, timeout=TIMEOUT)
        assert f"口令不正确（已连续错误 {attempt} 次" in answers["warning"][-1]
    assert waits == [1.0]  # before the sixth check, off the GUI thread
    assert len(audit_log(city.database, AuditFilter(action=PASSPHRASE_WRONG))) == 6


def shown(text: str) -> str:
    """What a QLabel or QMessageBox left to guess (Qt.AutoText) shows for ``text``."""
    document = QTextDocument()
    if QtGui.Qt.mightBeRichText(text):
        document.setHtml(text)
    else:
        document.setPlainText(text)
    return document.toPlainText()


def test_a_name_from_outside_is_shown_as_written_not_as_markup(
    qtbot: QtBot, school: Site, city: Site, tmp_path: Path, answers: dict[str, list[str]]
) -> None:
    name = "<b>太原</b>市教育局"
    assert shown(name) == "太原市教育局"  # what Qt makes of it when left to guess: bold
    key_file = tmp_path / "city.certkey"
    city.keys.export_public(name, city.division_code, key_file)
    page = open_page(qtbot, school)
    assert page.trust_key_file(key_file)
    _title, question = answers["question"][0].split("\n", 1)
    assert shown(question).startswith(f"{name}（{city.uscc}）")
    assert page.recipient_label.textFormat() == Qt.TextFormat.PlainText
    assert name in page.recipient_label.text()


def test_conflicts_are_listed_and_resolved(
    qtbot: QtBot, school: Site, city: Site, tmp_path: Path, answers: dict[str, list[str]]
) -> None:
    school.trust(city)
    city.import_(school.export(tmp_path / "out").path)
    with city.database.session() as session:
        target = session.scalars(select(Trainee).limit(1)).one()
        uuid, employer = target.uuid, target.employer
        session.execute(update(Trainee).where(Trainee.uuid == uuid).values(employer="改动过"))
        session.commit()
    city.import_(school.export(tmp_path / "out", full=True).path)
    page = open_page(qtbot, city)
    assert page.conflicts.rowCount() == 1
    assert "修订号相同但内容不同" in page.conflicts.item(0, 3).text()
    assert "*" in page.conflicts.item(0, 2).text()  # the ID number is masked
    page.conflicts.selectRow(0)
    page.take_button.click()
    assert page.conflicts.rowCount() == 0
    with city.database.session() as session:
        restored = session.scalars(select(Trainee).where(Trainee.uuid == uuid)).one()
        assert restored.employer == employer
    assert answers["warning"] == []


def test_the_origin_check_reports_to_the_clerk(
    qtbot: QtBot, city: Site, answers: dict[str, list[str]]
) -> None:
    page = open_page(qtbot, city)
    page.audit_origins_button.click()
    assert any("未发现问题" in text for text in answers["information"])
