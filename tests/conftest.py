"""Shared fixtures: a fresh database per test, built from one migrated template file.

Copying a template is much faster than creating and stamping a schema for every test (Anki's
habit), and each test still gets a database of its own.
"""

from __future__ import annotations

import os
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


def school_database(database: Database) -> Database:
    """``database`` with the local institution registered: most features need one."""
    with database.session() as session:
        register_local_institution(session, SCHOOL)
        session.commit()
    return database


@pytest.fixture
def school(database: Database) -> Database:
    """A database whose local institution is registered (tests/core/packages has a ``school``
    of its own, a whole site; its tests use ``school_database``)."""
    return school_database(database)


def _postgres_database(base_url: str) -> Iterator[Database]:
    """A fresh database on the test server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from models.base import new_uuid

    name = f"t_{new_uuid()[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    db = open_database(make_url(base_url).set(database=name).render_as_string(False))
    try:
        yield db
    finally:
        db.close()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Database]:
    """The same test on the embedded SQLite file and on a PostgreSQL server (a bureau's setup).

    scripts/test starts the server and sets CERTDESK_TEST_PG_URL; a run without it reports
    the PostgreSQL half as skipped, never as passed.
    """
    if request.param == "sqlite":
        db = open_database(db_path)
        yield db
        db.close()
        return
    url = os.environ.get("CERTDESK_TEST_PG_URL")
    if not url:
        pytest.skip("CERTDESK_TEST_PG_URL not set: run scripts/test to test on PostgreSQL")
    yield from _postgres_database(url)


#: Mode bits mean nothing on Windows: there the profile folder's ACL keeps files private.
posix_only = pytest.mark.skipif(
    os.name != "posix", reason="Windows: the profile's ACL, not mode bits (docs/DATA-SAFETY.md)"
)
