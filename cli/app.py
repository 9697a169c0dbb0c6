"""Argument parsing and dispatch; exit status 0 done, 1 refused, 2 usage error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from cli.commands import checks, institution, reference
from cli.context import CliError, Context
from core.version import VERSION

COMMAND_MODULES = (checks, reference, institution)

Handler = Callable[[argparse.Namespace, Context], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certdesk",
        description="持证通 CertDesk：不带命令时打开图形界面。",
    )
    parser.add_argument("--version", action="version", version=f"持证通 CertDesk {VERSION}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="数据库文件路径或 SQLAlchemy URL（默认：用户数据文件夹中的 certdesk.sqlite3）",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def _use_utf8_streams() -> None:
    # A Windows console defaults to GBK/cp936; Chinese messages must not crash on it.
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")


def run(argv: list[str]) -> int:
    _use_utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from gui.app import run_gui

        return run_gui(args.db)
    context = Context(db=args.db)
    handler: Handler = args.handler
    try:
        return handler(args, context)
    except CliError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    finally:
        context.close()
