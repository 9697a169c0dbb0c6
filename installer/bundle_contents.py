"""What goes into CertDesk's PyInstaller bundle and what is left out, for installer.spec.

Kept apart from the spec so that the rules can be tested on Linux against Windows paths too
(tests/test_bundle_contents.py): a Windows bundle is built only on a Windows runner, and a
rule that silently stopped matching there would ship 20 MB of OpenGL nobody uses, or drop the
one platform plugin the program needs.

What is left out, and why it is safe:

- Chinese fonts. The PDFs embed 仿宋/黑体/宋体 from C:\\Windows\\Fonts (reports/fonts.py looks
  there first, then in the user's font folder); every Chinese Windows has them, and a free CJK
  face would add 10-20 MB to a bundle that runs only on Windows.
- Qt modules the app never imports (QML, Quick, network, multimedia, SQL, ...), the Qt plugins
  only those need, platforms an office PC never uses (EGLFS, VNC, Wayland, Direct2D), image
  formats nobody opens here, and every Qt translation but Simplified Chinese.
- opengl32sw.dll (Mesa, about 20 MB): a widgets app paints with the raster engine.
- Test and development tools, and optional parts of dependencies that a build environment may
  happen to have installed (psycopg, greenlet, Pillow's AVIF/WebP/FreeType/colour modules).

The bundle's self-test imports every module of the app and opens the main window, so a rule
that a later change starts to violate fails the build rather than the clerk's first click.
"""

from __future__ import annotations

import re

from application.selftest import QT_FREE_PACKAGES
from gui.selftest import GUI_PACKAGES

#: The application's packages; every module in them is bundled, even one imported lazily,
#: and the self-test imports every one of them.
APP_PACKAGES = (*QT_FREE_PACKAGES, *GUI_PACKAGES)

HIDDEN_IMPORTS = (
    # Alembic loads the migration scripts by path from the bundled data, so nothing imports
    # what they import; name it here.
    "alembic.op",
    "alembic.runtime.migration",
    "sqlalchemy.dialects.sqlite",
)

#: PySide6 modules never imported. QtOpenGL and QtOpenGLWidgets are not here: pyqtgraph (the
#: progress charts) imports them as it loads, by a name PyInstaller cannot see.
QT_MODULES_UNUSED = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtBluetooth", "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDBus", "QtDesigner",
    "QtGraphs", "QtHelp", "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets",
    "QtNetwork", "QtNetworkAuth", "QtNfc", "QtPdf", "QtPdfWidgets", "QtPositioning", "QtQml",
    "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickWidgets", "QtRemoteObjects",
    "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql",
    "QtStateMachine", "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel",
    "QtWebEngineCore", "QtWebEngineWidgets", "QtWebSockets", "QtXml",
)  # fmt: skip

EXCLUDES = (
    "tkinter",
    "_tkinter",
    # test and development tools
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "pypdf",
    "xlwt",
    "PyInstaller",
    "setuptools",
    "pkg_resources",
    # SQLAlchemy's asyncio bridge and server database drivers: the app uses SQLite
    "greenlet",
    "psycopg",
    "psycopg_binary",
    "psycopg2",
    "yaml",
    "lxml",
    # Pillow stays (reportlab imports it always) without the codecs and font engine the
    # documents never use: about 10 MB. Each is an optional import inside Pillow, so a PNG
    # or JPEG still opens.
    "PIL._avif",
    "PIL._webp",
    "PIL._imagingft",
    "PIL._imagingcms",
    "PIL._imagingtk",
    "PIL.ImageTk",
    "PIL.ImageQt",
    *(f"PySide6.{name}" for name in QT_MODULES_UNUSED),
)

QT_PLUGIN_FOLDERS_UNUSED = frozenset(
    {
        "egldeviceintegrations",
        "generic",
        "networkinformation",
        "platformthemes",
        "qmltooling",
        "sqldrivers",
        "tls",
        "wayland-decoration-client",
        "wayland-graphics-integration-client",
        "wayland-graphics-integration-server",
        "wayland-shell-integration",
        "xcbglintegrations",
    }
)
#: Kept: windows, xcb (a Linux desktop), offscreen and minimal (the self-test, CI).
QT_PLATFORMS_UNUSED = (
    "qeglfs",
    "qlinuxfb",
    "qminimalegl",
    "qvnc",
    "qvkkhrdisplay",
    "qwayland",
    "qdirect2d",
)
QT_IMAGEFORMATS_KEPT = ("qico", "qjpeg", "qgif", "qsvg")
#: Libraries that only the dropped modules and plugins load.
QT_LIBRARIES_UNUSED = (
    "qt6network",
    "qt6waylandclient",
    "qt6wlshellintegration",
    "qt6eglfs",
    "qt6pdf",
    "opengl32sw",
)
QT_TRANSLATIONS_KEPT = ("qt_zh_cn.qm", "qtbase_zh_cn.qm")


def unused(destination: str) -> bool:
    """True for a Qt file (plugin, library, translation) CertDesk never loads.

    ``destination`` is the file's path inside the bundle, with either kind of slash:
    ``PySide6/Qt/plugins/platforms/libqvnc.so`` on Linux, ``PySide6\\plugins\\platforms\\
    qdirect2d.dll`` on Windows.
    """
    parts = destination.replace("\\", "/").lower().split("/")
    name = parts[-1].removeprefix("lib")
    if "pyside6" not in parts:
        # PyInstaller's top-level links to the Qt libraries (Linux) go with their targets.
        return name.startswith(QT_LIBRARIES_UNUSED)
    if "plugins" in parts[:-1]:
        folder = parts[parts.index("plugins") + 1]
        if folder in QT_PLUGIN_FOLDERS_UNUSED:
            return True
        if folder == "platforms":
            return name.startswith(QT_PLATFORMS_UNUSED)
        if folder == "imageformats":
            return not name.startswith(QT_IMAGEFORMATS_KEPT)
        return False
    if "translations" in parts[:-1]:
        return name not in QT_TRANSLATIONS_KEPT
    return name.startswith(QT_LIBRARIES_UNUSED)


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """Four integers for the Windows version resource: ``1.2.3rc1`` gives (1, 2, 3, 0)."""
    numbers = []
    for part in version.split(".")[:4]:
        digits = re.match(r"\d+", part)
        numbers.append(int(digits.group()) if digits else 0)
    a, b, c, d = numbers + [0] * (4 - len(numbers))
    return a, b, c, d
