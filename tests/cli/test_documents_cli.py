"""classes and export annex3 / annex4 / subsidy: output, files and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from main import main
from models.database import Database
from models.institution import Institution, OfferedOccupation, ServedIndustry
from tests.reports.builders import add_class


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_classes_lists_ids_names_dates_and_headcounts(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path
) -> None:
    first = add_class(school, 12)
    second = add_class(school, 3, name="数控车工提升班", first_serial=100)
    code, out, err = run(capsys, db_path, "classes", "--json")
    assert code == 0, err
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows[first]["name"] == "信息通信网络运行管理员定向培训班"
    assert rows[first]["start_date"] == "2026-03-02"
    assert rows[first]["end_date"] == "2026-06-01"
    assert rows[first]["headcount"] == 12
    assert rows[second]["headcount"] == 3
    code, out, _err = run(capsys, db_path, "classes")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("编号\t名称")
    assert any(line.startswith(f"{second}\t数控车工提升班\t信息技术应用创新\t") for line in lines)


def test_export_annex3_writes_the_report_and_prints_its_path(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    class_id = add_class(school, 5)
    out_file = tmp_path / "申请报告.pdf"
    code, out, err = run(
        capsys,
        db_path,
        "export",
        "annex3",
        "--class",
        str(class_id),
        "--out",
        str(out_file),
        "--date",
        "2026-02-20",
    )
    assert code == 0, err
    assert out.strip().splitlines()[-1] == str(out_file)
    # The roster carries full numbers: the clerk is told, and the export is audited.
    assert err.startswith("注意：即将写出的申请报告") and "完整身份证号" in err
    assert len(PdfReader(out_file).pages) == 3  # the letter, the roster, the plan
    code, out, _ = run(capsys, db_path, "audit", "--json")
    assert any(e["action"] == "导出" and "申请报告" in e["detail"] for e in json.loads(out))


def test_export_annex3_refuses_with_reasons_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    class_id = add_class(school, 0)
    out_file = tmp_path / "out" / "r.pdf"
    out_file.parent.mkdir()
    code, out, err = run(
        capsys, db_path, "export", "annex3", "--class", str(class_id), "--out", str(out_file)
    )
    assert code == 1
    assert out == ""
    assert "学员名单: 没有学员" in err
    assert list(out_file.parent.iterdir()) == []
    code, _out, err = run(capsys, db_path, "export", "annex3", "--class", "99", "--out", "x.pdf")
    assert code == 1
    assert "不存在" in err


def test_export_refuses_a_wrong_suffix_or_a_missing_folder(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    class_id = str(add_class(school, 2))
    code, _out, err = run(
        capsys, db_path, "export", "annex3", "--class", class_id, "--out", str(tmp_path / "a.doc")
    )
    assert code == 1
    assert ".pdf" in err
    missing = tmp_path / "no-such-folder" / "a.pdf"
    code, _out, err = run(
        capsys, db_path, "export", "annex3", "--class", class_id, "--out", str(missing)
    )
    assert code == 1
    assert "不存在" in err
    too_long = tmp_path / ("报" * 200 + ".pdf")
    code, _out, err = run(
        capsys, db_path, "export", "annex3", "--class", class_id, "--out", str(too_long)
    )
    assert code == 1
    assert "文件名过长" in err
    assert list(tmp_path.glob("*.partial")) == []


def test_usage_errors_exit_2(school: Database, db_path: Path) -> None:
    for argv in (
        ["export", "annex3", "--out", "a.pdf"],
        ["export", "annex3", "--class", "1", "--out", "a.pdf", "--date", "2026/02/20"],
        ["export", "annex4"],
        ["export", "subsidy", "--class", "x", "--out", "a.pdf"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(["--db", str(db_path), *argv])
        assert exc.value.code == 2


def test_export_annex4_writes_the_workbook(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    with school.session() as session:
        institution = session.query(Institution).filter_by(is_local=True).one()
        institution.occupations = [OfferedOccupation(name="电工", position=0)]
        institution.industries = [ServedIndustry(industry_code="E05", position=0)]
        session.commit()
    out_file = tmp_path / "附件4.xlsx"
    code, out, err = run(capsys, db_path, "export", "annex4", "--out", str(out_file))
    assert code == 0, err
    assert out.strip() == str(out_file)
    sheet = load_workbook(out_file).active
    assert sheet is not None
    assert sheet["C4"].value == "电工"
    assert sheet["D4"].value == "光伏产业"


def test_export_subsidy_as_pdf_and_xlsx_with_a_warning(
    capsys: pytest.CaptureFixture[str], school: Database, db_path: Path, tmp_path: Path
) -> None:
    class_id = str(add_class(school, 10, status="结业", completed=8, verified=7))
    for name in ("claim.pdf", "claim.xlsx"):
        out_file = tmp_path / name
        code, out, err = run(
            capsys, db_path, "export", "subsidy", "--class", class_id, "--out", str(out_file)
        )
        assert code == 0, err
        assert out.strip() == str(out_file)
        assert "警告：有1名结业学员的电子培训券尚未核验" in err
        assert out_file.stat().st_size > 0
    code, _out, err = run(
        capsys,
        db_path,
        "export",
        "subsidy",
        "--class",
        str(add_class(school, 3, first_serial=50)),
        "--out",
        str(tmp_path / "no.pdf"),
    )
    assert code == 1
    assert "尚未结业" in err
