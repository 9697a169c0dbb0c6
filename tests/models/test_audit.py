"""The audit log: every ORM change recorded in its own transaction, no full numbers stored."""

from __future__ import annotations

import getpass
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from core.safety.audit import (
    REVEALED,
    AuditFilter,
    audit_users,
    describe_changes,
    query_audit,
    record_action,
)
from models.audit import AuditEntry, current_os_user
from models.audit_hook import ADDED, CHANGED, DELETED
from models.database import Database
from models.trainee import Trainee
from models.training import PlanItem, TrainingClass

ID_NUMBER = "140105199003071234"
NEW_ID = "140105199003075678"
PHONE = "13812345678"
NEW_PHONE = "13998765432"


def _trainee(database: Database) -> str:
    with database.session() as session:
        trainee = Trainee(name="王小明", id_number=ID_NUMBER, phone=PHONE, major="数控")
        session.add(trainee)
        session.commit()
        return trainee.uuid


def _entries(database: Database, entity: str = "trainees") -> list[AuditEntry]:
    with database.session() as session:
        query = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        return list(session.scalars(query))


def _all_text(database: Database) -> str:
    """Every stored value of the audit table, as one string to search."""
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_log")).all()
    return "\n".join(repr(tuple(row)) for row in rows)


def test_adding_a_trainee_is_recorded_with_masked_numbers(school: Database) -> None:
    uuid = _trainee(school)
    (entry,) = _entries(school)
    assert entry.action == ADDED
    assert entry.record_uuid == uuid
    assert entry.os_user == current_os_user()
    assert entry.origin == "12140000676444728G"
    assert entry.detail == "王** 140105********1234"
    assert describe_changes("trainees", entry.changes) == (
        "身份证号：（空） → 140105********1234；手机号：（空） → 138****5678"
    )


def test_a_change_names_its_fields_and_masks_only_numbers(school: Database) -> None:
    _trainee(school)
    with school.session() as session:
        trainee = session.scalars(select(Trainee)).one()
        trainee.phone = NEW_PHONE
        trainee.id_number = NEW_ID
        trainee.name = "王晓明"
        session.commit()
    entry = _entries(school)[-1]
    assert entry.action == CHANGED
    described = describe_changes("trainees", entry.changes)
    assert "手机号：138****5678 → 139****5432" in described
    assert "身份证号：140105********1234 → 140105********5678" in described
    assert "姓名" in described
    assert "王晓明" not in entry.changes  # other values are named, not copied


def test_deleting_is_recorded(school: Database) -> None:
    _trainee(school)
    with school.session() as session:
        session.delete(session.scalars(select(Trainee)).one())
        session.commit()
    entry = _entries(school)[-1]
    assert entry.action == DELETED
    assert "140105********1234" in describe_changes("trainees", entry.changes)


def test_no_full_number_is_ever_stored(school: Database) -> None:
    _trainee(school)
    with school.session() as session:
        trainee = session.scalars(select(Trainee)).one()
        trainee.phone = NEW_PHONE
        trainee.id_number = NEW_ID
        record_action(session, REVEALED, "trainees", trainee.uuid, f"显示 {NEW_ID} {NEW_PHONE}")
        session.commit()
        session.delete(trainee)
        session.commit()
    stored = _all_text(school)
    for number in (ID_NUMBER, NEW_ID, PHONE, NEW_PHONE, "15500001365"):
        assert number not in stored


def test_a_flush_without_a_real_change_records_nothing(school: Database) -> None:
    _trainee(school)
    with school.session() as session:
        trainee = session.scalars(select(Trainee)).one()
        trainee.major = "数控"  # the same value
        session.commit()
    assert [e.action for e in _entries(school)] == [ADDED]


def test_a_rolled_back_change_leaves_no_entry(school: Database) -> None:
    with school.session() as session:
        session.add(Trainee(name="赵六", id_number=ID_NUMBER))
        session.flush()
        session.rollback()
    assert _entries(school) == []


def test_other_entities_are_recorded_by_name(school: Database) -> None:
    with school.session() as session:
        training = TrainingClass(
            name="数控车工培训班",
            industry_code="S01",
            start_date=date(2025, 3, 1),
            end_date=date(2025, 6, 30),
        )
        training.plan_items.append(PlanItem(module="安全生产", theory_hours=8))
        session.add(training)
        session.commit()
    (entry,) = _entries(school, "training_classes")
    assert entry.detail == "数控车工培训班"
    assert len(_entries(school, "plan_items")) == 1


def test_record_action_masks_its_detail(school: Database) -> None:
    with school.session() as session:
        record_action(session, REVEALED, "trainees", "abc", f"查看 {ID_NUMBER}")
        session.commit()
        (row,) = query_audit(session, AuditFilter(action=REVEALED))
    assert row.detail == "查看 140105********1234"
    assert row.entity_label == "学员"


def test_filters(school: Database) -> None:
    _trainee(school)
    with school.session() as session:
        record_action(session, REVEALED, "trainees", None, "学员列表")
        session.commit()
        everything = query_audit(session)
        assert {r.action for r in everything} == {ADDED, REVEALED}
        assert [r.action for r in query_audit(session, AuditFilter(entity="学员"))] == [
            REVEALED,
            ADDED,
        ]
        assert [r.entity for r in query_audit(session, AuditFilter(entity="institutions"))] == [
            "institutions"
        ]
        today = date.today()
        assert len(query_audit(session, AuditFilter(since=today, until=today))) == 3
        assert query_audit(session, AuditFilter(until=today - timedelta(days=1))) == []
        assert query_audit(session, AuditFilter(since=today + timedelta(days=1))) == []
        assert len(query_audit(session, AuditFilter(user=current_os_user()))) == 3
        assert query_audit(session, AuditFilter(user="nobody-else")) == []
        assert [r.action for r in query_audit(session, AuditFilter(text="王*"))] == [ADDED]
        assert len(query_audit(session, limit=1)) == 1
        assert audit_users(session) == [current_os_user()]


def test_an_unknown_os_user_still_gets_an_entry(
    school: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr(getpass, "getuser", no_user)
    current_os_user.cache_clear()
    try:
        _trainee(school)
        assert _entries(school)[0].os_user == "未知用户"
    finally:
        current_os_user.cache_clear()
