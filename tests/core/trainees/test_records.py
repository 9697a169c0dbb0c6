"""Saving, duplicate detection, deletion with tombstones and undo that keeps the uuids."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.fields import ValidationFailed
from core.identity.idcard import id_check_char
from core.trainees.checks import TraineeFields
from core.trainees.records import (
    MAX_DELETE,
    DuplicateIdNumber,
    delete_trainees,
    find_by_id_number,
    restore_trainees,
    save_trainee,
    trainee_details,
    trainee_fields,
)
from models.database import Database
from models.sync import Tombstone
from models.trainee import Certificate, Trainee
from models.training import Enrolment, TrainingClass

TODAY = date(2021, 5, 14)


def make_id(born: str, serial: int, county: str = "140105") -> str:
    first17 = f"{county}{born}{serial:03d}"
    return first17 + id_check_char(first17)


WANG = make_id("20000307", 121)  # sequence 121: odd, a man
LI = make_id("20010202", 142)  # sequence 142: even, a woman


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def save(db: Database, fields: TraineeFields, trainee_id: int | None = None) -> int:
    with db.session() as session:
        trainee = save_trainee(session, trainee_id, fields, today=TODAY)
        session.commit()
        return trainee.id


def test_a_new_trainee_is_normalised_and_stored(school: Database) -> None:
    fullwidth = WANG.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    trainee_id = save(
        school, TraineeFields(name=" 王 伟 ", id_number=fullwidth, phone="138 0000 1111")
    )
    with school.session() as session:
        trainee = session.get(Trainee, trainee_id)
        assert trainee is not None
        assert (trainee.name, trainee.id_number, trainee.phone) == ("王伟", WANG, "13800001111")
        assert trainee.gender == "男"
        assert trainee.origin == "12140000676444728G"
        assert trainee.revision == 1


def test_a_bad_id_number_is_refused_and_nothing_is_written(school: Database) -> None:
    with school.session() as session, pytest.raises(ValidationFailed) as refused:
        save_trainee(session, None, TraineeFields(name="王伟", id_number=WANG[:-1]), today=TODAY)
    assert [e.field for e in refused.value.errors] == ["id_number"]
    assert "应为18位" in refused.value.errors[0].message
    assert count(school, Trainee) == 0


def test_a_duplicate_id_number_names_the_existing_trainee(school: Database) -> None:
    first = save(school, TraineeFields(name="王伟", id_number=WANG))
    with school.session() as session, pytest.raises(ValidationFailed) as refused:
        save_trainee(session, None, TraineeFields(name="王小伟", id_number=WANG.lower()))
    (error,) = refused.value.errors
    assert isinstance(error, DuplicateIdNumber)
    assert (error.existing_id, error.existing_name) == (first, "王伟")
    assert "王伟" in str(error) and WANG not in str(error)
    assert count(school, Trainee) == 1


def test_editing_keeps_the_own_id_number_and_bumps_the_revision(school: Database) -> None:
    trainee_id = save(school, TraineeFields(name="王伟", id_number=WANG))
    save(school, TraineeFields(name="王伟", id_number=WANG, major="数控技术"), trainee_id)
    with school.session() as session:
        trainee = session.get(Trainee, trainee_id)
        assert trainee is not None
        assert (trainee.major, trainee.revision) == ("数控技术", 2)
        assert trainee_fields(trainee).major == "数控技术"


def test_editing_into_another_trainees_id_number_is_refused(school: Database) -> None:
    save(school, TraineeFields(name="王伟", id_number=WANG))
    li = save(school, TraineeFields(name="李娜", id_number=LI))
    with school.session() as session, pytest.raises(ValidationFailed) as refused:
        save_trainee(session, li, TraineeFields(name="李娜", id_number=WANG))
    assert isinstance(refused.value.errors[0], DuplicateIdNumber)


def test_a_trainee_reported_by_another_institution_is_read_only(school: Database) -> None:
    with school.session() as session:
        other = Trainee(name="赵刚", id_number=LI, origin="52140100MJY1234567")
        session.add(other)
        session.commit()
        other_id = other.id
    with school.session() as session, pytest.raises(ValidationFailed) as refused:
        save_trainee(session, other_id, TraineeFields(name="赵刚", id_number=LI))
    assert "其他机构" in refused.value.errors[0].message
    with school.session() as session, pytest.raises(ValidationFailed):
        delete_trainees(session, [other_id])


def test_the_same_person_may_be_a_trainee_elsewhere(school: Database) -> None:
    with school.session() as session:
        session.add(Trainee(name="王伟", id_number=WANG, origin="52140100MJY1234567"))
        session.commit()
    save(school, TraineeFields(name="王伟", id_number=WANG))
    with school.session() as session:
        found = find_by_id_number(session, WANG)
        assert found is not None and found.origin == "12140000676444728G"


def _with_certificate_and_class(db: Database, trainee_id: int) -> int:
    with db.session() as session:
        session.add(
            Certificate(
                trainee_id=trainee_id,
                cert_type="职业技能等级证书（含1+X）",
                occupation="电工",
                level="三级/高级工",
                number="S000014000000012345",
                issue_date=date(2021, 6, 30),
            )
        )
        klass = TrainingClass(
            name="光伏运维定向班",
            industry_code="E05",
            start_date=date(2021, 6, 1),
            end_date=date(2021, 9, 30),
        )
        session.add(klass)
        session.flush()
        session.add(Enrolment(class_id=klass.id, trainee_id=trainee_id, voucher_issued=True))
        session.commit()
        return klass.id


def test_delete_writes_tombstones_and_undo_restores_the_same_rows(school: Database) -> None:
    trainee_id = save(school, TraineeFields(name="王伟", id_number=WANG))
    _with_certificate_and_class(school, trainee_id)
    with school.session() as session:
        before = {t.uuid for t in session.scalars(select(Trainee))}
        before |= {c.uuid for c in session.scalars(select(Certificate))}
        before |= {e.uuid for e in session.scalars(select(Enrolment))}

    with school.session() as session:
        snapshot = delete_trainees(session, [trainee_id, trainee_id, 999_999])
        session.commit()
    assert (snapshot.count, snapshot.names) == (1, ("王伟",))
    assert count(school, Trainee) == count(school, Certificate) == count(school, Enrolment) == 0
    with school.session() as session:
        tombs = {t.uuid: t for t in session.scalars(select(Tombstone))}
    assert set(tombs) == before
    assert {t.entity for t in tombs.values()} == {"trainees", "certificates", "enrolments"}

    with school.session() as session:
        assert restore_trainees(session, snapshot) == [trainee_id]
        session.commit()
    with school.session() as session:
        trainee = session.get(Trainee, trainee_id)
        assert trainee is not None and trainee.name == "王伟"
        after = {t.uuid for t in session.scalars(select(Trainee))}
        after |= {c.uuid for c in session.scalars(select(Certificate))}
        enrolment = session.scalar(select(Enrolment))
        assert enrolment is not None and enrolment.voucher_issued
        after.add(enrolment.uuid)
        assert after == before
        assert trainee.revision > tombs[trainee.uuid].revision
        assert session.scalar(select(func.count()).select_from(Tombstone)) == 0
        details = trainee_details(session, trainee_id)
    assert details is not None and details.editable
    assert [c.counts_as for c in details.certificates] == ["高级工"]
    assert [k.name for k in details.classes] == ["光伏运维定向班"]


def test_undo_takes_a_new_id_when_the_old_one_was_reused(school: Database) -> None:
    trainee_id = save(school, TraineeFields(name="王伟", id_number=WANG))
    with school.session() as session:
        snapshot = delete_trainees(session, [trainee_id])
        session.commit()
    reused = save(school, TraineeFields(name="李娜", id_number=LI))
    assert reused == trainee_id  # SQLite hands out the freed highest rowid again
    with school.session() as session:
        (restored,) = restore_trainees(session, snapshot)
        session.commit()
    assert restored != trainee_id
    with school.session() as session:
        assert session.get(Trainee, restored).name == "王伟"  # type: ignore[union-attr]


def test_undo_is_refused_when_the_id_number_was_entered_again(school: Database) -> None:
    trainee_id = save(school, TraineeFields(name="王伟", id_number=WANG))
    with school.session() as session:
        snapshot = delete_trainees(session, [trainee_id])
        session.commit()
    save(school, TraineeFields(name="王伟", id_number=WANG))
    with school.session() as session, pytest.raises(ValidationFailed) as refused:
        restore_trainees(session, snapshot)
    assert "无法恢复“王伟”" in refused.value.errors[0].message
    assert count(school, Trainee) == 1
    assert count(school, Tombstone) == 1


def test_roster_places_of_a_deleted_class_are_not_restored(school: Database) -> None:
    trainee_id = save(school, TraineeFields(name="王伟", id_number=WANG))
    class_id = _with_certificate_and_class(school, trainee_id)
    with school.session() as session:
        snapshot = delete_trainees(session, [trainee_id])
        session.delete(session.get(TrainingClass, class_id))
        session.commit()
    with school.session() as session:
        restore_trainees(session, snapshot)
        session.commit()
    assert (count(school, Trainee), count(school, Certificate), count(school, Enrolment)) == (
        1,
        1,
        0,
    )


def test_too_many_at_once_is_refused(school: Database) -> None:
    with school.session() as session, pytest.raises(ValidationFailed) as refused:
        delete_trainees(session, list(range(1, MAX_DELETE + 2)))
    assert "一次最多删除" in refused.value.errors[0].message
