"""Files with full numbers from the command line: the notice on stderr before writing, one
audit entry with the people count once written (``audit --json --action 导出``), none after a
failed write; and ``export missing``, masked unless ``--full``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from core.progress import task_year
from main import main
from models.database import Database
from tests.core import progress_data as data
from tests.reports.builders import add_class


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def exported(capsys: pytest.CaptureFixture[str], db: Path) -> list[str]:
    """What ``audit --json --action 导出`` lists: the details of every file exported."""
    code, out, err = run(capsys, db, "audit", "--json", "--action", "导出")
    assert code == 0, err
    entries = json.loads(out)
    assert all(e["action"] == "导出" and e["entity"] == "file" for e in entries)
    return [e["detail"] for e in entries]


#: (argv after ``export``, what the notice and the entry call it, how many people, suffix)
KINDS = {
    "annex3": (["annex3", "--class", "{class_id}"], "申请报告（附学员名单）", 5, ".pdf"),
    "roster": (["roster", "--class", "{class_id}"], "学员名单", 5, ".xlsx"),
    "trainees": (["trainees"], "学员名单（含证书）", 5, ".xlsx"),
    "subsidy": (["subsidy", "--class", "{class_id}"], "补贴申请表", 3, ".pdf"),
}


def _argv(kind: str, class_id: int, out: Path) -> list[str]:
    template = KINDS[kind][0]
    return ["export", *(a.format(class_id=class_id) for a in template), "--out", str(out)]


@pytest.mark.parametrize("kind", KINDS)
def test_the_notice_comes_first_and_one_entry_counts_the_people(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path, kind: str
) -> None:
    _template, what, people, suffix = KINDS[kind]
    class_id = add_class(school, 5, status="结业", completed=3)
    out_file = tmp_path / f"file{suffix}"
    code, out, err = run(capsys, db_path, *_argv(kind, class_id, out_file))
    assert code == 0, err
    assert err.startswith(f"注意：即将写出的{what}含有 {people} 人的完整身份证号")
    assert out.strip().splitlines()[-1] == str(out_file)
    assert out_file.stat().st_size > 0
    (detail,) = exported(capsys, db_path)
    assert detail.startswith(f"{what}（{people} 人，含完整号码；")
    assert detail.endswith(str(out_file))


@pytest.mark.parametrize("kind", KINDS)
def test_a_write_failing_after_the_notice_leaves_no_entry(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path, kind: str
) -> None:
    _template, what, _people, suffix = KINDS[kind]
    class_id = add_class(school, 5, status="结业", completed=3)
    out_file = tmp_path / "no-such-folder" / f"file{suffix}"
    code, out, err = run(capsys, db_path, *_argv(kind, class_id, out_file))
    assert (code, out) == (1, "")
    notice, refusal = err.splitlines()[0], err.splitlines()[-1]
    assert notice.startswith(f"注意：即将写出的{what}")
    assert "不存在" in refusal
    assert exported(capsys, db_path) == []


def test_a_file_without_anyone_s_numbers_has_no_notice(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    code, _out, err = run(capsys, db_path, "export", "trainees", "--out", str(tmp_path / "t.xlsx"))
    assert (code, err) == (0, "")
    class_id = add_class(school, 0)
    code, _out, err = run(
        capsys, db_path, *_argv("annex3", class_id, tmp_path / "a.pdf"), "--date", "2026-02-20"
    )
    assert code == 1
    assert err.startswith("学员名单: 没有学员")  # refused, and nothing announced
    assert exported(capsys, db_path) == []


# --- export missing ---------------------------------------------------------------------


@pytest.fixture
def college(database: Database) -> Database:
    return data.college(database)


def _missing_rows(path: Path) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path)["还差谁"]
    return list(sheet.iter_rows(min_row=3, values_only=True))


def test_export_missing_is_masked_by_default(
    capsys: pytest.CaptureFixture[str], college: Database, tmp_path: Path
) -> None:
    out_file = tmp_path / "还差谁.xlsx"
    code, out, err = run(
        capsys, college.path, "export", "missing", "--out", str(out_file), "--year", "2026"
    )
    assert (code, err) == (0, "")
    assert out.strip() == str(out_file)
    rows = _missing_rows(out_file)
    assert [r[3] for r in rows] == ["丙三", "丁四", "戊五"]
    assert all("*" in str(r[5]) and "****" in str(r[6]) for r in rows)
    assert exported(capsys, college.path) == []


def test_export_missing_full_announces_then_audits(
    capsys: pytest.CaptureFixture[str], college: Database, tmp_path: Path
) -> None:
    out_file = tmp_path / "还差谁.xlsx"
    argv = ["export", "missing", "--out", str(out_file), "--year", "2026", "--full"]
    code, out, err = run(capsys, college.path, *argv)
    assert code == 0, err
    assert err.startswith("注意：即将写出的还差谁名单含有 3 人的完整身份证号")
    assert out.strip() == str(out_file)
    assert all(len(str(r[5])) == 18 and "*" not in str(r[5]) for r in _missing_rows(out_file))
    (detail,) = exported(capsys, college.path)
    assert detail == f"还差谁名单（3 人，含完整号码；联系尚未取证的应届毕业生）：{out_file}"

    failing = tmp_path / "gone" / "x.xlsx"
    code, _out, err = run(capsys, college.path, *argv[:2], "--out", str(failing), *argv[4:])
    assert code == 1
    assert err.startswith("注意：即将写出的还差谁名单") and "不存在" in err
    assert len(exported(capsys, college.path)) == 1


def test_export_missing_defaults_to_the_progress_year(
    capsys: pytest.CaptureFixture[str], college: Database, tmp_path: Path
) -> None:
    out_file = tmp_path / "m.xlsx"
    code, _out, err = run(capsys, college.path, "export", "missing", "--out", str(out_file))
    assert code == 0, err
    title = openpyxl.load_workbook(out_file)["还差谁"]["A1"].value
    assert f"{task_year(date.today())}届毕业生" in str(title)


def test_export_missing_refusals(
    capsys: pytest.CaptureFixture[str], database: Database, tmp_path: Path
) -> None:
    out_file = str(tmp_path / "m.xlsx")
    code, _out, err = run(capsys, database.path, "export", "missing", "--out", out_file)
    assert code == 1 and "尚未登记" in err
    code, _out, err = run(
        capsys, database.path, "export", "missing", "--out", str(tmp_path / "m.csv")
    )
    assert code == 1 and ".xlsx" in err
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(database.path), "export", "missing", "--out", out_file, "--year", "x"])
    assert exc.value.code == 2
    capsys.readouterr()
    province = data.bureau(database, data.PROVINCE)
    code, _out, err = run(capsys, province.path, "export", "missing", "--out", out_file, "--full")
    assert code == 1 and "是教育局" in err
    assert not Path(out_file).exists()


def test_export_missing_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    assert "missing" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["export", "missing", "--help"])
    text = capsys.readouterr().out
    assert "--year" in text and "--full" in text
