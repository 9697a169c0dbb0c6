"""Argument parsing and dispatch; exit status 0 done, 1 refused, 2 usage error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from cli.commands import (
    checks,
    classes,
    export,
    importing,
    institution,
    progress,
    reference,
    safety,
    sync,
    trainees,
)
from cli.context import CliError, Context
from core.base.privacy import install_privacy_filter
from core.safety.environment_errors import explain_environment_error
from core.version import VERSION

COMMAND_MODULES = (
    checks,
    reference,
    institution,
    trainees,
    importing,
    classes,
    export,
    progress,
    safety,
    sync,
)

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
    install_privacy_filter()
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
    except OverflowError:  # an ID or count argument beyond what SQLite can store
        sys.stderr.write("参数中的数字太大，超出了允许的范围，请检查输入。\n")
        return 1
    except Exception as exc:
        problem = explain_environment_error(exc)  # disk full, read-only, locked, stick pulled
        if problem is None:
            raise
        sys.stderr.write(f"{problem}\n")
        return 1
    finally:
        context.close()
