"""The subsidy claim for a finished class (plan 二(四); Annex 2, step 6), as PDF and Excel.

The subsidy follows the actual completers (按照实际结业人数), at the class's rate per person
and never more than the cap the plan sets (每人不超过1万元). The sheet lists every completer
with the full ID number, since the bureau checks each against the electronic training
vouchers; completers whose voucher was not verified are flagged on the sheet and reported as a
warning, because that check is what the bureau will do next.

The amount is written in figures and in capital Chinese numerals (大写金额), as every
Chinese payment form requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from reportlab.platypus import Flowable, PageBreak
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import reference
from core.base.progress import ProgressFn
from core.classes.checks import check_class
from core.classes.records import class_fields, roster_rows
from core.classes.status import ClassStatus
from core.fields import FieldError, ValidationFailed
from models.database import Database
from models.institution import Institution
from reports.annex3 import find_class
from reports.columns import SUBSIDY_COLUMNS, Column, headers, row_values
from reports.fonts import FontSet, coverage_problems, fonts_for
from reports.official import (
    ATTACHMENT_LABEL,
    FLUSH,
    RIGHT,
    TITLE,
    TYPE_HEIGHT,
    Metadata,
    OfficialDocument,
    TableRow,
    TextBlock,
    blank_lines,
    page_count_hint,
    paged_table,
    stack_height,
)
from reports.output import WrittenDocument, document_output
from reports.xlsx_writer import (
    MONEY_FORMAT,
    TITLE_FONT,
    merged_line,
    new_workbook,
    set_up_printing,
    total_row,
    write_table,
)

TITLE_TEXT = "职业技能培训补贴申请表"
LIST_LABEL = "附件"
LIST_TITLE = "结业学员名单"
TOTAL_LABEL = "合计"
VERIFIED, NOT_VERIFIED = "已核验", "未核验"
SIGNATURES = "经办人：　　　　　　负责人：　　　　　　（单位盖章）"

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_SECTIONS = ("", "万", "亿", "万亿")
_CENT = Decimal("0.01")

INFO_COLUMNS: tuple[Column, ...] = (
    Column("label", "项目", 42, 18),
    Column("value", "内容", 114, 60, "left"),
)


def rmb_upper(amount: Decimal) -> str:
    """An amount in capital numerals: 144000 → 壹拾肆万肆仟元整, 0.05 → 伍分.

    Zeros inside the number are read once (壹仟零伍元), a section of only zeros drops its
    unit (壹亿零伍元), and 整 closes an amount without 分, as the bank's rules ask.
    """
    cents = int((amount.quantize(_CENT, ROUND_HALF_UP) * 100).to_integral_value())
    if cents < 0:
        raise ValueError("金额不能为负数")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = ""
    digits = str(yuan)
    zero_pending = False
    section_used = False
    for index, ch in enumerate(digits):
        position = len(digits) - 1 - index
        digit = int(ch)
        if digit == 0:
            zero_pending = bool(words)
        else:
            if zero_pending:
                words += "零"
                zero_pending = False
            words += _DIGITS[digit] + _UNITS[position % 4]
            section_used = True
        if position % 4 == 0 and position > 0:
            if section_used:
                words += _SECTIONS[position // 4]
            section_used = False
    if yuan:
        words += "元"
    if jiao == 0 and fen == 0:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    return words + (_DIGITS[fen] + "分" if fen else "整")


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


@dataclass(frozen=True)
class Completer:
    name: str
    id_number: str
    completion_date: str
    voucher: str
    amount: str


@dataclass(frozen=True)
class SubsidyClaim:
    """A finished class's claim, read from the database and checked."""

    school: str
    uscc: str
    class_name: str
    industry: str
    occupation: str
    start_date: date
    end_date: date
    location: str
    total_hours: int
    enrolled: int
    per_person: Decimal
    cap: int
    completers: tuple[Completer, ...]
    claim_date: date

    @property
    def total(self) -> Decimal:
        return self.per_person * len(self.completers)

    @property
    def unverified(self) -> int:
        return sum(c.voucher == NOT_VERIFIED for c in self.completers)

    @property
    def signed(self) -> str:
        d = self.claim_date
        return f"{d.year}年{d.month}月{d.day}日"

    def info(self) -> list[tuple[str, str]]:
        """The form's label/value pairs, shared by the PDF and the workbook."""
        period = "至".join(
            f"{d.year}年{d.month}月{d.day}日" for d in (self.start_date, self.end_date)
        )
        rows = [
            ("培训机构", self.school),
            ("统一社会信用代码", self.uscc),
            ("培训班名称", self.class_name),
            ("对接产业", self.industry),
        ]
        if self.occupation:
            rows.append(("培训职业（工种）", self.occupation))
        rows += [
            ("培训时间", period),
            ("培训地点", self.location),
            ("总课时", f"{self.total_hours}课时"),
            ("参培人数", f"{self.enrolled}人"),
            ("结业人数", f"{len(self.completers)}人"),
            ("补贴标准", f"每人{money(self.per_person)}元（每人不超过{self.cap:,}元）"),
            ("申请补贴金额", f"{money(self.total)}元（人民币{rmb_upper(self.total)}）"),
        ]
        return rows

    @property
    def warnings(self) -> tuple[str, ...]:
        if not self.unverified:
            return ()
        return (
            f"有{self.unverified}名结业学员的电子培训券尚未核验：申领补贴时人社部门将核验"
            "培训券使用情况，请先在“培训班”页核验",
        )


