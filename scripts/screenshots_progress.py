"""Screenshots of the 进度 page: the demo school's dashboard and a province's, for the README.

The school is the demo institution (``core.demo``, as ``main.py demo`` makes it). The province
holds sixty institutions as their packages would have brought them: colleges named in Annex 1
and city schools, each with this year's graduates, certificates issued week by week since
January, a 定向 class and the date of its last package (a few overdue, two never sent).

Usage: xvfb-run -a -s "-screen 0 1366x768x24" python scripts/screenshots_progress.py [OUT_DIR]
(or QT_QPA_PLATFORM=offscreen). Writes progress-school.png and progress-bureau.png.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core import reference  # noqa: E402
from core.demo import create_demo  # noqa: E402
from core.identity.idcard import id_check_char  # noqa: E402
from core.identity.uscc import uscc_check_char  # noqa: E402
from core.institution import Profile, register_local_institution  # noqa: E402
from gui.app import make_application  # noqa: E402
from gui.progress_page import ProgressPage  # noqa: E402
from models.bookkeeping import sync_columns  # noqa: E402
from models.database import Database, open_database  # noqa: E402
from models.exchange import ExchangePackage  # noqa: E402
from models.institution import Institution  # noqa: E402
from models.trainee import Certificate, Trainee  # noqa: E402
from models.training import Enrolment, TrainingClass  # noqa: E402

SIZE = (1366, 768)
SEED = 20210514
SKILL = "职业技能等级证书（含1+X）"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def _uscc(serial: int, division: str, kind: str = "52") -> str:
    first17 = f"{kind}{division}{serial:09d}"
    return first17 + uscc_check_char(first17)


PROVINCE = Profile(
    name="山西省教育厅",
    uscc=_uscc(0, "140000", kind="11"),
    category="其他",
    division_code="140000",
    role="province",
)


def _institutions(rng: random.Random) -> list[dict[str, object]]:
    """Twenty colleges of Annex 1 and forty city secondary schools and county centres."""
    colleges = [t for t in reference.annex1_targets() if t.category in ("本科院校", "高职院校")]
    counties = [d for c in reference.cities() for d in reference.counties(c.code)]
    rows: list[dict[str, object]] = []
    for serial, row in enumerate(rng.sample(colleges, 20), start=1):
        division = rng.choice(counties).code
        rows.append(
            {
                "name": row.unit,
                "category": row.category,
                "annex1_unit": row.unit,
                "division_code": division,
                "uscc": _uscc(serial, division),
            }
        )
    for serial, county in enumerate(rng.sample(counties, 40), start=21):
        centre = serial % 3 == 0
        rows.append(
            {
                "name": f"{county.name}{'职业教育中心' if centre else '职业中学'}",
                "category": "县级职教中心" if centre else "中职学校",
                "annex1_unit": None,
                "division_code": county.code,
                "uscc": _uscc(serial, county.code),
            }
        )
    return rows


def build_province(database: Database, today: date) -> None:
    rng = random.Random(SEED)
    deadline = min(today, date(today.year, 8, 31))
    with database.session() as session:
        register_local_institution(session, PROVINCE)
        for sequence, spec in enumerate(_institutions(rng), start=1):
            origin = str(spec["uscc"])
            session.add(
                Institution(**spec, training_capacity=rng.choice((200, 300, 500)), origin=origin)
            )
            row = next(
                (t for t in reference.annex1_targets() if t.unit == spec["annex1_unit"]), None
            )
            graduates = int(row.target * rng.uniform(0.9, 1.2)) if row else rng.randint(150, 600)
            share = rng.uniform(0.25, 1.0) if rng.random() < 0.85 else rng.uniform(0.02, 0.2)
            _graduates(
                session,
                rng,
                origin,
                count=graduates,
                share=share,
                span=(date(today.year, 1, 5), deadline),
            )
            _training(session, rng, origin, today)
            sent = rng.random()
            if sent > 0.04:
                days = rng.randint(1, 20) if sent > 0.15 else rng.randint(40, 120)
                session.add(
                    ExchangePackage(
                        package_id=f"{sequence:032x}",
                        direction="received",
                        sender_uscc=origin,
                        sender_name=str(spec["name"]),
                        kind="incremental",
                        sequence=sequence,
                        created_at=datetime.combine(
                            today - timedelta(days=days), datetime.min.time()
                        )
                        + timedelta(hours=rng.randint(8, 18)),
                        file_name=f"{origin}-{sequence}.cdpkg",
                        encrypted=True,
                    )
                )
        session.commit()


def _graduates(
    session: Session,
    rng: random.Random,
    origin: str,
    *,
    count: int,
    share: float,
    span: tuple[date, date],
) -> None:
    year = span[0].year
    born = date(year - 21, 1, 1)
    rows = []
    for n in range(count):
        first17 = f"{origin[2:8]}{born + timedelta(days=n // 1000):%Y%m%d}{n % 1000:03d}"
        rows.append(
            {
                **sync_columns(origin),
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN) * rng.randint(1, 2),
                "gender": "男" if n % 2 else "女",
                "id_number": first17 + id_check_char(first17),
                "phone": f"13{rng.randint(0, 9)}{rng.randrange(10**8):08d}",
                "class_name": f"{year % 100}届{n % 7 + 1}班",
                "graduation_year": year,
            }
        )
    session.execute(insert(Trainee), rows)
    ids = session.scalars(
        select(Trainee.id).where(Trainee.origin == origin, Trainee.graduation_year == year)
    ).all()
    days = (span[1] - span[0]).days
    certificates = []
    for n, trainee in enumerate(ids):
        qualified = rng.random() < share
        level = rng.choice(("三级/高级工", "四级/中级工")) if qualified else "五级/初级工"
        issued = span[0] + timedelta(days=int(days * rng.random() ** 0.8))
        certificates.append(
            {
                **sync_columns(origin),
                "trainee_id": trainee,
                "cert_type": SKILL,
                "occupation": "电工",
                "level": level,
                "number": f"{origin[-6:]}{n:06d}",
                "issue_date": issued,
            }
        )
    session.execute(insert(Certificate), certificates)


def _training(session: Session, rng: random.Random, origin: str, today: date) -> None:
    end = date(today.year, rng.choice((4, 5, 6, 9)), 28)
    training_class = TrainingClass(
        name="定向培训班",
        industry_code="E01",
        start_date=end - timedelta(days=100),
        end_date=end,
        total_hours=300,
        status="结业",
        origin=origin,
    )
    for n in range(rng.randint(20, 60)):
        worker = Trainee(name=f"学员{n}", id_number=f"{origin[-10:]}{n:08d}", origin=origin)
        training_class.enrolments.append(
            Enrolment(trainee=worker, completed=end <= today, completion_date=end, origin=origin)
        )
    session.add(training_class)


def grab(database: Database, today: date, path: Path) -> None:
    page = ProgressPage(database, today=lambda: today)
    page.resize(*SIZE)
    loop = QEventLoop()
    page.refreshed.connect(loop.quit)
    QTimer.singleShot(60_000, loop.quit)
    page.show()
    loop.exec()
    page.grab().save(str(path))
    page.close()


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    make_application()
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        school = open_database(Path(folder) / "school.sqlite3")
        with school.session() as session:
            create_demo(session, today=today)
            session.commit()
        grab(school, today, out / "progress-school.png")
        school.close()
        province = open_database(Path(folder) / "province.sqlite3")
        build_province(province, today)
        grab(province, today, out / "progress-bureau.png")
        province.close()
    print(out / "progress-school.png")
    print(out / "progress-bureau.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
