"""Backups: when they are taken, what is kept, where they go, and that each one is sound."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.safety.backups import (
    PRIMARY,
    SECOND,
    BackupScheduler,
    Retention,
    backups_to_keep,
    data_fingerprint,
    file_fingerprint,
    list_backups,
    newest_good_backup,
    reason_label,
    second_folder,
    set_second_folder,
    take_backup,
    thin_folder,
)
from models.backup import (
    backup_dir_for,
    backup_name,
    backup_sqlite,
    check_sqlite_file,
    list_backup_files,
    parse_backup_name,
)
from models.database import Database
from models.trainee import Trainee

RETENTION = Retention()

stamps = st.lists(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)),
    max_size=300,
)


@given(stamps)
def test_thinning_keeps_a_subset_and_the_newest(times: list[datetime]) -> None:
    keep = backups_to_keep(times)
    assert keep <= set(times)
    if times:
        assert max(times) in keep
    limit = RETENTION.recent + RETENTION.daily + RETENTION.weekly + RETENTION.monthly
    assert len(keep) <= limit


@given(stamps)
def test_thinning_twice_keeps_the_same(times: list[datetime]) -> None:
    keep = backups_to_keep(times)
    assert backups_to_keep(keep) == keep


@given(stamps)
def test_thinning_does_not_depend_on_order_or_duplicates(times: list[datetime]) -> None:
    assert backups_to_keep(list(reversed(times)) + times) == backups_to_keep(times)


@given(stamps)
def test_newest_of_each_recent_period_is_kept(times: list[datetime]) -> None:
    keep = backups_to_keep(times)
    newest = sorted(set(times), reverse=True)
    assert set(newest[: RETENTION.recent]) <= keep
    for period, count in (
        (lambda t: t.date(), RETENTION.daily),
        (lambda t: t.isocalendar()[:2], RETENTION.weekly),
        (lambda t: (t.year, t.month), RETENTION.monthly),
    ):
        seen: list[object] = []
        for stamp in newest:
            key = period(stamp)
            if key not in seen:
                seen.append(key)
                if len(seen) > count:
                    break
                assert stamp in keep, f"newest backup of {key} dropped"


def test_two_years_of_hourly_backups_thin_to_a_few_dozen() -> None:
    start = datetime(2023, 1, 1)
    times = [start + timedelta(hours=h) for h in range(2 * 365 * 24)]
    keep = backups_to_keep(times)
    newest = max(times)
    assert len(keep) <= 44
    assert newest - timedelta(hours=9) in keep  # the ten most recent
    assert min(keep) >= newest - timedelta(days=366)  # 12 months back, no further
    days = {t.date() for t in keep if t >= newest - timedelta(days=14)}
    assert len(days) >= 14


def test_backup_names_round_trip() -> None:
    when = datetime(2025, 3, 1, 14, 22, 33, 123456)
    name = backup_name("certdesk", "before-upgrade-0001", when)
    assert parse_backup_name(Path(name)) == ("certdesk", when, "before-upgrade-0001")
    assert parse_backup_name(Path("certdesk.sqlite3")) is None
    assert parse_backup_name(Path("x-20250301-142233-123456-manual.partial")) is None
    with pytest.raises(ValueError):
        backup_name("certdesk", "导入前", when)


def test_reason_labels() -> None:
    assert reason_label("before-upgrade-0001") == "升级前"
    assert reason_label("before-import") == "导入前"
    assert reason_label("start") == "启动时"
    assert reason_label("odd") == "odd"


def _add_trainee(database: Database, number: str = "140105199003071234") -> None:
    with database.session() as session:
        session.add(Trainee(name="王芳", id_number=number, phone="13812345678"))
        session.commit()


def test_a_backup_is_a_verified_single_file(school: Database) -> None:
    _add_trainee(school)
    outcome = take_backup(school, "manual")
    assert outcome.path.parent == backup_dir_for(school.path)
    assert check_sqlite_file(outcome.path) == "ok"
    siblings = sorted(p.name for p in outcome.path.parent.iterdir())
    assert siblings == [outcome.path.name]  # no -wal, -shm or .partial left beside it
    readonly = sqlite3.connect(f"{outcome.path.as_uri()}?mode=ro", uri=True)
    try:
        assert readonly.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert readonly.execute("SELECT count(*) FROM trainees").fetchone()[0] == 1
    finally:
        readonly.close()


def test_the_fingerprint_of_a_backup_matches_the_data_it_was_taken_from(school: Database) -> None:
    _add_trainee(school)
    before = data_fingerprint(school)
    path = take_backup(school, "manual").path
    assert file_fingerprint(path) == before
    with school.session() as session:
        trainee = session.query(Trainee).one()
        trainee.major = "数控技术"
        session.commit()
    assert data_fingerprint(school) != before


def test_settings_and_deletions_change_the_fingerprint(school: Database) -> None:
    _add_trainee(school)
    first = data_fingerprint(school)
    with school.session() as session:
        set_second_folder(session, Path("/media/usb"))
        session.commit()
    second = data_fingerprint(school)
    assert second != first
    with school.session() as session:
        session.delete(session.query(Trainee).one())
        session.commit()
    assert data_fingerprint(school) not in {first, second}


def test_scheduler_backs_up_on_start_only_when_the_data_is_new(school: Database) -> None:
    scheduler = BackupScheduler(school)
    first = scheduler.on_start()
    assert first is not None
    assert first.path.name.endswith("-start.sqlite3")
    assert BackupScheduler(school).on_start() is None  # a second start, nothing changed
    _add_trainee(school)
    assert BackupScheduler(school).on_start() is not None


def test_scheduler_backs_up_every_interval_only_after_changes(school: Database) -> None:
    scheduler = BackupScheduler(school)
    scheduler.on_start()
    assert scheduler.if_changed() is None
    _add_trainee(school)
    outcome = scheduler.if_changed()
    assert outcome is not None
    assert outcome.path.name.endswith("-auto.sqlite3")
    assert scheduler.if_changed() is None


def _fake_backups(folder: Path, stem: str, times: list[datetime]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for when in times:
        path = folder / backup_name(stem, "auto", when)
        path.write_bytes(b"")
        paths.append(path)
    return paths


def test_thin_folder_removes_what_the_policy_drops_and_stale_leftovers(tmp_path: Path) -> None:
    now = datetime(2025, 6, 30, 12)
    times = [now - timedelta(hours=6 * i) for i in range(400)]
    paths = _fake_backups(tmp_path, "certdesk", times)
    other = _fake_backups(tmp_path, "otherdb", times[:3])
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("keep me")
    stale = tmp_path / "certdesk-20250601-000000-000000-auto.partial"
    stale.write_bytes(b"x")
    old = (now - timedelta(hours=2)).timestamp()
    os.utime(stale, (old, old))
    fresh = tmp_path / "certdesk-20250630-115959-000000-auto.partial"
    fresh.write_bytes(b"x")
    os.utime(fresh, (now.timestamp(), now.timestamp()))

    removed = thin_folder(tmp_path, "certdesk", now=now)

    keep = backups_to_keep(times)
    assert {p for p in paths if p.exists()} == {
        p for p, t in zip(paths, times, strict=True) if t in keep
    }
    assert set(removed) == {p for p in paths if not p.exists()} | {stale}
    assert all(p.exists() for p in other)
    assert unrelated.exists()
    assert fresh.exists()  # may belong to a backup being written right now


def test_second_folder_gets_a_verified_copy(school: Database, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    with school.session() as session:
        set_second_folder(session, stick)
        session.commit()
        assert second_folder(session) == stick.resolve()
    outcome = take_backup(school, "manual")
    assert outcome.problems == []
    assert [c.parent for c in outcome.copies] == [stick.resolve()]
    assert check_sqlite_file(outcome.copies[0]) == "ok"
    listed = list_backups(school.path, stick)
    assert {(b.location, b.path.name) for b in listed} == {
        (PRIMARY, outcome.path.name),
        (SECOND, outcome.path.name),
    }


def test_an_unplugged_stick_is_reported_and_never_created(school: Database, tmp_path: Path) -> None:
    stick = tmp_path / "media" / "usb"
    with school.session() as session:
        set_second_folder(session, stick)
        session.commit()
    outcome = take_backup(school, "manual")
    assert check_sqlite_file(outcome.path) == "ok"
    assert outcome.copies == []
    assert len(outcome.problems) == 1
    assert "U 盘" in outcome.problems[0]
    assert not stick.exists()


def test_list_backups_newest_first(school: Database) -> None:
    first = backup_sqlite(school.engine, "manual")
    second = backup_sqlite(school.engine, "auto")
    listed = list_backups(school.path)
    assert [b.path for b in listed] == [second, first]
    assert [b.reason for b in listed] == ["定时", "手动"]
    assert all(b.size > 0 for b in listed)


def test_newest_good_backup_skips_a_damaged_one(school: Database) -> None:
    good = backup_sqlite(school.engine, "manual")
    _add_trainee(school)
    bad = backup_sqlite(school.engine, "auto")
    _scribble(bad)
    found = newest_good_backup(school.path)
    assert found is not None
    assert found.path == good


def test_no_backup_at_all(database: Database) -> None:
    assert newest_good_backup(database.path) is None
    assert list_backup_files(backup_dir_for(database.path)) == []


def _scribble(path: Path) -> None:
    """Garbage over every page but the first: the file still opens, its tables are gone."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xa5" * (size - 4096))


class _Stop(Exception):
    pass


def test_an_interrupted_backup_leaves_no_file(school: Database) -> None:
    def interrupt(_done: int, _total: int, _text: str) -> None:
        raise _Stop

    folder = backup_dir_for(school.path)
    with pytest.raises(_Stop):
        take_backup(school, "manual", progress=interrupt)
    assert list(folder.iterdir()) == []
