"""What the data survives: SIGKILL mid-write, a full disk, a read-only folder, a damaged file.

Each test runs CertDesk in a real child process and does to it what an old PC switched off at
the wall, a full USB stick or a write-protected folder does, then reopens the database and
checks ``PRAGMA integrity_check`` and that the data is all there or not there at all.

The full disk is a small tmpfs and the read-only folder a read-only bind mount, each in a
private mount namespace (``unshare --user --map-root-user --mount``): chmod would not stop
root, which CI runs as, and nothing outside the test's own process tree sees the mounts.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.identity.idcard import id_check_char
from models.backup import backup_dir_for, list_backup_files, partial_files

ROOT = Path(__file__).resolve().parents[2]
INIT = (
    "init",
    "--name",
    "山西机械高级技工学校",
    "--uscc",
    "12140000676444728G",
    "--category",
    "技工院校",
    "--division",
    "140109",
)
#: A roster large enough that writing it takes a noticeable fraction of a second.
ROSTER_ROWS = 40_000
POLL = 0.002


def certdesk(db: Path, *argv: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", "--db", str(db), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def start(db: Path, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "main.py", "--db", str(db), *argv],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def start_script(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def write_roster(path: Path, rows: int = ROSTER_ROWS, first_year: int = 1980) -> Path:
    """A CSV roster of distinct, valid ID numbers born from ``first_year`` on."""
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "身份证号", "手机号"])
        for i in range(rows):
            day, serial = divmod(i, 1000)
            born = f"{first_year + day % 20}{1 + day // 20:02d}{1 + day % 28:02d}"
            first17 = f"140105{born}{serial:03d}"
            writer.writerow(["张伟", first17 + id_check_char(first17), f"139{i:08d}"])
    return path


def integrity(db: Path) -> str:
    connection = sqlite3.connect(db)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def count(db: Path, table: str = "trainees") -> int:
    connection = sqlite3.connect(db)
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()


def kill_when(process: subprocess.Popen[str], ready: Callable[[], bool], limit: float) -> bool:
    """SIGKILL the process as soon as ``ready()``; False if it finished first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if ready():
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(POLL)
    process.kill()
    process.wait()
    raise AssertionError("the child never reached the point to be killed at")


def wal_size(db: Path) -> int:
    try:
        return db.with_name(db.name + "-wal").stat().st_size
    except FileNotFoundError:
        return 0


