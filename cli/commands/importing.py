"""import-roster and import-certificates: a spreadsheet in, every bad row named, all or nothing.

Each refused row is one line on stderr, ``第N行 列名: 原因`` with N as Excel numbers the row,
so a clerk can go straight to the cell. Without ``--skip-invalid`` one bad row refuses the
whole file (exit 1, nothing written); with it the good rows go in and the bad ones are listed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from application.importing import (
    check_certificates,
    check_roster,
    error_report_file,
    import_certificates,
    import_roster,
    read_import_file,
    write_error_report,
)
from cli.context import CliError, Context, announce_full_numbers, refusal
from cli.terminal import printable
from core.fields import ValidationFailed
from core.importing import ImportPreview, ImportRefused
from models.database import Database


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import-roster",
        help="导入学员名单（.xlsx、.xls 或 .csv）",
        description="导入学员名单。任何一行有误时不写入任何数据，除非加 --skip-invalid。",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="学员名单文件")
    p.add_argument("--class", dest="class_id", type=int, metavar="ID", help="同时加入该培训班")
    _common_options(p)
    p.add_argument(
        "--update-existing",
        action="store_true",
        help="身份证号已在库中的学员，用文件中填写的内容更新（默认不改动）",
    )
    p.set_defaults(handler=import_roster_command)

    p = sub.add_parser(
        "import-certificates",
        help="导入证书名单（评价机构、技能大赛的获证名单）",
        description="导入证书名单，按身份证号对应到库中学员。任何一行有误时不写入任何数据，"
        "除非加 --skip-invalid。",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="证书名单文件")
    _common_options(p)
    p.set_defaults(handler=import_certificates_command)


def _common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--skip-invalid", action="store_true", help="只导入有效的行，列出并跳过有误的行")
    p.add_argument(
        "--report",
        type=Path,
        metavar="OUT.xlsx",
        help="把有误的行另存为错误报告（标出有误的单元格）",
    )
    p.add_argument("--sheet", metavar="NAME", help="要导入的工作表（默认自动识别）")


@contextmanager
def refusals() -> Iterator[None]:
    """An import's or export's refusal becomes the command's one line on stderr and exit 1.

    Disk full, read-only folders and the like are explained by ``cli.app`` for every command.
    """
    try:
        yield
    except (ImportRefused, ValidationFailed) as exc:
        raise refusal(exc) from exc


def _list_rows(preview: ImportPreview[Any]) -> None:
    for row in preview.rows:
        for line in row.error_lines():
            sys.stderr.write(f"{printable(line)}\n")
        for issue in row.warnings:
            warning = f"{printable(issue.column)}: 警告：{printable(issue.message)}"
            sys.stderr.write(f"第{row.line}行 {warning}\n")


def _refuse_or_report(
    database: Database, preview: ImportPreview[Any], args: argparse.Namespace
) -> None:
    """List the bad rows, write the report if asked, and refuse unless told to skip them.

    The report holds the bad rows' full ID numbers and phones: the clerk is told so on stderr
    before it is written, and its writing is audited.
    """
    _list_rows(preview)
    invalid = len(preview.invalid)
    if args.report is not None and invalid:
        announce_full_numbers(error_report_file(preview))
        write_error_report(database, preview, args.report)
        sys.stderr.write(f"错误报告已写入：{printable(args.report)}\n")
    if invalid and not args.skip_invalid:
        raise CliError(
            f"共{invalid}行有误，未导入任何数据"
            "（改正后重新导入，或加 --skip-invalid 只导入有效的行）"
        )


def import_roster_command(args: argparse.Namespace, ctx: Context) -> int:
    with refusals():
        file = read_import_file(args.file, "roster", args.sheet)
        database = ctx.database()
        preview = check_roster(database, file, class_id=args.class_id)
        _refuse_or_report(database, preview, args)
        result = import_roster(
            database,
            preview,
            update_existing=args.update_existing,
            class_id=args.class_id,
            skip_invalid=args.skip_invalid,
        )
    parts = [f"新增 {result.inserted} 人", f"更新 {result.updated} 人"]
    if result.unchanged:
        hint = "" if args.update_existing else "（已在库中，未更新；加 --update-existing 可更新）"
        parts.append(f"未改动 {result.unchanged} 人{hint}")
    if args.class_id is not None:
        parts.append(f"新加入培训班 {result.enrolled} 人")
    if result.skipped_invalid:
        parts.append(f"跳过有误的 {result.skipped_invalid} 行")
    print(f"学员名单导入完成：{'，'.join(parts)}")
    return 0


def import_certificates_command(args: argparse.Namespace, ctx: Context) -> int:
    with refusals():
        file = read_import_file(args.file, "certificates", args.sheet)
        database = ctx.database()
        preview = check_certificates(database, file)
        _refuse_or_report(database, preview, args)
        result = import_certificates(database, preview, skip_invalid=args.skip_invalid)
    parts = [f"新增证书 {result.inserted} 本"]
    if result.already_stored:
        parts.append(f"已在库中、未重复导入 {result.already_stored} 本")
    if result.skipped_invalid:
        parts.append(f"跳过有误的 {result.skipped_invalid} 行")
    print(f"证书名单导入完成：{'，'.join(parts)}")
    return 0
