"""Files at rest are the OS user's alone: 0600 files in 0700 folders (POSIX).

Every file CertDesk keeps or writes — the database and its -wal/-shm, backups, packages,
exports, the log, the keys — is made in a temporary data folder under umask 0, so that a mode
the umask would have narrowed cannot pass for one CertDesk chose; then every mode is checked.
What an older version left 0644/0755 is tightened at the next start, and a folder the clerk
chose, or a file CertDesk refused, keeps its mode. On Windows the profile's ACL protects the
data folder instead (docs/DATA-SAFETY.md), so these tests are POSIX only.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from application.documents import write_trainee_list
from core.base.logfile import LOG_NAME, LogFileHandler, log_to_file
from core.demo import create_demo
from core.institution import local_institution
from core.packages.keys import SIGNING, LocalKeys, keys_dir_for
from core.packages.writer import export_package
from core.safety.backups import take_backup
from models.backup import backup_sqlite
from models.database import _make_private, data_dir, open_database
from models.migrate import SchemaError
from tests.conftest import posix_only

pytestmark = posix_only


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The per-user data folder in ``tmp_path`` (platformdirs follows XDG_DATA_HOME), and a
    umask of 0 for the test; the log handler it may add is removed afterwards."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    factory, last_resort = logging.getLogRecordFactory(), logging.lastResort
    umask = os.umask(0)
    try:
        yield data_dir()
    finally:
        os.umask(umask)
        for handler in root.handlers:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
        logging.setLogRecordFactory(factory)
        logging.lastResort = last_resort


class PartialFiles:
    """Records the mode and open flags of every ``.partial`` file at the moment it is made."""

    def __init__(self) -> None:
        self.made: dict[str, tuple[int, int]] = {}

    def spy(self, real: object) -> object:
        def open_(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: object) -> int:
            fd: int = real(path, flags, *args, **kwargs)  # type: ignore[operator]
            if os.fspath(path).endswith(".partial"):
                self.made[os.fspath(path)] = (flags, stat.S_IMODE(os.fstat(fd).st_mode))
            return fd

        return open_


def test_everything_certdesk_writes_is_private(
    data_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    partials = PartialFiles()
    monkeypatch.setattr(os, "open", partials.spy(os.open))
    log_path = log_to_file(data_folder / "logs")
    logging.getLogger("certdesk.tests").warning("持证通启动")
    database = open_database()
    try:
        with database.session() as session:
            create_demo(session, trainees=5)
            session.commit()
            institution = local_institution(session)
            assert institution is not None
            uscc = institution.uscc
        backup = take_backup(database, "manual").path
        keys = LocalKeys(keys_dir_for(database), uscc, "school")
        keys.ensure()
        out = tmp_path / "out"  # the clerk's folder: a USB stick, the desktop
        out.mkdir()
        package = export_package(database, keys, out, unencrypted=True).path
        export = write_trainee_list(database, out / "学员名单.xlsx").path
        db_path = database.path
        assert db_path is not None
        live = [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")]
        files = [*live, backup, keys.path(SIGNING), package, export, log_path]
        assert all(path.is_file() for path in files)
        assert {path: mode(path) for path in files} == dict.fromkeys(files, 0o600)
    finally:
        database.close()
    folders = [data_folder, backup.parent, keys.keys_dir, log_path.parent]
    assert {folder: mode(folder) for folder in folders} == dict.fromkeys(folders, 0o700)
    assert db_path.parent == data_folder and keys.keys_dir == data_folder / "keys"
    # Nothing else in the data folder is any more open.
    for path in data_folder.rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path
    # Each temporary file was new and 0600 before its first byte: the private key's, the
    # package's, the export's and the backup's (made empty for SQLite to fill).
    assert {
        f"{keys.path(SIGNING)}.partial",
        f"{package}.partial",
        f"{export}.partial",
        str(backup.with_suffix(".partial")),
    } <= partials.made.keys()
    for flags, made_mode in partials.made.values():
        assert flags & os.O_CREAT and flags & os.O_EXCL
        assert made_mode == 0o600


def test_what_an_older_version_left_open_is_tightened_at_start(
    data_folder: Path, template_db: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "not-certdesks.txt"
    outside.write_text("elsewhere")
    outside.chmod(0o644)
    for folder in ("", "backups", "keys", "logs"):
        (data_folder / folder).mkdir(parents=True, exist_ok=True)
        (data_folder / folder).chmod(0o755)
    db_path = data_folder / "certdesk.sqlite3"
    shutil.copyfile(template_db, db_path)
    old_files = [
        db_path,
        data_folder / "backups" / "certdesk-20240301-120000-000000-manual.sqlite3",
        data_folder / "keys" / "12140000676444728G-signing.key",
        data_folder / "logs" / LOG_NAME,
        data_folder / "logs" / f"{LOG_NAME}.1",
    ]
    for path in old_files[1:]:
        path.write_bytes(b"written by an older CertDesk")
    for path in old_files:
        path.chmod(0o644)
    (data_folder / "backups" / "link").symlink_to(outside)

    open_database().close()
    log_to_file(data_folder / "logs")

    for path in old_files:
        assert mode(path) == 0o600, path
    for folder in ("", "backups", "keys", "logs"):
        assert mode(data_folder / folder) == 0o700, folder
    assert mode(outside) == 0o644  # a link is never followed


def test_a_folder_the_clerk_chose_keeps_its_mode(template_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "school"
    folder.mkdir()
    folder.chmod(0o755)
    db_path = folder / "certdesk.sqlite3"
    shutil.copyfile(template_db, db_path)
    db_path.chmod(0o644)
    database = open_database(db_path)
    try:
        backup = backup_sqlite(database.engine, "manual")
    finally:
        database.close()
    assert mode(folder) == 0o755
    assert mode(db_path) == 0o600 and mode(backup) == 0o600
    assert mode(backup.parent) == 0o700 and mode(folder / "keys") == 0o700


def test_a_new_folder_for_a_database_is_made_private(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        db_path = tmp_path / "new" / "deeper" / "certdesk.sqlite3"
        open_database(db_path).close()
    finally:
        os.umask(previous)
    assert mode(tmp_path / "new") == 0o700 and mode(db_path.parent) == 0o700
    assert mode(db_path) == 0o600


def test_a_refused_file_keeps_its_mode(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE photos (id INTEGER)")
    connection.close()
    other.chmod(0o644)
    with pytest.raises(SchemaError, match="不是持证通数据库"):
        open_database(other)
    assert mode(other) == 0o644
    assert not (tmp_path / "keys").exists() and not (tmp_path / "backups").exists()


def test_the_log_file_is_created_private(data_folder: Path) -> None:
    path = log_to_file(data_folder / "logs")
    logging.getLogger("certdesk.tests").warning("第一行")
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, LogFileHandler))
    handler.doRollover()  # the new file after a rotation too
    logging.getLogger("certdesk.tests").warning("第二行")
    assert mode(path) == 0o600 and mode(Path(f"{path}.1")) == 0o600
    assert mode(path.parent) == 0o700 and mode(data_folder) == 0o700


def test_a_server_database_gets_a_private_data_folder_and_keys_folder(data_folder: Path) -> None:
    """With PostgreSQL the keys live in the data folder (core.packages.keys.keys_dir_for)."""
    _make_private(make_url("postgresql+psycopg://certdesk@server/certdesk"))
    assert mode(data_folder) == 0o700 and mode(data_folder / "keys") == 0o700
