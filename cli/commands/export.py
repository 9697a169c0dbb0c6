"""export KIND ...: one command, one subcommand per kind of file.

Kinds are added by the modules that own them: each registrar in ``KIND_REGISTRARS`` receives
the subparsers of ``export`` and adds its kinds (``export annex3`` and ``export annex4``
belong to the documents module). This module owns the group and the roster kinds.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from cli.commands import documents
from cli.commands.importing import refusals
from cli.context import Context, announce_full_numbers, full_numbers_written
from reports.roster_xlsx import write_class_roster, write_trainee_list

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


#: Each adds its kinds to ``export``; a module that owns a kind appends its registrar here.
KIND_REGISTRARS: tuple[Registrar, ...] = (register_roster_kinds, documents.register_exports)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="导出文件（学员名单、附件3、附件4等）")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    for add_kinds in KIND_REGISTRARS:
        add_kinds(kinds)


def export_class_roster(args: argparse.Namespace, ctx: Context) -> int:
    with refusals():
        database = ctx.database()
        announce_full_numbers("学员名单")
        written = write_class_roster(database, args.class_id, args.out)
    full_numbers_written(ctx, "学员名单", written)
    print(written.path)
    return 0


def export_trainees(args: argparse.Namespace, ctx: Context) -> int:
    with refusals():
        database = ctx.database()
        announce_full_numbers("学员及证书清单")
        written = write_trainee_list(database, args.out)
    full_numbers_written(ctx, "学员及证书清单", written)
    print(written.path)
    return 0
