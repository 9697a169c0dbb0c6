"""Shared fixtures: a fresh database per test, built from one migrated template file.

Copying a template is much faster than creating and stamping a schema for every test (Anki's
habit), and each test still gets a database of its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.institution import Profile, register_local_institution
from models.database import Database, open_database

SCHOOL = Profile(
    name="山西机械高级技工学校",
    uscc="12140000676444728G",
    category="技工院校",
    division_code="140109",
    address="山西省太原市万柏林区玉河街23号",
    admin_name="张乐",
    contact_name="张乐",
    contact_phone="15500001365",
    training_capacity=500,
)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    open_database(path).close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, template_db: Path) -> Path:
    path = tmp_path / "certdesk.sqlite3"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    db = open_database(db_path)
    yield db
    db.close()


@pytest.fixture
def school(database: Database) -> Database:
    """A database whose local institution is registered: most features need one."""
    with database.session() as session:
        register_local_institution(session, SCHOOL)
        session.commit()
    return database
