"""What a command handler gets: its parsed arguments' database, opened only when asked for."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from application.full_numbers import FullNumberFile
from cli.terminal import printable, write_bytes
from core.base.privacy import full_numbers_notice
from core.fields import ValidationFailed
from core.safety.restore import damaged_database_problem
from models.database import Database, open_database
from models.migrate import SchemaError


class CliError(Exception):
    """A refusal: the message (Chinese) goes to stderr and the exit status is 1."""


def refusal(exc: Exception) -> CliError:
    """A use case's refusal as the command's message, each refused field on its own line.

    Made printable, because a reason may quote what came from outside (the holder of a
    duplicate ID number, a sender's name, a file name): a line break in such a value must not
    add a line of its own.
    """
    if isinstance(exc, ValidationFailed):
        return CliError("\n".join(printable(error) for error in exc.errors))
    return CliError(printable(exc))


@dataclass
class Context:
    db: str | None
    _database: Database | None = field(default=None, init=False)

    def database(self) -> Database:
        if self._database is None:
            damaged = damaged_database_problem(self.db)  # quick_check before any write
            if damaged:
                raise CliError(f"{damaged}\n可用 backups 查看备份，用 restore 文件 恢复。")
            try:
                self._database = open_database(self.db)
            except SchemaError as exc:
                raise CliError(str(exc)) from exc
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.close()


#: Characters json.dumps leaves raw that a terminal may act on or that reorder what it shows
#: (DEL, C1 controls, bidi controls, the line and paragraph separators): inside a JSON string,
#: where alone they can occur, ``\uXXXX`` decodes to the same character.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def print_json(data: Any) -> None:
    """--json output: UTF-8 JSON on stdout and nothing else, whatever the console's code page.

    Exact JSON that is also inert on a terminal: json.dumps escapes C0 controls; the others are
    escaped here; a lone surrogate (an undecodable byte of a file name) becomes its ``\\udcXX``
    escape through ``backslashreplace`` instead of failing to encode.
    """
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    write_bytes(text.encode("utf-8", "backslashreplace") + b"\n")


def announce_full_numbers(file: FullNumberFile | str | None) -> None:
    """Before a file with full numbers is written, tell the clerk what it will hold: a
    described file's notice, with its count, or the bare name of one (an unencrypted package)
    whose count is known only once it is written; ``None`` (a file that holds nobody's numbers)
    says nothing. Writing the file records its audit entry (``application.full_numbers``)."""
    if file is None:
        return
    notice = file.notice if isinstance(file, FullNumberFile) else full_numbers_notice(file)
    sys.stderr.write(f"注意：{notice}\n")
