"""The schema and the bookkeeping behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from core.institution import register_local_institution
from models import Tombstone, Trainee
from tests.conftest import SCHOOL


def test_bookkeeping_on_each_backend(any_database) -> None:
    with any_database.session() as session:
        institution, _ = register_local_institution(session, SCHOOL)
        trainee = Trainee(name="王芳", gender="女", id_number="140105199003071226")
        session.add(trainee)
        session.commit()
        assert trainee.origin == institution.uscc == institution.origin
        assert trainee.revision == 1
        trainee.phone = "13800138000"
        session.commit()
        assert trainee.revision == 2
        uuid = trainee.uuid
        session.delete(trainee)
        session.commit()
        tombstone = session.scalar(select(Tombstone).where(Tombstone.uuid == uuid))
        assert tombstone is not None
        assert (tombstone.entity, tombstone.revision, tombstone.origin) == (
            "trainees",
            3,
            institution.uscc,
        )


def test_unchanged_flush_does_not_bump_revision(school) -> None:
    with school.session() as session:
        trainee = Trainee(name="李强", id_number="140105199003071226")
        session.add(trainee)
        session.commit()
        trainee.name = "李强"
        session.commit()
        assert trainee.revision == 1
