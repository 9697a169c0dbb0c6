"""The bundle's trimming rules, against the paths PyInstaller gives on Linux and on Windows.

The Windows bundle is built only on a Windows runner; these paths are the PySide6 wheels'
layouts (Linux: PySide6/Qt/{lib,plugins,translations}; Windows: PySide6/{plugins,
translations} with the DLLs beside the modules)."""

from __future__ import annotations

import pytest

from installer.bundle_contents import EXCLUDES, unused, version_tuple

DROPPED = [
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/imageformats/libqtiff.so",
    "PySide6/Qt/lib/libQt6Network.so.6",
    "libQt6Network.so.6",
    "libQt6WaylandClient.so.6",
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/Qt/translations/qt_help_zh_CN.qm",
    r"PySide6\plugins\platforms\qdirect2d.dll",
    r"PySide6\plugins\imageformats\qwebp.dll",
    r"PySide6\plugins\tls\qschannelbackend.dll",
    r"PySide6\opengl32sw.dll",
    r"PySide6\Qt6Network.dll",
    r"PySide6\translations\qtbase_ja.qm",
]

KEPT = [
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforms/libqminimal.so",
    "PySide6/Qt/plugins/imageformats/libqico.so",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
    "PySide6/Qt/lib/libQt6Widgets.so.6",
    "PySide6/Qt/lib/libQt6OpenGL.so.6",
    "libQt6Core.so.6",
    "PySide6/Qt/translations/qtbase_zh_CN.qm",
    "PySide6/Qt/translations/qt_zh_CN.qm",
    r"PySide6\plugins\platforms\qwindows.dll",
    r"PySide6\plugins\platforms\qoffscreen.dll",
    r"PySide6\plugins\imageformats\qjpeg.dll",
    r"PySide6\plugins\styles\qmodernwindowsstyle.dll",
    r"PySide6\Qt6Gui.dll",
    r"PySide6\Qt6Svg.dll",
    r"PySide6\translations\qtbase_zh_CN.qm",
    r"PIL\_imaging.cp311-win_amd64.pyd",
    "resources/reference/annex1_targets.csv",
    "models/migrations/versions/0001_initial_schema.py",
    "libpython3.11.so.1.0",
]


@pytest.mark.parametrize("path", DROPPED)
def test_unused_qt_files_are_dropped(path):
    assert unused(path)


@pytest.mark.parametrize("path", KEPT)
def test_what_the_app_loads_is_kept(path):
    assert not unused(path)


def test_the_qt_modules_the_app_and_its_charts_import_are_not_excluded():
    for module in ("QtCore", "QtGui", "QtWidgets", "QtSvg", "QtOpenGL", "QtOpenGLWidgets"):
        assert f"PySide6.{module}" not in EXCLUDES
    assert "PIL" not in EXCLUDES  # reportlab imports it unconditionally


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.1.0", (0, 1, 0, 0)),
        ("1.2.3.4", (1, 2, 3, 4)),
        ("2.0rc1", (2, 0, 0, 0)),
        ("3", (3, 0, 0, 0)),
    ],
)
def test_windows_version_numbers(version, expected):
    assert version_tuple(version) == expected
