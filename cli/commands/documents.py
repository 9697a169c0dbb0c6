"""The official documents: export annex3 / annex4 / subsidy (registered by ``export``).

The documents are refused (exit 1, a Chinese reason per line on stderr, no file written) when
the class cannot be reported yet. The report's roster and the claim's completers carry full ID
numbers: what the file will hold is said on stderr before it is written, and the written file
is in the audit log (``application.documents``). A written file's path is the last line on
stdout; warnings, such as a missing embeddable font, go to stderr, since the file was written
all the same.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from application import documents
from cli.commands.importing import refusals
from cli.context import CliError, Context, announce_full_numbers
from cli.terminal import printable
from reports.output import WrittenDocument


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD 格式：{text}") from exc


def register_exports(kinds: argparse._SubParsersAction) -> None:
    """The document kinds of ``export`` (the group itself is ``cli.commands.export``)."""
    p = kinds.add_parser("annex3", help="附件3 申请报告（PDF，含学员名单和教学计划）")
    p.add_argument("--class", dest="class_id", type=int, required=True, metavar="ID")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--date", type=_day, default=None, help="落款日期 YYYY-MM-DD（默认今天）")
    p.set_defaults(handler=export_annex3)

    p = kinds.add_parser("annex4", help="附件4 承担职业技能提升培训机构情况表（.xlsx）")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    p.set_defaults(handler=export_annex4)

    p = kinds.add_parser("subsidy", help="结业培训班的补贴申请表（.pdf 或 .xlsx）")
    p.add_argument("--class", dest="class_id", type=int, required=True, metavar="ID")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf|FILE.xlsx")
    p.add_argument("--date", type=_day, default=None, help="申请日期 YYYY-MM-DD（默认今天）")
    p.set_defaults(handler=export_subsidy)


def check_suffix(path: Path, *allowed: str) -> None:
    """Refuse before anything is read: the file's kind follows from its suffix."""
    if path.suffix.lower() not in allowed:
        raise CliError(f"输出文件应为 {' 或 '.join(allowed)} 文件：{printable(path)}")


def _report(written: WrittenDocument) -> int:
    for warning in written.warnings:
        sys.stderr.write(f"警告：{printable(warning)}\n")
    print(printable(written.path))
    return 0


def export_annex3(args: argparse.Namespace, ctx: Context) -> int:
    check_suffix(args.out, ".pdf")
    with refusals():
        database = ctx.database()
        announce_full_numbers(documents.describe_annex3(database, args.class_id))
        written = documents.write_annex3(database, args.class_id, args.out, args.date)
    return _report(written)


def export_annex4(args: argparse.Namespace, ctx: Context) -> int:
    check_suffix(args.out, ".xlsx")
    with refusals():
        written = documents.write_annex4(ctx.database(), args.out)
    return _report(written)


def export_subsidy(args: argparse.Namespace, ctx: Context) -> int:
    check_suffix(args.out, ".pdf", ".xlsx")
    with refusals():
        database = ctx.database()
        announce_full_numbers(documents.describe_subsidy(database, args.class_id))
        written = documents.write_subsidy(database, args.class_id, args.out, args.date)
    return _report(written)
