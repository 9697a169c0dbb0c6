"""import-roster, import-certificates and export roster: the command-line contract.

Bad rows are listed on stderr exactly as ``第N行 列名: 原因``; any bad row refuses the whole file
unless --skip-invalid; a file that is no spreadsheet gets one line. The last test kills an
import with SIGKILL while it is writing and finds the database as it was.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from core.classes.checks import ClassFields
from core.classes.records import enrol, save_class
from main import main
from models.database import Database, open_database
from models.trainee import Certificate, Trainee
from tests.core.importing.workbooks import make_id, write_csv, write_xlsx
from tests.core.strategies import id_check

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"第\d+行 [^:：\s]+: .+")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _count(database: Database, model: type = Trainee) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(model.id))) or 0


def _roster(path: Path) -> Path:
    return write_xlsx(
        path,
        [
            ["2025级学员名单"],
            ["序号", "姓名", "身份证号码", "手机号码"],
            [1, "王芳", make_id(1, female=True), "13812340001"],
            [2, "李强", int(make_id(2)), "13812340002"],  # row 4: Excel made it a number
            [3, "张伟", make_id(3), "1381234000"],  # row 5: a digit short
            [],
            [5, "刘洋", make_id(1, female=True), ""],  # row 7: same ID as row 3
        ],
        merges=[(1, 1, 1, 4)],
    )


def test_any_bad_row_refuses_the_whole_file(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    path = _roster(tmp_path / "r.xlsx")
    code, out, err = run(capsys, "--db", str(db_path), "import-roster", str(path))
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("第4行 身份证号码: Excel 已把号码存成数字")
    assert lines[1].startswith("第5行 手机号码: 手机号应为11位数字")
    assert lines[2] == "第7行 身份证号码: 与第3行的身份证号重复"
    assert all(LINE.fullmatch(line) for line in lines[:3])
    assert lines[3].startswith("共3行有误，未导入任何数据")
    assert _count(school) == 0


def test_skip_invalid_imports_the_good_rows_and_lists_the_bad(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    report = tmp_path / "错误报告.xlsx"
    code, out, err = run(
        capsys,
        "--db",
        str(db_path),
        "import-roster",
        str(_roster(tmp_path / "r.xlsx")),
        "--skip-invalid",
        "--report",
        str(report),
    )
    assert code == 0, err
    assert "新增 1 人" in out and "跳过有误的 3 行" in out
    assert sum(1 for line in err.splitlines() if LINE.fullmatch(line)) == 3
    assert _count(school) == 1
    sheet = openpyxl.load_workbook(report).active
    assert sheet is not None
    header = ["序号", "姓名", "身份证号码", "手机号码", "原文件行号", "错误原因"]
    assert [c.value for c in sheet[1]] == header
    assert [row[4].value for row in sheet.iter_rows(min_row=2)] == [4, 5, 7]
    bad = sheet["D3"]
    assert (bad.value, bad.data_type) == ("1381234000", "s")
    assert bad.fill.fill_type == "solid"
    assert bad.comment is not None and "11位" in bad.comment.text


@pytest.mark.parametrize(
    "case",
    [
        ("notes.xlsx", b"just some text\n", "纯文本"),
        ("cut.xlsx", b"PK\x03\x04\x14\x00\x00\x00broken", "已损坏"),
        ("empty.csv", b"", "是空的"),
    ],
)
def test_a_file_that_is_no_spreadsheet_gets_one_line(
    capsys: pytest.CaptureFixture[str],
    school: Database,
    db_path: Path,
    tmp_path: Path,
    case: tuple[str, bytes, str],
) -> None:
    name, content, expected = case
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(capsys, "--db", str(db_path), "import-roster", str(path))
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert expected in err


def test_update_existing_and_enrol_into_a_class(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    with school.session() as session:
        class_id = save_class(
            session,
            None,
            ClassFields(
                name="数控车工定向培训班",
                industry_code="E06",
                start_date=date(2025, 3, 3),
                end_date=date(2025, 6, 2),
                total_hours=320,
            ),
            [],
        ).id
        session.commit()
    first = write_csv(
        tmp_path / "a.csv",
        [["姓名", "身份证号", "手机号"], ["王芳", make_id(1, female=True), "13812340001"]],
        encoding="gbk",
    )
    code, out, err = run(capsys, "--db", str(db_path), "import-roster", str(first))
    assert code == 0, err
    second = write_csv(
        tmp_path / "b.csv",
        [
            ["姓名", "身份证号", "手机号"],
            ["王芳", make_id(1, female=True), "13900000001"],
            ["李强", make_id(2), ""],
        ],
    )
    argv = ["--db", str(db_path), "import-roster", str(second), "--class", str(class_id)]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "新增 1 人，更新 0 人，未改动 1 人" in out and "新加入培训班 2 人" in out
    code, out, err = run(capsys, *argv, "--update-existing")
    assert code == 0, err
    assert "更新 1 人" in out and "新加入培训班 0 人" in out
    with school.session() as session:
        phone = session.scalar(select(Trainee.phone).where(Trainee.name == "王芳"))
        identity = session.scalar(select(Trainee.identity).where(Trainee.name == "李强"))
    assert (phone, identity) == ("13900000001", "企业职工")  # the class's participants
    code, _out, err = run(capsys, *argv[:-1], "99")
    assert code == 1
    assert err.strip() == "找不到编号为 99 的培训班"


def test_import_certificates(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    roster = write_csv(tmp_path / "r.csv", [["姓名", "身份证号"], ["李强", make_id(2)]])
    assert run(capsys, "--db", str(db_path), "import-roster", str(roster))[0] == 0
    header = ["证书编号", "姓名", "身份证号", "职业（工种）", "等级", "发证日期", "发证机构"]
    good = ["C-1", "李强", make_id(2), "车工", "三级", "2024-06-30", "山西省职业技能鉴定指导中心"]
    stranger = ["C-2", "赵敏", make_id(8), "车工", "三级", "2024-06-30", ""]
    path = write_xlsx(tmp_path / "c.xlsx", [header, good, stranger])
    argv = ["--db", str(db_path), "import-certificates", str(path)]
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert err.splitlines()[0] == "第3行 身份证号: 库中没有该身份证号的学员，请先导入学员名单"
    assert _count(school, Certificate) == 0
    code, out, err = run(capsys, *argv, "--skip-invalid")
    assert code == 0, err
    assert "新增证书 1 本" in out
    code, out, err = run(capsys, *argv, "--skip-invalid")
    assert code == 0, err
    assert "新增证书 0 本，已在库中、未重复导入 1 本" in out
    assert _count(school, Certificate) == 1


def test_export_roster_of_a_class(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    roster = write_csv(
        tmp_path / "r.csv",
        [["姓名", "身份证号", "手机号"], ["王芳", make_id(1, female=True), "13812340001"]],
    )
    assert run(capsys, "--db", str(db_path), "import-roster", str(roster))[0] == 0
    with school.session() as session:
        class_id = save_class(
            session,
            None,
            ClassFields(
                name="数控车工定向培训班",
                industry_code="E06",
                start_date=date(2025, 3, 3),
                end_date=date(2025, 6, 2),
                total_hours=320,
            ),
            [],
        ).id
        enrol(session, class_id, list(session.scalars(select(Trainee.id))))
        session.commit()
    out_path = tmp_path / "名单.xlsx"
    export = ["--db", str(db_path), "export", "roster", "--out", str(out_path), "--class"]
    code, out, err = run(capsys, *export, str(class_id))
    assert code == 0, err
    assert out.strip() == str(out_path)
    sheet = openpyxl.load_workbook(out_path).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == ["序号", "姓名", "性别", "身份证号", "手机号"]
    assert [c.value for c in sheet[3]] == [1, "王芳", "女", make_id(1, female=True), "13812340001"]
    code, _out, err = run(capsys, *export, "99")
    assert code == 1
    assert "编号为 99 的培训班不存在" in err


def test_export_needs_a_kind(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["export", "roster", "--out", "x.xlsx"])
    assert exc.value.code == 2


def _wal_size(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_an_import_killed_while_writing_leaves_the_database_as_it_was(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    small = write_csv(tmp_path / "small.csv", [["姓名", "身份证号"], ["王芳", make_id(1)]])
    assert run(capsys, "--db", str(db_path), "import-roster", str(small))[0] == 0
    school.close()
    before = _count_raw(db_path)
    rows = [["姓名", "身份证号", "手机号"]]
    for serial in range(80_000):
        born = f"{1970 + serial % 40}{1 + serial % 12:02d}{1 + serial % 28:02d}"
        body = f"1401{serial // 1000 % 100:02d}{born}{serial % 1000:03d}"
        name = f"学员{chr(0x4E00 + serial % 500)}"
        rows.append([name, body + id_check(body), f"138{serial:08d}"])
    big = write_csv(tmp_path / "big.csv", rows)
    idle = _wal_size(db_path)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db_path), "import-roster", str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        # Uncommitted pages spill into the WAL file once the page cache is full: writing began.
        while _wal_size(db_path) < idle + 4 * 2**20:
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _count_raw(db_path) == before == 1
    reopened = open_database(db_path)
    assert _count(reopened) == 1
    reopened.close()


def _count_raw(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM trainees").fetchone()[0]