def gather_subsidy(session: Session, class_id: int, claim_date: date | None = None) -> SubsidyClaim:
    """Read and check a finished class; ``ValidationFailed`` says why it cannot claim yet."""
    training_class = find_class(session, class_id)
    rules = reference.training_rules()
    finished = ClassStatus.FINISHED
    errors = check_class(class_fields(training_class))
    if not ClassStatus(training_class.status).claims_subsidy:
        errors.append(
            FieldError(
                "status",
                "状态",
                f"培训班尚未{finished}（当前为{training_class.status}），{finished}后才能申请补贴",
            )
        )
    per_person = Decimal(training_class.subsidy_per_person)
    if per_person <= 0:
        errors.append(FieldError("subsidy_per_person", "人均补贴（元）", "未填写"))
    per_person = min(per_person, Decimal(rules.subsidy_cap_per_person))
    roster = roster_rows(session, class_id)
    completers = tuple(
        Completer(
            name=r.name,
            id_number=r.id_number,
            completion_date=f"{(r.completion_date or training_class.end_date):%Y-%m-%d}",
            voucher=VERIFIED if r.voucher_verified else NOT_VERIFIED,
            amount=money(per_person),
        )
        for r in roster
        if r.completed
    )
    if not completers:
        errors.append(FieldError("roster", "学员名单", "没有标记为结业的学员"))
    owner = session.scalar(select(Institution).where(Institution.uscc == training_class.origin))
    if owner is None:
        errors.append(FieldError("school", "本机构", "尚未登记：请先完成初始设置"))
    if errors:
        raise ValidationFailed(errors)
    assert owner is not None
    industry = reference.find_industry(training_class.industry_code)
    return SubsidyClaim(
        school=owner.name,
        uscc=owner.uscc,
        class_name=training_class.name,
        industry=industry.full_name if industry else training_class.industry_code,
        occupation=training_class.occupation,
        start_date=training_class.start_date,
        end_date=training_class.end_date,
        location=training_class.location,
        total_hours=training_class.total_hours,
        enrolled=len(roster),
        per_person=per_person,
        cap=rules.subsidy_cap_per_person,
        completers=completers,
        claim_date=claim_date or date.today(),
    )


def _completer_rows(claim: SubsidyClaim) -> list[TableRow]:
    rows = [
        TableRow(tuple(str(v) for v in row_values(SUBSIDY_COLUMNS, i, c)))
        for i, c in enumerate(claim.completers, start=1)
    ]
    blanks = ("",) * (len(SUBSIDY_COLUMNS) - 2)
    rows.append(
        TableRow((TOTAL_LABEL, *blanks, money(claim.total)), span=len(blanks) + 1, emphasis=True)
    )
    return rows


