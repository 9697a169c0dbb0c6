"""init, institution show|edit and demo: register, look at and edit this installation's
institution, or fill a demo one."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, replace

from application.institution import (
    InstitutionDetails,
    InstitutionEdit,
    create_demo,
    edit_institution,
    register_institution,
    show_institution,
)
from cli.context import CliError, Context, print_json, refusal
from cli.terminal import printable
from core import reference
from core.fields import ValidationFailed
from core.institution import PROFILE_LABELS, Occupation, Profile


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="登记本机构（首次使用）")
    p.add_argument("--name", required=True, help="机构名称")
    p.add_argument("--uscc", required=True, help="统一社会信用代码")
    p.add_argument(
        "--category",
        required=True,
        help="本科院校|高职院校|中职学校|技工院校|县级职教中心|其他",
    )
    p.add_argument("--division", required=True, help="行政区划代码（6位，如 140105）")
    p.add_argument("--role", choices=("school", "city", "province"), default="school")
    p.add_argument("--address", default="", help="机构地址")
    p.add_argument("--admin-name", default="", help="超级管理员姓名")
    p.add_argument("--admin-id", default="", help="超级管理员身份证号")
    p.add_argument("--contact", default="", help="联系人")
    p.add_argument("--phone", default="", help="联系方式")
    p.add_argument("--capacity", type=int, default=None, help="培训规模（人）")
    p.add_argument("--annex1-unit", default=None, help="附件1中的单位名称（默认按机构名称匹配）")
    p.set_defaults(handler=init_institution)

    p = sub.add_parser(
        "institution", help="本机构：查看（show）与修改（edit）机构信息及附件4的培训能力"
    )
    commands = p.add_subparsers(dest="institution_command", metavar="SUBCOMMAND", required=True)
    show = commands.add_parser("show", help="显示本机构信息（身份证号、手机号部分隐藏）")
    show.add_argument("--json", action="store_true", help="以 JSON 输出")
    show.set_defaults(handler=show_institution_command)
    edit = commands.add_parser(
        "edit",
        help="修改本机构信息：只改给出的项；统一社会信用代码不能修改",
        description="修改本机构信息，与“本机构”页相同的校验；只改给出的项。"
        "--occupation 与 --industry 给出时替换全部可培训工种或对接产业。",
    )
    edit.add_argument("--name", help="机构名称")
    edit.add_argument("--category", help="机构类别")
    edit.add_argument("--division", help="行政区划代码（6位）")
    edit.add_argument("--address", help="机构地址")
    edit.add_argument("--admin-name", help="超级管理员姓名")
    edit.add_argument("--admin-id", help="超级管理员身份证号")
    edit.add_argument("--contact", help="联系人")
    edit.add_argument("--phone", help="联系方式")
    edit.add_argument("--capacity", type=int, help="培训规模（人）")
    edit.add_argument(
        "--occupation",
        action="append",
        metavar="工种[:职业编码]",
        help="可培训工种（可重复；替换全部），如 电工:6-31-01-03",
    )
    edit.add_argument(
        "--industry",
        action="append",
        metavar="产业",
        help="对接产业：代码或名称（可重复；替换全部）",
    )
    edit.set_defaults(handler=edit_institution_command)

    p = sub.add_parser("demo", help="在空数据库中生成演示机构及其学员、证书、培训班")
    p.add_argument("--trainees", type=int, default=3000, help="在校学员人数（默认 3000）")
    p.set_defaults(handler=fill_demo)


def init_institution(args: argparse.Namespace, ctx: Context) -> int:
    profile = Profile(
        name=args.name,
        uscc=args.uscc,
        category=args.category,
        division_code=args.division,
        role=args.role,
        address=args.address,
        admin_name=args.admin_name,
        admin_id_number=args.admin_id,
        contact_name=args.contact,
        contact_phone=args.phone,
        training_capacity=args.capacity,
        annex1_unit=args.annex1_unit,
    )
    try:
        saved = register_institution(ctx.database(), profile)
    except ValidationFailed as exc:
        raise refusal(exc) from exc
    for warning in saved.warnings:
        sys.stderr.write(f"警告：{printable(warning)}\n")
    print(f"已登记本机构：{printable(saved.name)}（{saved.uscc}）")
    return 0


def fill_demo(args: argparse.Namespace, ctx: Context) -> int:
    try:
        summary = create_demo(ctx.database(), trainees=args.trainees)
    except ValidationFailed as exc:
        raise refusal(exc) from exc
    print(
        f"已生成演示数据：{summary.institution}，学员 {summary.trainees} 人，"
        f"证书 {summary.certificates} 本，培训班 {summary.classes} 个"
    )
    return 0


def _details(ctx: Context) -> InstitutionDetails:
    details = show_institution(ctx.database())
    if details is None:
        raise CliError("本机构尚未登记：请先运行 init")
    return details


def show_institution_command(args: argparse.Namespace, ctx: Context) -> int:
    details = _details(ctx)
    data = {
        **asdict(details.profile),
        "occupations": [asdict(o) for o in details.occupations],
        "industries": list(details.industry_codes),
    }
    data.pop("warnings", None)
    if args.json:
        print_json(data)
        return 0
    for key, label in PROFILE_LABELS.items():
        value = data.get(key)
        print(f"{label}：{'' if value is None else printable(value)}")
    print("可培训工种：" + "、".join(printable(o.name) for o in details.occupations))
    print("对接产业：" + "、".join(details.industry_codes))
    return 0


def _industry_codes(texts: list[str]) -> list[str]:
    codes = []
    for text in texts:
        industry = reference.find_industry(text)
        if industry is None:
            raise CliError(f"对接产业: 不认识“{printable(text)}”（可用代码、简称或全称）")
        codes.append(industry.code)
    return codes


def edit_institution_command(args: argparse.Namespace, ctx: Context) -> int:
    current = _details(ctx)
    given = {
        "name": args.name,
        "category": args.category,
        "division_code": args.division,
        "address": args.address,
        "admin_name": args.admin_name,
        "admin_id_number": args.admin_id,
        "contact_name": args.contact,
        "contact_phone": args.phone,
        "training_capacity": args.capacity,
    }
    changes = {key: value for key, value in given.items() if value is not None}
    occupations = (
        current.occupations
        if args.occupation is None
        else tuple(Occupation(*(part.strip() for part in o.split(":", 1))) for o in args.occupation)
    )
    industries = current.industry_codes if args.industry is None else _industry_codes(args.industry)
    kept = frozenset(k for k in ("admin_id_number", "contact_phone") if k not in changes)
    edit = InstitutionEdit(
        profile=replace(current.profile, **changes),
        occupations=occupations,
        industry_codes=industries,
        kept=kept,  # type: ignore[arg-type]
    )
    try:
        saved = edit_institution(ctx.database(), edit)
    except ValidationFailed as exc:
        raise refusal(exc) from exc
    for warning in saved.warnings:
        sys.stderr.write(f"警告：{printable(warning)}\n")
    print(f"已保存本机构信息：{printable(saved.name)}（{saved.uscc}）")
    return 0
