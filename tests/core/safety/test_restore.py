"""Restoring: only a sound CertDesk backup is accepted, and the current data is kept first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.safety.backups import data_fingerprint, file_fingerprint, list_backups
from core.safety.restore import (
    RestoreRefused,
    damaged_database_problem,
    database_health,
    inspect_backup,
    replace_damaged_database,
    restore_database,
)
from models.backup import backup_dir_for, backup_sqlite, check_sqlite_file
from models.database import Database, open_database
from models.migrate import head_revision
from models.trainee import Trainee

IDS = ("110101199003074258", "140105199001011238", "140105199502283364")


def _count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Trainee)) or 0


def _add(database: Database, number: str) -> None:
    with database.session() as session:
        session.add(Trainee(name="李雷", id_number=number, phone="13900001111"))
        session.commit()


def corrupt_middle(path: Path) -> None:
    """Garbage in the middle of the file, as a failing disk or a torn write leaves it."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xde\xad\xbe\xef" * 4096)


def test_restore_brings_back_the_backup_and_keeps_the_current_state(school: Database) -> None:
    _add(school, IDS[0])
    backup = backup_sqlite(school.engine, "manual")
    _add(school, IDS[1])
    newer = data_fingerprint(school)

    result = restore_database(school, backup)

    assert _count(school) == 1
    assert result.previous.name.endswith("-before-restore.sqlite3")
    assert file_fingerprint(result.previous) == newer  # the data before the restore is safe
    raw = school.engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        raw.close()
    assert version == head_revision()


def test_restore_back_to_the_state_before_a_restore(school: Database) -> None:
    _add(school, IDS[0])
    backup = backup_sqlite(school.engine, "manual")
    _add(school, IDS[1])
    undo = restore_database(school, backup).previous
    restore_database(school, undo)
    assert _count(school) == 2


def test_other_connections_see_the_restored_data(school: Database) -> None:
    backup = backup_sqlite(school.engine, "manual")
    _add(school, IDS[0])
    other = open_database(school.path)
    try:
        assert _count(other) == 1
        restore_database(school, backup)
        assert _count(other) == 0
    finally:
        other.close()


def _foreign_sqlite(path: Path) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.commit()
    connection.close()
    return path


def _newer_certdesk(school: Database, tmp_path: Path) -> Path:
    path = backup_sqlite(school.engine, "manual", dest_dir=tmp_path / "newer")
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    connection.commit()
    connection.close()
    return path


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _damaged_backup(school: Database, tmp_path: Path) -> Path:
    for number in IDS[1:]:
        _add(school, number)
    path = backup_sqlite(school.engine, "manual", dest_dir=tmp_path / "bad")
    corrupt_middle(path)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda _db, tmp: tmp / "missing.sqlite3", "找不到备份文件"),
        (lambda _db, tmp: _write(tmp / "notes.txt", b"hello"), "不是 SQLite 数据库"),
        (lambda _db, tmp: _write(tmp / "empty.sqlite3", b""), "不是 SQLite 数据库"),
        (lambda _db, tmp: _foreign_sqlite(tmp / "other.db"), "缺少持证通的数据表"),
        (_newer_certdesk, "更新版本"),
        (_damaged_backup, "已损坏"),
    ],
)
def test_refused_files_change_nothing(school: Database, tmp_path: Path, make, message) -> None:
    _add(school, IDS[0])
    source = make(school, tmp_path)
    before = data_fingerprint(school)
    with pytest.raises(RestoreRefused, match=message):
        restore_database(school, source)
    assert data_fingerprint(school) == before
    assert list_backups(school.path) == []  # refused before even backing up


def test_the_live_file_itself_is_refused(school: Database) -> None:
    with pytest.raises(RestoreRefused, match="正在使用"):
        restore_database(school, school.path)


def test_a_cancelled_restore_changes_nothing(school: Database) -> None:
    big = _big_backup(school)
    _add(school, IDS[0])
    before = data_fingerprint(school)

    class Cancel(Exception):
        pass

    def cancel(done: int, _total: int, _text: str) -> None:
        if done > 0:
            raise Cancel

    with pytest.raises(Cancel):
        restore_database(school, big, cancel)
    assert data_fingerprint(school) == before
    assert check_sqlite_file(school.path) == "ok"


def _big_backup(school: Database) -> Path:
    """A backup of several hundred pages, so that the copy takes more than one step."""
    with school.session() as session:
        session.add_all(
            Trainee(name="张三", id_number=f"{i:018d}", employer="某" * 90) for i in range(3000)
        )
        session.commit()
    path = backup_sqlite(school.engine, "manual")
    with school.session() as session:
        session.query(Trainee).delete()
        session.commit()
    return path


def test_inspect_describes_the_backup(school: Database) -> None:
    _add(school, IDS[0])
    candidate = inspect_backup(backup_sqlite(school.engine, "manual"))
    assert candidate.institution == "山西机械高级技工学校"
    assert candidate.trainees == 1
    assert candidate.reason == "手动"
    assert "学员 1 人" in candidate.summary()


def test_health_of_sound_missing_and_damaged_files(school: Database, tmp_path: Path) -> None:
    for number in IDS:
        _add(school, number)
    assert database_health(school.path).ok
    assert database_health(tmp_path / "new.sqlite3").ok
    garbage = _write(tmp_path / "garbage.sqlite3", b"\x00" * 8192)
    assert not database_health(garbage).ok
    copy = backup_sqlite(school.engine, "manual", dest_dir=tmp_path / "copy")
    corrupt_middle(copy)
    health = database_health(copy)
    assert not health.ok
    assert health.problem


def _damage_live(school: Database) -> Path:
    """Close the database and damage its file, as a crash of the disk would."""
    path = school.path
    assert path is not None
    school.close()
    corrupt_middle(path)
    return path


def test_a_damaged_database_names_the_newest_good_backup(school: Database) -> None:
    _add(school, IDS[0])
    good = backup_sqlite(school.engine, "manual")
    for number in IDS[1:]:
        _add(school, number)
    with school.session() as session:
        session.add_all(Trainee(name="赵六", id_number=f"{i:018d}") for i in range(2000))
        session.commit()
    path = _damage_live(school)
    problem = damaged_database_problem(path)
    assert problem is not None
    assert "已损坏" in problem
    assert str(good) in problem
    assert "没有打开" in problem


def test_replacing_a_damaged_database_keeps_the_damaged_file(school: Database) -> None:
    _add(school, IDS[0])
    good = backup_sqlite(school.engine, "manual")
    with school.session() as session:
        session.add_all(Trainee(name="赵六", id_number=f"{i:018d}") for i in range(2000))
        session.commit()
    path = _damage_live(school)
    damaged_bytes = path.read_bytes()

    result = replace_damaged_database(path, good)

    assert result.previous.read_bytes() == damaged_bytes
    assert ".damaged-" in result.previous.name
    assert database_health(path).ok
    reopened = open_database(path)
    try:
        assert _count(reopened) == 1
    finally:
        reopened.close()
    assert backup_dir_for(path).is_dir()


def test_a_refused_replacement_leaves_the_damaged_file_in_place(school: Database) -> None:
    path = _damage_live(school)
    damaged_bytes = path.read_bytes()
    with pytest.raises(RestoreRefused):
        replace_damaged_database(path, path.with_name("nothing.sqlite3"))
    assert path.read_bytes() == damaged_bytes
