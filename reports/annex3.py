"""Annex 3: 《XX学校关于举办对接XX产业培训班的申请报告》, with its two attachments.

The wording is the seed's template, verbatim apart from its blanks; the blanks are filled
from the class. Everything is gathered and checked first (``gather_annex3``), so a class
that cannot be reported (no roster, a plan that does not add up, a name no font can print)
is refused with every reason at once and no file is written.

The roster carries the full ID and phone numbers: the province registers the trainees from
this list. They appear on the printed page only, never in the file's metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from reportlab.platypus import Flowable, KeepTogether, PageBreak
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import reference
from core.base.progress import ProgressFn
from core.classes.checks import check_class
from core.classes.records import (
    PlanItemFields,
    RosterRow,
    check_plan,
    class_fields,
    plan_fields,
    roster_rows,
)
from core.fields import FieldError, ValidationFailed
from core.packages.trust import FINGERPRINT_SETTING
from core.settings import setting
from models.database import Database
from models.institution import Institution
from models.training import TrainingClass
from reports.columns import PLAN_COLUMNS, ROSTER_COLUMNS, headers, row_values
from reports.fonts import FontSet, coverage_problems, fonts_for
from reports.official import (
    ATTACHMENT_LABEL,
    BODY,
    FLUSH,
    RIGHT,
    TITLE,
    TYPE_HEIGHT,
    TYPE_WIDTH,
    Metadata,
    OfficialDocument,
    TableRow,
    TextBlock,
    blank_lines,
    measure,
    page_count_hint,
    paged_table,
    stack_height,
)
from reports.output import WrittenDocument, document_output

ADDRESSEE = "山西省教育厅、省人社厅："
TITLE_TEMPLATE = "关于举办对接{industry}产业培训班的申请报告"
#: Where a title too long for one line is turned, so that each line reads as a phrase
#: (GB/T 9704 §7.3.3: 回行时要做到词意完整).
TITLE_TURN = "产业"
BODY_TEMPLATE = (
    "为贯彻落实全省“人人持证、技能社会”建设推进会精神和《山西省新发展阶段“人人持证、"
    "技能社会”建设提质增效工作方案》要求，我校对接{industry}产业集群培训需求，拟于{dates}"
    "在{location}开设{class_name}，培训人数{headcount}人，参培人员身份为{identity}等一线"
    "操作工，培训共计{hours}课时。望予以批准。"
)
ATTACHMENT_NOTE = "附件："
ATTACHMENTS = ("1. 学员名单（姓名、性别、身份证号、手机号）", "2. 教学计划")
ROSTER_LABEL, ROSTER_TITLE = "附件1", "学员名单"
PLAN_LABEL, PLAN_TITLE = "附件2", "教学计划"
TOTAL_LABEL = "合计"
FINGERPRINT_NOTE = "本单位数据签名密钥指纹：{fingerprint}"
#: Empty grid lines between the attachment note and the signature: the seal (about 42 mm
#: across) goes over the signature and date with its top within a line of the text (§7.3.5).
SEAL_LINES = 3
#: The date stands four characters in from the right edge (§7.3.5.1).
DATE_RIGHT_INDENT = 4


@dataclass(frozen=True)
class Annex3Data:
    """Everything the report prints, read from the database and checked."""

    school: str
    industry: str
    class_name: str
    start_date: date
    end_date: date
    location: str
    headcount: int
    identity: str
    total_hours: int
    report_date: date
    roster: tuple[RosterRow, ...]
    plan: tuple[PlanItemFields, ...]
    fingerprint: str | None = None

    @property
    def title(self) -> str:
        """The title as one line of text, as in the file's metadata."""
        return self.school + TITLE_TEMPLATE.format(industry=self.industry)

    def title_lines(self, fonts: FontSet) -> str:
        """The school on the first line, the subject after, turned after 产业 if too long."""
        subject = TITLE_TEMPLATE.format(industry=self.industry)
        if measure(subject, TITLE, fonts) > TYPE_WIDTH:
            turn = subject.index(TITLE_TURN, len("关于举办对接")) + len(TITLE_TURN)
            subject = f"{subject[:turn]}\n{subject[turn:]}"
        return f"{self.school}\n{subject}"

    @property
    def dates(self) -> str:
        """拟于X月X日至X月X日, with the years written out when not the report's own year."""
        same_year = self.start_date.year == self.end_date.year == self.report_date.year
        return "至".join(
            f"{d.month}月{d.day}日" if same_year else f"{d.year}年{d.month}月{d.day}日"
            for d in (self.start_date, self.end_date)
        )

    @property
    def body(self) -> str:
        return BODY_TEMPLATE.format(
            industry=self.industry,
            dates=self.dates,
            location=self.location,
            class_name=class_designation(self.class_name),
            headcount=self.headcount,
            identity=self.identity,
            hours=self.total_hours,
        )

    @property
    def signed(self) -> str:
        d = self.report_date
        return f"{d.year}年{d.month}月{d.day}日"


