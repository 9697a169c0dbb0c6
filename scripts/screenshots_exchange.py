"""Screenshots of the 数据交换 page at a city bureau, for the README.

Two schools send their packages to 太原市教育局 (the demo school, as ``main.py demo`` makes
it, and a secondary school with a few trainees, one of them also a trainee of the demo school);
one record was changed at the bureau, so the demo school's next package brings a conflict.
exchange-preview.png is the dry run of that next package; exchange.png the page after it;
exchange-new-sender.png the question a bureau's clerk answers on a school's first package.

Usage: xvfb-run -a -s "-screen 0 1366x768x24" python scripts/screenshots_exchange.py [OUT_DIR]
(or QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import select  # noqa: E402

from core.demo import create_demo  # noqa: E402
from core.identity.uscc import uscc_check_char  # noqa: E402
from core.institution import Profile, register_local_institution  # noqa: E402
from core.packages.format import Sender  # noqa: E402
from core.packages.importer import import_package  # noqa: E402
from core.packages.keys import LocalKeys, keys_dir_for, read_public_identity  # noqa: E402
from core.packages.trust import ANY_NEW_KEY, trust_identity  # noqa: E402
from core.packages.writer import export_package  # noqa: E402
from gui.app import make_application  # noqa: E402
from gui.exchange_dialogs import new_sender_box  # noqa: E402
from gui.exchange_page import ExchangePage  # noqa: E402
from models.database import Database, open_database  # noqa: E402
from models.trainee import Trainee  # noqa: E402

PASSPHRASE = "screenshot-passphrase"
SIZE = (1180, 760)


def _uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


CITY = Profile(
    name="太原市教育局",
    uscc=_uscc("11140100MB0123456"),
    category="其他",
    division_code="140100",
    role="city",
)
SECOND = Profile(
    name="太原市第一职业中学校",
    uscc=_uscc("52140105MA0K12345"),
    category="中职学校",
    division_code="140105",
)


def _site(folder: Path, profile: Profile | None) -> tuple[Database, LocalKeys]:
    database = open_database(folder / "certdesk.sqlite3")
    with database.session() as session:
        if profile is None:
            create_demo(session, trainees=600)
            uscc, role = session.scalar(select(Trainee.origin).limit(1)), "school"
        else:
            register_local_institution(session, profile)
            uscc, role = profile.uscc, profile.role
        session.commit()
    return database, LocalKeys(keys_dir_for(database), str(uscc), role, lambda: PASSPHRASE)


def _settle(app: QApplication, ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def _shoot_new_sender(app: QApplication, page: ExchangePage, sender: Sender, out_dir: Path) -> None:
    box, _accept = new_sender_box(sender, page)
    box.show()
    _settle(app)
    box.grab().save(str(out_dir / "exchange-new-sender.png"))
    box.close()


def main(out_dir: Path) -> int:
    app = make_application()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("demo", "second", "city", "usb"):
            (folder / name).mkdir()
        city, city_keys = _site(folder / "city", CITY)
        city_keys.create(PASSPHRASE)
        key_file = folder / "city.certkey"
        city_keys.export_public(CITY.name, CITY.division_code, key_file)
        demo, demo_keys = _site(folder / "demo", None)
        second, second_keys = _site(folder / "second", SECOND)
        with demo.session() as session:
            shared = session.scalars(select(Trainee).limit(1)).one()
            person = (shared.name, shared.gender, shared.id_number)
        with second.session() as session:
            session.add(Trainee(name=person[0], gender=person[1], id_number=person[2]))
            for n in range(24):
                session.add(Trainee(name=f"学员{n + 1:02d}", id_number=f"14010520030101{n:03d}X"))
            session.commit()
        for database, keys in ((demo, demo_keys), (second, second_keys)):
            with database.session() as session:
                trust_identity(session, read_public_identity(key_file), keys.uscc)
                session.commit()
            package = export_package(database, keys, folder / "usb")
            import_package(city, package.path, city_keys, accept_new=ANY_NEW_KEY)
        with city.session() as session:  # a clerk's correction at the bureau (revision 2)
            corrected = session.scalars(
                select(Trainee).where(
                    Trainee.id_number == person[2], Trainee.origin == demo_keys.uscc
                )
            ).one()
            corrected.employer = "太原重型机械集团有限公司"
            session.commit()
        with demo.session() as session:
            for trainee in session.scalars(select(Trainee).limit(5)):
                trainee.phone = trainee.phone[:-1] + "0"
            session.commit()
        update_package = export_package(demo, demo_keys, folder / "usb", full=True)

        page = ExchangePage(city)
        page.ask_passphrase = lambda: PASSPHRASE
        page.resize(*SIZE)
        page.show()
        page.preview_imports([update_package.path])
        while page.preview is None:
            _settle(app, 100)
        _settle(app)
        page.preview.grab().save(str(out_dir / "exchange-preview.png"))
        page.preview.accept()
        while not page.last_results:
            _settle(app, 100)
        _settle(app)
        page.grab().save(str(out_dir / "exchange.png"))
        _shoot_new_sender(app, page, update_package.manifest.sender, out_dir)
        page.close()
        for database in (city, demo, second):
            database.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
