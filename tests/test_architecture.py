"""The layers hold: every import points down, and the faces (GUI, CLI) only call use cases.

The import contracts live in pyproject.toml ([tool.importlinter]) and are run here, so a wrong
import fails the suite; docs/ARCHITECTURE.md draws the same layers. A grep then checks what an
import contract cannot see: that no module of gui/ or cli/ opens a session, commits, runs SQL
or writes an audit entry itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("application", "cli", "core", "gui", "models", "reports")
LINT = (
    "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
)
#: What only a use case (application/) or the domain below it may do.
FORBIDDEN_IN_FACES = re.compile(
    r"\.session\(|\.commit\(|\.rollback\(|\.execute\(|engine\.connect\(|(?<![.\w])select\((?!self)|"
    r"record_action|record_event|write_full_number_file"
)


def lint(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT],
        check=False,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_import_contract_is_kept() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        ("gui/_probe.py", "from sqlalchemy import select\n", "The faces hold no SQL"),
        ("core/_probe.py", "import application.exchange\n", "Layers"),
        ("models/_probe.py", "from core.packages import trust\n", "Layers"),
        ("reports/_probe.py", "from PySide6 import QtWidgets\n", "No Qt below the GUI"),
    ],
)
def test_a_wrong_import_breaks_a_contract(
    tmp_path: Path, module: str, source: str, broken: str
) -> None:
    """The contracts are not vacuous: the same tree with one wrong import fails."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / module).write_text(source, encoding="utf-8")
    result = lint(tmp_path)
    assert result.returncode == 1
    assert re.search(re.escape(broken) + r".* BROKEN", result.stdout), result.stdout


def test_the_faces_open_no_session_and_write_no_audit_entry() -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("gui", "cli")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if FORBIDDEN_IN_FACES.search(line) and not line.lstrip().startswith("#")
    ]
    assert offending == []
