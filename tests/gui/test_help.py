"""The Help menu: the guide opens with its pictures, About names version, paths and key."""

from __future__ import annotations

from core.packages.trust import FINGERPRINT_SETTING
from core.version import VERSION
from gui.help import GuideDialog, about_text, guide_path
from models.sync import Setting


def test_the_guide_is_shipped_and_every_picture_it_shows_exists() -> None:
    text = guide_path().read_text(encoding="utf-8")
    pictures = [line.split("](", 1)[1].rstrip(")") for line in text.splitlines() if "![" in line]
    assert pictures
    for picture in pictures:
        assert (guide_path().parent / picture).is_file(), picture


def test_guide_dialog_renders_the_markdown(qtbot) -> None:
    dialog = GuideDialog()
    qtbot.addWidget(dialog)
    shown = dialog.browser.toPlainText()
    assert "持证通 CertDesk 用户手册" in shown
    assert "首次运行" in shown


def test_about_names_version_database_and_fingerprint(school) -> None:
    assert VERSION in about_text(school)
    assert str(school.path) in about_text(school)
    assert "尚未生成" in about_text(school)
    with school.session() as session:
        session.add(Setting(key=FINGERPRINT_SETTING, value="12345 67890"))
        session.commit()
    assert "12345 67890" in about_text(school)
