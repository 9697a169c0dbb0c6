"""Databases with known answers for the progress figures, shared by the core, CLI and GUI tests.

Every figure the tests expect is worked out by hand in the docstrings below, so a failing test
points at a rule, not at arithmetic hidden in a fixture.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from core.identity.uscc import uscc_check_char
from core.institution import Profile, register_local_institution
from models.database import Database
from models.exchange import ExchangePackage
from models.institution import Institution
from models.trainee import Certificate, Trainee
from models.training import Enrolment, TrainingClass

SKILL = "职业技能等级证书（含1+X）"
QUALIFICATION = "职业资格证书"
SPECIAL_OPERATION = "特种作业操作证"

#: Certificate figures are checked on this day: 91 days (13 weeks) before 8月31日.
CERT_DAY = date(2026, 6, 1)
#: Training figures are checked on this day: after the 6月30日 and 9月30日 milestones.
TRAINING_DAY = date(2026, 10, 1)


def uscc(org_code: str, kind: str = "12", division: str = "140000") -> str:
    first17 = f"{kind}{division}{org_code}"
    return first17 + uscc_check_char(first17)


#: Distinct ID numbers, phones and certificate numbers for every person a builder makes.
_SERIALS = itertools.count(1)


def add_graduate(
    session: Session,
    name: str,
    year: int,
    certificates: Sequence[tuple[str, str, date | None]] = (),
    *,
    origin: str | None = None,
    class_name: str = "",
    major: str = "",
) -> Trainee:
    """A trainee graduating in ``year`` with (kind, level, issue date) certificates."""
    serial = next(_SERIALS)
    trainee = Trainee(
        name=name,
        gender="男",
        id_number=f"14010520040101{serial:03d}X"[-18:],
        phone=f"139{serial:08d}",
        major=major,
        class_name=class_name,
        graduation_year=year,
        origin=origin,
    )
    for kind, level, issued in certificates:
        trainee.certificates.append(
            Certificate(
                cert_type=kind,
                occupation="电工",
                level=level,
                number=f"C{serial:05d}{len(trainee.certificates)}",
                issue_date=issued,
                origin=origin,
            )
        )
    session.add(trainee)
    return trainee


# --- A higher vocational college with its own Annex 1 row (高级工 4800) -------------------

COLLEGE = Profile(
    name="山西职业技术学院",
    uscc=uscc("405700123"),
    category="高职院校",
    division_code="140105",
    training_capacity=100,
)


def college(database: Database) -> Database:
    """This year's graduates (2026) of 山西职业技术学院, counted at 高级工 against 4,800.

    甲 holds two qualifying certificates (counts once); 乙 a 职业资格证书 (counts as 高级工);
    丙 a 四级/中级工 certificate (does not count toward 高级工); 丁 a 特种作业操作证 (does not
    count); 戊 nothing; 己 a certificate stored by code and alias (SKILL_LEVEL, 高级) without an
    issue date (counts). 庚 graduated last year and 辛 graduates next year: neither counts.
    Graduates 6, achieved 3 (甲 乙 己), missing 3 (丙 丁 戊), in 电工2202班 two, 数控2201班 one.

    Trend: 乙 (2025-07-01) and 己 (no date) before the year; 甲 from 2026-03-10 (week of 03-09).
    """
    with database.session() as session:
        register_local_institution(session, COLLEGE)
        add_graduate(
            session,
            "甲一",
            2026,
            [(SKILL, "三级/高级工", date(2026, 3, 10)), (SKILL, "二级/技师", date(2026, 4, 20))],
            class_name="机电2201班",
            major="机电一体化技术",
        )
        add_graduate(
            session,
            "乙二",
            2026,
            [(QUALIFICATION, "", date(2025, 7, 1))],
            class_name="机电2201班",
            major="机电一体化技术",
        )
        add_graduate(
            session,
            "丙三",
            2026,
            [(SKILL, "四级/中级工", date(2026, 2, 1))],
            class_name="数控2201班",
            major="数控技术",
        )
        add_graduate(
            session,
            "丁四",
            2026,
            [(SPECIAL_OPERATION, "", date(2026, 1, 15))],
            class_name="电工2202班",
            major="电气自动化技术",
        )
        add_graduate(session, "戊五", 2026, class_name="电工2202班", major="电气自动化技术")
        add_graduate(
            session,
            "己六",
            2026,
            [("SKILL_LEVEL", "高级", None)],
            class_name="机电2201班",
            major="机电一体化技术",
        )
        add_graduate(session, "庚七", 2025, [(SKILL, "三级/高级工", date(2025, 5, 1))])
        add_graduate(session, "辛八", 2027, [(SKILL, "三级/高级工", date(2026, 5, 1))])
        _classes(session)
        session.commit()
    return database


def _class(
    session: Session,
    name: str,
    *,
    kind: str = "定向",
    dates: tuple[date, date],
    subsidy: int,
    completions: list[date | bool | None],
) -> None:
    """A class whose roster has one enrolment per entry: a date or None = completed, False = not."""
    training_class = TrainingClass(
        name=name,
        industry_code="E01",
        kind=kind,
        start_date=dates[0],
        end_date=dates[1],
        planned_headcount=len(completions),
        total_hours=400,
        status="结业",
        subsidy_per_person=Decimal(subsidy),
    )
    session.add(training_class)
    for i, done in enumerate(completions):
        serial = next(_SERIALS)
        worker = Trainee(name=f"{name[:2]}学员{i}", id_number=f"1401052000{serial:08d}")
        session.add(
            Enrolment(
                training_class=training_class,
                trainee=worker,
                completed=done is not False,
                completion_date=done if isinstance(done, date) else None,
            )
        )


def _classes(session: Session) -> None:
    """Training in 2026, commitment 100 (培训规模):

    K1 定向 01-05..04-04, 3,000 yuan: 5 enrolled, 4 completed (one without a completion date,
    so its end date counts). K2 定向 09-01..12-20 spans 11月30日: 3 enrolled, none completed.
    K3 定向 06-15..09-14 at 12,000 yuan (above the cap): 2 completed on 09-14. K4 订单 with 3
    completers at 1,000 yuan: subsidised but not 定向. K5 定向 of 2025: outside the year.

    On 2026-10-01: completers 6, enrolled 10; 6月30日 4 of 40 (missed), 9月30日 6 of 80 (missed),
    11月30日 6 of 100 (pending). Subsidy 4×3,000 + 0 + 2×10,000 + 3×1,000 = 35,000.
    """
    end1 = date(2026, 4, 4)
    _class(
        session,
        "K1 运维定向班",
        dates=(date(2026, 1, 5), end1),
        subsidy=3000,
        completions=[end1, end1, end1, None, False],
    )
    _class(
        session,
        "K2 新能源汽车定向班",
        dates=(date(2026, 9, 1), date(2026, 12, 20)),
        subsidy=4000,
        completions=[False, False, False],
    )
    end3 = date(2026, 9, 14)
    _class(
        session,
        "K3 生物医药定向班",
        dates=(date(2026, 6, 15), end3),
        subsidy=12000,
        completions=[end3, end3],
    )
    end4 = date(2026, 5, 31)
    _class(
        session,
        "K4 订单班",
        kind="订单",
        dates=(date(2026, 3, 1), end4),
        subsidy=1000,
        completions=[end4, end4, end4],
    )
    end5 = date(2025, 6, 30)
    _class(
        session,
        "K5 去年定向班",
        dates=(date(2025, 3, 1), end5),
        subsidy=2000,
        completions=[end5, end5],
    )


# --- A province holding five institutions ------------------------------------------------

PROVINCE = Profile(
    name="山西省教育厅",
    uscc=uscc("000000001", kind="11"),
    category="其他",
    division_code="140000",
    role="province",
)
TAIYUAN = Profile(
    name="太原市教育局",
    uscc=uscc("000000002", kind="11", division="140100"),
    category="其他",
    division_code="140100",
    role="city",
)

X_COLLEGE = uscc("100000001")
Y_SECONDARY = uscc("100000002", division="140105")
Z_SECONDARY = uscc("100000003", division="140202")
W_CENTRE = uscc("100000004", division="140121")
T_TECHNICAL = uscc("100000005", division="140109")
#: When X, Y and Z made their last packages; W's is older; T never sent one.
RECENT = datetime(2026, 5, 20, 16, 30)
STALE_AT = datetime(2026, 1, 15, 9, 0)


def _held(
    session: Session, code: str, name: str, category: str, division: str, *, unit: str | None = None
) -> None:
    session.add(
        Institution(
            name=name,
            uscc=code,
            category=category,
            division_code=division,
            annex1_unit=unit,
            training_capacity=50,
            is_local=False,
            origin=code,
        )
    )


def bureau(database: Database, local: Profile) -> Database:
    """Five institutions' 2026 graduates, as packages would have brought them:

    X 山西职业技术学院 (own row, 高级工 4,800): 3 graduates, 2 achieved (a 三级 and a 职业资格).
    Y 太原 中职 (太原市教育局 row): 4 graduates, 1 achieved (四级 counts toward 中级工; a 五级 and
      a 专项 do not). Y also has one completer in a 定向 class.
    Z 大同 中职 (大同市教育局 row): 2 graduates, 2 achieved.
    W 太原 县级职教中心: no graduates (no target); its last package was made on 2026-01-15.
    T 技工院校 (技工院校 中级工 row): 1 graduate, 1 achieved; it never sent a package.

    Province: 高级工 2 of 107,671; 中级工 4 of 100,820. Furthest behind first: X, Y, Z, T, W.
    """
    with database.session() as session:
        register_local_institution(session, local)
        _held(session, X_COLLEGE, "山西职业技术学院", "高职院校", "140105", unit="山西职业技术学院")
        _held(session, Y_SECONDARY, "太原市第一职业中学", "中职学校", "140105")
        _held(session, Z_SECONDARY, "大同市第二职业中学", "中职学校", "140202")
        _held(session, W_CENTRE, "清徐县职业教育中心", "县级职教中心", "140121")
        _held(session, T_TECHNICAL, "太原技师学院", "技工院校", "140109")
        d = date(2026, 4, 1)
        for name, certs in (
            ("X一", [(SKILL, "三级/高级工", d)]),
            ("X二", [(QUALIFICATION, "", d)]),
            ("X三", [(SKILL, "四级/中级工", d)]),
        ):
            add_graduate(session, name, 2026, certs, origin=X_COLLEGE)
        for name, certs in (
            ("Y一", [(SKILL, "四级/中级工", d)]),
            ("Y二", [(SKILL, "五级/初级工", d)]),
            ("Y三", [("专项职业能力证书", "", d)]),
            ("Y四", []),
        ):
            add_graduate(session, name, 2026, certs, origin=Y_SECONDARY)
        add_graduate(session, "Y五", 2025, [(SKILL, "三级/高级工", d)], origin=Y_SECONDARY)
        for name in ("Z一", "Z二"):
            add_graduate(session, name, 2026, [(SKILL, "三级/高级工", d)], origin=Z_SECONDARY)
        add_graduate(session, "T一", 2026, [(SKILL, "四级", d)], origin=T_TECHNICAL)
        add_graduate(session, "W一", 2024, [], origin=W_CENTRE)
        training_class = TrainingClass(
            name="Y 定向班",
            industry_code="E01",
            kind="定向",
            start_date=date(2026, 1, 4),
            end_date=date(2026, 4, 3),
            total_hours=300,
            origin=Y_SECONDARY,
        )
        worker = Trainee(name="Y工人", id_number="140105198001011234", origin=Y_SECONDARY)
        session.add(
            Enrolment(
                training_class=training_class,
                trainee=worker,
                completed=True,
                completion_date=date(2026, 4, 3),
                origin=Y_SECONDARY,
            )
        )
        for sequence, (sender, made) in enumerate(
            (
                (X_COLLEGE, RECENT),
                (Y_SECONDARY, RECENT),
                (Z_SECONDARY, RECENT),
                (W_CENTRE, STALE_AT),
            ),
            start=1,
        ):
            session.add(
                ExchangePackage(
                    package_id=f"{sequence:032d}",
                    direction="received",
                    sender_uscc=sender,
                    sender_name=sender,
                    kind="full",
                    sequence=sequence,
                    created_at=made,
                    file_name=f"{sender}.cdpkg",
                    encrypted=True,
                )
            )
        session.commit()
    return database
