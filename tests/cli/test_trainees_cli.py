"""trainees and certificates on the command line: the GUI's use cases, masked output, exit
codes 0/1/2, and a refusal that names the field and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.identity.idcard import id_check_char
from main import main
from models.audit import AuditEntry
from models.database import Database
from models.trainee import Certificate, Trainee
from tests.core.strategies import id_numbers

WANG = "14010520030105011" + id_check_char("14010520030105011")
LI = "14010520040202012" + id_check_char("14010520040202012")
PHONE = "13800001111"
SKILL = "职业技能等级证书（含1+X）"


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", str(db), *argv])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 0
    out, err = capsys.readouterr()
    return code, out, err


def state(db: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    """Every trainee and certificate row and the number of audit entries: what a refused
    command must leave exactly as it was."""
    with db.session() as session:
        people = [tuple(r) for r in session.execute(select(Trainee.__table__)).all()]
        held = [tuple(r) for r in session.execute(select(Certificate.__table__)).all()]
        entries = len(session.scalars(select(AuditEntry.id)).all())
    return people, held, entries


def test_add_show_list_edit_delete(capsys, school: Database, db_path: Path) -> None:
    code, out, err = run(
        capsys, db_path, "trainees", "add", "--name", "王伟", "--id-number", WANG.lower(),
        "--phone", PHONE, "--class-name", "数控2101", "--graduation-year", "2024届",
    )  # fmt: skip
    assert (code, out.strip(), err) == (0, "已新增学员：王伟（编号 1）", "")

    code, out, _ = run(capsys, db_path, "trainees", "list")
    assert code == 0
    assert out.strip().split("\t") == [
        "1", "王伟", "男", f"140105********{WANG[-4:]}", "138****1111", "在校学生",
        "数控2101", "2024", "0",
    ]  # fmt: skip

    code, out, _ = run(capsys, db_path, "trainees", "show", "1")
    assert code == 0
    assert "身份证号: 140105********" in out and "毕业年份: 2024" in out

    code, out, _ = run(capsys, db_path, "trainees", "edit", "1", "--major", "数控技术")
    assert (code, out.strip()) == (0, "已修改学员：王伟（编号 1）")
    with school.session() as session:
        stored = session.get(Trainee, 1)
        assert stored is not None
        assert (stored.id_number, stored.phone, stored.major) == (WANG, PHONE, "数控技术")

    code, out, _ = run(capsys, db_path, "trainees", "delete", "1")
    assert (code, out.strip()) == (0, "已删除学员：王伟（编号 1）")
    code, _, err = run(capsys, db_path, "trainees", "delete", "1")
    assert (code, err.strip()) == (1, "学员: 编号 1 不存在（可能已被删除）")
    code, _, err = run(capsys, db_path, "trainees", "show", "1")
    assert code == 1 and "不存在" in err


def test_json_is_utf8_and_masked(capsys, school: Database, db_path: Path) -> None:
    run(capsys, db_path, "trainees", "add", "--name", "王伟", "--id-number", WANG, "--phone", PHONE)
    run(capsys, db_path, "certificates", "add", "--trainee", "1", "--type", "特种作业操作证",
        "--occupation", "电工", "--number", f"T{WANG}", "--issue-date", "2025-06-01")  # fmt: skip
    outputs = [
        run(capsys, db_path, *argv)[1]
        for argv in (
            ("trainees", "list", "--json"),
            ("trainees", "show", "1", "--json"),
            ("certificates", "list", "--json"),
        )
    ]
    for out in outputs:
        assert WANG not in out and PHONE not in out
        json.loads(out)
    listed, shown, held = (json.loads(out) for out in outputs)
    assert listed[0]["name"] == "王伟" and listed[0]["phone"] == "138****1111"
    assert shown["certificates"][0]["number"] == f"T140105********{WANG[-4:]}"
    assert held[0]["counts_as"] is None and held[0]["trainee_name"] == "王伟"


def test_a_refusal_names_the_field_and_writes_nothing(
    capsys, school: Database, db_path: Path
) -> None:
    run(capsys, db_path, "trainees", "add", "--name", "王伟", "--id-number", WANG)
    before = state(school)
    bad_check = WANG[:-1] + ("0" if WANG[-1] != "0" else "1")
    for argv, message in (
        (("--name", "李娜", "--id-number", bad_check), "身份证号: 校验位不符"),
        (("--name", "李娜", "--id-number", WANG.lower()), "身份证号: 已登记为学员“王伟”"),
        (("--name", "李娜", "--id-number", LI, "--identity", "学生"), "身份: 应为在校学生"),
        (("--name", "李娜", "--id-number", LI, "--graduation-year", "明年"), "毕业年份: “明年”"),
        (("--name", "李娜", "--id-number", LI, "--phone", "12"), "手机号: "),
    ):
        code, out, err = run(capsys, db_path, "trainees", "add", *argv)
        assert (code, out) == (1, ""), argv
        assert err.startswith(message), err
        assert state(school) == before
    code, _, err = run(capsys, db_path, "trainees", "edit", "1", "--id-number", "1401")
    assert code == 1 and err.startswith("身份证号: ")
    # Bytes the terminal could not decode are no text at all: a usage error (cli/app.py).
    code, out, err = run(
        capsys, db_path, "trainees", "add", "--name", "李\udce4", "--id-number", LI
    )
    assert (code, out) == (2, "") and "“李\\xe4”含有无法识别的字节" in err
    assert state(school) == before


def test_usage_errors_exit_2(capsys, school: Database, db_path: Path) -> None:
    assert run(capsys, db_path, "trainees", "add", "--name", "王伟")[0] == 2
    assert run(capsys, db_path, "trainees", "show", "abc")[0] == 2
    assert run(capsys, db_path, "trainees")[0] == 2
    assert run(capsys, db_path, "certificates", "list", "--year", "20x5")[0] == 2


def test_list_searches_like_the_table(capsys, school: Database, db_path: Path) -> None:
    run(capsys, db_path, "trainees", "add", "--name", "王伟", "--id-number", WANG)
    run(capsys, db_path, "trainees", "add", "--name", "李娜", "--id-number", LI, "--phone", PHONE)
    run(capsys, db_path, "certificates", "add", "--trainee", "1", "--type", SKILL, "--occupation",
        "电工", "--level", "四级", "--number", "S1", "--issue-date", "2025-06-01")  # fmt: skip

    def names(*argv: str) -> list[str]:
        code, out, _ = run(capsys, db_path, "trainees", "list", *argv)
        assert code == 0
        return [line.split("\t")[1] for line in out.splitlines()]

    assert names() == ["李娜", "王伟"]
    assert names("--search", "王") == ["王伟"]
    assert names("--search", LI[-6:]) == ["李娜"]
    assert names("--search", PHONE[:7]) == ["李娜"]
    assert names("--without-certificate") == ["李娜"]
    assert names("--limit", "1") == ["李娜"]


def test_certificates_add_list_delete(capsys, school: Database, db_path: Path) -> None:
    run(capsys, db_path, "trainees", "add", "--name", "王伟", "--id-number", WANG)
    run(capsys, db_path, "trainees", "add", "--name", "李娜", "--id-number", LI)
    add = ("certificates", "add", "--occupation", "电工", "--type", SKILL)
    assert run(capsys, db_path, *add, "--trainee", "1", "--level", "三级", "--number", "A1",
               "--issue-date", "2024年5月1日")[:2] == (0, "已新增证书：编号 1\n")  # fmt: skip
    assert run(capsys, db_path, *add, "--trainee", "2", "--level", "五级", "--number", "B1",
               "--issue-date", "2025-06-01")[0] == 0  # fmt: skip
    before = state(school)
    code, _, err = run(capsys, db_path, *add, "--trainee", "2", "--number", "a1",
                       "--issue-date", "2025-13-01")  # fmt: skip
    assert code == 1
    assert err.splitlines() == [
        "发证日期: “2025-13-01”不是日期，应如 2024-06-30",
    ]
    code, _, err = run(capsys, db_path, *add, "--trainee", "2", "--number", "a1",
                       "--issue-date", "2025-06-01")  # fmt: skip
    assert code == 1
    assert set(err.splitlines()) == {
        "等级: 职业技能等级证书（含1+X）须填写等级",
        "证书编号: 与学员“王伟”的证书编号重复",
    }
    assert state(school) == before

    def numbers(*argv: str) -> list[str]:
        code, out, err = run(capsys, db_path, "certificates", "list", *argv)
        assert code == 0, err
        return [line.split("\t")[7] for line in out.splitlines()]

    assert numbers() == ["B1", "A1"]
    assert numbers("--level", "五级/初级工") == ["B1"]
    assert numbers("--level", "无等级") == []
    assert numbers("--type", SKILL, "--year", "2024") == ["A1"]
    assert numbers("--trainee", "1") == ["A1"]
    code, _, err = run(capsys, db_path, "certificates", "list", "--level", "九级")
    assert code == 1 and err.startswith("等级: 应为")

    assert run(capsys, db_path, "certificates", "delete", "1")[:2] == (
        0,
        f"已删除证书：编号 1（{SKILL}，A1）\n",
    )
    code, _, err = run(capsys, db_path, "certificates", "delete", "1")
    assert (code, err.strip()) == (1, "证书: 编号 1 不存在（可能已被删除）")
    assert numbers() == ["B1"]


# --- arbitrary text -----------------------------------------------------------------------

#: What a terminal can pass: any text but a NUL (argv is C strings) or an undecodable byte.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
#: Each option with values it accepts, so that some random command lines go through.
_OPTIONS = {
    "--phone": ["13800001111", "0351-7654321"],
    "--identity": ["在校学生", "企业职工"],
    "--employer": ["太原重工"],
    "--major": ["数控技术"],
    "--class-name": ["数控2101"],
    "--graduation-year": ["2024", "2025届", ""],
}


@st.composite
def add_arguments(draw: st.DrawFn) -> list[str]:
    """``trainees add`` with random text in every field, or now and then a valid value so
    that some additions go through. ``--opt=value``: a value may start with a dash."""
    name = draw(st.one_of(_TEXT, st.sampled_from(["王伟", "欧阳 晓明", "阿依古丽·买买提"])))
    number = draw(st.one_of(_TEXT, id_numbers()))
    argv = [f"--name={name}", f"--id-number={number}"]
    for option, accepted in _OPTIONS.items():
        if draw(st.booleans()):
            value = draw(st.one_of(st.sampled_from(accepted), _TEXT))
            argv.append(f"{option}={value}")
    return argv


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=add_arguments())
def test_trainees_add_with_any_text_exits_0_or_1(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, argv: list[str]
) -> None:
    before = state(school)
    code, out, err = run(capsys, db_path, "trainees", "add", *argv)
    event(f"exit {code}")
    assert code in (0, 1), (argv, err)
    assert "Traceback" not in err
    after = state(school)
    if code == 1:
        assert err.strip() and ": " in err.splitlines()[0]
        assert after == before
    else:
        assert out.startswith("已新增学员：")
        assert len(after[0]) == len(before[0]) + 1
