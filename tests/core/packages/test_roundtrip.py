"""Packages that should go through: school → city → province, increments, chains, duplicates."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from core.packages.format import FULL, INCREMENTAL, PackageError
from core.packages.importer import DRY_RUN, DUPLICATE, IMPORTED
from core.packages.overview import institutions_overview, people_at_several_schools
from core.packages.trust import FINGERPRINT_SETTING, setting, trusted_key
from models.database import open_database
from models.exchange import ExchangePackage, SentRevision
from models.trainee import Trainee
from tests.core.packages.sites import (
    SCHOOL_B,
    Site,
    dump,
    edit_school,
    make_site,
    synced_content,
    trainee_count,
)

SHARED_ID = "140105199003071226"


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (a file copy would miss the WAL)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def test_round_trip_school_to_city_to_province(
    linked: tuple[Site, Site], province: Site, tmp_path: Path
) -> None:
    school, city = linked
    city.trust(province)
    out = tmp_path / "out"

    first = school.export(out)
    manifest = first.manifest
    assert manifest.kind == FULL and manifest.sequence == 1 and manifest.follows is None
    assert manifest.sealing is not None and manifest.sealing.recipient_uscc == city.uscc
    assert first.path.name == f"{school.uscc}_{date.today():%Y%m%d}_0001.certpkg"
    assert first.path.parent == out and sorted(p.name for p in out.iterdir()) == [first.path.name]
    received = city.import_(first.path)
    assert received.status == IMPORTED
    assert received.total().new == first.total_records
    assert synced_content(city.database, school.uscc) == synced_content(
        school.database, school.uscc
    )

    changed = edit_school(school)
    second = school.export(out)
    assert second.manifest.kind == INCREMENTAL and second.manifest.follows == 1
    assert second.manifest.record_counts["trainees"] == 1
    assert second.manifest.record_counts["tombstones"] == 1
    counts = city.import_(second.path).counts
    assert (counts["trainees"].updated, counts["trainees"].deleted) == (1, 1)
    assert counts["certificates"].new == 1
    assert synced_content(city.database, school.uscc) == synced_content(
        school.database, school.uscc
    )

    upward = city.export(out)
    assert upward.manifest.sender.uscc == city.uscc and upward.manifest.sender.role == "city"
    assert upward.manifest.sealing is not None
    assert upward.manifest.sealing.recipient_uscc == province.uscc
    assert province.import_(upward.path).status == IMPORTED
    assert synced_content(province.database, school.uscc) == synced_content(
        school.database, school.uscc
    )
    assert (
        synced_content(province.database, city.uscc)["institutions"]
        == synced_content(city.database, city.uscc)["institutions"]
    )

    # The next change travels the whole way as increments, deletions included.
    edit_school(school, employer="山西焦煤集团")
    city.import_(school.export(out).path)
    onward = city.export(out)
    assert (
        onward.manifest.kind == INCREMENTAL and onward.manifest.follows == upward.manifest.sequence
    )
    assert onward.manifest.record_counts["trainees"] == 1
    province.import_(onward.path)
    assert synced_content(province.database, school.uscc) == synced_content(
        school.database, school.uscc
    )
    with province.database.session() as session:
        assert session.scalar(select(Trainee).where(Trainee.uuid == changed["deleted"])) is None
        overview = {row.uscc: row for row in institutions_overview(session)}
    assert overview[city.uscc].last_sequence == onward.manifest.sequence
    assert overview[school.uscc].trainees == trainee_count(school.database)
    assert overview[school.uscc].last_sequence is None  # it came through the city


def test_the_same_package_twice_changes_nothing(linked: tuple[Site, Site], tmp_path: Path) -> None:
    school, city = linked
    package = school.export(tmp_path / "out").path
    assert city.import_(package).status == IMPORTED
    before = dump(city.database)
    again = city.import_(package)
    assert again.status == DUPLICATE and again.duplicate_imported_at
    assert dump(city.database) == before
    copy = tmp_path / "renamed.certpkg"
    copy.write_bytes(package.read_bytes())
    assert city.import_(copy).status == DUPLICATE  # recognised by content, not by file name


def test_dry_run_counts_and_writes_nothing(linked: tuple[Site, Site], tmp_path: Path) -> None:
    school, city = linked
    package = school.export(tmp_path / "out")
    before = dump(city.database)
    outcome = city.import_(package.path, dry_run=True)
    assert outcome.status == DRY_RUN
    assert outcome.total().new == package.total_records
    assert outcome.counts["trainees"].new == package.manifest.record_counts["trainees"]
    assert dump(city.database) == before
    assert city.import_(package.path).total().as_dict() == outcome.total().as_dict()


def test_packages_out_of_order_and_with_a_gap(linked: tuple[Site, Site], tmp_path: Path) -> None:
    school, city = linked
    out = tmp_path / "out"
    first = school.export(out)
    edit_school(school)
    second = school.export(out)
    edit_school(school, employer="大同煤矿集团")
    third = school.export(out)

    before = dump(city.database)
    with pytest.raises(PackageError, match="缺少第1号数据包"):
        city.import_(second.path)
    assert dump(city.database) == before

    city.import_(first.path)
    before = dump(city.database)
    with pytest.raises(PackageError, match="缺少第2号数据包"):
        city.import_(third.path)
    assert dump(city.database) == before

    city.import_(second.path)
    city.import_(third.path)
    assert synced_content(city.database, school.uscc) == synced_content(
        school.database, school.uscc
    )
    assert city.import_(second.path).status == DUPLICATE


def test_a_full_package_resets_the_baseline(linked: tuple[Site, Site], tmp_path: Path) -> None:
    school, city = linked
    out = tmp_path / "out"
    city.import_(school.export(out).path)
    edit_school(school)
    skipped = school.export(out)
    edit_school(school, employer="潞安化工集团")
    edit_school(school, employer="晋能控股集团")
    skipped_too = school.export(out)
    full = school.export(out, full=True)
    assert full.manifest.kind == FULL and full.manifest.sequence == 4

    assert city.import_(full.path).status == IMPORTED
    assert synced_content(city.database, school.uscc) == synced_content(
        school.database, school.uscc
    )
    before = dump(city.database)
    for stale in (skipped, skipped_too):
        with pytest.raises(PackageError, match="已包含在后来的数据包中"):
            city.import_(stale.path)
    assert dump(city.database) == before


def test_a_package_with_no_changes_is_empty_but_chains(
    linked: tuple[Site, Site], tmp_path: Path
) -> None:
    school, city = linked
    out = tmp_path / "out"
    city.import_(school.export(out).path)
    empty = school.export(out)
    assert empty.manifest.kind == INCREMENTAL and empty.total_records == 0
    outcome = city.import_(empty.path)
    assert outcome.status == IMPORTED and outcome.total().as_dict() == {
        "new": 0,
        "updated": 0,
        "deleted": 0,
        "unchanged": 0,
        "conflicts": 0,
    }


def test_increments_do_not_depend_on_the_clock(linked: tuple[Site, Site], tmp_path: Path) -> None:
    """A PC whose clock was reset to 2000 still sends the rows it changes."""
    school, city = linked
    out = tmp_path / "out"
    city.import_(school.export(out).path)
    with school.database.session() as session:
        first = session.scalars(select(Trainee).order_by(Trainee.id).limit(1)).one()
        session.execute(
            update(Trainee)
            .where(Trainee.id == first.id)
            .values(
                major="机电一体化", revision=Trainee.revision + 1, updated_at=datetime(2000, 1, 1)
            )
        )
        session.commit()
    package = school.export(out)
    assert package.manifest.record_counts["trainees"] == 1
    assert city.import_(package.path).counts["trainees"].updated == 1


def test_unencrypted_only_by_explicit_choice(school: Site, city: Site, tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="尚未导入上级教育局的公钥"):
        school.export(tmp_path / "out")
    assert not list((tmp_path / "out").iterdir())
    with school.database.session() as session:
        assert session.scalar(select(ExchangePackage)) is None
    package = school.export(tmp_path / "out", unencrypted=True)
    assert package.manifest.sealing is None
    outcome = city.import_(package.path)
    assert any("未加密" in notice for notice in outcome.notices)


def test_first_contact_shows_the_fingerprint_and_is_remembered(
    linked: tuple[Site, Site], tmp_path: Path
) -> None:
    school, city = linked
    package = school.export(tmp_path / "out")
    fingerprint = package.manifest.sender.fingerprint
    with school.database.session() as session:
        assert setting(session, FINGERPRINT_SETTING) == fingerprint
    preview = city.import_(package.path, dry_run=True)
    assert any(fingerprint in notice and "首次" in notice for notice in preview.notices)
    with city.database.session() as session:
        assert trusted_key(session, school.uscc, "signing") is None  # a dry run trusts nobody
    city.import_(package.path)
    with city.database.session() as session:
        known = trusted_key(session, school.uscc, "signing")
        assert known is not None and known.fingerprint == fingerprint
        assert known.source == "package"


def test_the_same_person_at_two_schools_is_kept_apart(
    linked: tuple[Site, Site], tmp_path: Path, template_db: Path
) -> None:
    school, city = linked
    other = make_site(tmp_path / "school-b", template_db, SCHOOL_B)
    other.trust(city)
    with school.database.session() as session:
        person = session.scalars(select(Trainee).limit(1)).one()
        person.id_number = SHARED_ID
        session.commit()
    with other.database.session() as session:
        session.add(Trainee(name="王芳", gender="女", id_number=SHARED_ID, identity="企业职工"))
        session.commit()
    out = tmp_path / "out"
    city.import_(school.export(out).path)
    city.import_(other.export(out).path)
    with city.database.session() as session:
        holders = session.scalars(select(Trainee).where(Trainee.id_number == SHARED_ID)).all()
        assert sorted(t.origin for t in holders) == sorted([school.uscc, other.uscc])
        [shared] = people_at_several_schools(session)
    assert shared.masked_id == "140105********1226"
    assert set(shared.schools) == {school.name, other.name}
    other.database.close()


def test_conflicts_are_kept_not_overwritten(linked: tuple[Site, Site], tmp_path: Path) -> None:
    """A school restored from an old backup re-uses a revision with different content."""
    from core.packages.conflicts import open_conflicts, resolve_conflict

    school, city = linked
    out = tmp_path / "out"
    city.import_(school.export(out).path)
    db_path = school.folder / "certdesk.sqlite3"
    backup = tmp_path / "backup.sqlite3"
    copy_database(db_path, backup)
    edit_school(school)
    city.import_(school.export(out).path)
    school.database.close()
    copy_database(backup, db_path)
    school.database = open_database(db_path)
    changed = edit_school(school, employer="另一份不同的修改")
    with pytest.raises(PackageError, match="已存在"):
        school.export(out, full=True)  # never overwrites the package it sent before
    restored = school.export(tmp_path / "after-restore", full=True)
    assert restored.manifest.sequence == 2  # the restored log only knew package 1

    outcome = city.import_(restored.path)
    assert any("不大于已导入" in notice for notice in outcome.notices)
    assert outcome.counts["trainees"].conflicts >= 1
    with city.database.session() as session:
        kept = session.scalars(select(Trainee).where(Trainee.uuid == changed["edited"])).one()
        assert kept.employer == "太原重型机械集团"  # not silently overwritten
        conflicts = open_conflicts(session)
        mine = next(c for c in conflicts if c.entity == "trainees" and not c.deletion)
        assert "修订号相同但内容不同" in mine.reason
        resolve_conflict(session, mine.id, take_incoming=True)
        session.commit()
    with city.database.session() as session:
        kept = session.scalars(select(Trainee).where(Trainee.uuid == changed["edited"])).one()
        assert kept.employer == "另一份不同的修改"
        remaining = open_conflicts(session)
        assert mine.id not in {c.id for c in remaining}
        for conflict in remaining:
            resolve_conflict(session, conflict.id, take_incoming=False)
        session.commit()
        assert open_conflicts(session) == []


def test_sent_revisions_follow_what_was_exported(linked: tuple[Site, Site], tmp_path: Path) -> None:
    school, _city = linked
    first = school.export(tmp_path / "out")
    with school.database.session() as session:
        remembered = session.scalar(select(SentRevision.uuid).limit(1))
        assert remembered is not None
        count = len(session.scalars(select(SentRevision.uuid)).all())
    assert count == first.total_records


def test_a_school_does_not_import_and_nobody_imports_its_own(
    school: Site, city: Site, tmp_path: Path, template_db: Path
) -> None:
    other = make_site(tmp_path / "school-b", template_db, SCHOOL_B)
    package = other.export(tmp_path / "out", unencrypted=True)
    before = dump(school.database)
    with pytest.raises(PackageError, match="学校不接收数据包"):
        school.import_(package.path)
    assert dump(school.database) == before
    own = city.export(tmp_path / "out", unencrypted=True)
    before = dump(city.database)
    with pytest.raises(PackageError, match="本机构自己导出"):
        city.import_(own.path)
    assert dump(city.database) == before
    other.database.close()
