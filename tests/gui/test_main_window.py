"""The main window: every section is there, the menus reach backups, the log and help."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from gui.main_window import SECTIONS, MainWindow


def _menu_texts(window: MainWindow) -> dict[str, list[str]]:
    menus: dict[str, list[str]] = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        assert isinstance(menu, QMenu)
        menus[action.text()] = [a.text() for a in menu.actions() if a.text()]
    return menus


def test_sections_and_menus(qtbot, school) -> None:
    window = MainWindow(school)
    qtbot.addWidget(window)
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert titles == ["本机构", "学员", "证书", "培训班", "进度", "数据交换"]
    menus = _menu_texts(window)
    assert menus["文件(&F)"] == ["备份与恢复(&B)…", "操作日志(&L)…", "退出(&X)"]
    assert menus["帮助(&H)"] == ["用户手册(&M)", "关于持证通(&A)"]


def test_pages_are_rebuilt_after_a_restore(qtbot, school) -> None:
    window = MainWindow(school)
    qtbot.addWidget(window)
    window.show_section("classes")
    before = dict(window.page_by_key)
    window._rebuild_pages()
    assert window.pages.count() == len(SECTIONS)
    assert all(window.page_by_key[key] is not before[key] for key in before)
    assert window.pages.currentWidget() is window.page_by_key["classes"]
