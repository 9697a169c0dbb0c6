"""GUI tests: settings kept away from the real profile, and a clean slate for each test.

``QStandardPaths`` test mode sends ``QSettings`` (window sizes, dialog geometry) to a
throw-away location, so a test run neither reads nor spoils the clerk's own preferences.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

from gui.app import APPLICATION, ORGANIZATION

QStandardPaths.setTestModeEnabled(True)


@pytest.fixture(autouse=True)
def clean_settings(qapp: QApplication) -> Iterator[None]:
    qapp.setOrganizationName(ORGANIZATION)
    qapp.setApplicationName(APPLICATION)
    QSettings().clear()
    yield
    QSettings().clear()
