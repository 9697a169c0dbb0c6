"""Where the database lives, how connections are configured, and how it is opened.

Opening always goes through ``open_database`` so that every entry point (GUI, CLI, tests)
gets the same pragmas and the same migration check before the first query.
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

APP_NAME = "CertDesk"
DB_FILENAME = "certdesk.sqlite3"


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
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
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
    except BaseException:
        engine.dispose()
        raise
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
