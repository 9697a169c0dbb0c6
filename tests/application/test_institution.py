"""The institution use cases: register, edit and demo each one transaction with its audit
entries or a refusal that writes nothing; numbers masked when shown, full only by the reveal."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from application import institution
from application.institution import InstitutionEdit
from core.fields import ValidationFailed
from core.identity.idcard import id_check_char
from core.institution import Occupation, local_institution
from core.safety.audit import REVEALED
from models.audit import AuditEntry
from models.audit_hook import ADDED, CHANGED
from models.database import Database
from models.institution import Institution, OfferedOccupation
from models.trainee import Trainee
from tests.conftest import SCHOOL

ADMIN_FIRST17 = "14010919750312001"
ADMIN_ID = ADMIN_FIRST17 + id_check_char(ADMIN_FIRST17)


def entries(db: Database) -> list[tuple[str, str]]:
    """(action, entity) of every audit entry, oldest first."""
    with db.session() as session:
        rows = session.execute(select(AuditEntry.action, AuditEntry.entity).order_by(AuditEntry.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def registered(database: Database) -> Database:
    institution.register_institution(database, replace(SCHOOL, admin_id_number=ADMIN_ID))
    return database


# --- registering ----------------------------------------------------------------------------


def test_register_stores_the_normalised_profile_with_one_entry(database: Database) -> None:
    assert not institution.is_registered(database)
    saved = institution.register_institution(database, replace(SCHOOL, uscc=SCHOOL.uscc.lower()))
    assert (saved.name, saved.uscc) == (SCHOOL.name, SCHOOL.uscc)
    assert institution.is_registered(database)
    assert entries(database) == [(ADDED, "institutions")]


def test_a_refused_profile_writes_nothing(database: Database) -> None:
    bad = replace(SCHOOL, uscc=SCHOOL.uscc[:-1] + "H", contact_phone="12345")
    with pytest.raises(ValidationFailed) as refused:
        institution.register_institution(database, bad)
    assert {e.field for e in refused.value.errors} == {"uscc", "contact_phone"}
    assert count(database, Institution) == 0
    assert entries(database) == []


def test_a_second_registration_is_refused(registered: Database) -> None:
    before = entries(registered)
    with pytest.raises(ValidationFailed) as refused:
        institution.register_institution(registered, replace(SCHOOL, name="另一所学校"))
    assert "不能重复初始化" in str(refused.value)
    assert count(registered, Institution) == 1
    assert entries(registered) == before


# --- showing and revealing ------------------------------------------------------------------


def test_show_masks_the_numbers(registered: Database) -> None:
    shown = institution.show_institution(registered)
    assert shown is not None
    assert shown.profile.name == SCHOOL.name
    assert shown.profile.admin_id_number == f"140109********{ADMIN_ID[-4:]}"
    assert shown.profile.contact_phone == "155****1365"
    assert ADMIN_ID not in repr(shown) and SCHOOL.contact_phone not in repr(shown)
    assert (shown.occupations, shown.industry_codes) == ((), ())


def test_show_before_the_first_run_is_none(database: Database) -> None:
    assert institution.show_institution(database) is None


def test_reveal_returns_the_number_and_writes_exactly_one_entry(registered: Database) -> None:
    before = len(entries(registered))
    assert institution.reveal_full_number(registered, "admin_id_number") == ADMIN_ID
    assert entries(registered)[before:] == [(REVEALED, "institutions")]
    with registered.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == REVEALED)).one()
        own = local_institution(session)
        assert own is not None
        assert (entry.record_uuid, entry.detail) == (own.uuid, "本机构信息")
    assert institution.reveal_full_number(registered, "contact_phone") == SCHOOL.contact_phone
    assert len(entries(registered)) == before + 2


def test_reveal_before_the_first_run_is_refused(database: Database) -> None:
    with pytest.raises(ValidationFailed):
        institution.reveal_full_number(database, "admin_id_number")
    assert entries(database) == []


# --- editing --------------------------------------------------------------------------------


def _edit(**changes: object) -> InstitutionEdit:
    """The form as the page gives it: numbers never revealed are blank there, and kept."""
    profile = replace(SCHOOL, admin_id_number="", contact_phone="", **changes)  # type: ignore[arg-type]
    return InstitutionEdit(profile, kept=frozenset({"admin_id_number", "contact_phone"}))


def test_edit_writes_one_entry_and_keeps_the_unrevealed_numbers(registered: Database) -> None:
    before = len(entries(registered))
    saved = institution.edit_institution(registered, _edit(address="太原市万柏林区新址1号"))
    assert saved.name == SCHOOL.name
    assert entries(registered)[before:] == [(CHANGED, "institutions")]
    with registered.session() as session:
        own = local_institution(session)
        assert own is not None
        assert own.address == "太原市万柏林区新址1号"
        assert (own.admin_id_number, own.contact_phone) == (ADMIN_ID, SCHOOL.contact_phone)


def test_edit_saves_the_offerings_with_the_profile(registered: Database) -> None:
    edit = replace(
        _edit(training_capacity=800),
        occupations=[Occupation(" 电工 "), Occupation("人工智能训练师", "4-04-05-09")],
        industry_codes=["E02", "E01"],
    )
    institution.edit_institution(registered, edit)
    shown = institution.show_institution(registered)
    assert shown is not None
    assert shown.profile.training_capacity == 800
    assert shown.occupations == (Occupation("电工"), Occupation("人工智能训练师", "4-04-05-09"))
    assert shown.industry_codes == ("E01", "E02")


def test_a_refused_edit_names_every_problem_and_writes_nothing(registered: Database) -> None:
    before = entries(registered)
    edit = replace(
        _edit(name="新名称", uscc="52140100MJY0000008"),
        occupations=[Occupation("电工"), Occupation("电工")],
    )
    with pytest.raises(ValidationFailed) as refused:
        institution.edit_institution(registered, edit)
    assert {e.field for e in refused.value.errors} == {"uscc", "occupations"}
    shown = institution.show_institution(registered)
    assert shown is not None and shown.profile.name == SCHOOL.name
    assert count(registered, OfferedOccupation) == 0
    assert entries(registered) == before


def test_editing_before_the_first_run_is_refused(database: Database) -> None:
    with pytest.raises(ValidationFailed) as refused:
        institution.edit_institution(database, _edit())
    assert "尚未登记" in str(refused.value)


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_fills_an_empty_database(database: Database) -> None:
    summary = institution.create_demo(database, trainees=10)
    assert summary.trainees >= 10 and summary.classes > 0
    assert institution.is_registered(database)
    assert count(database, Trainee) == summary.trainees


def test_the_demo_refuses_a_registered_database_and_writes_nothing(registered: Database) -> None:
    before = entries(registered)
    with pytest.raises(ValidationFailed):
        institution.create_demo(registered, trainees=10)
    assert count(registered, Trainee) == 0
    assert entries(registered) == before
