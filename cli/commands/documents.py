"""classes, and the official documents: export annex3 / annex4 / subsidy.

The documents are refused (exit 1, a Chinese reason per line on stderr, no file written) when
the class cannot be reported yet. A written file's path is the last line on stdout; warnings,
such as a missing embeddable font, go to stderr, since the file was written all the same.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from cli.commands.importing import refusals
from cli.context import (
    CliError,
    Context,
    announce_full_numbers,
    full_numbers_written,
    print_json,
)
from core import reference
from core.class_records import class_summaries
from reports.annex3 import write_annex3
from reports.annex4 import write_annex4
from reports.output import WrittenDocument
from reports.subsidy import write_subsidy


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("classes", help="培训班列表：编号、名称、起止日期、人数、状态")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=list_classes)


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


def list_classes(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.database().session() as session:
        summaries = class_summaries(session)
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "industry": s.industry_code,
            "kind": s.kind,
            "start_date": s.start_date.isoformat(),
            "end_date": s.end_date.isoformat(),
            "planned_headcount": s.planned_headcount,
            "headcount": s.enrolled,
            "completed": s.completed,
            "status": s.status,
        }
        for s in summaries
    ]
    if args.json:
        print_json(rows)
        return 0
    print("编号\t名称\t对接产业\t开班日期\t结业日期\t人数\t结业\t状态")
    for row in rows:
        industry = reference.find_industry(str(row["industry"]))
        print(
            f"{row['id']}\t{row['name']}\t{industry.name if industry else row['industry']}\t"
            f"{row['start_date']}\t{row['end_date']}\t{row['headcount']}\t{row['completed']}\t"
            f"{row['status']}"
        )
    return 0


def _check_suffix(path: Path, *allowed: str) -> None:
    if path.suffix.lower() not in allowed:
        raise CliError(f"输出文件应为 {' 或 '.join(allowed)} 文件：{path}")


def _report(written: WrittenDocument) -> int:
    for warning in written.warnings:
        sys.stderr.write(f"警告：{warning}\n")
    print(written.path)
    return 0


def export_annex3(args: argparse.Namespace, ctx: Context) -> int:
    _check_suffix(args.out, ".pdf")
    with refusals():
        database = ctx.database()
        announce_full_numbers("申请报告（附学员名单）")
        written = write_annex3(database, args.class_id, args.out, args.date)
    full_numbers_written(ctx, "申请报告（附学员名单）", written)
    return _report(written)


def export_annex4(args: argparse.Namespace, ctx: Context) -> int:
    _check_suffix(args.out, ".xlsx")
    with refusals():
        written = write_annex4(ctx.database(), args.out)
    return _report(written)


def export_subsidy(args: argparse.Namespace, ctx: Context) -> int:
    _check_suffix(args.out, ".pdf", ".xlsx")
    with refusals():
        written = write_subsidy(ctx.database(), args.class_id, args.out, args.date)
    return _report(written)
