"""Save a small database at the current schema as tests/fixtures/schema_<head>.sqlite3.

Run once per released schema (after adding a migration): the fixture stays in the repository
so that every later version is tested against a real database of this one.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.demo import create_demo
from models.database import open_database
from models.migrate import head_revision

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    target = ROOT / "tests" / "fixtures" / f"schema_{head_revision()}.sqlite3"
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(Path(tmp) / "fixture.sqlite3")
        with database.session() as session:
            create_demo(session, trainees=40, today=date(2026, 11, 30))
            session.commit()
        raw = database.engine.raw_connection()
        try:
            # A single file without -wal/-shm companions, compact, as it would be shipped.
            target.unlink(missing_ok=True)
            dest = sqlite3.connect(target)
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
            dest.execute("PRAGMA journal_mode=DELETE")
            dest.execute("VACUUM")
            dest.close()
        finally:
            raw.close()
            database.close()
    print(target)


if __name__ == "__main__":
    main()
