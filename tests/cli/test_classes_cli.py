"""classes add / edit / show / roster / status / delete: output, refusals and exit codes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.identity.idcard import id_check_char
from main import main
from models.audit import AuditEntry
from models.database import Database
from models.trainee import Trainee
from models.training import Enrolment, PlanItem, TrainingClass

START = date.today() - timedelta(days=30)
END = START + timedelta(days=100)
PLAN_ITEMS = (
    "信创基础软硬件|国产CPU与操作系统概论|40|24|赵志强",
    "国产数据库｜部署、迁移与调优｜24｜56｜",
)


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def make_id(serial: int) -> str:
    first17 = f"14010519850312{serial:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def workers(school: Database) -> list[str]:
    """Three registered trainees; their ID numbers."""
    with school.session() as session:
        session.add_all(
            Trainee(name=name, gender="女", id_number=make_id(serial), phone="13700001111")
            for serial, name in enumerate(("孙海", "周敏", "吴刚"), start=1)
        )
        session.commit()
    return [make_id(serial) for serial in (1, 2, 3)]


def snapshot(db: Database) -> tuple[int | None, ...]:
    with db.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (TrainingClass, PlanItem, Enrolment, AuditEntry)
        )


def add(capsys: pytest.CaptureFixture[str], db_path: Path, *extra: str) -> tuple[int, str, str]:
    plan = [arg for item in PLAN_ITEMS for arg in ("--plan-item", item)]
    return run(
        capsys,
        db_path,
        "classes",
        "add",
        "--name",
        "信创运维定向培训班",
        "--industry",
        "信息技术应用创新",
        "--start",
        f"{START}",
        "--end",
        f"{END}",
        "--location",
        "实训楼",
        "--headcount",
        "30",
        "--subsidy",
        "3200",
        *plan,
        *extra,
    )


def shown(capsys: pytest.CaptureFixture[str], db_path: Path, class_id: str) -> dict[str, Any]:
    code, out, err = run(capsys, db_path, "classes", "show", class_id, "--json")
    assert code == 0, err
    return json.loads(out)


def test_add_writes_the_class_with_its_plan_and_roster(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, workers: list[str]
) -> None:
    code, out, err = add(capsys, db_path, "--add-trainee", workers[0], "--add-trainee", workers[1])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "已新建培训班“信创运维定向培训班”（草稿）：教学计划 2 个模块，名单 2 人"
    data = shown(capsys, db_path, lines[-1])
    assert data["id"] == int(lines[-1])
    assert (data["status"], data["status_key"], data["next_status"]) == ("草稿", "draft", "已申请")
    assert (data["industry"], data["total_hours"], data["subsidy_per_person"]) == (
        "E01",
        144,
        "3200.00",
    )
    assert [i["module"] for i in data["plan"]] == ["信创基础软硬件", "国产数据库"]
    assert data["plan"][1]["teacher"] == ""
    assert [r["id_number"] for r in data["roster"]] == [
        f"140105********{workers[0][-4:]}",
        f"140105********{workers[1][-4:]}",
    ]
    assert all(w not in json.dumps(data) for w in workers)


def test_a_bad_date_range_is_refused_naming_the_field_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path
) -> None:
    before = snapshot(school)
    code, out, err = add(capsys, db_path, "--end", f"{START}")
    assert (code, out) == (1, "")
    assert err == "结业日期: 应晚于开班日期\n"
    assert snapshot(school) == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--headcount", "三十"), "培训人数: 应为整数：三十"),
        (("--start", "2025-02-30"), "开班日期: 应为 YYYY-MM-DD 格式的日期：2025-02-30"),
        (("--subsidy", "12000"), "人均补贴（元）: 每人不超过10,000元"),
        (("--subsidy", "1.005"), "人均补贴（元）: 应为金额（元），最多两位小数"),
        (
            ("--plan-item", "只有模块"),
            "教学计划第3行: 应为“模块|内容|理论课时|实践课时|授课教师”共5项",
        ),
        (("--plan-item", "实训||四十|0|"), "教学计划第3行 理论课时: 应为整数：四十"),
        (("--hours", "150"), "教学计划合计: 144课时，与总课时150课时不符"),
        (("--kind", "短期"), "培训类型: 应为定向、订单、菜单、项目制之一"),
        (("--industry", "煤炭"), "对接产业: 应为14个战略性新兴产业或十大产业集群之一"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    capsys: pytest.CaptureFixture[str],
    school: Database,
    db_path: Path,
    extra: tuple[str, ...],
    message: str,
) -> None:
    before = snapshot(school)
    code, out, err = add(capsys, db_path, *extra)
    assert (code, out) == (1, "")
    assert err.startswith(message)
    assert snapshot(school) == before


def test_an_unknown_trainee_is_refused_masked_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, workers: list[str]
) -> None:
    before = snapshot(school)
    stranger = make_id(9)
    code, out, err = add(capsys, db_path, "--add-trainee", workers[0], "--add-trainee", stranger)
    assert (code, out) == (1, "")
    assert err == f"学员名单: 没有身份证号为140105********{stranger[-4:]}的学员（请先登记学员）\n"
    assert stranger not in err
    assert snapshot(school) == before


def test_edit_changes_only_what_is_given(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, workers: list[str]
) -> None:
    class_id = add(capsys, db_path, "--add-trainee", workers[0])[1].splitlines()[-1]
    code, out, err = run(capsys, db_path, "classes", "edit", class_id, "--location", "二号楼")
    assert (code, err) == (0, "")
    assert out == "已保存培训班“信创运维定向培训班”（草稿）：教学计划 2 个模块，名单 1 人\n"
    data = shown(capsys, db_path, class_id)
    assert (data["location"], data["planned_headcount"], len(data["plan"])) == ("二号楼", 30, 2)
    assert data["counts"]["enrolled"] == 1

    code, _, err = run(
        capsys,
        db_path,
        "classes",
        "edit",
        class_id,
        "--plan-item",
        "综合实训||0|160|赵志强",
        "--remove-trainee",
        workers[0],
        "--add-trainee",
        workers[1],
        "--add-trainee",
        workers[2],
        "--voucher-verified",
        workers[1],
    )
    assert code == 0, err
    data = shown(capsys, db_path, class_id)
    assert [(i["module"], i["practice_hours"]) for i in data["plan"]] == [("综合实训", 160)]
    assert data["total_hours"] == 160  # follows the new plan, as the option's help says
    marks = [(r["name"], r["voucher_issued"], r["voucher_verified"]) for r in data["roster"]]
    assert marks == [("周敏", True, True), ("吴刚", False, False)]


def test_completion_is_marked_once_open_with_the_checks_of_the_dialog(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, workers: list[str]
) -> None:
    class_id = add(capsys, db_path, "--add-trainee", workers[0])[1].splitlines()[-1]
    done = START + timedelta(days=1)
    complete = ("classes", "edit", class_id, "--completed", f"{workers[0]}:{done}")
    before = snapshot(school)
    code, out, err = run(capsys, db_path, *complete)
    assert (code, out) == (1, "")
    assert err == "学员名单第1行（孙海）: 培训班草稿，开班后才能标记结业\n"
    assert snapshot(school) == before
    for status in ("已申请", "filed", "OPEN"):
        assert run(capsys, db_path, "classes", "status", class_id, status)[0] == 0
    code, _, err = run(capsys, db_path, *complete)
    assert code == 0, err
    code, out, _ = run(capsys, db_path, "classes", "roster", class_id)
    assert out.splitlines() == [
        "序号\t姓名\t性别\t身份证号\t手机号\t已发券\t已验券\t已结业\t结业日期",
        f"1\t孙海\t女\t140105********{workers[0][-4:]}\t137****1111\t否\t否\t是\t{done}",
    ]
    code, _, err = run(capsys, db_path, "classes", "edit", class_id, "--not-completed", workers[0])
    assert code == 0, err
    code, out, _ = run(capsys, db_path, "classes", "roster", class_id, "--json")
    assert [(r["completed"], r["completion_date"]) for r in json.loads(out)] == [(False, None)]


def test_status_steps_forward_only_and_names_both_statuses(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, workers: list[str]
) -> None:
    class_id = add(capsys, db_path)[1].splitlines()[-1]
    code, out, err = run(capsys, db_path, "classes", "status", class_id, "applied")
    assert (code, out, err) == (1, "", "学员名单: 申请前须加入学员\n")
    code, out, err = run(capsys, db_path, "classes", "status", class_id, "开班")
    assert (code, out) == (1, "")
    assert err == "状态: 不能由“草稿”改为“开班”：状态只能逐步推进，下一步是“已申请”\n"
    code, _, err = run(capsys, db_path, "classes", "status", class_id, "结束")
    assert code == 1 and err.startswith("状态: 应为草稿（draft）、已申请（applied）")
    run(capsys, db_path, "classes", "edit", class_id, "--add-trainee", workers[0])
    code, out, err = run(capsys, db_path, "classes", "status", class_id, "已申请")
    assert (code, err) == (0, "")
    assert out == "已将培训班“信创运维定向培训班”的状态改为“已申请”\n"
    code, _, err = run(capsys, db_path, "classes", "status", class_id, "draft")
    assert code == 1 and "状态不能回退" in err


def test_delete_takes_drafts_only(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, workers: list[str]
) -> None:
    draft = add(capsys, db_path)[1].splitlines()[-1]
    filed = add(capsys, db_path, "--add-trainee", workers[0])[1].splitlines()[-1]
    run(capsys, db_path, "classes", "status", filed, "applied")
    before = snapshot(school)
    code, out, err = run(capsys, db_path, "classes", "delete", filed)
    assert (code, out, err) == (1, "", "状态: 只能删除草稿状态的培训班（本班为已申请）\n")
    assert snapshot(school) == before
    code, out, err = run(capsys, db_path, "classes", "delete", draft)
    assert (code, out, err) == (0, "已删除培训班“信创运维定向培训班”\n", "")
    code, out, err = run(capsys, db_path, "classes", "show", draft)
    assert (code, out, err) == (1, "", "培训班: 不存在（可能已被删除）\n")
    code, out, _ = run(capsys, db_path, "classes", "--json")
    assert [row["id"] for row in json.loads(out)] == [int(filed)]


def test_show_prints_the_fields_and_the_plan(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path
) -> None:
    class_id = add(capsys, db_path)[1].splitlines()[-1]
    code, out, _ = run(capsys, db_path, "classes", "show", class_id)
    assert code == 0
    lines = out.splitlines()
    assert lines[:4] == [
        f"编号：{class_id}",
        "状态：草稿（下一步：已申请）",
        "培训班名称：信创运维定向培训班",
        "对接产业：信息技术应用创新产业",
    ]
    assert "教学计划：2 个模块，合计 144 课时" in lines
    assert "1\t信创基础软硬件\t国产CPU与操作系统概论\t40\t24\t赵志强" in lines
    assert (
        lines[-1]
        == f"学员名单：0 人，已发券 0，已验券 0，已结业 0（名单见 classes roster {class_id}）"
    )


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    for argv in (("classes", "status", "1"), ("classes", "add", "--name", "某班")):
        with pytest.raises(SystemExit) as exc:
            main(["--db", str(db_path), *argv])
        assert exc.value.code == 2
    capsys.readouterr()
