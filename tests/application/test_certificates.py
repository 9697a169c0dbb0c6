"""Certificate use cases: written in one transaction with their audit entry, refused without
a trace, listed with the 证书 page's filters and the holder's numbers masked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from application import certificates, trainees
from core.fields import ValidationFailed
from core.identity.idcard import id_check_char
from core.trainees.certificates import NO_LEVEL, CertificateFields, CertificateFilter
from core.trainees.checks import TraineeFields
from models.audit import AuditEntry
from models.audit_hook import ADDED, CHANGED, DELETED
from models.database import Database
from models.trainee import Certificate

TODAY = date(2025, 6, 30)
SKILL = "职业技能等级证书（含1+X）"


def make_id(serial: int) -> str:
    first17 = f"14010520030105{serial:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def holders(school: Database) -> dict[str, int]:
    return {
        name: trainees.add_trainee(
            school, TraineeFields(name=name, id_number=make_id(serial)), today=TODAY
        ).trainee_id
        for serial, name in ((11, "王小明"), (12, "李娜"))
    }


def good(trainee_id: int, **changes: object) -> CertificateFields:
    fields = CertificateFields(
        trainee_id=trainee_id,
        cert_type=SKILL,
        occupation="电工",
        level="三级",
        number="S0001",
        issue_date=date(2025, 6, 1),
    )
    return replace(fields, **changes)  # type: ignore[arg-type]


def certificate_entries(db: Database) -> list[str]:
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "certificates")
                .order_by(AuditEntry.id)
            )
        )


def count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Certificate.id))) or 0


def test_add_edit_delete_each_commit_with_their_audit_entry(
    school: Database, holders: dict[str, int]
) -> None:
    cert_id = certificates.add_certificate(school, good(holders["王小明"]), today=TODAY)
    assert certificate_entries(school) == [ADDED]
    form = certificates.certificate_form(school, cert_id)
    assert (form.level, form.route) == ("三级/高级工", "考核评价")  # stored by reference name
    certificates.edit_certificate(school, cert_id, replace(form, route="技能大赛"), today=TODAY)
    assert certificates.certificate_form(school, cert_id).route == "技能大赛"
    assert certificate_entries(school) == [ADDED, CHANGED]
    deleted = certificates.delete_certificate(school, cert_id)
    assert count(school) == 0
    assert certificate_entries(school) == [ADDED, CHANGED, DELETED]
    restored = certificates.add_certificate(school, deleted, today=TODAY)  # the page's undo
    assert certificates.certificate_form(school, restored) == deleted


def test_refusals_write_nothing(school: Database, holders: dict[str, int]) -> None:
    certificates.add_certificate(school, good(holders["王小明"]), today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        certificates.add_certificate(
            school, good(holders["李娜"], number="s0001", level=""), today=TODAY
        )
    messages = str(refused.value).splitlines()
    assert "等级: 职业技能等级证书（含1+X）须填写等级" in messages
    assert "证书编号: 与学员“王小明”的证书编号重复" in messages
    with pytest.raises(ValidationFailed, match="不存在"):
        certificates.add_certificate(school, good(999, number="S9"), today=TODAY)
    with pytest.raises(ValidationFailed, match="证书: 编号 999 不存在"):
        certificates.delete_certificate(school, 999)
    assert count(school) == 1
    assert certificate_entries(school) == [ADDED]


def test_the_form_check_names_the_fields(school: Database, holders: dict[str, int]) -> None:
    errors = certificates.check_certificate_input(
        school, None, good(holders["李娜"], issue_date=None, occupation=" ")
    )
    assert {e.field for e in errors} == {"issue_date", "occupation"}
    assert count(school) == 0


def test_the_list_filters_as_the_page_does_and_masks(
    school: Database, holders: dict[str, int]
) -> None:
    wang, li = holders["王小明"], holders["李娜"]
    add = certificates.add_certificate
    a1 = add(school, good(wang, number="A1", issue_date=date(2024, 5, 1)), today=TODAY)
    a2 = add(school, good(wang, number="A2", level="五级"), today=TODAY)
    b1 = add(
        school,
        good(li, number=f"T{make_id(12)}", cert_type="特种作业操作证", level=""),
        today=TODAY,
    )

    def ids(**flt: object) -> list[int]:
        rows = certificates.list_certificates(school, CertificateFilter(**flt))  # type: ignore[arg-type]
        return [r.id for r in rows]

    assert ids() == [b1, a2, a1]  # newest issue first, then newest entry
    assert ids(level="五级/初级工") == [a2]
    assert ids(level=NO_LEVEL) == [b1]
    assert ids(cert_type="特种作业操作证") == [b1]
    assert ids(year=2024) == [a1]
    assert ids(trainee_id=wang) == [a2, a1]
    assert ids(counting_toward="中级工") == [a1]
    [row] = certificates.list_certificates(school, CertificateFilter(trainee_id=li))
    assert make_id(12) not in repr(row)
    assert row.id_number == row.number[1:] == f"140105********{make_id(12)[-4:]}"
    assert certificates.count_certificates(school, CertificateFilter(trainee_id=wang)) == 2
    assert certificates.issue_years(school) == [2025, 2024]
    assert certificates.target_level(school) == "中级工"
    assert "电工" in certificates.occupation_suggestions(school)
