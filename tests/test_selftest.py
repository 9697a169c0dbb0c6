"""The ``--selftest`` switch: from source it must pass every check, touch no user data, and
say FAIL (exit 1) with a reason when something is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import gui.selftest
from application.selftest import (
    CORE_CHECKS,
    CheckFailed,
    Workspace,
    check_fonts,
    pdf_page_count,
    run_checks,
)
from gui.selftest import GUI_CHECKS, run_selftest

ROOT = Path(__file__).resolve().parent.parent
CHECK_NAMES = [name for name, _check in (*CORE_CHECKS, *GUI_CHECKS)]


def run_from_source(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    temporary = tmp_path / "tmp"
    temporary.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TMPDIR": str(temporary),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--selftest", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )


def test_every_check_passes_from_source_and_leaves_no_trace(tmp_path):
    report = tmp_path / "selftest.txt"
    done = run_from_source(tmp_path, str(report))

    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert [line.split(":")[0] for line in lines] == [f"OK {name}" for name in CHECK_NAMES]
    assert report.read_text(encoding="utf-8").splitlines() == lines
    # The PDF was read back: the report and its two attachments make at least two pages.
    pdf_line = next(line for line in lines if line.startswith("OK 附件3"))
    assert int(pdf_line.split(": ")[1].split(" 页")[0]) >= 2
    # Neither the data folder nor the settings were touched; the temporary folder is gone.
    assert not (tmp_path / "home" / "data").exists()
    assert not (tmp_path / "home" / "config").exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_stray_argument_is_a_usage_error(tmp_path):
    done = run_from_source(tmp_path, "--json")
    assert done.returncode == 2
    assert "用法" in done.stderr
    assert done.stdout == ""


def test_a_failed_check_is_reported_with_its_reason_and_fails_the_run(monkeypatch, tmp_path):
    def broken(_workspace: Workspace) -> str:
        raise OSError("磁盘已满")

    def fine(_workspace: Workspace) -> str:
        return "正常"

    monkeypatch.setattr(gui.selftest, "CORE_CHECKS", (("坏的检查", broken), ("好的检查", fine)))
    monkeypatch.setattr(gui.selftest, "GUI_CHECKS", ())
    report = tmp_path / "out.txt"

    assert run_selftest([str(report)]) == 1

    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("FAIL 坏的检查: OSError: 磁盘已满")
    assert lines[1].startswith("OK 好的检查: 正常")


def test_checks_that_need_the_database_say_so_when_it_failed():
    names = ("演示数据", "附件3 PDF", "附件4 Excel", "图形界面")
    checks = [(name, check) for name, check in (*CORE_CHECKS, *GUI_CHECKS) if name in names]

    results = run_checks(checks, lambda _result: None)

    assert [r.ok for r in results] == [False] * len(names)
    assert all("数据库检查未通过" in r.detail for r in results)


def test_a_machine_without_chinese_fonts_fails_the_font_check(monkeypatch, tmp_path):
    monkeypatch.setattr("reports.fonts.default_font_dirs", lambda: (tmp_path,))
    with pytest.raises(CheckFailed, match="未找到可嵌入的中文 TrueType 字体"):
        check_fonts(Workspace(tmp_path))


def test_pdf_pages_are_counted_without_the_page_tree_node():
    data = b"<< /Type /Pages /Count 2 >> << /Type /Page >> <</Type/Page/Parent 1 0 R>>"
    assert pdf_page_count(data) == 2
