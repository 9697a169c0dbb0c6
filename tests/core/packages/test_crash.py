"""A process killed (SIGKILL) in the middle of an import or an export leaves nothing half-done."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from core.packages.importer import IMPORTED
from models.bookkeeping import sync_columns
from models.trainee import Trainee
from tests.core.packages.sites import PASSPHRASE, Site, dump

ROOT = Path(__file__).resolve().parents[3]

#: Runs one import or export and, at the named step, says so and waits to be killed.
SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from core.packages.keys import LocalKeys
    from core.packages.importer import import_package
    from core.packages.writer import export_package
    from core.packages.trust import ANY_NEW_KEY
    from models.database import open_database

    action, db, keys_dir, uscc, role, target, step = sys.argv[1:8]

    def progress(done, total, text):
        if text.startswith(step):
            print("STEP", flush=True)
            time.sleep(120)

    database = open_database(db)
    keys = LocalKeys(Path(keys_dir), uscc, role, lambda: {passphrase!r})
    if action == "import":
        import_package(database, Path(target), keys, accept_new=ANY_NEW_KEY, progress=progress)
    else:
        export_package(database, keys, Path(target), progress=progress)
    """
).format(passphrase=PASSPHRASE)


def run_until_killed(site: Site, action: str, target: Path, step: str) -> None:
    argv = [
        sys.executable,
        "-c",
        SCRIPT,
        action,
        str(site.database.path),
        str(site.keys.keys_dir),
        site.uscc,
        site.keys.role,
        str(target),
        step,
    ]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        argv, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        if line.strip() != "STEP":
            process.kill()
            pytest.fail(f"the {action} never reached {step}: {process.stderr.read()}")
        process.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no clean-up runs
        process.wait(timeout=30)
    assert process.returncode == (-signal.SIGKILL if os.name == "posix" else 1)


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    connection.close()
    return verdict


@pytest.fixture
def big_school(linked: tuple[Site, Site]) -> tuple[Site, Site]:
    """Enough rows that the import spills uncommitted pages into the WAL before the kill."""
    school, city = linked
    with school.database.session() as session:
        template = session.execute(select(Trainee).limit(1)).scalar_one()
        rows = [
            {
                **sync_columns(school.uscc),
                "name": template.name,
                "gender": template.gender,
                "id_number": f"1401051990{i:07d}"[:17] + "X",
                "phone": "",
                "identity": "在校学生",
                "employer": "",
                "major": "数控技术",
                "class_name": "数控2101班",
                "graduation_year": 2021,
            }
            for i in range(8000)
        ]
        session.execute(insert(Trainee), rows)
        session.commit()
    return school, city


def test_killed_during_import_changes_nothing(
    big_school: tuple[Site, Site], tmp_path: Path
) -> None:
    school, city = big_school
    package = school.export(tmp_path / "out")
    city.database.close()
    before = dump(city.database)
    wal = Path(f"{city.database.path}-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    run_until_killed(city, "import", package.path, "正在写入证书")
    assert wal.stat().st_size > wal_before  # uncommitted pages had reached the disk
    assert integrity(city.database.path) == "ok"  # type: ignore[arg-type]
    assert dump(city.database) == before
    assert city.import_(package.path).status == IMPORTED  # and the package still imports


def test_killed_during_export_leaves_no_package(linked: tuple[Site, Site], tmp_path: Path) -> None:
    school, _city = linked
    out = tmp_path / "out"
    out.mkdir()
    school.keys.ensure()
    school.database.close()
    before = dump(school.database)
    run_until_killed(school, "export", out, "正在压缩")
    assert list(out.iterdir()) == []
    assert dump(school.database) == before
    assert school.export(out).manifest.sequence == 1
