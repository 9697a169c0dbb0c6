"""Certificates: the checks, storing and deleting them, and the Annex 1 counting rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from core import reference
from core.fields import ValidationFailed
from core.identity.idcard import id_check_char
from core.trainees.certificates import (
    CertificateFields,
    CertificateFilter,
    certificate_ids,
    certificate_rows,
    check_certificate,
    count_certificates,
    counted_level,
    delete_certificate,
    display_number,
    institution_target_level,
    issue_years,
    save_certificate,
)
from models.database import Database
from models.institution import Institution
from models.sync import Tombstone
from models.trainee import Certificate, Trainee

TODAY = date(2025, 6, 30)
SKILL = "职业技能等级证书（含1+X）"


def make_id(serial: int, born: str = "20030105") -> str:
    first17 = f"140105{born}{serial:03d}"
    return first17 + id_check_char(first17)


def add_trainee(db: Database, name: str, serial: int, origin: str | None = None) -> int:
    with db.session() as session:
        trainee = Trainee(name=name, gender="男", id_number=make_id(serial), phone="13912345678")
        if origin is not None:
            trainee.origin = origin
        session.add(trainee)
        session.commit()
        return trainee.id


def good(trainee_id: int | None, /, **changes: object) -> CertificateFields:
    fields = CertificateFields(
        trainee_id=trainee_id,
        cert_type=SKILL,
        occupation="计算机程序设计员",
        level="三级/高级工",
        number="S2025140000011",
        issue_date=date(2025, 6, 1),
        issuer="山西省职业技能鉴定指导中心",
        route="考核评价",
    )
    return replace(fields, **changes)  # type: ignore[arg-type]


def fields_of(errors: list) -> set[str]:
    return {e.field for e in errors}


# --- checks without a database ----------------------------------------------------------


def test_a_complete_certificate_passes() -> None:
    assert check_certificate(good(1), today=TODAY) == []


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"trainee_id": None}, "trainee_id", "请选择学员"),
        ({"cert_type": "毕业证书"}, "cert_type", "应为"),
        ({"occupation": "  "}, "occupation", "不能为空"),
        ({"level": ""}, "level", "须填写等级"),
        ({"level": "九级"}, "level", "应为"),
        ({"number": " \u200b "}, "number", "不能为空"),
        ({"issue_date": None}, "issue_date", "不能为空"),
        ({"issue_date": date(2025, 7, 1)}, "issue_date", "不能晚于今天"),
        ({"issue_date": date(1949, 12, 31)}, "issue_date", "不能早于"),
        ({"route": "购买"}, "route", "应为"),
        ({"issuer": "局" * 101}, "issuer", "不能超过100个字"),
    ],
)
def test_each_bad_field_is_named(changes: dict, field: str, fragment: str) -> None:
    errors = check_certificate(good(1, **changes), today=TODAY)
    assert fields_of(errors) == {field}
    assert fragment in errors[0].message


def test_ungraded_kinds_need_no_level_but_a_given_level_must_be_real() -> None:
    for kind in reference.certificate_types():
        if kind.graded:
            continue
        assert check_certificate(good(1, cert_type=kind.name, level=""), today=TODAY) == []
        bad = check_certificate(good(1, cert_type=kind.name, level="甲级"), today=TODAY)
        assert fields_of(bad) == {"level"}


def test_codes_aliases_and_copy_paste_noise_are_normalised(school: Database) -> None:
    trainee = add_trainee(school, "王小明", 1)
    with school.session() as session:
        saved = save_certificate(
            session,
            None,
            good(trainee, cert_type="SKILL_LEVEL", level="高级", number=" s2025-1４0 ", route=""),
            today=TODAY,
        )
        session.commit()
        assert (saved.cert_type, saved.level, saved.number, saved.route) == (
            SKILL,
            "三级/高级工",
            "S2025-140",
            "考核评价",
        )


# --- storing ------------------------------------------------------------------------------


def test_save_update_and_delete_leave_a_tombstone(school: Database) -> None:
    trainee = add_trainee(school, "李娜", 2)
    with school.session() as session:
        certificate = save_certificate(session, None, good(trainee), today=TODAY)
        session.commit()
        cert_id, uuid = certificate.id, certificate.uuid
    with school.session() as session:
        save_certificate(session, cert_id, good(trainee, issuer="山西省人社厅"), today=TODAY)
        session.commit()
        stored = session.get(Certificate, cert_id)
        assert stored is not None
        assert (stored.issuer, stored.revision) == ("山西省人社厅", 2)
    with school.session() as session:
        restored = delete_certificate(session, cert_id)
        session.commit()
        assert restored == good(trainee, issuer="山西省人社厅")
        assert session.get(Certificate, cert_id) is None
        assert session.scalar(select(Tombstone.entity).where(Tombstone.uuid == uuid)) == (
            "certificates"
        )


def test_a_duplicate_number_is_refused_and_nothing_is_written(school: Database) -> None:
    first = add_trainee(school, "赵刚", 3)
    second = add_trainee(school, "钱芳", 4)
    with school.session() as session:
        save_certificate(session, None, good(first), today=TODAY)
        session.commit()
    with school.session() as session:
        with pytest.raises(ValidationFailed) as refused:
            save_certificate(session, None, good(second, number="s2025140000011"), today=TODAY)
        session.rollback()
        assert refused.value.errors[0].field == "number"
        assert "赵刚" in refused.value.errors[0].message
        assert (
            session.scalar(select(Certificate.id).where(Certificate.trainee_id == second)) is None
        )


def test_editing_a_certificate_keeps_its_own_number(school: Database) -> None:
    trainee = add_trainee(school, "孙悦", 5)
    with school.session() as session:
        cert_id = save_certificate(session, None, good(trainee), today=TODAY).id
        session.commit()
    with school.session() as session:
        assert check_certificate(good(trainee), session, cert_id, today=TODAY) == []


def test_the_same_number_from_another_institution_is_not_a_duplicate(school: Database) -> None:
    mine = add_trainee(school, "周杰", 6)
    with school.session() as session:
        session.add(
            Institution(
                name="太原市第一职业中学",
                uscc="12140100405726108X",
                category="中职学校",
                division_code="140105",
            )
        )
        session.commit()
    theirs = add_trainee(school, "吴敏", 7, origin="12140100405726108X")
    with school.session() as session:
        other = Certificate(
            trainee_id=theirs,
            cert_type=SKILL,
            occupation="电工",
            level="四级/中级工",
            number="S2025140000011",
            origin="12140100405726108X",
        )
        session.add(other)
        session.commit()
        assert check_certificate(good(mine), session, today=TODAY) == []


def test_an_unknown_trainee_is_refused(school: Database) -> None:
    with school.session() as session:
        assert fields_of(check_certificate(good(999), session, today=TODAY)) == {"trainee_id"}


def test_updating_or_deleting_a_missing_certificate_is_refused(school: Database) -> None:
    trainee = add_trainee(school, "郑爽", 8)
    with school.session() as session:
        with pytest.raises(ValidationFailed):
            save_certificate(session, 12345, good(trainee), today=TODAY)
        with pytest.raises(ValidationFailed):
            delete_certificate(session, 12345)


# --- Annex 1 ------------------------------------------------------------------------------


def test_professional_qualifications_count_as_senior_whatever_their_level() -> None:
    assert counted_level("职业资格证书", "") == "高级工"
    assert counted_level(SKILL, "四级/中级工") == "中级工"
    assert counted_level(SKILL, "五级/初级工") is None
    assert counted_level("特种作业操作证", "") is None


@pytest.mark.parametrize(
    ("category", "unit", "level"),
    [
        ("高职院校", None, "高级工"),
        ("本科院校", "山西大学", "高级工"),
        ("技工院校", None, "中级工"),
        ("中职学校", None, "中级工"),
        ("县级职教中心", None, "中级工"),
    ],
)
def test_the_target_level_follows_annex1(
    school: Database, category: str, unit: str | None, level: str
) -> None:
    with school.session() as session:
        institution = session.scalar(select(Institution).where(Institution.is_local))
        assert institution is not None
        institution.category = category
        institution.annex1_unit = unit
        session.flush()
        assert institution_target_level(session) == level


def test_no_institution_no_target_level(database: Database) -> None:
    with database.session() as session:
        assert institution_target_level(session) is None


# --- listing ------------------------------------------------------------------------------


def test_listing_filters_by_type_level_year_text_and_counting(school: Database) -> None:
    a = add_trainee(school, "陈晨", 10)
    b = add_trainee(school, "陈立", 11)
    c = add_trainee(school, "黄河", 12)
    with school.session() as session:
        for trainee, changes in [
            (a, {"number": "A1", "issue_date": date(2024, 5, 1)}),
            (a, {"number": "A2", "level": "四级/中级工"}),
            (b, {"number": "B1", "cert_type": "特种作业操作证", "level": ""}),
            (c, {"number": "C1", "cert_type": "职业资格证书", "level": ""}),
        ]:
            save_certificate(session, None, good(trainee, **changes), today=TODAY)
        session.commit()

        def numbers(**kw: object) -> list[str]:
            ids = certificate_ids(session, CertificateFilter(**kw), "number", descending=False)  # type: ignore[arg-type]
            rows = certificate_rows(session, ids)
            assert count_certificates(session, CertificateFilter(**kw)) == len(ids)  # type: ignore[arg-type]
            return [rows[i].number for i in ids]

        assert numbers() == ["A1", "A2", "B1", "C1"]
        assert numbers(text="陈") == ["A1", "A2", "B1"]
        assert numbers(text="c") == ["C1"]
        assert numbers(text=make_id(12)[-4:]) == ["C1"]
        assert numbers(cert_type=SKILL) == ["A1", "A2"]
        assert numbers(level="") == ["B1", "C1"]
        assert numbers(level="四级/中级工") == ["A2"]
        assert numbers(year=2024) == ["A1"]
        assert numbers(counting_toward="高级工") == ["A1", "C1"]
        assert numbers(counting_toward="中级工") == ["A1", "A2", "C1"]
        assert issue_years(session) == [2025, 2024]
        window = certificate_ids(
            session, CertificateFilter(), "number", descending=True, offset=1, limit=2
        )
        assert [certificate_rows(session, window)[i].number for i in window] == ["B1", "A2"]
        ids = certificate_ids(session, CertificateFilter(), "issue_date", descending=True)
        assert [certificate_rows(session, ids)[i].number for i in ids][-1] == "A1"


def test_no_certificates_no_years(school: Database) -> None:
    with school.session() as session:
        assert issue_years(session) == []


def test_an_id_number_inside_a_certificate_number_is_masked() -> None:
    number = "T" + make_id(13)
    assert display_number(number) == "T140105********" + make_id(13)[-4:]
    assert display_number("S2025140000011") == "S2025140000011"