def class_designation(name: str) -> str:
    """The template says 开设____培训班; a name that already ends in 班 is not doubled."""
    return name if name.endswith("班") else f"{name}培训班"


def _owner(session: Session, training_class: TrainingClass) -> Institution | None:
    """The school that runs the class: its origin, or this installation's own institution."""
    owner = session.scalar(select(Institution).where(Institution.uscc == training_class.origin))
    return owner or session.scalar(select(Institution).where(Institution.is_local))


def find_class(session: Session, class_id: int) -> TrainingClass:
    training_class = session.get(TrainingClass, class_id)
    if training_class is None:
        raise ValidationFailed([FieldError("class", "培训班", f"编号为 {class_id} 的培训班不存在")])
    return training_class


def gather_annex3(session: Session, class_id: int, report_date: date | None = None) -> Annex3Data:
    """Read and check one class; ``ValidationFailed`` lists every reason it cannot be printed."""
    training_class = find_class(session, class_id)
    errors = check_class(class_fields(training_class))
    owner = _owner(session, training_class)
    if owner is None:
        errors.append(FieldError("school", "本机构", "尚未登记：请先完成初始设置"))
    if not training_class.location.strip():
        errors.append(FieldError("location", "培训地点", "未填写"))
    if not training_class.participant_identity.strip():
        errors.append(FieldError("participant_identity", "参培人员身份", "未填写"))
    plan = tuple(plan_fields(training_class))
    if not plan:
        errors.append(FieldError("plan", "教学计划", "尚未填写教学模块"))
    errors += check_plan(plan, training_class.total_hours)
    roster = tuple(roster_rows(session, class_id))
    if not roster:
        errors.append(FieldError("roster", "学员名单", "没有学员：请先把学员加入本班"))
    elif training_class.planned_headcount and training_class.planned_headcount != len(roster):
        errors.append(
            FieldError(
                "planned_headcount",
                "培训人数",
                f"登记为{training_class.planned_headcount}人，学员名单有{len(roster)}人，"
                "两者应当一致",
            )
        )
    if errors:
        raise ValidationFailed(errors)

    industry = reference.find_industry(training_class.industry_code)
    assert industry is not None and owner is not None  # both checked above
    fingerprint = setting(session, FINGERPRINT_SETTING)
    return Annex3Data(
        school=owner.name,
        industry=industry.name,
        class_name=training_class.name.strip(),
        start_date=training_class.start_date,
        end_date=training_class.end_date,
        location=training_class.location.strip(),
        headcount=len(roster),
        identity=training_class.participant_identity.strip(),
        total_hours=training_class.total_hours,
        report_date=report_date or date.today(),
        roster=roster,
        plan=plan,
        fingerprint=(fingerprint or "").strip() or None,
    )


def _roster_rows(data: Annex3Data) -> list[TableRow]:
    return [
        TableRow(tuple(str(v) for v in row_values(ROSTER_COLUMNS, i, entry)))
        for i, entry in enumerate(data.roster, start=1)
    ]


def _plan_rows(data: Annex3Data) -> list[TableRow]:
    rows = [
        TableRow(
            (
                str(i),
                p.module,
                p.content,
                str(p.theory_hours),
                str(p.practice_hours),
                str(p.theory_hours + p.practice_hours),
                p.teacher,
            )
        )
        for i, p in enumerate(data.plan, start=1)
    ]
    theory = sum(p.theory_hours for p in data.plan)
    practice = sum(p.practice_hours for p in data.plan)
    total = (TOTAL_LABEL, "", "", str(theory), str(practice), str(theory + practice), "")
    rows.append(TableRow(total, span=3, emphasis=True))
    return rows


