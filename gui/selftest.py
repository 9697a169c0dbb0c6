"""``CertDesk --selftest [REPORT.txt]``: the self-test's entry point and its Qt checks.

The Qt-free checks are in ``application.selftest``; this adds the ones a bundle most often gets
wrong
(a Qt plugin or module left out) and runs them all. PySide6 is imported only inside the
checks, so a bundle whose Qt is broken still prints every other line and then says why the
window would not open.

A windowed Windows program may have no console to print to, so the lines can also be written
to a file (UTF-8) named after the switch; the build script reads that file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from application.selftest import (
    CORE_CHECKS,
    Check,
    CheckFailed,
    CheckResult,
    Workspace,
    import_all,
    run_checks,
)
from core import reference

USAGE = "用法：CertDesk --selftest [结果文件.txt]"
GUI_PACKAGES = ("gui",)


def check_window(workspace: Workspace) -> str:
    """Import every GUI module, then open the main window on the self-test's database."""
    database = workspace.require_database()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    count = import_all(GUI_PACKAGES)
    from PySide6.QtCore import QSettings

    from gui.app import make_application
    from gui.main_window import MainWindow

    # Window geometry and other preferences go to the temporary folder, not the clerk's own.
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(workspace.folder / "settings")
    )
    app = make_application()
    window = MainWindow(database)
    window.show()
    app.processEvents()
    if not window.isVisible():
        raise CheckFailed("主窗口未能显示")
    title = window.windowTitle()
    window.close()
    window.deleteLater()
    app.processEvents()
    return f"{app.platformName()} 平台，{count} 个界面模块，主窗口“{title}”已打开"


def check_icon(_workspace: Workspace) -> str:
    """The icon files decode, which also proves Qt's image format plugins were bundled."""
    from PySide6.QtGui import QImageReader

    folder = reference.reference_dir().parent / "icons"
    found = []
    for name in ("certdesk.png", "certdesk.ico"):
        reader = QImageReader(str(folder / name))
        if reader.read().isNull():
            raise CheckFailed(
                f"无法读取图标文件 {name}：{reader.errorString()}（文件缺失或缺少 Qt 图像插件）"
            )
        found.append(f"{name}（{reader.imageCount() or 1} 种尺寸）")
    return "、".join(found) + "均可读取"


GUI_CHECKS: tuple[Check, ...] = (
    ("图形界面", check_window),
    ("程序图标", check_icon),
)


def _emit(stream: TextIO | None, line: str) -> None:
    # UTF-8 whatever the console's code page; a windowed Windows build may have no console.
    if stream is None:
        return
    stream.flush()
    stream.buffer.write((line + "\n").encode("utf-8"))
    stream.buffer.flush()


def run_selftest(argv: list[str]) -> int:
    """Run every check; exit status 0 only if all passed, 2 for a usage error."""
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        _emit(sys.stderr, USAGE)
        return 2
    report_file = Path(argv[0]) if argv else None
    lines: list[str] = []

    def report(result: CheckResult) -> None:
        lines.append(result.line())
        _emit(sys.stdout, result.line())

    results = run_checks((*CORE_CHECKS, *GUI_CHECKS), report)
    if report_file is not None:
        report_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0 if all(result.ok for result in results) else 1
