"""The command-line contract of BRIEF.md: names, options, output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.version import VERSION
from main import main

ROOT = Path(__file__).resolve().parents[2]
GOOD_ID = "11010519491231002X"
SHANXI_ID = "140105199003071226"  # check character computed, not a real person's


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_through_a_real_process() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert VERSION in done.stdout


def test_usage_error_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["check-id"])
    assert exc.value.code == 2


def test_check_id_accepts_and_describes(capsys) -> None:
    code, out, err = run(capsys, "check-id", SHANXI_ID, "１１０１０５１９４９１２３１００２ｘ")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split("\t")[:3] == [SHANXI_ID, "女", "1990-03-07"]
    assert "小店区" in lines[0]
    assert lines[1].split("\t")[:3] == [GOOD_ID, "女", "1949-12-31"]


def test_check_id_rejects_with_a_chinese_reason(capsys) -> None:
    bad = SHANXI_ID[:-1] + "7"
    code, out, err = run(capsys, "check-id", SHANXI_ID, bad)
    assert code == 1
    assert out.count("\n") == 1
    assert "校验位" in err


def test_check_id_names_excel_damage(capsys) -> None:
    code, _, err = run(capsys, "check-id", "1.40105E+17")
    assert code == 1
    assert "Excel" in err
    assert "科学计数法" in err


def test_check_id_json(capsys) -> None:
    code, out, _ = run(capsys, "check-id", "--json", SHANXI_ID)
    assert code == 0
    [result] = json.loads(out)
    assert result["ok"] and result["gender"] == "女" and result["birth_date"] == "1990-03-07"


def test_check_uscc(capsys) -> None:
    code, out, _ = run(capsys, "check-uscc", "12140000676444728G")
    assert (code, out.strip()) == (0, "12140000676444728G")
    code, _, err = run(capsys, "check-uscc", "12140000676444728H")
    assert code == 1 and "校验位" in err
    code, _, err = run(capsys, "check-uscc", "1214000067644472")
    assert code == 1 and "18" in err


def test_targets_json_totals(capsys) -> None:
    code, out, _ = run(capsys, "targets", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["totals"] == {"高级工": 107671, "中级工": 100820}
    assert sum(r["target"] for r in data["rows"]) == 107671 + 100820
    assert {"unit": "运城市教育局", "target": 12700}.items() <= next(
        r for r in data["rows"] if r["unit"] == "运城市教育局"
    ).items()


def test_targets_text(capsys) -> None:
    code, out, _ = run(capsys, "targets")
    assert code == 0
    assert "高级工合计\t107671" in out and "中级工合计\t100820" in out


INIT = [
    "init",
    "--name",
    "山西机械高级技工学校",
    "--uscc",
    "12140000676444728G",
    "--category",
    "技工院校",
    "--division",
    "140109",
]


def test_init_registers_once(capsys, tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite3")
    code, out, err = run(capsys, "--db", db, *INIT, "--phone", "0351-3046505")
    assert code == 0, err
    assert "山西机械高级技工学校" in out
    code, _, err = run(capsys, "--db", db, *INIT)
    assert code == 1
    assert "不能重复初始化" in err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--uscc", "12140000676444728H", "统一社会信用代码"),
        ("--category", "大学", "机构类别"),
        ("--division", "110105", "行政区划"),
    ],
)
def test_init_refuses_bad_fields_and_writes_nothing(
    capsys, tmp_path: Path, option: str, value: str, message: str
) -> None:
    db = tmp_path / "x.sqlite3"
    argv = list(INIT)
    argv[argv.index(option) + 1] = value
    code, _, err = run(capsys, "--db", str(db), *argv)
    assert code == 1
    assert message in err
    code, _, err = run(capsys, "--db", str(db), "demo", "--trainees", "10")
    assert code == 0, err  # the refused init left the database empty


def test_init_refuses_a_bad_admin_id(capsys, tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "--db", str(tmp_path / "x.sqlite3"), *INIT, "--admin-id", SHANXI_ID[:-1] + "0"
    )
    assert code == 1
    assert "超级管理员身份证号" in err


def test_newer_database_is_refused_on_the_command_line(capsys, db_path: Path) -> None:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    code, _, err = run(capsys, "--db", str(db_path), *INIT)
    assert code == 1
    assert "请升级" in err


def test_institution_show_and_edit_like_the_profile_page(capsys, tmp_path: Path) -> None:
    db = str(tmp_path / "x.sqlite3")
    run(capsys, "--db", db, *INIT, "--phone", "13903510001", "--admin-id", "140105199003071226")
    code, out, err = run(
        capsys,
        "--db",
        db,
        "institution",
        "edit",
        "--address",
        "太原市小店区坞城路1号",
        "--occupation",
        "电工:6-31-01-03",
        "--occupation",
        "焊工",
        "--industry",
        "大数据",
    )
    assert code == 0, err
    code, out, _ = run(capsys, "--db", db, "institution", "show", "--json")
    shown = json.loads(out)
    assert shown["address"] == "太原市小店区坞城路1号"
    assert [o["name"] for o in shown["occupations"]] == ["电工", "焊工"]
    assert len(shown["industries"]) == 1
    # numbers stay masked on screen, and an edit that does not name them keeps them
    assert shown["contact_phone"] == "139****0001" and "*" in shown["admin_id_number"]
    before = run(capsys, "--db", db, "institution", "show", "--json")[1]
    code, _, err = run(capsys, "--db", db, "institution", "edit", "--division", "110105")
    assert code == 1 and "行政区划" in err
    assert run(capsys, "--db", db, "institution", "show", "--json")[1] == before
    code, _, err = run(capsys, "--db", db, "institution", "edit", "--industry", "火星产业")
    assert code == 1 and "对接产业" in err
