"""Editing the registered profile and the Annex 4 offerings after the first run."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from core.fields import ValidationFailed
from core.institution import (
    Occupation,
    check_offerings,
    local_institution,
    profile_of,
    save_offerings,
    update_local_institution,
)
from models.database import Database
from models.institution import Institution, OfferedOccupation, ServedIndustry
from tests.conftest import SCHOOL


def stored(db: Database) -> Institution:
    with db.session() as session:
        institution = local_institution(session)
        assert institution is not None
        session.expunge(institution)
        return institution


def test_the_profile_round_trips(school: Database) -> None:
    with school.session() as session:
        institution = local_institution(session)
        assert institution is not None
        assert replace(profile_of(institution), annex1_unit=None) == SCHOOL


def test_an_edited_profile_is_normalised_and_saved(school: Database) -> None:
    edited = replace(SCHOOL, contact_phone="0351 3046505", training_capacity=800, role="school")
    with school.session() as session:
        update_local_institution(session, edited)
        session.commit()
    institution = stored(school)
    assert (institution.contact_phone, institution.training_capacity) == ("0351-3046505", 800)
    assert institution.revision == 2


def test_the_code_cannot_change(school: Database) -> None:
    with school.session() as session, pytest.raises(ValidationFailed) as refused:
        update_local_institution(session, replace(SCHOOL, uscc="52140100MJY0000008"))
    assert any(e.field == "uscc" and "不能修改" in e.message for e in refused.value.errors)
    assert stored(school).uscc == SCHOOL.uscc


def test_a_bad_phone_is_refused_and_nothing_changes(school: Database) -> None:
    with school.session() as session, pytest.raises(ValidationFailed) as refused:
        update_local_institution(session, replace(SCHOOL, name="新名称", contact_phone="12345"))
    assert [e.field for e in refused.value.errors] == ["contact_phone"]
    assert stored(school).name == SCHOOL.name


def test_updating_without_an_institution_is_refused(database: Database) -> None:
    with database.session() as session, pytest.raises(ValidationFailed) as refused:
        update_local_institution(session, SCHOOL)
    assert "尚未登记" in refused.value.errors[0].message


def test_offerings_are_checked_row_by_row() -> None:
    occupations = [
        Occupation(" 电工 ", "６-31-01-03"),
        Occupation("", ""),
        Occupation("电工"),
        Occupation("计算机程序设计员", "x" * 21),
    ]
    cleaned, codes, errors = check_offerings(occupations, ["E02", "A01", "E01", "Z99"])
    assert cleaned == [Occupation("电工", "6-31-01-03")]
    assert codes == ["E01", "E02", "A01"]
    messages = [e.message for e in errors]
    assert messages == [
        "第2行：名称不能为空",
        "第3行“电工”与第1行重复",
        "第4行：职业编码不能超过20位",
        "Z99 不是24个产业（集群）之一",
    ]


def test_saving_offerings_keeps_the_rows_that_stay(school: Database) -> None:
    with school.session() as session:
        institution = local_institution(session)
        assert institution is not None
        save_offerings(
            session,
            institution,
            [Occupation("电工"), Occupation("人工智能训练师")],
            ["E02", "E01"],
        )
        session.commit()
    with school.session() as session:
        kept_uuid = session.scalar(
            select(OfferedOccupation.uuid).where(OfferedOccupation.name == "人工智能训练师")
        )
        institution = local_institution(session)
        assert institution is not None
        save_offerings(
            session,
            institution,
            [Occupation("人工智能训练师", "4-04-05-09"), Occupation("数控车工")],
            ["E01"],
        )
        session.commit()
    with school.session() as session:
        rows = session.scalars(select(OfferedOccupation).order_by(OfferedOccupation.position))
        assert [(o.name, o.code, o.position) for o in rows] == [
            ("人工智能训练师", "4-04-05-09", 0),
            ("数控车工", "", 1),
        ]
        assert (
            session.scalar(
                select(OfferedOccupation.uuid).where(OfferedOccupation.name == "人工智能训练师")
            )
            == kept_uuid
        )
        assert list(session.scalars(select(ServedIndustry.industry_code))) == ["E01"]


def test_bad_offerings_save_nothing(school: Database) -> None:
    with school.session() as session:
        institution = local_institution(session)
        assert institution is not None
        with pytest.raises(ValidationFailed):
            save_offerings(session, institution, [Occupation("电工"), Occupation("电工")], [])
    with school.session() as session:
        assert session.scalar(select(OfferedOccupation.id)) is None
