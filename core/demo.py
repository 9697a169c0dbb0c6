"""A realistic demo institution, so a new user (and every screenshot) sees a working app.

Everything is generated from a fixed seed and the data in ``resources/demo/demo.json``: the
same command gives the same database, and every ID number and code passes its checks.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from core import reference
from core.classes.status import ClassStatus
from core.fields import FieldError, ValidationFailed
from core.identity.idcard import id_check_char
from core.identity.uscc import uscc_check_char
from core.institution import Profile, register_local_institution
from models.bookkeeping import sync_columns
from models.institution import Institution, OfferedOccupation, ServedIndustry
from models.trainee import Certificate, Trainee
from models.training import Enrolment, PlanItem, TrainingClass

SEED = 20210514  # the seed's Annex 4 deadline, 5月14日
TAIYUAN_COUNTIES = ("140105", "140106", "140107", "140108", "140109", "140110", "140121")
OTHER_COUNTIES = ("140202", "140402", "140702", "140802", "140902", "141002", "141102")


@dataclass(frozen=True)
class DemoSummary:
    institution: str
    trainees: int
    certificates: int
    classes: int


@cache
def _demo_data() -> dict[str, Any]:
    path = reference.reference_dir().parent / "demo" / "demo.json"
    with path.open(encoding="utf-8") as f:
        return json.load(f)


class _People:
    """Names, ID numbers and phones that look real and are valid, without being anyone's."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()
        data = _demo_data()
        self.surnames = data["surnames"]
        self.given = data["given"]

    def name(self) -> str:
        given = "".join(self.rng.choice(self.given) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(self.surnames) + given

    def id_number(self, born_from: int, born_to: int) -> tuple[str, str]:
        while True:
            county = self.rng.choice(TAIYUAN_COUNTIES + OTHER_COUNTIES)
            start = date(born_from, 1, 1)
            born = start + timedelta(days=self.rng.randrange((date(born_to, 12, 31) - start).days))
            sequence = self.rng.randrange(1000)
            first17 = f"{county}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.seen:
                self.seen.add(number)
                return number, "男" if sequence % 2 else "女"

    def mobile(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"


def demo_uscc() -> str:
    """A valid code for the demo school: 事业单位 (12), Shanxi (140000), its org code."""
    first17 = "12140000" + _demo_data()["institution"]["org_code"]
    return first17 + uscc_check_char(first17)


def create_demo(session: Session, trainees: int = 3000, today: date | None = None) -> DemoSummary:
    """Fill an empty database; refuses a database that already has an institution."""
    today = today or date.today()
    if session.scalar(select(func.count()).select_from(Institution)):
        raise ValidationFailed(
            [FieldError("database", "数据库", "已有机构数据；演示数据只能写入空数据库")]
        )
    rng = random.Random(SEED)
    people = _People(rng)
    data = _demo_data()
    inst = data["institution"]
    institution, _ = register_local_institution(
        session,
        Profile(
            name=inst["name"],
            uscc=demo_uscc(),
            category=inst["category"],
            division_code=inst["division_code"],
            address=inst["address"],
            admin_name=inst["admin_name"],
            admin_id_number=people.id_number(1970, 1980)[0],
            contact_name=inst["contact_name"],
            contact_phone=people.mobile(),
            training_capacity=inst["training_capacity"],
        ),
    )
    institution.occupations = [
        OfferedOccupation(name=name, position=i) for i, name in enumerate(inst["occupations"])
    ]
    institution.industries = [
        ServedIndustry(industry_code=code, position=i) for i, code in enumerate(inst["industries"])
    ]
    session.flush()
    origin = institution.uscc

    students = _insert_students(session, people, origin, trainees, today)
    certificates = _insert_certificates(session, rng, origin, students, today)
    classes = _create_classes(session, people)
    return DemoSummary(institution.name, len(students) + classes[1], certificates, classes[0])


def _insert_students(
    session: Session, people: _People, origin: str, count: int, today: date
) -> list[tuple[int, int]]:
    data = _demo_data()
    rows = []
    for i in range(count):
        year = today.year + (0 if i % 3 else (1 if i % 2 else -1))
        number, gender = people.id_number(year - 22, year - 19)
        major = people.rng.choice(data["majors"])
        rows.append(
            {
                **sync_columns(origin),
                "name": people.name(),
                "gender": gender,
                "id_number": number,
                "phone": people.mobile(),
                "identity": "在校学生",
                "employer": "",
                "major": major,
                "class_name": f"{major[:4]}{year % 100:02d}{people.rng.randint(1, 4)}班",
                "graduation_year": year,
            }
        )
    session.execute(insert(Trainee), rows)
    ids = session.execute(
        select(Trainee.id, Trainee.graduation_year).where(Trainee.origin == origin)
    ).all()
    return [(row.id, row.graduation_year) for row in ids]


def _insert_certificates(
    session: Session,
    rng: random.Random,
    origin: str,
    students: list[tuple[int, int]],
    today: date,
) -> int:
    kinds = _demo_data()["certificates"]
    rows = []
    for serial, (trainee_id, year) in enumerate(students):
        chance = 0.72 if year < today.year else (0.58 if year == today.year else 0.15)
        if rng.random() > chance:
            continue
        for _ in range(1 if rng.random() < 0.85 else 2):
            kind = rng.choice(kinds)
            graded = reference.certificate_type(kind["type"])
            level = None
            if graded is not None and graded.graded:
                level = rng.choice(("三级/高级工", "三级/高级工", "四级/中级工", "五级/初级工"))
            issued = date(min(year, today.year), rng.randint(1, 8), rng.randint(1, 28))
            rows.append(
                {
                    **sync_columns(origin),
                    "trainee_id": trainee_id,
                    "cert_type": kind["type"],
                    "occupation": kind["occupation"],
                    "occupation_code": kind["code"],
                    "level": level or "",
                    "number": f"S{issued:%Y}14{serial:06d}{len(rows) % 10}",
                    "issue_date": min(issued, today),
                    "issuer": kind["issuer"],
                    "route": rng.choice(("考核评价", "考核评价", "课证融通", "技能大赛")),
                }
            )
    session.execute(insert(Certificate), rows)
    return len(rows)


def _create_classes(session: Session, people: _People) -> tuple[int, int]:
    data = _demo_data()
    workers = 0
    classes = data["classes"]
    for spec in classes:
        plan = [
            PlanItem(module=m, content=c, theory_hours=t, practice_hours=p, teacher=who, position=i)
            for i, (m, c, t, p, who) in enumerate(spec["plan"])
        ]
        status = ClassStatus(spec["status"])
        training_class = TrainingClass(
            name=spec["name"],
            industry_code=spec["industry"],
            occupation=spec["occupation"],
            kind=spec["kind"],
            start_date=date.fromisoformat(spec["start"]),
            end_date=date.fromisoformat(spec["end"]),
            location=spec["location"],
            planned_headcount=spec["size"],
            participant_identity=spec["identity"],
            total_hours=sum(item.theory_hours + item.practice_hours for item in plan),
            status=status.value,
            subsidy_per_person=Decimal(spec["subsidy"]),
            plan_items=plan,
        )
        session.add(training_class)
        if status is ClassStatus.DRAFT:
            continue
        finished = status is ClassStatus.FINISHED
        for _ in range(spec["size"]):
            number, gender = people.id_number(1975, 2002)
            trainee = Trainee(
                name=people.name(),
                gender=gender,
                id_number=number,
                phone=people.mobile(),
                identity=spec["identity"],
                employer=people.rng.choice(data["employers"]),
            )
            completed = finished and people.rng.random() < 0.94
            session.add(
                Enrolment(
                    training_class=training_class,
                    trainee=trainee,
                    voucher_issued=status is not ClassStatus.FILED,
                    voucher_verified=status in (ClassStatus.OPEN, ClassStatus.FINISHED),
                    completed=completed,
                    completion_date=training_class.end_date if completed else None,
                )
            )
            workers += 1
    session.flush()
    return len(classes), workers
