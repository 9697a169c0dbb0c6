"""``progress [--json]``: the dashboard's figures on the command line (docs/progress-json.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from main import main
from models.database import Database
from models.trainee import Trainee
from tests.core import progress_data as data

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def progress_json(capsys: pytest.CaptureFixture[str], db: Database, day: str) -> dict:
    code, out, err = run(capsys, "--db", str(db.path), "progress", "--json", "--date", day)
    assert code == 0, err
    return json.loads(out)


def test_school_json_figures(capsys: pytest.CaptureFixture[str], database: Database) -> None:
    college = data.college(database)
    report = progress_json(capsys, college, data.CERT_DAY.isoformat())
    assert (report["version"], report["view"], report["date"]) == (1, "school", "2026-06-01")
    assert report["institution"]["name"] == "山西职业技术学院"
    cert = report["certificates"]
    assert {k: cert[k] for k in ("level", "target", "graduates", "achieved", "missing")} == {
        "level": "高级工",
        "target": 4800,
        "graduates": 6,
        "achieved": 3,
        "missing": 3,
    }
    assert (cert["days_left"], cert["per_week_needed"], cert["status"]) == (91, 369, "far_behind")
    assert cert["trend"][-1] == {"week": "2026-06-01", "achieved": 3}
    assert report["missing_by_class"][0] == {"name": "电工2202班", "graduates": 2, "missing": 2}


def test_school_json_training_and_subsidy(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    college = data.college(database)
    report = progress_json(capsys, college, data.TRAINING_DAY.isoformat())
    training = report["training"]
    assert (training["commitment"], training["completers"], training["enrolled"]) == (100, 6, 10)
    assert [m["state"] for m in training["milestones"]] == ["missed", "missed", "pending"]
    assert [(m["label"], m["state_label"]) for m in training["milestones"]] == [
        ("6月30日 40%", "未完成"),
        ("9月30日 80%", "未完成"),
        ("11月30日 100%", "未到期"),
    ]
    assert [c["name"] for c in training["late_classes"]] == ["K2 新能源汽车定向班"]
    subsidy = report["subsidy"]
    assert subsidy["total"] == 35000
    k3 = next(c for c in subsidy["classes"] if c["name"].startswith("K3"))
    assert (k3["per_person"], k3["capped"], k3["amount"]) == (10000, True, 20000)


def test_json_holds_no_personal_numbers(
    capsys: pytest.CaptureFixture[str], database: Database
) -> None:
    college = data.college(database)
    code, out, _ = run(capsys, "--db", str(college.path), "progress", "--json")
    assert code == 0
    with college.session() as session:
        people = session.execute(select(Trainee.id_number, Trainee.phone)).all()
    numbers = [n for row in people for n in row if n]
    assert len(numbers) > 20
    assert not any(n in out for n in numbers)
    assert "甲一" not in out


def test_bureau_json(capsys: pytest.CaptureFixture[str], database: Database) -> None:
    province = data.bureau(database, data.PROVINCE)
    report = progress_json(capsys, province, data.CERT_DAY.isoformat())
    assert report["view"] == "bureau"
    assert [(t["label"], t["target"], t["achieved"]) for t in report["totals"]] == [
        ("全省高级工", 107671, 2),
        ("全省中级工", 100820, 4),
    ]
    first = report["institutions"][0]
    assert (first["uscc"], first["target"], first["achieved"], first["basis"]) == (
        data.X_COLLEGE,
        4800,
        2,
        "附件1任务数",
    )
    assert first["last_package_at"] == "2026-05-20 16:30:00"
    assert len(report["annex1_rows"]) == 119
    assert report["stale"] == [data.T_TECHNICAL, data.W_CENTRE]
    assert report["completers"] == 1


def test_city_bureau_text(capsys: pytest.CaptureFixture[str], database: Database) -> None:
    city = data.bureau(database, data.TAIYUAN)
    code, out, err = run(capsys, "--db", str(city.path), "progress", "--date", "2026-06-01")
    assert code == 0, err
    assert "太原市教育局：任务 5,900，已取证 1" in out
    assert "超过 30 天没有报送数据包的机构" in out
    assert "太原技师学院" in out


def test_school_text(capsys: pytest.CaptureFixture[str], database: Database) -> None:
    college = data.college(database)
    code, out, err = run(capsys, "--db", str(college.path), "progress", "--date", "2026-10-01")
    assert code == 0, err
    assert "附件1任务数 4800，已取证 3" in out
    assert "已过 8月31日 截止日 31 天" in out
    assert "K3 生物医药定向班：结业 2 人 × 10,000 元（超上限，按上限计） = 20,000 元" in out
    assert "合计 35,000 元" in out


def test_refusals(capsys: pytest.CaptureFixture[str], database: Database) -> None:
    code, out, err = run(capsys, "--db", str(database.path), "progress")
    assert (code, out) == (1, "")
    assert "尚未登记" in err
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(database.path), "progress", "--date", "2026-13-01"])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    code, _, err = run(capsys, "--db", str(database.path), "progress", "--stale-days", "-1")
    assert code == 1
    assert "不能为负数" in err


def test_json_through_a_real_process(database: Database) -> None:
    college = data.college(database)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(college.path), "progress", "--json"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout.decode("utf-8"))["view"] == "school"