def build_story(claim: SubsidyClaim, fonts: FontSet) -> list[Flowable]:
    info = [TableRow(pair) for pair in claim.info()]
    story: list[Flowable] = [TextBlock(TITLE_TEXT, TITLE, fonts), blank_lines(1)]
    story += paged_table(INFO_COLUMNS, info, fonts, TYPE_HEIGHT, header=False)
    story += [
        blank_lines(1),
        TextBlock(f"{LIST_LABEL}：{LIST_TITLE}", FLUSH, fonts),
        blank_lines(2),
        TextBlock(SIGNATURES, FLUSH, fonts),
        blank_lines(1),
        TextBlock(claim.signed, RIGHT, fonts),
    ]
    start = [
        TextBlock(LIST_LABEL, ATTACHMENT_LABEL, fonts),
        blank_lines(1),
        TextBlock(LIST_TITLE, TITLE, fonts),
        blank_lines(1),
    ]
    story += [PageBreak(), *start]
    story += paged_table(
        SUBSIDY_COLUMNS, _completer_rows(claim), fonts, TYPE_HEIGHT - stack_height(start)
    )
    return story


def render_subsidy_pdf(
    claim: SubsidyClaim, fonts: FontSet, target: BinaryIO, progress: ProgressFn | None = None
) -> int:
    story = build_story(claim, fonts)
    document = OfficialDocument(
        fonts,
        Metadata(title=TITLE_TEXT, author=claim.school, subject=f"补贴申请：{claim.class_name}"),
        progress=progress,
        expected_pages=page_count_hint(story),
    )
    return document.build(target, story)


def build_workbook(claim: SubsidyClaim) -> Workbook:
    """Two sheets: the form (label/value pairs) and the completers with the total."""
    workbook = new_workbook(TITLE_TEXT)
    form = workbook.create_sheet("补贴申请表")
    after = write_table(form, 2, INFO_COLUMNS, claim.info())
    merged_line(form, 1, len(INFO_COLUMNS), TITLE_TEXT, font=TITLE_FONT, horizontal="center")
    merged_line(form, after + 1, len(INFO_COLUMNS), SIGNATURES)
    merged_line(form, after + 3, len(INFO_COLUMNS), claim.signed, horizontal="right")
    set_up_printing(form, 2, after + 3, landscape=False)

    roster = workbook.create_sheet(LIST_TITLE)
    rows: list[tuple[object, ...]] = [
        (*row_values(SUBSIDY_COLUMNS, i, c)[:-1], claim.per_person)
        for i, c in enumerate(claim.completers, start=1)
    ]
    after = write_table(roster, 2, SUBSIDY_COLUMNS, rows, {"amount": MONEY_FORMAT})
    merged_line(roster, 1, len(SUBSIDY_COLUMNS), LIST_TITLE, font=TITLE_FONT, horizontal="center")
    total_row(
        roster, after, len(SUBSIDY_COLUMNS), TOTAL_LABEL, claim.total, number_format=MONEY_FORMAT
    )
    set_up_printing(roster, 2, after, landscape=False)
    return workbook


def check_printable(claim: SubsidyClaim, fonts: FontSet) -> list[str]:
    items = [("表格", "".join(v for _l, v in claim.info()), "body")]
    items += [
        (f"结业学员名单第{i}行 姓名", c.name, "body") for i, c in enumerate(claim.completers, 1)
    ]
    items += [("表头", "".join(headers(SUBSIDY_COLUMNS)) + TOTAL_LABEL, "heading")]
    return coverage_problems(fonts, items)


def write_subsidy(
    database: Database,
    class_id: int,
    path: Path,
    claim_date: date | None = None,
    progress: ProgressFn | None = None,
) -> WrittenDocument:
    """The claim as PDF (``.pdf``) or workbook (``.xlsx``), chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise ValidationFailed([FieldError("out", "输出文件", "应为 .pdf 或 .xlsx 文件")])
    with database.session() as session:
        claim = gather_subsidy(session, class_id, claim_date)
        fonts = fonts_for(session) if suffix == ".pdf" else None
    if fonts is None:
        with document_output(path) as stream:
            build_workbook(claim).save(stream)
        return WrittenDocument(path, 0, len(claim.completers), claim.warnings)
    problems = check_printable(claim, fonts)
    if problems:
        raise ValidationFailed([FieldError("fonts", "字体", p) for p in problems])
    with document_output(path) as stream:
        pages = render_subsidy_pdf(claim, fonts, stream, progress)
    return WrittenDocument(path, pages, len(claim.completers), (*fonts.warnings, *claim.warnings))
