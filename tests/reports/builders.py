"""Training classes with rosters and plans for the document tests, built through the models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from core.identity.idcard import id_check_char
from models.database import Database
from models.trainee import Trainee
from models.training import Enrolment, PlanItem, TrainingClass

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

#: (module, content, theory hours, practice hours, teacher): 64 + 96 + 80 + 80 = 320 hours.
PLAN: tuple[tuple[str, str, int, int, str], ...] = (
    ("信创基础软硬件", "国产CPU、操作系统与数据库概论", 40, 24, "赵志强"),
    ("国产操作系统运维", "麒麟、统信系统安装、配置与故障排查", 32, 64, "孙海燕"),
    ("数据库迁移实践", "主流国产数据库部署、迁移与调优", 24, 56, "周晓东"),
    ("综合实训与考核", "企业真实项目实训、职业技能等级认定", 8, 72, "赵志强"),
)
PLAN_HOURS = sum(t + p for _, _, t, p, _ in PLAN)


def id_number(serial: int) -> str:
    """A valid, distinct ID number per serial (Taiyuan, born in 1990 or later)."""
    born = date(1990, 1, 1) + timedelta(days=serial // 500)
    first17 = f"140105{born:%Y%m%d}{serial % 500 * 2 + 1:03d}"
    return first17 + id_check_char(first17)


def person(serial: int) -> tuple[str, str, str]:
    """Name, ID number and mobile for a serial; odd sequence digits make them all men."""
    name = SURNAMES[serial % len(SURNAMES)] + GIVEN[serial * 7 % len(GIVEN)]
    if serial % 3 == 0:
        name += GIVEN[serial * 11 % len(GIVEN)]
    return name, id_number(serial), f"139{serial:08d}"


def add_class(
    database: Database,
    trainees: int = 30,
    *,
    name: str = "信息通信网络运行管理员定向培训班",
    industry: str = "E01",
    status: str = "已申请",
    start: date = date(2026, 3, 2),
    end: date = date(2026, 6, 1),
    location: str = "山西机械高级技工学校实训楼",
    identity: str = "企业职工",
    plan: Sequence[tuple[str, str, int, int, str]] = PLAN,
    total_hours: int | None = None,
    planned_headcount: int | None = None,
    completed: int = 0,
    verified: int | None = None,
    subsidy: Decimal = Decimal(3200),
    names: Sequence[str] = (),
    first_serial: int = 0,
) -> int:
    """A class of ``trainees`` people (the first ``completed`` finished it); returns its id.

    ``names`` replaces the first trainees' names; ``verified`` is how many of the completers
    had their voucher verified (all of them by default).
    """
    verified = completed if verified is None else verified
    if total_hours is None:
        total_hours = sum(t + p for _, _, t, p, _ in plan)
    with database.session() as session:
        training_class = TrainingClass(
            name=name,
            industry_code=industry,
            occupation="信息通信网络运行管理员",
            kind="定向",
            start_date=start,
            end_date=end,
            location=location,
            planned_headcount=trainees if planned_headcount is None else planned_headcount,
            participant_identity=identity,
            total_hours=total_hours,
            status=status,
            subsidy_per_person=subsidy,
            plan_items=[
                PlanItem(
                    position=i,
                    module=m,
                    content=c,
                    theory_hours=t,
                    practice_hours=p,
                    teacher=who,
                )
                for i, (m, c, t, p, who) in enumerate(plan)
            ],
        )
        session.add(training_class)
        for index in range(trainees):
            default_name, number, phone = person(first_serial + index)
            trainee = Trainee(
                name=names[index] if index < len(names) else default_name,
                gender="男",
                id_number=number,
                phone=phone,
                identity=identity,
            )
            session.add(
                Enrolment(
                    training_class=training_class,
                    trainee=trainee,
                    voucher_issued=True,
                    voucher_verified=index < verified,
                    completed=index < completed,
                    completion_date=end if index < completed else None,
                )
            )
        session.commit()
        return training_class.id
