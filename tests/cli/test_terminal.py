"""cli/terminal.py: what the command line writes is printable, whatever the data holds."""

from __future__ import annotations

import io
import json
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli.context import print_json
from cli.terminal import PrintableStream, print_row, printable, printable_streams

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def acted_on(char: str) -> bool:
    """What a terminal acts on or reorders by instead of showing it as a character."""
    return (
        unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in BIDI  # C0, DEL, C1
    )


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("甲\n已导入\x1b[2J", "甲\\n已导入\\x1b[2J"),
        ("太原市第一职业学校", "太原市第一职业学校"),
        ("a\tb\rc\x00\x7f\x9b", "a\\tb\\rc\\x00\\x7f\\x9b"),
        ("gpj\u202eexe.文件\u2028\u2066", "gpj\\u202eexe.文件\\u2028\\u2066"),
        ("名单\udcff.xlsx", "名单\\xff.xlsx"),  # an undecodable byte of a file name
        ("E:\\报送\\1.certpkg", "E:\\报送\\1.certpkg"),  # Windows paths keep their backslashes
        (42, "42"),
    ],
)
def test_printable_escapes_what_a_terminal_would_act_on(raw: object, shown: str) -> None:
    assert printable(raw) == shown


@given(st.text())
def test_printable_leaves_nothing_to_act_on_and_keeps_everything_else(text: str) -> None:
    shown = printable(text)
    assert not any(acted_on(c) for c in shown)
    assert shown == "".join(printable(c) for c in text)  # character by character
    for char in text:
        if acted_on(char):
            assert re.fullmatch(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[tnr])", printable(char))
        else:
            assert printable(char) == char


def test_the_stream_keeps_the_layout_and_escapes_the_rest() -> None:
    buffer = io.StringIO()
    stream = PrintableStream(buffer)
    print("甲\t乙", "\x1b]0;标题\x07\r丙\u202e", sep="\n", file=stream)
    assert buffer.getvalue() == "甲\t乙\n\\x1b]0;标题\\x07\\r丙\\u202e\n"


def test_a_row_is_one_line_of_tab_separated_fields(capsys: pytest.CaptureFixture[str]) -> None:
    print_row(1, "甲\n已导入", "\t乙", indent="  ")
    assert capsys.readouterr().out == "  1\t甲\\n已导入\t\\t乙\n"


def test_json_stays_exact_and_inert(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    value = {"name": "甲\n已导入\x1b[2J\x7f\x9b\u202e\u2028", "file": "名单\udcff.xlsx"}
    with printable_streams():
        print_json(value)
    raw = capsysbinary.readouterr().out
    text = raw.decode("utf-8")  # UTF-8, even with a lone surrogate in the data
    assert json.loads(text) == value
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", text)
    assert "甲" in text  # Chinese as itself, not as \u escapes
