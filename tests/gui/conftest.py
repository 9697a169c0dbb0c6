"""GUI tests: settings kept away from the real profile and from every other test, and
question boxes that cannot block the run.

``QSettings`` (window sizes, dialog geometry, the last folder saved to) go to an INI file in
a folder of the test's own. Qt's test mode alone is not enough: it gives every process the
same ``~/.qttest`` file, and a test run in another process (a second checkout, a parallel
job) clearing that file wiped a value this run had just saved, failing tests at random.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.app import APPLICATION, ORGANIZATION

QStandardPaths.setTestModeEnabled(True)


@pytest.fixture(autouse=True)
def private_settings(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder / scope.name))
    qapp.setOrganizationName(ORGANIZATION)
    qapp.setApplicationName(APPLICATION)


@pytest.fixture
def no_modal_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A question box would block the test run; tests that ask override this answer."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Discard)
