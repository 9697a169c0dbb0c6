"""Trainee use cases: each one transaction with its audit entries, or a refusal that writes
nothing; numbers masked in what is shown, full only through the audited reveal."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from application import trainees
from application.trainees import KEEP, TraineeEdit
from core.fields import ValidationFailed
from core.identity.idcard import id_check_char
from core.safety.audit import REVEALED
from core.trainees.checks import TraineeFields
from core.trainees.records import DeletionPreview, DuplicateIdNumber
from models.audit import AuditEntry
from models.audit_hook import ADDED, CHANGED, DELETED
from models.database import Database
from models.sync import Tombstone
from models.trainee import Certificate, Trainee
from models.training import Enrolment, TrainingClass

TODAY = date(2025, 6, 30)


def make_id(born: str, serial: int) -> str:
    first17 = f"140105{born}{serial:03d}"
    return first17 + id_check_char(first17)


WANG = make_id("20030105", 11)  # odd sequence: a man
LI = make_id("20040202", 12)  # even: a woman
PHONE = "13800001111"


def audit(db: Database) -> list[tuple[str, str, str | None]]:
    """(action, entity, record uuid) of every entry, oldest first."""
    with db.session() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.entity, AuditEntry.record_uuid)
            .where(AuditEntry.entity != "institutions")
            .order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def add_wang(db: Database, **changes: object) -> trainees.SavedTrainee:
    values: dict[str, object] = {"name": "王伟", "id_number": WANG, "phone": PHONE}
    values.update(changes)
    return trainees.add_trainee(db, TraineeFields(**values), today=TODAY)  # type: ignore[arg-type]


# --- add ----------------------------------------------------------------------------------


def test_add_stores_the_normalised_trainee_with_one_audit_entry(school: Database) -> None:
    saved = add_wang(school, name=" 王 伟 ", id_number=WANG.lower(), graduation_year=2024)
    with school.session() as session:
        stored = session.get(Trainee, saved.trainee_id)
        assert stored is not None
        assert (stored.name, stored.id_number, stored.gender) == ("王伟", WANG, "男")
        assert stored.uuid == saved.uuid
    assert audit(school) == [(ADDED, "trainees", saved.uuid)]
    assert saved.warnings == ()


def test_a_bad_trainee_is_refused_with_field_errors_and_nothing_written(
    school: Database,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_wang(school, name="王伟2", id_number=WANG[:-1] + "0", phone="12345")
    fields = {e.field for e in refused.value.errors}
    assert fields == {"name", "id_number", "phone"}
    assert "身份证号: 校验位不符" in str(refused.value)
    assert count(school, Trainee) == 0
    assert audit(school) == []


def test_a_duplicate_id_number_is_refused_with_the_existing_message(school: Database) -> None:
    first = add_wang(school)
    with pytest.raises(ValidationFailed) as refused:
        add_wang(school, name="王小伟", id_number=WANG.lower())
    (error,) = refused.value.errors
    assert isinstance(error, DuplicateIdNumber)
    assert error.existing_id == first.trainee_id
    assert str(error) == "身份证号: 已登记为学员“王伟”，同一人不能重复录入"
    assert count(school, Trainee) == 1
    assert len(audit(school)) == 1


def test_without_a_registered_institution_nothing_can_be_added(database: Database) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_wang(database)
    assert str(refused.value) == "本机构: 尚未登记：请先完成初始设置（init）"
    assert count(database, Trainee) == 0


# --- edit ---------------------------------------------------------------------------------


def test_edit_changes_what_it_names_and_keeps_the_rest(school: Database) -> None:
    saved = add_wang(school, major="数控技术", graduation_year=2024)
    trainees.edit_trainee(school, saved.trainee_id, TraineeEdit(class_name="数控2101"))
    with school.session() as session:
        stored = session.get(Trainee, saved.trainee_id)
        assert stored is not None
        assert (stored.id_number, stored.phone, stored.major) == (WANG, PHONE, "数控技术")
        assert (stored.class_name, stored.graduation_year, stored.revision) == ("数控2101", 2024, 2)
    assert audit(school)[-1] == (CHANGED, "trainees", saved.uuid)
    trainees.edit_trainee(school, saved.trainee_id, TraineeEdit(graduation_year=None, phone=""))
    with school.session() as session:
        stored = session.get(Trainee, saved.trainee_id)
        assert stored is not None and (stored.graduation_year, stored.phone) == (None, "")


def test_gender_follows_a_changed_id_number(school: Database) -> None:
    saved = add_wang(school)
    trainees.edit_trainee(school, saved.trainee_id, TraineeEdit(name="李娜", id_number=LI))
    with school.session() as session:
        stored = session.get(Trainee, saved.trainee_id)
        assert stored is not None and (stored.id_number, stored.gender) == (LI, "女")


def test_a_refused_edit_changes_nothing(school: Database) -> None:
    wang = add_wang(school)
    li = trainees.add_trainee(school, TraineeFields(name="李娜", id_number=LI), today=TODAY)
    entries = audit(school)
    with pytest.raises(ValidationFailed) as refused:
        trainees.edit_trainee(school, li.trainee_id, TraineeEdit(name="李", id_number=WANG))
    assert isinstance(refused.value.errors[0], DuplicateIdNumber)
    with pytest.raises(ValidationFailed, match="不存在"):
        trainees.edit_trainee(school, 999, TraineeEdit(name="赵敏"))
    with school.session() as session:
        assert session.get(Trainee, li.trainee_id).name == "李娜"  # type: ignore[union-attr]
        assert session.get(Trainee, wang.trainee_id).revision == 1  # type: ignore[union-attr]
    assert audit(school) == entries


def test_another_institutions_trainee_cannot_be_edited_or_deleted(school: Database) -> None:
    with school.session() as session:
        other = Trainee(name="赵刚", id_number=LI, origin="52140100MJY1234567")
        session.add(other)
        session.commit()
        other_id = other.id
    with pytest.raises(ValidationFailed, match="其他机构"):
        trainees.edit_trainee(school, other_id, TraineeEdit(major="电工"))
    with pytest.raises(ValidationFailed, match="其他机构"):
        trainees.delete_trainees(school, [other_id])
    assert count(school, Trainee) == 1


# --- checking as typed --------------------------------------------------------------------


def test_the_form_check_finds_a_duplicate_and_reads_the_id_number(school: Database) -> None:
    wang = add_wang(school)
    entries = audit(school)
    checked = trainees.check_trainee_input(
        school, None, TraineeEdit(name="王小伟", id_number=WANG.lower())
    )
    assert [type(e) for e in checked.errors] == [DuplicateIdNumber]
    assert (checked.gender, checked.birth_date) == ("男", date(2003, 1, 5))
    assert checked.region is not None and checked.region.endswith("小店区")
    own = trainees.check_trainee_input(school, wang.trainee_id, TraineeEdit(id_number=KEEP))
    assert own.errors == () and own.gender == "男"
    blank = trainees.check_trainee_input(school, None, TraineeEdit())
    assert {e.field for e in blank.errors} == {"name", "id_number"}
    assert blank.birth_date is None
    assert audit(school) == entries


# --- delete and undo ----------------------------------------------------------------------


@pytest.fixture
def li_na(school: Database) -> int:
    """A trainee with a certificate and a place on a class roster."""
    saved = trainees.add_trainee(school, TraineeFields(name="李娜", id_number=LI), today=TODAY)
    with school.session() as session:
        klass = TrainingClass(
            name="光伏运维定向班",
            industry_code="E05",
            start_date=date(2026, 3, 2),
            end_date=date(2026, 6, 1),
        )
        session.add(klass)
        session.flush()
        session.add(Enrolment(class_id=klass.id, trainee_id=saved.trainee_id))
        session.add(
            Certificate(
                trainee_id=saved.trainee_id,
                cert_type="职业资格证书",
                occupation="注册安全工程师",
                level="",
                number="ZG2026000123",
            )
        )
        session.commit()
    return saved.trainee_id


def test_delete_then_undo_restores_the_same_rows(school: Database, li_na: int) -> None:
    with school.session() as session:
        uuid = session.get(Trainee, li_na).uuid  # type: ignore[union-attr]
    preview = trainees.deletion_preview(school, [li_na, li_na])
    assert preview == DeletionPreview(1, ("李娜",), 1, 1)
    before = len(audit(school))
    snapshot = trainees.delete_trainees(school, [li_na])
    assert (snapshot.count, len(snapshot.certificates), len(snapshot.enrolments)) == (1, 1, 1)
    assert count(school, Trainee) == count(school, Certificate) == count(school, Enrolment) == 0
    assert count(school, Tombstone) == 3
    deleted = audit(school)[before:]
    assert sorted(entity for action, entity, _ in deleted if action == DELETED) == [
        "certificates",
        "enrolments",
        "trainees",
    ]
    restored = trainees.undo_deletion(school, snapshot)
    assert restored == [li_na]
    with school.session() as session:
        assert session.get(Trainee, li_na).uuid == uuid  # type: ignore[union-attr]
    assert count(school, Certificate) == count(school, Enrolment) == 1
    assert count(school, Tombstone) == 0
    assert (ADDED, "trainees", uuid) in audit(school)[before + len(deleted) :]


def test_an_undo_that_would_collide_writes_nothing(school: Database, li_na: int) -> None:
    snapshot = trainees.delete_trainees(school, [li_na])
    trainees.add_trainee(school, TraineeFields(name="李娜", id_number=LI), today=TODAY)
    entries = audit(school)
    with pytest.raises(ValidationFailed, match="无法恢复"):
        trainees.undo_deletion(school, snapshot)
    assert count(school, Trainee) == 1 and count(school, Certificate) == 0
    assert audit(school) == entries


# --- showing, listing, revealing ----------------------------------------------------------


def test_show_masks_the_numbers(school: Database, li_na: int) -> None:
    shown = trainees.show_trainee(school, li_na)
    assert shown is not None
    assert shown.id_number == f"140105********{LI[-4:]}"
    assert LI not in repr(shown)
    assert [c.number for c in shown.certificates] == ["ZG2026000123"]
    assert [k.name for k in shown.classes] == ["光伏运维定向班"]
    assert shown.editable and shown.owner == "山西机械高级技工学校"
    assert trainees.show_trainee(school, 999) is None


def test_list_searches_like_the_table_and_masks(school: Database, li_na: int) -> None:
    wang = add_wang(school)
    rows = trainees.list_trainees(school)
    assert [r.name for r in rows] == ["王伟", "李娜"]  # newest first
    assert rows[0].phone == "138****1111" and rows[0].id_number.count("*") == 8
    assert [r.name for r in trainees.list_trainees(school, "李")] == ["李娜"]
    assert [r.name for r in trainees.list_trainees(school, WANG[-6:].lower())] == ["王伟"]
    assert [r.name for r in trainees.list_trainees(school, "1380000")] == ["王伟"]
    assert [r.trainee_id for r in trainees.list_trainees(school, without_certificate=True)] == [
        wang.trainee_id
    ]
    assert [r.certificates for r in rows] == [0, 1]
    assert len(trainees.list_trainees(school, limit=1)) == 1


def reveals(db: Database) -> list[tuple[str | None, str]]:
    with db.session() as session:
        rows = session.execute(
            select(AuditEntry.record_uuid, AuditEntry.detail).where(AuditEntry.action == REVEALED)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_reveal_hands_out_the_number_and_writes_exactly_one_entry(school: Database) -> None:
    wang = add_wang(school)
    assert trainees.reveal_full_number(school, wang.trainee_id, "id_number", "学员编辑窗口") == WANG
    assert reveals(school) == [(wang.uuid, "学员编辑窗口")]
    assert trainees.reveal_full_number(school, wang.trainee_id, "phone", "学员编辑窗口") == PHONE
    assert len(reveals(school)) == 2
    trainees.reveal_listed_numbers(school, "学员列表：显示完整号码")
    assert reveals(school)[-1] == (None, "学员列表：显示完整号码")
    with pytest.raises(ValidationFailed):
        trainees.reveal_full_number(school, 999, "id_number", "学员编辑窗口")
    assert len(reveals(school)) == 3


def test_the_pickers_find_this_institutions_trainees(school: Database) -> None:
    wang = add_wang(school)
    [hit] = trainees.find_trainees(school, WANG[-4:])
    assert hit.id == wang.trainee_id
    assert trainees.picked_trainee(school, wang.trainee_id) == hit
    assert trainees.picked_trainee(school, 999) is None
