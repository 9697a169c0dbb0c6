"""Where the database lives, how connections are configured, and how it is opened.

Opening always goes through ``open_database`` so that every entry point (GUI, CLI, tests)
gets the same pragmas and the same migration check before the first query, and the same
private files (POSIX): a new database file is created 0600 before SQLite touches it, so its
-wal, -shm and -journal files are 0600 too; the data folder, ``backups/`` and ``keys/`` are
0700; what an older version left 0644/0755 is tightened once the file is known to be
CertDesk's (``core.base.file_modes``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

import models.audit_hook  # registers the audit hook
import models.bookkeeping  # noqa: F401  (registers the flush hook)
from core.base.file_modes import create_private_file, make_private, mkdir_private, private_folder
from models.backup import BACKUP_DIRNAME

APP_NAME = "CertDesk"
DB_FILENAME = "certdesk.sqlite3"
#: Where ``core.packages.keys`` keeps the private keys: beside the database file, or in the
#: data folder for a server database. It would create the folder with the umask's mode, so
#: the folder is made here first, 0700 (the name is repeated: models cannot import the domain).
KEYS_DIRNAME = "keys"
#: SQLite's files beside a database, which hold its rows as much as the file itself does.
_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def data_dir() -> Path:
    """The per-user data folder (what Qt calls AppLocalDataLocation; %LOCALAPPDATA% on Windows)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def resolve_url(db: str | Path | None) -> URL:
    """Accept a file path or a SQLAlchemy URL; nothing means the embedded default database."""
    if db is None:
        return URL.create("sqlite", database=str(default_db_path()))
    text = str(db)
    if "://" in text:
        return make_url(text)
    return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # WAL keeps readers (the GUI's table) working during writes; FULL sync because these PCs
    # are switched off at the wall; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_db_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            # A folder made here is private; one that exists is the clerk's and left as it is.
            mkdir_private(Path(url.database).parent)
            create_private_file(Path(url.database))
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


@dataclass
class Database:
    """An open, migrated database: the engine and the factory for short-lived sessions."""

    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a server database."""
        if self.engine.url.get_backend_name() != "sqlite":
            return None
        return Path(self.engine.url.database or "")

    def session(self, **kwargs: Any) -> Session:
        return self.sessions(**kwargs)

    def close(self) -> None:
        self.engine.dispose()


def open_database(db: str | Path | None = None) -> Database:
    """Open (creating or upgrading as needed) the database at ``db``.

    Raises ``models.migrate.SchemaError`` for a database this version cannot use.
    """
    from models.migrate import prepare_schema

    engine = create_db_engine(resolve_url(db))
    try:
        prepare_schema(engine)
        _make_private(engine.url)
    except BaseException:
        engine.dispose()
        raise
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def _make_private(url: URL) -> None:
    """Make what belongs to this database private: ``keys/`` is made 0700 before the keys
    need it; the file, its companions, ``backups/`` and the data folder are tightened if an
    older version left them open. Called after ``prepare_schema``, so that a file it refused
    (another program's) is left exactly as it was, with no folder made beside it.

    The folder of a ``--db`` file is the clerk's choice and keeps its mode; the data folder
    and the folders CertDesk keeps beside the database are its own.
    """
    if url.get_backend_name() != "sqlite":
        private_folder(data_dir())
        private_folder(data_dir() / KEYS_DIRNAME, with_files=True)
        return
    if not url.database or url.database == ":memory:":
        return
    db_file = Path(url.database)
    if db_file.parent.resolve() == data_dir().resolve():
        private_folder(db_file.parent)
    for suffix in ("", *_SQLITE_COMPANIONS):
        companion = db_file.with_name(db_file.name + suffix)
        if companion.is_file():
            make_private(companion)
    backups = db_file.parent / BACKUP_DIRNAME
    if backups.is_dir():  # else models.backup makes it, private, with the first backup
        private_folder(backups, with_files=True)
    private_folder(db_file.parent / KEYS_DIRNAME, with_files=True)
