"""Random command lines and random file contents: a clear refusal, never a traceback.

Every command the parser knows is fuzzed (new commands join automatically), with arguments
drawn from its own options, random text, numbers, dates and files of every bad kind: random
bytes named like a roster, a package or a backup, an empty file, a folder, a missing path, a
SQLite file of another program, the database itself. The outcome must be exit status 0, 1 or
2; an exception escaping ``main`` fails the test with its traceback.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cli.app import build_parser
from main import main
from models.database import open_database

#: Commands whose cost grows with their argument (``demo --trainees 10000000``); their
#: refusals are tested where they are defined.
NOT_FUZZED = frozenset({"demo"})


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no commands registered")


COMMANDS = _subparsers()

#: No path separators, so that whatever a command writes lands in the test's folder.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\\x00"),
    max_size=30,
)
_SCALARS = st.one_of(
    _TEXT,
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.dates().map(str),
    st.sampled_from(["", "-", "--", "0", "-1", "1e400", "nan", "２０２５-０１-０１", "140105"]),
)


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database with a registered school, and bad files of every kind beside it."""
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "certdesk.sqlite3"
    assert main(["--db", str(db), "init", "--name", "甲校", "--uscc", "12140000676444728G",
                 "--category", "技工院校", "--division", "140109"]) == 0  # fmt: skip
    open_database(db).close()
    (folder / "empty.csv").write_bytes(b"")
    (folder / "dir.xlsx").mkdir()
    other = sqlite3.connect(folder / "other.sqlite3")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(cwd)


_FILES = st.sampled_from(
    [
        "empty.csv",
        "dir.xlsx",
        "other.sqlite3",
        "certdesk.sqlite3",
        "missing.xlsx",
        "random.csv",
        "random.xlsx",
        "random.xls",
        "random.zip",
        "random.certpkg",
        "random.sqlite3",
    ]
)


_VALUES = st.one_of(_FILES, _SCALARS)


def _arguments(draw: st.DrawFn, parser: argparse.ArgumentParser) -> list[str]:
    """Arguments shaped like what ``parser`` expects (most of the time), values at random."""
    tokens: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            name = draw(st.sampled_from(sorted(action.choices)))
            tokens += [name, *_arguments(draw, action.choices[name])]
            continue
        values = st.sampled_from([str(c) for c in action.choices]) if action.choices else _VALUES
        if not action.option_strings:
            many = {None: (1, 1), "?": (0, 1), "*": (0, 2), "+": (1, 3)}.get(action.nargs, (1, 1))
            tokens += draw(st.lists(values, min_size=many[0], max_size=many[1]))
        elif action.required or draw(st.booleans()):
            tokens.append(action.option_strings[0])
            if action.nargs != 0:
                tokens.append(draw(values))
    if draw(st.integers(0, 9)) == 0:  # now and then, one stray token
        tokens.insert(draw(st.integers(0, len(tokens))), draw(_VALUES))
    return tokens


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(set(COMMANDS) - NOT_FUZZED)))
    return [name, *_arguments(draw, COMMANDS[name])]


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=command_lines(), content=st.binary(max_size=2000))
def test_random_command_lines_exit_0_1_or_2(
    playground: Path, capsys: pytest.CaptureFixture[str], argv: list[str], content: bytes
) -> None:
    for name in ("random.csv", "random.xlsx", "random.xls", "random.zip", "random.certpkg",
                 "random.sqlite3"):  # fmt: skip
        (playground / name).write_bytes(content)
    try:
        code = main(["--db", str(playground / "certdesk.sqlite3"), *argv])
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        code = exc.code if isinstance(exc.code, int) else 0
    out, err = capsys.readouterr()
    event(f"exit {code}")
    assert code in {0, 1, 2}, argv
    assert "Traceback" not in err, argv
    if code == 1:  # the reason is on stderr, or in the --json result on stdout
        assert err.strip() or out.strip(), f"refused without a message: {argv}"
