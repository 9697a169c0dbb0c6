"""export KIND ...: one command, one subcommand per kind of file.

Kinds are added by the modules that own them: each registrar in ``KIND_REGISTRARS`` receives
the subparsers of ``export`` and adds its kinds (``export annex3`` and ``export annex4``
belong to the documents module). This module owns the group, the roster kinds and 还差谁.
A file with full numbers is announced on stderr before it is written and is in the audit log
once written (``application.documents``); its path is the last line on stdout.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from application import documents, progress
from cli.commands import documents as document_kinds
from cli.commands.importing import refusals
from cli.context import Context, announce_full_numbers
from cli.terminal import printable

Registrar = Callable[[argparse._SubParsersAction], None]


def register_roster_kinds(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser(
        "roster", help="培训班学员名单（.xlsx：序号、姓名、性别、身份证号、手机号）"
    )
    p.add_argument("--class", dest="class_id", type=int, required=True, metavar="ID")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    p.set_defaults(handler=export_class_roster)

    p = kinds.add_parser("trainees", help="全部学员及其证书（.xlsx，两个工作表）")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    p.set_defaults(handler=export_trainees)

    p = kinds.add_parser(
        "missing",
        help="还差谁：应届毕业生中尚未取得合格证书的名单（.xlsx，按班级，号码默认打码）",
    )
    p.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    p.add_argument(
        "--year", type=int, default=None, metavar="Y", help="毕业年份（默认与 progress 相同：今年）"
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="写出完整身份证号和手机号（敏感个人信息：先在 stderr 提示，并记入操作日志）",
    )
    p.set_defaults(handler=export_missing)


#: Each adds its kinds to ``export``; a module that owns a kind appends its registrar here.
KIND_REGISTRARS: tuple[Registrar, ...] = (register_roster_kinds, document_kinds.register_exports)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="导出文件（学员名单、还差谁、附件3、附件4等）")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    for add_kinds in KIND_REGISTRARS:
        add_kinds(kinds)


def export_class_roster(args: argparse.Namespace, ctx: Context) -> int:
    with refusals():
        database = ctx.database()
        announce_full_numbers(documents.describe_class_roster(database, args.class_id))
        written = documents.write_class_roster(database, args.class_id, args.out)
    print(printable(written.path))
    return 0


def export_trainees(args: argparse.Namespace, ctx: Context) -> int:
    with refusals():
        database = ctx.database()
        announce_full_numbers(documents.describe_trainee_list(database))
        written = documents.write_trainee_list(database, args.out)
    print(printable(written.path))
    return 0


def export_missing(args: argparse.Namespace, ctx: Context) -> int:
    document_kinds.check_suffix(args.out, ".xlsx")
    with refusals():
        database = ctx.database()
        scope = progress.missing_scope(database, args.year)
        if args.full:
            announce_full_numbers(documents.describe_missing_list(database, scope))
        written = documents.write_missing_list(database, scope, args.out, full=args.full)
    print(printable(written.path))
    return 0
