"""The importer's SQL on each backend: a bureau's database may live on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from core.packages.conflicts import open_conflicts, resolve_conflict
from core.packages.format import PackageError
from core.packages.importer import DUPLICATE, IMPORTED
from core.packages.overview import institutions_overview, people_at_several_schools
from models.trainee import Trainee
from tests.core.packages.sites import (
    CITY,
    Site,
    bureau_keys_for,
    dump,
    edit_school,
    site_on,
    synced_content,
)


@pytest.fixture
def bureau(any_database, tmp_path: Path, all_bureau_keys: Path) -> Iterator[Site]:
    keys = bureau_keys_for(all_bureau_keys, CITY, tmp_path / "key-copies")
    yield site_on(any_database, tmp_path / "bureau", CITY, keys)


def test_import_on_each_backend(school: Site, bureau: Site, tmp_path: Path) -> None:
    school.trust(bureau)
    out = tmp_path / "out"
    first = school.export(out)
    edit_school(school)
    second = school.export(out)
    edit_school(school, employer="山西焦煤集团")
    third = school.export(out)

    assert bureau.import_(first.path, dry_run=True).total().new == first.total_records
    assert bureau.import_(first.path).status == IMPORTED
    before = dump(bureau.database)
    with pytest.raises(PackageError, match="缺少第2号数据包"):
        bureau.import_(third.path)
    assert dump(bureau.database) == before
    bureau.import_(second.path)
    bureau.import_(third.path)
    assert bureau.import_(third.path).status == DUPLICATE
    assert synced_content(bureau.database, school.uscc) == synced_content(
        school.database, school.uscc
    )
    upward = bureau.export(out, unencrypted=True)
    assert upward.manifest.record_counts["trainees"] == len(
        synced_content(school.database, school.uscc)["trainees"]
    )


def test_conflicts_and_views_on_each_backend(school: Site, bureau: Site, tmp_path: Path) -> None:
    school.trust(bureau)
    out = tmp_path / "out"
    bureau.import_(school.export(out).path)
    with bureau.database.session() as session:
        trainee = session.scalars(select(Trainee).order_by(Trainee.uuid).limit(1)).one()
        uuid, employer = trainee.uuid, trainee.employer
        session.execute(update(Trainee).where(Trainee.uuid == uuid).values(employer="改动"))
        session.commit()
    cut = tmp_path / "cut.certpkg"
    full = school.export(out, full=True)
    cut.write_bytes(full.path.read_bytes()[:-10])
    before = dump(bureau.database)
    with pytest.raises(PackageError, match="不完整"):
        bureau.import_(cut)
    assert dump(bureau.database) == before
    assert bureau.import_(full.path).counts["trainees"].conflicts == 1
    with bureau.database.session() as session:
        [conflict] = open_conflicts(session)
        resolve_conflict(session, conflict.id, take_incoming=True)
        session.commit()
        assert session.scalars(select(Trainee.employer).where(Trainee.uuid == uuid)).one() == (
            employer
        )
        [status] = institutions_overview(session)
        assert status.uscc == school.uscc and status.open_conflicts == 0
        assert people_at_several_schools(session) == []
