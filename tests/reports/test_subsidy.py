"""The subsidy claim of a finished class, as PDF and workbook, and the capital-numeral amount."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.fields import ValidationFailed
from models.database import Database
from reports.subsidy import rmb_upper, write_subsidy
from tests.reports.builders import PLAN_HOURS, add_class, person
from tests.reports.pdftools import pdftotext, squeeze

CLAIM_DAY = date(2026, 6, 10)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("10", "壹拾元整"),
        ("105", "壹佰零伍元整"),
        ("1005", "壹仟零伍元整"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("1680.02", "壹仟陆佰捌拾元零贰分"),
        ("10000", "壹万元整"),
        ("100000", "壹拾万元整"),
        ("144000", "壹拾肆万肆仟元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("1000000", "壹佰万元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("3200.004", "叁仟贰佰元整"),
        ("3200.005", "叁仟贰佰元零壹分"),
    ],
)
def test_amounts_in_capital_numerals(amount: str, words: str) -> None:
    assert rmb_upper(Decimal(amount)) == words


def finished_class(database: Database, **overrides: object) -> int:
    """48 enrolled, 45 completed, 2 of them without a verified voucher, 3,200 yuan each."""
    settings: dict[str, object] = {"status": "结业", "completed": 45, "verified": 43}
    settings.update(overrides)
    return add_class(database, 48, **settings)  # type: ignore[arg-type]


def test_the_pdf_claims_completers_times_the_rate(school: Database, tmp_path: Path) -> None:
    out = tmp_path / "补贴申请表.pdf"
    written = write_subsidy(school, finished_class(school), out, CLAIM_DAY)
    assert written.rows == 45
    assert any("有2名结业学员的电子培训券尚未核验" in w for w in written.warnings)
    pages = pdftotext(out)
    form = squeeze(pages[0])
    assert form.startswith("职业技能培训补贴申请表培训机构山西机械高级技工学校")
    assert "统一社会信用代码12140000676444728G" in form
    assert f"总课时{PLAN_HOURS}课时" in form
    assert "参培人数48人结业人数45人" in form
    assert "补贴标准每人3,200.00元（每人不超过10,000元）" in form
    assert "申请补贴金额144,000.00元（人民币壹拾肆万肆仟元整）" in form
    assert form.endswith("2026年6月10日—1—")
    roster = "\n".join(pages[1:])
    assert squeeze(pages[1]).startswith("附件结业学员名单")
    for header in ("序号", "姓名", "身份证号", "结业日期", "培训券核验"):
        assert header in squeeze(pages[1])
    for serial in range(45):
        name, number, _phone = person(serial)
        state = "已核验" if serial < 43 else "未核验"
        line = rf"^\s*{serial + 1}\s+{name}\s+{number}\s+2026-06-01\s+{state}\s+3,200\.00\s*$"
        assert re.search(line, roster, re.M), serial
    assert person(45)[1] not in roster  # enrolled, did not complete
    assert re.search(r"合计\s+144,000\.00", roster)


def test_the_workbook_has_the_form_and_the_list(school: Database, tmp_path: Path) -> None:
    out = tmp_path / "补贴申请表.xlsx"
    written = write_subsidy(school, finished_class(school), out, CLAIM_DAY)
    assert written.pages == 0
    workbook = load_workbook(out)
    form, roster = workbook["补贴申请表"], workbook["结业学员名单"]
    pairs = {row[0].value: row[1].value for row in form.iter_rows(min_row=3) if row[0].value}
    assert pairs["统一社会信用代码"] == "12140000676444728G"
    assert pairs["结业人数"] == "45人"
    assert pairs["申请补贴金额"] == "144,000.00元（人民币壹拾肆万肆仟元整）"
    assert [c.value for c in roster[2]] == [
        "序号",
        "姓名",
        "身份证号",
        "结业日期",
        "培训券核验",
        "补贴金额（元）",
    ]
    first = [c.value for c in roster[3]]
    assert first[:5] == [1, person(0)[0], person(0)[1], "2026-06-01", "已核验"]
    assert roster["C3"].data_type == "s"
    assert Decimal(str(roster["F3"].value)) == Decimal(3200)
    assert roster["F3"].number_format == "#,##0.00"
    total = roster.cell(row=3 + 45, column=6)
    assert Decimal(str(total.value)) == Decimal(144000)
    assert roster.cell(row=3 + 45, column=1).value == "合计"
    assert roster.print_title_rows == "$2:$2"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"status": "开班"}, "培训班尚未结业（当前为开班）"),
        ({"completed": 0}, "没有标记为结业的学员"),
        ({"subsidy": Decimal(0)}, "人均补贴（元）: 未填写"),
        ({"subsidy": Decimal(12000)}, "每人不超过10,000元"),
    ],
)
def test_a_class_that_cannot_claim_is_refused(
    school: Database, tmp_path: Path, overrides: dict[str, object], reason: str
) -> None:
    out = tmp_path / "claim.pdf"
    with pytest.raises(ValidationFailed) as refused:
        write_subsidy(school, finished_class(school, **overrides), out, CLAIM_DAY)
    assert reason in str(refused.value)
    assert not out.exists()


def test_only_pdf_or_xlsx(school: Database, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match=r"\.pdf 或 \.xlsx"):
        write_subsidy(school, finished_class(school), tmp_path / "claim.docx", CLAIM_DAY)
