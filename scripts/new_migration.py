"""Write a new Alembic revision by comparing the models with a database at the current head.

Usage: python scripts/new_migration.py "what changed"
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command
from sqlalchemy import create_engine

import models  # noqa: F401  (registers every table)
from models.migrate import MIGRATIONS_DIR, alembic_config


def main() -> None:
    message = " ".join(sys.argv[1:]) or "schema change"
    existing = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))
    rev_id = f"{len(existing) + 1:04d}"
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'head.sqlite3'}")
        with engine.begin() as connection:
            config = alembic_config(connection)
            if existing:
                command.upgrade(config, "head")
            script = command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
        engine.dispose()
    # Generated code follows the project's style like any other file.
    path = str(script.path)  # type: ignore[union-attr]
    subprocess.run([sys.executable, "-m", "ruff", "format", path], check=False)
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "--quiet", path], check=False)


if __name__ == "__main__":
    main()
