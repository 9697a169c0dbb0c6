"""What a command handler gets: its parsed arguments' database, opened only when asked for."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

from application.full_numbers import FullNumberFile
from core.base.privacy import full_numbers_notice
from core.safety.restore import damaged_database_problem
from models.database import Database, open_database
from models.migrate import SchemaError


class CliError(Exception):
    """A refusal: the message (Chinese) goes to stderr and the exit status is 1."""


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


def print_json(data: Any) -> None:
    """--json output: UTF-8 JSON on stdout and nothing else, whatever the console's code page."""
    sys.stdout.buffer.write(json.dumps(data, ensure_ascii=False, indent=2, default=str).encode())
    sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


def announce_full_numbers(file: FullNumberFile | str | None) -> None:
    """Before a file with full numbers is written, tell the clerk what it will hold: a
    described file's notice, with its count, or the bare name of one (an unencrypted package)
    whose count is known only once it is written; ``None`` (a file that holds nobody's numbers)
    says nothing. Writing the file records its audit entry (``application.full_numbers``)."""
    if file is None:
        return
    notice = file.notice if isinstance(file, FullNumberFile) else full_numbers_notice(file)
    sys.stderr.write(f"注意：{notice}\n")
