"""backup, backups, restore and audit from the command line, and refusals of a damaged file."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.safety.backups import data_fingerprint
from core.safety.instance_lock import InstanceLock
from main import main
from models.database import Database, open_database
from models.trainee import Trainee
from tests.core.safety.test_restore import corrupt_middle

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _add(database: Database, number: str) -> None:
    with database.session() as session:
        session.add(Trainee(name="韩梅梅", id_number=number, phone="13700001111"))
        session.commit()


def _count(db: Path) -> int:
    database = open_database(db)
    try:
        with database.session() as session:
            return session.scalar(select(func.count()).select_from(Trainee)) or 0
    finally:
        database.close()


def test_backup_prints_the_path_and_backups_lists_it(capsys, school: Database) -> None:
    db = school.path
    code, out, err = run(capsys, db, "backup")
    assert code == 0, err
    path = Path(out.strip().splitlines()[-1])
    assert path.is_file()
    assert path.parent == db.parent / "backups"
    code, out, _ = run(capsys, db, "backups")
    assert code == 0
    assert path.name in out
    assert "手动" in out
    code, out, _ = run(capsys, db, "backups", "--json")
    listed = json.loads(out)
    assert listed[0]["path"] == str(path)
    assert listed[0]["reason"] == "手动"
    assert listed[0]["size"] == path.stat().st_size


def test_backup_to_another_folder(capsys, school: Database, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    code, out, err = run(capsys, school.path, "backup", "--to", str(stick))
    assert code == 0, err
    assert Path(out.strip()).parent == stick


def test_restore_with_yes(capsys, school: Database) -> None:
    db = school.path
    _add(school, "140105199003071234")
    code, out, _ = run(capsys, db, "backup")
    backup = out.strip()
    _add(school, "140105199003075678")
    school.close()
    code, out, err = run(capsys, db, "restore", backup, "--yes")
    assert code == 0, err
    assert "已从备份恢复" in out
    assert "before-restore" in out
    assert _count(db) == 1
    code, out, _ = run(capsys, db, "audit", "--json", "--action", "恢复")
    assert json.loads(out)[0]["detail"].startswith("从备份")


def test_restore_without_a_terminal_needs_yes(capsys, school: Database, monkeypatch) -> None:
    db = school.path
    code, out, _ = run(capsys, db, "backup")
    _add(school, "140105199003071234")
    before = data_fingerprint(school)
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    code, _, err = run(capsys, db, "restore", out.strip())
    assert code == 1
    assert "--yes" in err
    assert data_fingerprint(school) == before


def test_restore_asks_on_a_terminal(capsys, school: Database, monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    db = school.path
    code, out, _ = run(capsys, db, "backup")
    _add(school, "140105199003071234")
    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    code, _, err = run(capsys, db, "restore", out.strip())
    assert code == 1
    assert "学员 0 人" in err
    assert "已取消" in err
    assert _count(db) == 1
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    code, _, err = run(capsys, db, "restore", out.strip())
    assert code == 0, err
    assert _count(db) == 0


def test_restore_refuses_a_file_that_is_no_backup(capsys, school: Database, tmp_path) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("这不是数据库")
    code, out, err = run(capsys, school.path, "restore", str(notes), "--yes")
    assert (code, out) == (1, "")
    assert "不是持证通数据库" in err
    code, _, err = run(capsys, school.path, "restore", str(tmp_path / "gone.sqlite3"), "--yes")
    assert code == 1
    assert "找不到备份文件" in err


def test_restore_refuses_while_the_window_is_open(capsys, school: Database) -> None:
    db = school.path
    code, out, _ = run(capsys, db, "backup")
    with InstanceLock(db):
        code, _, err = run(capsys, db, "restore", out.strip(), "--yes")
    assert code == 1
    assert "正在被使用" in err
    assert "请先关闭持证通窗口" in err


def _damaged(school: Database) -> tuple[Path, Path]:
    """A database with a good backup, then more data, then damaged on disk."""
    db = school.path
    _add(school, "140105199003071234")
    code = main(["--db", str(db), "backup"])
    assert code == 0
    backup = sorted((db.parent / "backups").iterdir())[-1]
    with school.session() as session:
        session.add_all(Trainee(name="某某", id_number=f"{i:018d}") for i in range(2000))
        session.commit()
    school.close()
    corrupt_middle(db)
    return db, backup


def test_commands_refuse_a_damaged_database_and_name_the_backup(capsys, school) -> None:
    db, backup = _damaged(school)
    capsys.readouterr()
    damaged = db.read_bytes()
    for argv in (["audit"], ["classes"], ["backup"]):
        code, out, err = run(capsys, db, *argv)
        assert code == 1, argv
        assert out == ""
        assert "已损坏" in err
        assert str(backup) in err
        assert "restore" in err
    assert db.read_bytes() == damaged


def test_restore_replaces_a_damaged_database(capsys, school: Database) -> None:
    db, backup = _damaged(school)
    capsys.readouterr()
    code, out, err = run(capsys, db, "restore", str(backup), "--yes")
    assert code == 0, err
    assert "损坏的数据库文件已改名保存为" in out
    assert _count(db) == 1
    assert list(db.parent.glob("*.damaged-*"))


def test_audit_filters_and_json(capsys, school: Database) -> None:
    _add(school, "140105199003071234")
    code, out, _ = run(capsys, school.path, "audit", "--json", "--entity", "学员")
    rows = json.loads(out)
    assert code == 0
    assert [r["action"] for r in rows] == ["新增"]
    assert "140105199003071234" not in out
    assert rows[0]["changes"].startswith("身份证号：（空） → 140105********1234")
    code, out, _ = run(capsys, school.path, "audit", "--since", "2999-01-01")
    assert (code, out) == (0, "")
    code, out, _ = run(capsys, school.path, "audit", "--limit", "1")
    assert len(out.strip().splitlines()) == 1
    code, out, _ = run(capsys, school.path, "audit", "--json")
    everything = json.loads(out)
    [origin] = {r["origin"] for r in everything}
    code, out, _ = run(capsys, school.path, "audit", "--json", "--origin", origin)
    assert code == 0 and json.loads(out) == everything
    code, out, _ = run(capsys, school.path, "audit", "--json", "--origin", "91110000000000000X")
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "--since", "2025-02-30"],
        ["audit", "--limit", "0"],
        ["audit", "--action", "偷看"],
        ["restore"],
        ["backup", "--to"],
    ],
)
def test_bad_arguments_are_usage_errors(capsys, school: Database, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(school.path), *argv])
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_backup_of_a_server_database_is_refused(capsys) -> None:
    code = main(["--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "backups"])
    err = capsys.readouterr().err
    assert code == 1
    assert "PostgreSQL" in err


def test_restore_in_a_real_process_prints_no_traceback(school: Database, tmp_path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    done = subprocess.run(
        [sys.executable, "main.py", "--db", str(school.path), "restore", str(junk), "--yes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "junk.sqlite3" in done.stderr
