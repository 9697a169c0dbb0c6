"""Fixtures for package tests: a school with demo data, bureaus with their keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.demo import create_demo
from core.institution import Profile, local_institution
from core.packages.keys import LocalKeys
from models.database import open_database
from tests.core.packages.sites import (
    CITY,
    OTHER_CITY,
    PROVINCE,
    Site,
    bureau_keys_for,
    make_bureau_keys,
    make_site,
)
from tests.core.packages.trust_world import Speaker, World, bureau_recipient, school_speaker

DEMO_TRAINEES = 40


@pytest.fixture(scope="session")
def all_bureau_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bureau_keys(tmp_path_factory.mktemp("bureau-keys"))


@pytest.fixture
def school(tmp_path: Path, template_db: Path) -> Iterator[Site]:
    folder = tmp_path / "school"
    folder.mkdir()
    path = folder / "certdesk.sqlite3"
    path.write_bytes(template_db.read_bytes())
    database = open_database(path)
    with database.session() as session:
        create_demo(session, trainees=DEMO_TRAINEES)
        session.commit()
        institution = local_institution(session)
        assert institution is not None
        uscc, name, division = institution.uscc, institution.name, institution.division_code
    keys = LocalKeys(folder / "keys", uscc, "school")
    site = Site(database, keys, folder, uscc, name, division)
    yield site
    database.close()


def _bureau(tmp_path: Path, template_db: Path, all_keys: Path, profile: Profile) -> Site:
    keys = bureau_keys_for(all_keys, profile, tmp_path / "key-copies")
    return make_site(tmp_path / f"{profile.role}-{profile.uscc}", template_db, profile, keys)


@pytest.fixture
def city(tmp_path: Path, template_db: Path, all_bureau_keys: Path) -> Iterator[Site]:
    site = _bureau(tmp_path, template_db, all_bureau_keys, CITY)
    yield site
    site.database.close()


@pytest.fixture
def other_city(tmp_path: Path, template_db: Path, all_bureau_keys: Path) -> Iterator[Site]:
    site = _bureau(tmp_path, template_db, all_bureau_keys, OTHER_CITY)
    yield site
    site.database.close()


@pytest.fixture
def province(tmp_path: Path, template_db: Path, all_bureau_keys: Path) -> Iterator[Site]:
    site = _bureau(tmp_path, template_db, all_bureau_keys, PROVINCE)
    yield site
    site.database.close()


@pytest.fixture
def linked(school: Site, city: Site) -> tuple[Site, Site]:
    """A school that has imported its city bureau's public key."""
    school.trust(city)
    return school, city


@pytest.fixture
def world(city: Site, tmp_path: Path) -> World:
    """The city bureau receiving packages built by the forger (tests/core/packages/forger.py)."""
    return World(city, tmp_path / "packages", bureau_recipient(city, tmp_path / "city-key"))


@pytest.fixture
def a_and_b(world: World) -> tuple[Speaker, Speaker]:
    """School A (the attacker) and school B, both known to the city from a genuine package."""
    a, b = school_speaker(1), school_speaker(2, "140106")
    world.introduce(a)
    world.introduce(b, trainees=3)
    return a, b
