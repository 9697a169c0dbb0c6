"""Screenshots of the 证书 and 培训班 sections and their dialogs, for review and the README.

The data is the demo institution (``core.demo``, as ``main.py demo`` makes it): 3,000
students with their certificates and four classes in every status. The main window is shown
at the size of a 1366×768 laptop screen less its taskbar, and each dialog at the size it
opens with there, so what is cut off here is cut off for the clerk too.

Usage: xvfb-run -a -s "-screen 0 1366x768x24" python scripts/screenshots_classes.py [OUT_DIR]
Writes certificates.png, certificate-dialog.png, classes.png, class-dialog.png,
class-dialog-plan.png and class-dialog-roster.png (OUT_DIR defaults to docs/screenshots).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, QStandardPaths  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from core.demo import create_demo  # noqa: E402
from gui.app import make_application  # noqa: E402
from gui.certificate_dialog import CertificateDialog  # noqa: E402
from gui.certificates_page import CertificatesPage  # noqa: E402
from gui.class_dialog import PLAN_TAB, ROSTER_TAB, ClassDialog  # noqa: E402
from gui.classes_page import ClassesPage  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from models.database import Database, open_database  # noqa: E402

#: A 1366×768 screen less a Windows taskbar.
WINDOW = (1366, 728)


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    widget.grab().save(str(path))
    print(path)


def show_section(window: MainWindow, page_type: type[QWidget]) -> QWidget:
    for row in range(window.pages.count()):
        if isinstance(window.pages.widget(row), page_type):
            window.navigation.setCurrentRow(row)
            return window.pages.widget(row)
    raise LookupError(f"the main window has no {page_type.__name__}")


def shoot(database: Database, out: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = MainWindow(database)
    window.resize(*WINDOW)
    window.show()

    certificates = show_section(window, CertificatesPage)
    assert isinstance(certificates, CertificatesPage)
    certificates.table.selectRow(2)
    save(app, window, out / "certificates.png")
    dialog = CertificateDialog(database, certificates.selected_id(), parent=window)
    dialog.show()
    save(app, dialog, out / "certificate-dialog.png")
    dialog.close()

    classes = show_section(window, ClassesPage)
    assert isinstance(classes, ClassesPage)
    finished = next(s for s in classes.model.summaries if s.status == "结业")
    classes.table.selectRow(classes.model.summaries.index(finished))
    save(app, window, out / "classes.png")

    class_dialog = ClassDialog(database, finished.id, parent=window)
    class_dialog.show()
    save(app, class_dialog, out / "class-dialog.png")
    class_dialog.tabs.setCurrentIndex(PLAN_TAB)
    save(app, class_dialog, out / "class-dialog-plan.png")
    class_dialog.close()

    # The roster of a class in progress, with the clerk looking a trainee up to add.
    running = next(s for s in classes.model.summaries if s.status == "开班")
    roster_dialog = ClassDialog(database, running.id, parent=window)
    roster_dialog.show()
    roster_dialog.tabs.setCurrentIndex(ROSTER_TAB)
    roster_dialog.roster.picker.search.setText("王")
    roster_dialog.roster.picker.refresh()
    save(app, roster_dialog, out / "class-dialog-roster.png")
    roster_dialog.close()
    window.close()


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    # Remembered window sizes of the person running this must not change the pictures.
    QStandardPaths.setTestModeEnabled(True)
    make_application()
    QSettings().clear()
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "demo.sqlite3")
        try:
            with database.session() as session:
                create_demo(session)
                session.commit()
            shoot(database, out)
        finally:
            database.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
