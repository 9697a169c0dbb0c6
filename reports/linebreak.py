"""Breaking Chinese text into lines by the rules of Chinese typesetting (禁则).

reportlab's ``wordWrap='CJK'`` only knows the Japanese list of characters that may not start
a line: it lets a line begin with ，；：！？》” — the commonest marks in Chinese prose — so
an official document wrapped by it breaks the rule on almost every page. This module is the
replacement:

* closing punctuation (点号 and closing quotes/brackets) never starts a line, opening quotes
  and brackets never end one; the offending mark takes the character before it along to the
  next line (推出) rather than hanging in the margin, so the type area stays exact;
* runs of Latin letters and digits (2021, 1+X, 0351-3046505, an ID number) and the two-em
  dash and ellipsis are never split, unless a run is wider than a whole line;
* an explicit ``\\n`` ends a paragraph.

Widths come from the caller, so the same code serves any font and size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

#: May not begin a line: 点号, closing quotes and brackets, and marks that attach leftwards.
NO_LINE_START = frozenset("，。、；：！？）》」』】〕〗〉”’%‰℃·,.;:!?)]}")
#: May not end a line: opening quotes and brackets.
NO_LINE_END = frozenset("（《「『【〔〖〈“‘([{")

_TOKEN = re.compile(r"——|……|[0-9A-Za-z０-９][0-9A-Za-z０-９.+\-/%:_@]*| +|.", re.DOTALL)

#: Rounding slack when adding widths, in points.
FUZZ = 1e-6

Width = Callable[[str], float]


@dataclass(frozen=True)
class Line:
    """A laid-out line: its text, its width as measured, and whether it ends a paragraph."""

    text: str
    width: float
    last: bool


def tokenize(text: str) -> list[str]:
    """Split into the smallest pieces a line may break between."""
    return _TOKEN.findall(text)


def _breaks_rule(tokens: list[str], at: int) -> bool:
    """Whether a break before ``tokens[at]`` puts a forbidden mark at a line's start or end."""
    return tokens[at][0] in NO_LINE_START or tokens[at - 1][-1] in NO_LINE_END


def _paragraph_lines(text: str, width: Width, first: float, rest: float) -> list[Line]:
    tokens = tokenize(text)
    widths = [width(t) for t in tokens]
    lines: list[Line] = []
    start = 0
    while start < len(tokens):
        available = first if not lines else rest
        if lines:
            while start < len(tokens) and tokens[start].isspace():
                start += 1
            if start == len(tokens):
                break
        end, used = start, 0.0
        while end < len(tokens) and used + widths[end] <= available + FUZZ:
            used += widths[end]
            end += 1
        if end == start and len(tokens[start]) > 1:
            # A run wider than the line: only now may it be cut, character by character.
            pieces = list(tokens[start])
            tokens[start : start + 1] = pieces
            widths[start : start + 1] = [width(p) for p in pieces]
            continue
        if end == start:
            end = start + 1  # a single glyph wider than the line still has to go somewhere
        elif end < len(tokens):
            back = end
            while back > start + 1 and _breaks_rule(tokens, back):
                back -= 1
            if not _breaks_rule(tokens, back):
                end = back
        piece = "".join(tokens[start:end]).rstrip(" ")
        lines.append(Line(piece, sum(widths[start:end]), last=False))
        start = end
    if not lines:
        return [Line("", 0.0, last=True)]
    lines[-1] = Line(lines[-1].text, lines[-1].width, last=True)
    return lines


def break_lines(
    text: str, width: Width, available: float, first: float | None = None
) -> list[Line]:
    """Lines of at most ``available`` points (``first`` for a paragraph's first line)."""
    result: list[Line] = []
    for paragraph in text.split("\n"):
        result += _paragraph_lines(
            paragraph, width, available if first is None else first, available
        )
    return result


def balanced_lines(text: str, width: Width, available: float) -> list[Line]:
    """As many lines as ``break_lines`` needs, but of even length, for a centred title.

    GB/T 9704 asks that a title's lines be 排列对称，长短适宜: a title that needs two lines
    is split near its middle rather than filling the first line to the margin.
    """
    result: list[Line] = []
    for paragraph in text.split("\n"):
        lines = _paragraph_lines(paragraph, width, available, available)
        if len(lines) > 1:
            low = max(width(t) for t in tokenize(paragraph))
            high = available
            for _ in range(30 if low < high else 0):
                middle = (low + high) / 2
                if len(_paragraph_lines(paragraph, width, middle, middle)) <= len(lines):
                    high = middle
                else:
                    low = middle
            lines = _paragraph_lines(paragraph, width, high, high)
        result += lines
    return result
