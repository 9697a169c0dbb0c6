"""The data-safety use cases: backups listed where they are, a restore that backs up first
and says so once in the log, the audit log's filter, the About box's facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from application import safety
from core.packages.trust import FINGERPRINT_SETTING
from core.safety.audit import RESTORED, AuditFilter
from core.safety.backups import BackupUnsupported, data_fingerprint, file_fingerprint
from core.safety.restore import RestoreRefused, replace_damaged_database
from core.version import VERSION
from models.audit import AuditEntry, current_os_user
from models.backup import backup_dir_for, backup_sqlite
from models.database import Database, data_dir, open_database
from models.sync import Setting
from models.trainee import Trainee

IDS = ("110101199003074258", "140105199001011238")


def _add(database: Database, number: str) -> None:
    with database.session() as session:
        session.add(Trainee(name="李雷", id_number=number, phone="13900001111"))
        session.commit()


def _count(database: Database, model: type = Trainee) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _restores(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(AuditEntry.detail).where(AuditEntry.action == RESTORED)))


def _server() -> Database:
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    return Database(engine=engine, sessions=sessionmaker(engine))


# --- backing up and listing -----------------------------------------------------------------


def test_back_up_now_is_listed_newest_first(school: Database) -> None:
    first = safety.back_up_now(school).path
    second = safety.back_up_now(school).path
    listing = safety.backups_of(school)
    assert listing.folder == backup_dir_for(school.path) == first.parent
    assert listing.second_folder is None
    assert [b.path for b in listing.backups] == [second, first]
    assert {b.reason for b in listing.backups} == {"手动"}
    assert safety.backups_of_file(school.path) == listing


def test_a_backup_to_a_named_folder_goes_there_only(school: Database, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    outcome = safety.back_up_now(school, to=stick)
    assert outcome.path.parent == stick and outcome.copies == []
    assert file_fingerprint(outcome.path) == data_fingerprint(school)
    assert safety.backups_of(school).backups == []


def test_the_second_folder_gets_every_backup(school: Database, tmp_path: Path) -> None:
    stick = tmp_path / "usb"
    stick.mkdir()
    safety.set_second_folder(school, stick)
    outcome = safety.back_up_now(school)
    assert [c.parent for c in outcome.copies] == [stick.resolve()]
    listing = safety.backups_of(school)
    assert listing.second_folder == stick.resolve()
    assert {b.location for b in listing.backups} == {"本机备份文件夹", "第二备份位置"}
    assert safety.backups_of_file(school.path).second_folder == stick.resolve()
    safety.set_second_folder(school, None)
    assert safety.backups_of(school).second_folder is None


def test_a_server_database_is_not_backed_up(tmp_path: Path) -> None:
    server = _server()
    for attempt in (
        lambda: safety.back_up_now(server),
        lambda: safety.back_up_now(server, to=tmp_path),
        lambda: safety.backups_of(server),
    ):
        with pytest.raises(BackupUnsupported):
            attempt()
    assert not any(tmp_path.iterdir())


# --- restoring ------------------------------------------------------------------------------


def test_restore_backs_up_first_and_writes_one_entry(school: Database) -> None:
    _add(school, IDS[0])
    backup = backup_sqlite(school.engine, "manual")
    _add(school, IDS[1])
    current = data_fingerprint(school)

    result = safety.restore(school, backup)

    assert _count(school) == 1
    assert result.previous.name.endswith("-before-restore.sqlite3")
    assert file_fingerprint(result.previous) == current  # what was there is kept
    assert safety.backups_of(school).backups[0].path == result.previous
    [detail] = _restores(school)
    assert backup.name in detail and result.previous.name in detail
    safety.restore(school, result.previous)  # and the wrong choice can be undone
    assert _count(school) == 2


def test_a_refused_restore_writes_nothing(school: Database, tmp_path: Path) -> None:
    _add(school, IDS[0])
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database")
    before = data_fingerprint(school)
    with pytest.raises(RestoreRefused):
        safety.restore(school, junk)
    assert data_fingerprint(school) == before
    assert safety.backups_of(school).backups == []  # refused before even backing up


def test_a_restore_at_start_is_recorded_once_the_database_is_open(
    school: Database, tmp_path: Path
) -> None:
    good = backup_sqlite(school.engine, "manual", dest_dir=tmp_path / "good")
    path = school.path
    school.close()
    result = replace_damaged_database(path, good)  # done on the file, nothing open
    reopened = open_database(path)
    try:
        assert _restores(reopened) == []
        safety.record_restore(reopened, result)
        [detail] = _restores(reopened)
        assert good.name in detail and result.previous.name in detail
    finally:
        reopened.close()


# --- the audit log and About ----------------------------------------------------------------


def test_the_audit_log_is_filtered_and_masked(school: Database) -> None:
    _add(school, IDS[1])
    everything = safety.audit_log(school, AuditFilter())
    assert [(r.action, r.entity) for r in everything] == [
        ("新增", "trainees"),
        ("新增", "institutions"),
    ]
    assert IDS[1] not in repr(everything)
    trainees = safety.audit_log(school, AuditFilter(entity="学员"))
    assert [r.entity for r in trainees] == ["trainees"]
    assert len(safety.audit_log(school, AuditFilter(), limit=1)) == 1
    assert safety.audit_users(school) == [current_os_user()]


def test_about_names_version_folders_and_fingerprint(school: Database) -> None:
    facts = safety.about(school)
    assert (facts.version, facts.data_folder) == (VERSION, data_dir())
    assert facts.database == str(school.path)
    assert facts.fingerprint is None
    with school.session() as session:
        session.add(Setting(key=FINGERPRINT_SETTING, value="12345 67890"))
        session.commit()
    assert safety.about(school).fingerprint == "12345 67890"
