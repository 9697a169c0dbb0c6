"""Screenshots of the first-run dialog, 本机构 and 学员, for review and the README.

The data is the demo institution (``core.demo``, as ``main.py demo`` makes it), on a fresh
database each run, so the pictures can be refreshed at any time. The main window is shown at
the size of a 1366×768 laptop screen less its taskbar, each dialog at the size it opens with
there: what is cut off here is cut off for the clerk too.

Each picture is one function registered with ``@shot("name.png")``; to add a picture, add a
function that returns the widget to grab. Settings go to Qt's test location, not the real
profile.

Usage: xvfb-run -a -s "-screen 0 1366x768x24" python scripts/screenshots.py [OUT_DIR] [NAME...]
(OUT_DIR defaults to docs/screenshots; NAMEs pick some of the pictures, e.g. trainees.png).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, QStandardPaths  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from core.demo import create_demo  # noqa: E402
from gui.app import make_application  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from gui.setup_dialog import SetupDialog  # noqa: E402
from gui.trainee_dialog import TraineeDialog  # noqa: E402
from gui.trainees_page import TraineesPage  # noqa: E402
from models.database import Database, open_database  # noqa: E402
from models.trainee import Certificate, Trainee  # noqa: E402

#: A 1366×768 screen less a Windows taskbar.
WINDOW = (1366, 728)


@dataclass
class Studio:
    """What a picture needs: the application, a demo database, an empty one, the window."""

    app: QApplication
    demo: Database
    empty: Database
    _window: MainWindow | None = field(default=None, init=False)
    opened: list[QWidget] = field(default_factory=list)

    def window(self, section: str) -> MainWindow:
        if self._window is None:
            self._window = MainWindow(self.demo)
            self._window.resize(*WINDOW)
            self._window.show()
        self._window.show_section(section)
        return self._window

    def dialog(self, widget: QWidget) -> QWidget:
        widget.show()
        self.opened.append(widget)
        return widget


Shot = Callable[[Studio], QWidget]
SHOTS: dict[str, Shot] = {}


def shot(name: str) -> Callable[[Shot], Shot]:
    def register(function: Shot) -> Shot:
        SHOTS[name] = function
        return function

    return register


@shot("setup.png")
def setup_dialog(studio: Studio) -> QWidget:
    """First run, half filled: a unit picked from Annex 1 and a mistyped code marked red."""
    dialog = SetupDialog(studio.empty)
    index = next(
        i
        for i in range(dialog.unit.count())
        if dialog.unit.itemText(i).startswith("山西职业技术学院")
    )
    dialog.unit.setCurrentIndex(index)
    dialog.form.uscc.setText("12140000405700001")
    dialog.marks.touch("uscc")
    dialog.form.division.set_code("140105")
    dialog.form.admin_name.setText("刘建华")
    dialog.form.edited.emit()
    dialog.mark_clean()
    return studio.dialog(dialog)


@shot("institution.png")
def institution_page(studio: Studio) -> QWidget:
    return studio.window("institution")


@shot("trainees.png")
def trainees_page(studio: Studio) -> QWidget:
    """A search typed, and a trainee with several certificates selected."""
    window = studio.window("trainees")
    page = window.page_by_key["trainees"]
    assert isinstance(page, TraineesPage)
    with studio.demo.session() as session:
        name, trainee_id = session.execute(
            select(Trainee.name, Trainee.id)
            .join(Certificate, Certificate.trainee_id == Trainee.id)
            .group_by(Trainee.id)
            .order_by(func.count(Certificate.id).desc(), Trainee.id.desc())
            .limit(1)
        ).one()
    page.search.setText(name[0])
    page.apply_search()
    page.select(trainee_id)
    return window


@shot("trainee-dialog.png")
def trainee_dialog(studio: Studio) -> QWidget:
    """Editing a trainee: the ID number masked until 显示 is pressed, gender and birth from it."""
    with studio.demo.session() as session:
        trainee_id = session.scalar(select(Trainee.id).order_by(Trainee.id.desc()))
    assert trainee_id is not None
    dialog = TraineeDialog(studio.demo, trainee_id, parent=studio.window("trainees"))
    return studio.dialog(dialog)


@shot("trainee-duplicate.png")
def trainee_duplicate(studio: Studio) -> QWidget:
    """A new trainee whose ID number is already registered: said at once, with the way out."""
    with studio.demo.session() as session:
        existing = session.scalar(select(Trainee.id_number).order_by(Trainee.id))
    assert existing is not None
    dialog = TraineeDialog(studio.demo, parent=studio.window("trainees"))
    dialog.name.setText("王志强")
    dialog.id_number.line.setText(existing)
    dialog.phone.line.setText("1380000111")
    for typed in ("name", "id_number", "phone"):
        dialog.marks.touch(typed)
    dialog.id_number.line.textEdited.emit(existing)
    dialog.mark_clean()
    return studio.dialog(dialog)


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    wanted = argv[1:] or list(SHOTS)
    unknown = [name for name in wanted if name not in SHOTS]
    if unknown:
        print(f"没有这些截图：{'、'.join(unknown)}（可选：{'、'.join(SHOTS)}）")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    QStandardPaths.setTestModeEnabled(True)
    app = make_application()
    QSettings().clear()
    with tempfile.TemporaryDirectory() as folder:
        demo = open_database(Path(folder) / "demo.sqlite3")
        empty = open_database(Path(folder) / "empty.sqlite3")
        with demo.session() as session:
            create_demo(session)
            session.commit()
        studio = Studio(app, demo, empty)
        try:
            for name in wanted:
                widget = SHOTS[name](studio)
                settle(app)
                path = out / name
                widget.grab().save(str(path))
                print(path)
                for dialog in studio.opened:
                    dialog.close()
                studio.opened.clear()
        finally:
            if studio._window is not None:
                studio._window.close()
            settle(app)
            demo.close()
            empty.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
