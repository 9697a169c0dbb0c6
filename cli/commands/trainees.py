"""trainees and certificates: one trainee or certificate at a time, as the GUI's forms do it.

Every command calls the use case the 学员 and 证书 pages call (``application.trainees``,
``application.certificates``), so it is refused for the same reasons, in the same words: one
line per field on stderr, ``身份证号: 校验位不符…``, exit 1, nothing written.

A trainee or certificate is named by its 编号: the local integer id that ``trainees list``,
``trainees show`` and ``certificates list`` print. (The uuid is for synchronisation between
installations; a clerk has no use for 32 hex digits.) ID numbers and phones are masked in
every listing and in ``--json``: the full numbers leave CertDesk only through the exports,
which say so and are audited.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date

from application import certificates, trainees
from application.trainees import KEEP, Keep, TraineeEdit
from cli.arguments import positive_int
from cli.context import CliError, Context, print_json, refusal
from cli.terminal import print_row, printable
from core import reference
from core.fields import FieldError, ValidationFailed
from core.importing.rows import cell_date, cell_year
from core.trainees.certificates import LABELS as CERTIFICATE_LABELS
from core.trainees.certificates import (
    NO_LEVEL,
    CertificateFields,
    CertificateFilter,
    counted_level,
    display_number,
)
from core.trainees.checks import LABELS as TRAINEE_LABELS
from core.trainees.records import TraineeDetails

NO_LEVEL_TEXT = "无等级"
#: The trainee form's other fields, in its order, with their help.
_TRAINEE_OPTIONS = (
    ("--phone", "手机号（11位）"),
    ("--identity", "身份：" + "、".join(i.name for i in reference.trainee_identities())),
    ("--major", "专业"),
    ("--class-name", "班级"),
    ("--graduation-year", "毕业年份，如 2024"),
    ("--employer", "工作单位（企业职工、新招录员工填写）"),
)
_ID_HELP = "学员编号（trainees list 或 show 显示的编号）"


def _filter_year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not 1900 <= year <= 9999:
        raise argparse.ArgumentTypeError(f"应为四位数的年份，实为“{text}”")
    return year


def register(sub: argparse._SubParsersAction) -> None:
    _register_trainees(sub)
    _register_certificates(sub)


def _register_trainees(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser(
        "trainees",
        help="学员：新增、修改、查看、列出、删除",
        description="逐个管理学员，与“学员”页相同的检查；学员以编号（本机的整数编号）指明，"
        "身份证号、手机号一律部分隐藏。",
    )
    commands = group.add_subparsers(dest="trainees_command", metavar="ACTION", required=True)

    p = commands.add_parser("add", help="新增学员（与学员编辑窗口相同的检查）")
    p.add_argument("--name", required=True, help="姓名")
    p.add_argument("--id-number", required=True, help="身份证号（18位，末位可为X）")
    _trainee_options(p)
    p.set_defaults(handler=add_trainee_command)

    p = commands.add_parser(
        "edit",
        help='修改学员：只改给出的项，--phone "" 之类的空值清空该项',
        description="修改学员。只改给出的项；性别、出生日期随身份证号。",
    )
    p.add_argument("trainee_id", type=positive_int, metavar="ID", help=_ID_HELP)
    p.add_argument("--name", help="姓名")
    p.add_argument("--id-number", help="身份证号")
    _trainee_options(p)
    p.set_defaults(handler=edit_trainee_command)

    p = commands.add_parser("show", help="查看一名学员及其证书、培训班（号码部分隐藏）")
    p.add_argument("trainee_id", type=positive_int, metavar="ID", help=_ID_HELP)
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=show_trainee_command)

    p = commands.add_parser(
        "list",
        help="列出学员，最新录入的在前（号码部分隐藏）",
        description="列出学员。每行：编号、姓名、性别、身份证号、手机号、身份、班级、毕业年份、"
        "证书数。",
    )
    p.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help="与“学员”页的搜索相同：姓名开头、身份证号或手机号开头、或其末4—6位",
    )
    p.add_argument("--without-certificate", action="store_true", help="只列出尚无证书的学员")
    p.add_argument("--limit", type=positive_int, metavar="N", help="最多列出的人数（默认全部）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=list_trainees_command)

    p = commands.add_parser("delete", help="删除学员及其证书和培训班名单记录（删除会随数据包报送）")
    p.add_argument("trainee_id", type=positive_int, metavar="ID", help=_ID_HELP)
    p.set_defaults(handler=delete_trainee_command)


def _trainee_options(p: argparse.ArgumentParser) -> None:
    for option, text in _TRAINEE_OPTIONS:
        p.add_argument(option, help=text)


def _register_certificates(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser(
        "certificates",
        help="证书：新增、列出、删除",
        description="逐本管理证书，与“证书”页相同的检查；证书以编号（certificates list "
        "显示的编号）指明。",
    )
    commands = group.add_subparsers(dest="certificates_command", metavar="ACTION", required=True)
    types = "、".join(c.name for c in reference.certificate_types())
    levels = "、".join(lv.name for lv in reference.skill_levels())
    routes = "、".join(reference.training_rules().certificate_routes)

    p = commands.add_parser("add", help="新增证书（与证书编辑窗口相同的检查）")
    p.add_argument("--trainee", required=True, type=positive_int, metavar="ID", help=_ID_HELP)
    p.add_argument("--type", required=True, dest="cert_type", help=f"证书类型：{types}")
    p.add_argument("--occupation", required=True, help="职业（工种）")
    p.add_argument("--level", default="", help=f"等级（职业技能等级证书必填）：{levels}")
    p.add_argument("--number", default="", help="证书编号（必填）")
    p.add_argument("--issue-date", default="", metavar="YYYY-MM-DD", help="发证日期（必填）")
    p.add_argument("--issuer", default="", help="发证机构")
    p.add_argument("--route", default="", help=f"取得途径（默认{routes.split('、')[0]}）：{routes}")
    p.add_argument("--occupation-code", default="", help="职业编码，如 4-04-05-01")
    p.set_defaults(handler=add_certificate_command)

    p = commands.add_parser(
        "list",
        help="列出证书，最新发证的在前（身份证号部分隐藏）",
        description="列出证书。每行：编号、学员编号、姓名、身份证号、证书类型、职业（工种）、"
        "等级、证书编号、发证日期、计入附件1的等级。",
    )
    p.add_argument("--trainee", type=positive_int, metavar="ID", help="只列出该学员的证书")
    p.add_argument("--level", help=f"等级：{levels}，或“{NO_LEVEL_TEXT}”")
    p.add_argument("--type", dest="cert_type", help=f"证书类型：{types}")
    p.add_argument("--year", type=_filter_year, metavar="Y", help="发证年份")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=list_certificates_command)

    p = commands.add_parser("delete", help="删除一本证书（删除会随数据包报送）")
    p.add_argument(
        "certificate_id",
        type=positive_int,
        metavar="ID",
        help="证书编号（certificates list 显示的编号）",
    )
    p.set_defaults(handler=delete_certificate_command)


@contextmanager
def _refusals() -> Iterator[None]:
    """A use case's refusal becomes the command's lines on stderr and exit 1."""
    try:
        yield
    except ValidationFailed as exc:
        raise refusal(exc) from exc


def _refuse(field: str, label: str, message: str) -> CliError:
    return refusal(ValidationFailed([FieldError(field, label, message)]))


def _year(text: str) -> int | None:
    """毕业年份 read as an import reads it (2024, 2024届, 2024年6月…); empty for none."""
    if not text.strip():
        return None
    year = cell_year(text)
    if year is None:
        raise _refuse(
            "graduation_year", TRAINEE_LABELS["graduation_year"], f"“{text}”不是年份，应如 2025"
        )
    return year


def _given(args: argparse.Namespace, field: str) -> str | Keep:
    value: str | None = getattr(args, field)
    return KEEP if value is None else value


def _trainee_edit(args: argparse.Namespace) -> TraineeEdit:
    """The options given, as an edit; those not given keep what is stored."""
    year = _given(args, "graduation_year")
    return TraineeEdit(
        name=_given(args, "name"),
        id_number=_given(args, "id_number"),
        phone=_given(args, "phone"),
        identity=_given(args, "identity"),
        major=_given(args, "major"),
        class_name=_given(args, "class_name"),
        employer=_given(args, "employer"),
        graduation_year=year if isinstance(year, Keep) else _year(year),
    )


def _warn(warnings: tuple[FieldError, ...]) -> None:
    for warning in warnings:
        sys.stderr.write(f"警告：{printable(warning)}\n")


def add_trainee_command(args: argparse.Namespace, ctx: Context) -> int:
    entered = _trainee_edit(args).applied_to(trainees.BLANK)
    with _refusals():
        saved = trainees.add_trainee(ctx.database(), entered)
    _warn(saved.warnings)
    print(f"已新增学员：{printable(saved.name)}（编号 {saved.trainee_id}）")
    return 0


def edit_trainee_command(args: argparse.Namespace, ctx: Context) -> int:
    edit = _trainee_edit(args)
    with _refusals():
        saved = trainees.edit_trainee(ctx.database(), args.trainee_id, edit)
    _warn(saved.warnings)
    print(f"已修改学员：{printable(saved.name)}（编号 {saved.trainee_id}）")
    return 0


def _missing_trainee(trainee_id: int) -> CliError:
    return _refuse("trainee", "学员", f"编号 {trainee_id} 不存在（可能已被删除）")


def _show_details(details: TraineeDetails) -> None:
    owner = details.owner + ("" if details.editable else "（其他机构报送，本机只能查看）")
    year = "" if details.graduation_year is None else str(details.graduation_year)
    for label, value in (
        ("编号", str(details.trainee_id)),
        ("姓名", details.name),
        ("性别", details.gender),
        ("身份证号", details.id_number),
        ("手机号", details.phone),
        ("身份", details.identity),
        ("专业", details.major),
        ("班级", details.class_name),
        ("毕业年份", year),
        ("工作单位", details.employer),
        ("所属机构", owner),
    ):
        print(f"{label}: {printable(value)}")
    print(f"证书（{len(details.certificates)}）:")
    for c in details.certificates:
        issued = f"{c.issue_date:%Y-%m-%d}" if c.issue_date else ""
        counts = f"计入{c.counts_as}" if c.counts_as else "不计入附件1"
        level = c.level or "—"
        row = (c.certificate_id, c.cert_type, c.occupation, level, c.number, issued, counts)
        print_row(*row, indent="  ")
    print(f"培训班（{len(details.classes)}）:")
    for k in details.classes:
        done = f"{k.completion_date:%Y-%m-%d}结业" if k.completion_date else ""
        dates = f"{k.start_date:%Y-%m-%d}—{k.end_date:%Y-%m-%d}"
        print_row(k.class_id, k.name, dates, k.status, done, indent="  ")


def show_trainee_command(args: argparse.Namespace, ctx: Context) -> int:
    details = trainees.show_trainee(ctx.database(), args.trainee_id)
    if details is None:
        raise _missing_trainee(args.trainee_id)
    if args.json:
        print_json(asdict(details))
    else:
        _show_details(details)
    return 0


def list_trainees_command(args: argparse.Namespace, ctx: Context) -> int:
    rows = trainees.list_trainees(
        ctx.database(),
        args.search,
        without_certificate=args.without_certificate,
        limit=args.limit,
    )
    if args.json:
        print_json([asdict(row) for row in rows])
        return 0
    for r in rows:
        year = "" if r.graduation_year is None else str(r.graduation_year)
        print_row(
            r.trainee_id,
            r.name,
            r.gender,
            r.id_number,
            r.phone,
            r.identity,
            r.class_name,
            year,
            r.certificates,
        )
    return 0


def delete_trainee_command(args: argparse.Namespace, ctx: Context) -> int:
    with _refusals():
        deleted = trainees.delete_trainees(ctx.database(), [args.trainee_id])
    if not deleted.count:
        raise _missing_trainee(args.trainee_id)
    also = []
    if deleted.certificates:
        also.append(f"{len(deleted.certificates)} 张证书")
    if deleted.enrolments:
        also.append(f"{len(deleted.enrolments)} 条培训班名单记录")
    with_them = f"，同时删除其{'和'.join(also)}" if also else ""
    print(f"已删除学员：{printable(deleted.names[0])}（编号 {args.trainee_id}）{with_them}")
    return 0


# --- certificates ---------------------------------------------------------------------------


def _issue_date(text: str) -> date | None:
    """发证日期 read as an import reads it (2024-06-30, 2024/6/30, 2024年6月30日, 20240630)."""
    if not text.strip():
        return None
    issued = cell_date(text)
    if issued is None:
        raise _refuse(
            "issue_date", CERTIFICATE_LABELS["issue_date"], f"“{text}”不是日期，应如 2024-06-30"
        )
    return issued


def add_certificate_command(args: argparse.Namespace, ctx: Context) -> int:
    texts = {
        field: getattr(args, field)
        for field in (
            "cert_type",
            "occupation",
            "level",
            "number",
            "issuer",
            "route",
            "occupation_code",
        )
    }
    entered = CertificateFields(
        trainee_id=args.trainee,
        issue_date=_issue_date(args.issue_date),
        **texts,
    )
    with _refusals():
        certificate_id = certificates.add_certificate(ctx.database(), entered)
    print(f"已新增证书：编号 {certificate_id}")
    return 0


def _level_filter(text: str | None) -> str | None:
    if text is None:
        return None
    if text.strip() in ("", NO_LEVEL_TEXT):
        return NO_LEVEL
    level = reference.skill_level(text)
    if level is None:
        names = "、".join(lv.name for lv in reference.skill_levels())
        raise _refuse("level", CERTIFICATE_LABELS["level"], f"应为{names}或“{NO_LEVEL_TEXT}”之一")
    return level.name


def _type_filter(text: str | None) -> str | None:
    if text is None:
        return None
    kind = reference.certificate_type(text)
    if kind is None:
        names = "、".join(c.name for c in reference.certificate_types())
        raise _refuse("cert_type", CERTIFICATE_LABELS["cert_type"], f"应为{names}之一")
    return kind.name


def list_certificates_command(args: argparse.Namespace, ctx: Context) -> int:
    flt = CertificateFilter(
        cert_type=_type_filter(args.cert_type),
        level=_level_filter(args.level),
        year=args.year,
        trainee_id=args.trainee,
    )
    rows = certificates.list_certificates(ctx.database(), flt)
    if args.json:
        print_json([{**asdict(r), "counts_as": counted_level(r.cert_type, r.level)} for r in rows])
        return 0
    for r in rows:
        issued = f"{r.issue_date:%Y-%m-%d}" if r.issue_date else ""
        counts = counted_level(r.cert_type, r.level) or "不计入"
        print_row(
            r.id,
            r.trainee_id,
            r.trainee_name,
            r.id_number,
            r.cert_type,
            r.occupation,
            r.level or "—",
            r.number,
            issued,
            counts,
        )
    return 0


def delete_certificate_command(args: argparse.Namespace, ctx: Context) -> int:
    with _refusals():
        deleted = certificates.delete_certificate(ctx.database(), args.certificate_id)
    number = display_number(deleted.number) or "无编号"
    print(
        f"已删除证书：编号 {args.certificate_id}"
        f"（{printable(deleted.cert_type)}，{printable(number)}）"
    )
    return 0
