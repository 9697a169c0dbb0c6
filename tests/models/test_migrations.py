"""Start-up schema handling: create and stamp, upgrade after a backup, refuse what we can't use."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from models import Base
from models.backup import backup_dir_for
from models.database import create_db_engine, open_database, resolve_url
from models.migrate import (
    MIGRATIONS_DIR,
    SchemaError,
    alembic_config,
    head_revision,
    prepare_schema,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_new_database_is_created_and_stamped(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite3"
    engine = create_db_engine(resolve_url(path))
    assert prepare_schema(engine) == "created"
    assert prepare_schema(engine) == "current"
    engine.dispose()
    assert _revision(path) == head_revision()
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"institutions", "trainees", "certificates", "training_classes", "tombstones"} <= tables


def test_migrations_build_the_same_schema_as_the_models(tmp_path: Path) -> None:
    from alembic import command

    engine = create_engine(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def _script_dir_with_extra_revision(tmp_path: Path) -> Path:
    """The shipped migrations plus one more, as the next release would add."""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = head_revision()
    (scripts / "versions" / "9999_next.py").write_text(
        f'''"""next release"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trainees") as batch:
        batch.add_column(sa.Column("nickname", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trainees") as batch:
        batch.drop_column("nickname")
''',
        encoding="utf-8",
    )
    return scripts


def test_older_database_is_backed_up_then_upgraded(school, tmp_path: Path) -> None:
    path = Path(school.engine.url.database)
    with school.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO trainees (name, gender, id_number, phone, identity, employer, major,"
                " class_name, uuid, revision, origin, updated_at)"
                " VALUES ('王芳', '女', '140105199003071226', '', '在校学生', '', '', '',"
                " 'u1', 1, '12140000676444728G', '2026-01-01')"
            )
        )
    school.close()
    scripts = _script_dir_with_extra_revision(tmp_path)
    engine = create_db_engine(resolve_url(path))
    assert prepare_schema(engine, scripts) == "upgraded"
    columns = {c["name"] for c in inspect(engine).get_columns("trainees")}
    engine.dispose()
    assert "nickname" in columns
    assert _revision(path) == "9999"
    backups = list(backup_dir_for(path).glob("*.sqlite3"))
    assert len(backups) == 1
    assert _revision(backups[0]) == head_revision()
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT name FROM trainees").fetchall() == [("王芳",)]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_newer_database_is_refused_and_left_untouched(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    before = db_path.read_bytes()
    with pytest.raises(SchemaError, match="更新版本"):
        open_database(db_path)
    assert db_path.read_bytes() == before
    assert not backup_dir_for(db_path).exists()


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    with pytest.raises(SchemaError, match="不是持证通数据库"):
        open_database(path)


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("schema_*.sqlite3")), ids=lambda p: p.stem)
def test_every_released_schema_opens_at_head(fixture: Path, tmp_path: Path) -> None:
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    database = open_database(path)
    database.close()
    assert _revision(path) == head_revision()


def test_there_is_a_fixture_for_the_current_schema() -> None:
    assert (FIXTURES / f"schema_{head_revision()}.sqlite3").exists()


def test_connection_pragmas(database) -> None:
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_migration_0002_binds_each_trusted_key_to_its_institutions_role(tmp_path: Path) -> None:
    """Keys trusted before roles were recorded take the role of the institution they sent."""
    path = tmp_path / "bureau.sqlite3"
    shutil.copyfile(FIXTURES / "schema_0001.sqlite3", path)
    school, bureau = "52140105MA0K12345X", "11140100MB01234560"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO institutions (name, uscc, category, role, division_code, address,"
            " admin_name, admin_id_number, contact_name, contact_phone, is_local, uuid,"
            " revision, origin, updated_at) VALUES ('太原市第一职业中学校', ?, '中职学校',"
            " 'school', '140105', '', '', '', '', '', 0, 'u-school', 1, ?, '2026-01-01')",
            (school, school),
        )
        for uscc, purpose in ((school, "signing"), (bureau, "signing"), (bureau, "encryption")):
            conn.execute(
                "INSERT INTO trusted_keys (uscc, purpose, institution_name, algorithm,"
                " public_key, fingerprint, source, first_seen) VALUES (?, ?, '某机构',"
                " 'Ed25519', ?, '00000 00000 00000 00000 00000 00000', 'package', '2026-01-01')",
                (uscc, purpose, (uscc + purpose).encode().hex()[:64]),
            )
    open_database(path).close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT uscc, purpose, role, division_code FROM trusted_keys ORDER BY uscc, purpose"
        ).fetchall()
    assert rows == [
        (bureau, "encryption", None, None),
        (bureau, "signing", None, None),
        (school, "signing", "school", "140105"),
    ]
