"""Brings a database to the schema this version of CertDesk expects, or refuses it.

Alembic is configured here in code, so the frozen Windows build needs no alembic.ini and tests
can point it at a temporary database. A new database is created from the models and stamped;
an older one is backed up, upgraded and checked; a newer or foreign one is refused untouched.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from models.backup import backup_sqlite
from models.base import Base

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaError(Exception):
    """The database cannot be used by this version; the message is for the clerk."""


def alembic_config(
    connection: Connection | None = None, script_location: Path | None = None
) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location or MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision(script_location: Path | None = None) -> str:
    script = ScriptDirectory.from_config(alembic_config(script_location=script_location))
    head = script.get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def prepare_schema(engine: Engine, script_location: Path | None = None) -> str:
    """Create, upgrade or refuse; returns what was done ('created', 'upgraded', 'current')."""
    config = alembic_config(script_location=script_location)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    with engine.connect() as connection:
        current = current_revision(connection)
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    if current is None:
        if tables:
            raise SchemaError("该文件不是持证通数据库（含有其他程序的数据表），未做任何改动。")
        with engine.begin() as connection:
            Base.metadata.create_all(connection)
            command.stamp(alembic_config(connection, script_location), "head")
        log.info("created a new database at schema %s", head)
        return "created"
    if current == head:
        return "current"
    if current not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaError(
            f"该数据库由更新版本的持证通创建（数据库版本 {current}），"
            "本程序无法打开，请升级持证通。"
        )
    if engine.url.get_backend_name() == "sqlite":
        saved = backup_sqlite(engine, f"before-upgrade-{current}")
        log.info("backed up the database to %s before upgrading from %s", saved, current)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection, script_location), "head")
    with engine.connect() as connection:
        if current_revision(connection) != head:
            raise SchemaError("数据库升级未完成，原数据已备份，请联系技术支持。")
    log.info("upgraded the database from %s to %s", current, head)
    return "upgraded"
