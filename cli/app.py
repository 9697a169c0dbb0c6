"""Argument parsing and dispatch; exit status 0 done, 1 refused, 2 usage error."""

from __future__ import annotations

import argparse
import re
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
from cli.terminal import printable, printable_streams
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

#: How Python keeps the bytes of an argument it could not decode (surrogateescape).
_SURROGATES = re.compile("[\ud800-\udfff]")


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


def _undecodable_argument(args: argparse.Namespace) -> str | None:
    """A text argument that is not text: bytes the system could not decode, kept by Python as
    lone surrogates. A file path may hold any bytes its file system allows (``Path``
    arguments pass); a name, a number or a URL that is not text is a usage error, said here
    in Chinese rather than as an encoding traceback in whichever command meets it first."""
    for value in vars(args).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _SURROGATES.search(item):
                return item
    return None


def run(argv: list[str]) -> int:
    _use_utf8_streams()
    install_privacy_filter()
    with printable_streams():  # escapes what a terminal would act on; a closed pipe is quiet
        return _run(argv)


def _run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    undecodable = _undecodable_argument(args)
    if undecodable is not None:
        sys.stderr.write(
            f"certdesk：参数“{printable(undecodable)}”含有无法识别的字节，不是有效的文字"
            "（请检查终端或文件的编码，应为 UTF-8）\n"
        )
        return 2
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
