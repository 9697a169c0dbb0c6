"""init and demo: register this installation's institution, or fill a demo one."""

from __future__ import annotations

import argparse
import sys

from application.institution import create_demo, register_institution
from cli.context import CliError, Context
from core.fields import ValidationFailed
from core.institution import Profile


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
        raise CliError(str(exc)) from exc
    for warning in saved.warnings:
        sys.stderr.write(f"警告：{warning}\n")
    print(f"已登记本机构：{saved.name}（{saved.uscc}）")
    return 0


def fill_demo(args: argparse.Namespace, ctx: Context) -> int:
    try:
        summary = create_demo(ctx.database(), trainees=args.trainees)
    except ValidationFailed as exc:
        raise CliError(str(exc)) from exc
    print(
        f"已生成演示数据：{summary.institution}，学员 {summary.trainees} 人，"
        f"证书 {summary.certificates} 本，培训班 {summary.classes} 个"
    )
    return 0