@pytest.fixture
def school_db(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "certdesk.sqlite3"
    done = certdesk(db, *INIT)
    assert done.returncode == 0, done.stderr
    return db


# --- SIGKILL ----------------------------------------------------------------------------------


def test_kill_during_an_import_leaves_all_or_nothing(school_db: Path, tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.csv")
    process = start(school_db, "import-roster", str(roster))
    # Rows are only written once every row has been checked; the -wal file growing past a
    # few pages means the write transaction is under way.
    killed = kill_when(process, lambda: wal_size(school_db) > 512 * 1024, limit=120)
    assert integrity(school_db) == "ok"
    assert count(school_db) in {0, ROSTER_ROWS}
    if killed:
        assert count(school_db) == 0


BULK_INSERT = """
import sys
from sqlalchemy import insert
from models.bookkeeping import sync_columns
from models.database import open_database
from models.trainee import Trainee

database = open_database(sys.argv[1])
rows = int(sys.argv[2])
origin = "12140000676444728G"
with database.engine.begin() as connection:
    for start in range(0, rows, 1000):
        connection.execute(
            insert(Trainee),
            [
                {"name": "李四", "id_number": f"{start + i:018d}", **sync_columns(origin)}
                for i in range(1000)
            ],
        )
        if start == rows // 2:
            print("half", flush=True)
print("committed", flush=True)
"""


def test_kill_half_way_through_a_bulk_insert_leaves_nothing(school_db: Path) -> None:
    process = start_script(BULK_INSERT, str(school_db), "100000")
    assert process.stdout is not None
    with process:
        assert process.stdout.readline().strip() == "half"
        os.kill(process.pid, signal.SIGKILL)
    assert integrity(school_db) == "ok"
    assert count(school_db) == 0


def test_a_finished_bulk_insert_is_all_there(school_db: Path) -> None:
    process = start_script(BULK_INSERT, str(school_db), "4000")
    with process:
        output, _ = process.communicate()
    assert output.split() == ["half", "committed"]
    assert count(school_db) == 4000


def _demo_db(tmp_path: Path, trainees: int) -> Path:
    db = tmp_path / "demo" / "certdesk.sqlite3"
    done = certdesk(db, "demo", "--trainees", str(trainees))
    assert done.returncode == 0, done.stderr
    return db


def _file_snapshot(db: Path) -> tuple[int, str]:
    return count(db), integrity(db)


def test_kill_during_an_export_leaves_no_half_file(tmp_path: Path) -> None:
    db = _demo_db(tmp_path, 20_000)
    before = _file_snapshot(db)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "trainees.xlsx"
    process = start(db, "export", "trainees", "--out", str(target))
    started = time.monotonic()
    killed = kill_when(
        process,
        lambda: any(out_dir.iterdir()) or time.monotonic() - started > 2.5,
        limit=120,
    )
    assert killed, "the export finished before it could be interrupted"
    assert _file_snapshot(db) == before
    if target.exists():  # renamed into place before the kill: it must be complete
        load_workbook(target, read_only=True).close()


SLOW_BACKUP = """
import sys, time
from models.backup import backup_sqlite
from models.database import open_database

def slow(done, total, _text):
    print("step", done, total, flush=True)
    time.sleep(0.2)

backup_sqlite(open_database(sys.argv[1]).engine, "manual", progress=slow)
print("finished", flush=True)
"""


def test_kill_during_a_backup_leaves_no_backup_and_the_database_intact(tmp_path: Path) -> None:
    db = _demo_db(tmp_path, 5000)
    before = _file_snapshot(db)
    process = start_script(SLOW_BACKUP, str(db))
    assert process.stdout is not None
    with process:
        process.stdout.readline()
        process.stdout.readline()  # two steps copied, more to go
        os.kill(process.pid, signal.SIGKILL)
    folder = backup_dir_for(db)
    assert list_backup_files(folder) == []  # the half copy is not taken for a backup
    assert partial_files(folder)
    assert _file_snapshot(db) == before
    done = certdesk(db, "backup")
    assert done.returncode == 0, done.stderr
    assert integrity(Path(done.stdout.strip())) == "ok"


SLOW_RESTORE = """
import sys, time
from pathlib import Path
from core.safety.restore import restore_database
from models.database import open_database

def slow(done, total, _text):
    print("step", done, total, flush=True)
    time.sleep(0.2)

restore_database(open_database(sys.argv[1]), Path(sys.argv[2]), slow)
print("finished", flush=True)
"""


def test_kill_during_a_restore_leaves_the_old_data(tmp_path: Path) -> None:
    db = _demo_db(tmp_path, 5000)
    backup = Path(certdesk(db, "backup").stdout.strip())
    roster = write_roster(tmp_path / "roster.csv", rows=300)
    assert certdesk(db, "import-roster", str(roster)).returncode == 0
    before = _file_snapshot(db)
    process = start_script(SLOW_RESTORE, str(db), str(backup))
    assert process.stdout is not None
    with process:
        process.stdout.readline()
        process.stdout.readline()
        os.kill(process.pid, signal.SIGKILL)
    assert _file_snapshot(db) == before


# --- full disk, file size limit, read-only folder ---------------------------------------------


def in_private_mounts(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a shell script in its own user and mount namespace (root inside, mounts private)."""
    assert shutil.which("unshare"), "util-linux's unshare is needed for the mount tests"
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


VERIFY = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    "print(c.execute('PRAGMA integrity_check').fetchone()[0], "
    "c.execute('SELECT count(*) FROM trainees').fetchone()[0])"
)


def test_a_full_disk_during_an_import_is_explained_and_changes_nothing(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.csv", rows=20_000)
    disk = tmp_path / "small-disk"
    disk.mkdir()
    db = disk / "certdesk.sqlite3"
    init = " ".join(f"'{a}'" for a in INIT)
    done = in_private_mounts(
        f'mount -t tmpfs -o size=1200k tmpfs "$1" || exit 9\n'
        f'"{sys.executable}" main.py --db "$2" {init} || exit 8\n'
        f'"{sys.executable}" main.py --db "$2" import-roster "$3"\n'
        'echo "rc=$?"\n'
        f'"{sys.executable}" -c "{VERIFY}" "$2"\n',
        str(disk),
        str(db),
        str(roster),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-2:] == ["rc=1", "ok 0"]
    assert "磁盘空间已满" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_full_stick_during_a_backup_is_explained(school_db: Path, tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.csv", rows=20_000)
    assert certdesk(school_db, "import-roster", str(roster)).returncode == 0
    stick = tmp_path / "stick"
    stick.mkdir()
    done = in_private_mounts(
        'mount -t tmpfs -o size=256k tmpfs "$1" || exit 9\n'
        f'"{sys.executable}" main.py --db "$2" backup --to "$1"\n'
        'echo "rc=$?"\n'
        'ls -A "$1"\n',
        str(stick),
        str(school_db),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines() == ["rc=1"]  # and no half file on the stick
    assert "磁盘空间已满" in done.stderr
    assert integrity(school_db) == "ok"


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_file_size_limit_during_an_import(school_db: Path, tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.csv", rows=20_000)
    limit = school_db.stat().st_size + 256 * 1024
    done = certdesk(school_db, "import-roster", str(roster), preexec_fn=_limit_file_size(limit))
    assert done.returncode == 1
    assert "磁盘空间可能已满" in done.stderr
    assert "Traceback" not in done.stderr
    assert integrity(school_db) == "ok"
    assert count(school_db) == 0


def test_a_file_size_limit_during_an_export(tmp_path: Path) -> None:
    db = _demo_db(tmp_path, 3000)
    target = tmp_path / "trainees.xlsx"
    done = certdesk(
        db, "export", "trainees", "--out", str(target), preexec_fn=_limit_file_size(64 * 1024)
    )
    assert done.returncode == 1
    # The notice that the file would hold full numbers, then the reason it was not written.
    notice, reason = done.stderr.splitlines()[:2]
    assert notice.startswith("注意：即将写出的学员名单（含证书）")
    assert reason.startswith("文件超过了系统或磁盘格式允许的大小")
    assert "Traceback" not in done.stderr
    assert not target.exists()


def test_a_read_only_data_folder_is_explained(school_db: Path) -> None:
    folder = school_db.parent
    before = school_db.read_bytes()
    commands = [["audit"], ["backup"], ["classes"], ["import-roster", "x.csv"]]
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 9\n'
    for argv in commands:
        script += f'"{sys.executable}" main.py --db "$2" {" ".join(argv)}\necho "rc=$?" >&2\n'
    done = in_private_mounts(script, str(folder), str(school_db))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("rc=1") == len(commands), done.stderr
    assert done.stderr.count("没有写入权限") == len(commands) - 1  # x.csv is missing first
    assert "Traceback" not in done.stderr
    assert school_db.read_bytes() == before


# --- a damaged file, two at once --------------------------------------------------------------


def test_a_corrupted_database_is_refused_and_the_good_backup_named(school_db: Path) -> None:
    roster = write_roster(school_db.parent / "roster.csv", rows=5000)
    assert certdesk(school_db, "import-roster", str(roster)).returncode == 0
    backup = certdesk(school_db, "backup").stdout.strip()
    size = school_db.stat().st_size
    with school_db.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(os.urandom(64 * 1024))
    damaged = school_db.read_bytes()
    done = certdesk(school_db, "classes")
    assert done.returncode == 1
    assert "已损坏" in done.stderr
    assert backup in done.stderr
    assert "Traceback" not in done.stderr
    assert school_db.read_bytes() == damaged
    done = certdesk(school_db, "restore", backup, "--yes")
    assert done.returncode == 0, done.stderr
    assert integrity(school_db) == "ok"
    assert count(school_db) == 5000


def test_two_imports_at_once_both_land_whole(school_db: Path, tmp_path: Path) -> None:
    rosters = [
        write_roster(tmp_path / "a.csv", rows=6000),
        write_roster(tmp_path / "b.csv", rows=6000, first_year=1950),
    ]
    processes = [
        subprocess.Popen(
            [sys.executable, "main.py", "--db", str(school_db), "import-roster", str(roster)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for roster in rosters
    ]
    results = [(p.wait(), p.communicate()[1]) for p in processes]
    assert integrity(school_db) == "ok"
    succeeded = [code for code, _ in results if code == 0]
    assert count(school_db) == 6000 * len(succeeded)
    assert succeeded
    for code, err in results:
        if code != 0:  # the other one held the database longer than the busy timeout
            assert "数据库正被另一个程序或窗口占用" in err