def check_printable(data: Annex3Data, fonts: FontSet) -> list[str]:
    """Every text whose characters some font lacks, named by where it is printed."""
    items = [
        ("标题", data.title, "title"),
        ("附件标题", ROSTER_TITLE + PLAN_TITLE, "title"),
        ("正文", data.body, "body"),
        ("落款", data.school + data.signed + ADDRESSEE + "".join(ATTACHMENTS), "body"),
        ("表头", ROSTER_LABEL + PLAN_LABEL + "".join(headers(PLAN_COLUMNS)), "heading"),
        ("页码", "— 0123456789", "song"),
    ]
    items += [(f"学员名单第{i}行 姓名", r.name, "body") for i, r in enumerate(data.roster, 1)]
    for i, p in enumerate(data.plan, start=1):
        items += [(f"教学计划第{i}行", f"{p.module}{p.content}{p.teacher}", "body")]
    return coverage_problems(fonts, items)


def _attachment_start(label: str, title: str, fonts: FontSet) -> list[Flowable]:
    """附件N at the top left in 黑体, the title centred on the third line (§7.3.5)."""
    return [
        TextBlock(label, ATTACHMENT_LABEL, fonts),
        blank_lines(1),
        TextBlock(title, TITLE, fonts),
        blank_lines(1),
    ]


def _signature(data: Annex3Data, fonts: FontSet) -> list[Flowable]:
    """The school's name centred over the date, the date four characters from the right."""
    date_style = replace(RIGHT, right_indent=DATE_RIGHT_INDENT)
    char = RIGHT.size
    date_width = measure(data.signed, RIGHT, fonts)
    name_width = measure(data.school, RIGHT, fonts)
    name_indent = max(0.0, DATE_RIGHT_INDENT + (date_width - name_width) / 2 / char)
    name_style = replace(RIGHT, right_indent=name_indent)
    return [TextBlock(data.school, name_style, fonts), TextBlock(data.signed, date_style, fonts)]


def build_story(data: Annex3Data, fonts: FontSet) -> list[Flowable]:
    story: list[Flowable] = [
        TextBlock(data.title_lines(fonts), TITLE, fonts),
        blank_lines(1),
        TextBlock(ADDRESSEE, FLUSH, fonts),
        TextBlock(data.body, BODY, fonts),
    ]
    story.append(
        KeepTogether(
            [
                blank_lines(1),
                *_attachment_note(fonts),
                blank_lines(SEAL_LINES),
                *_signature(data, fonts),
            ]
        )
    )
    for label, title, columns, rows in (
        (ROSTER_LABEL, ROSTER_TITLE, ROSTER_COLUMNS, _roster_rows(data)),
        (PLAN_LABEL, PLAN_TITLE, PLAN_COLUMNS, _plan_rows(data)),
    ):
        start = _attachment_start(label, title, fonts)
        story += [PageBreak(), *start]
        story += paged_table(columns, rows, fonts, TYPE_HEIGHT - stack_height(start))
    return story


def _attachment_note(fonts: FontSet) -> list[Flowable]:
    """附件：1. …, indented two characters; later items aligned under the first item's name."""
    first = replace(FLUSH, indent=2)
    rest = replace(FLUSH, indent=2 + len(ATTACHMENT_NOTE))
    return [
        TextBlock(ATTACHMENT_NOTE + ATTACHMENTS[0], first, fonts),
        *(TextBlock(item, rest, fonts) for item in ATTACHMENTS[1:]),
    ]


def render_annex3(
    data: Annex3Data, fonts: FontSet, target: object, progress: ProgressFn | None = None
) -> int:
    """Write the PDF to a binary stream; returns its page count."""
    story = build_story(data, fonts)
    document = OfficialDocument(
        fonts,
        Metadata(
            title=data.title,
            author=data.school,
            subject=f"附件3 申请报告：{class_designation(data.class_name)}",
        ),
        foot_note=FINGERPRINT_NOTE.format(fingerprint=data.fingerprint)
        if data.fingerprint
        else None,
        progress=progress,
        expected_pages=page_count_hint(story),
    )
    return document.build(target, story)  # type: ignore[arg-type]


def write_annex3(
    database: Database,
    class_id: int,
    path: Path,
    report_date: date | None = None,
    progress: ProgressFn | None = None,
) -> WrittenDocument:
    """Gather, check and render one class's application report into ``path``."""
    with database.session() as session:
        data = gather_annex3(session, class_id, report_date)
        fonts = fonts_for(session)
    problems = check_printable(data, fonts)
    if problems:
        raise ValidationFailed([FieldError("fonts", "字体", p) for p in problems])
    with document_output(path) as stream:
        pages = render_annex3(data, fonts, stream, progress)
    return WrittenDocument(path, pages, len(data.roster), fonts.warnings)
