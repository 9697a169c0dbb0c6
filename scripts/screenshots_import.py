"""Screenshots of the import wizard's two working pages, for review and the manual.

Builds a throw-away database (a school and one open class) and a roster workbook as an
office would send it, with a merged title, renamed columns and some bad rows, then grabs the
mapping page and the preview page into docs/screenshots/.

Usage: QT_QPA_PLATFORM=offscreen python scripts/screenshots_import.py [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.classes.checks import ClassFields  # noqa: E402
from core.classes.records import save_class  # noqa: E402
from core.identity.idcard import id_check_char  # noqa: E402
from core.institution import Profile, register_local_institution  # noqa: E402
from gui.app import make_application  # noqa: E402
from gui.import_wizard import ImportWizard  # noqa: E402
from models.database import Database, open_database  # noqa: E402

SCHOOL = Profile(
    name="山西机械高级技工学校",
    uscc="12140000676444728G",
    category="技工院校",
    division_code="140109",
)
NAMES = ("王建军", "李芳", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄丽", "周强", "吴娜")


def _id(serial: int) -> str:
    first17 = f"14010520030105{serial:03d}"
    return first17 + id_check_char(first17)


def build_roster(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "2025级数控班"
    sheet.append(["山西机械高级技工学校2025级学员名单"])
    sheet.merge_cells("A1:G1")
    sheet.append(["填报日期：2025年3月1日"])
    sheet.append(["序号", "学员姓名", "身份证号码", "性别", "联系电话", "所学专业", "毕业时间"])
    for serial, name in enumerate(NAMES, start=1):
        sheet.append([serial, name, _id(serial), "", f"1381234{serial:04d}", "数控技术", "2025届"])
    sheet.append([11, "孙晓东", int(_id(11)), "男", "13812340011", "数控技术", 2025])
    sheet.append([12, "郭丽", _id(3), "女", "13812340012", "数控技术", 2025])
    sheet.append([13, "马超", _id(13)[:-1] + "0", "男", "1381234", "数控技术", "明年"])
    sheet.append([14])
    workbook.save(path)


def _wait(app: QApplication, done: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the wizard did not finish in time")
        app.processEvents()
        time.sleep(0.02)


def prepare_database(folder: Path) -> Database:
    database = open_database(folder / "screens.sqlite3")
    with database.session() as session:
        register_local_institution(session, SCHOOL)
        save_class(
            session,
            None,
            ClassFields(
                name="数控车工定向培训班",
                industry_code="E06",
                start_date=date(2025, 3, 3),
                end_date=date(2025, 6, 2),
                total_hours=320,
                location="本校实训楼",
            ),
            [],
        )
        session.commit()
    return database


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster = folder / "2025级学员名单.xlsx"
        build_roster(roster)
        database = prepare_database(folder)
        wizard = ImportWizard(None, database, "roster")
        wizard.show()
        wizard.load(roster)
        _wait(app, wizard.check_button.isEnabled)
        wizard.grab().save(str(out / "import-mapping.png"))
        wizard.check_rows()
        _wait(app, lambda: wizard.pages.currentIndex() == 1)
        wizard.filter_combo.setCurrentText("全部行")
        app.processEvents()
        wizard.grab().save(str(out / "import-preview.png"))
        wizard.close()
        database.close()
    print(out / "import-mapping.png")
    print(out / "import-preview.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
