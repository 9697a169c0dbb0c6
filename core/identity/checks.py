"""The one result type every field check returns, and the helpers the checks share.

A check never raises on bad input: a clerk importing 3,000 rows wants every problem of every
row at once, not the first exception. So each check returns a :class:`Checked` that carries
the normalised value (only when the value may be stored) plus Chinese messages.

Messages are shown by the caller as ``第N行 身份证号: <message>``, so a message never repeats
the column name, and never contains the full number (personal information under the PIPL ends
up in logs and screenshots otherwise). It may name a position and the character found there.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from core import reference


@dataclass(frozen=True)
class Checked:
    """Outcome of checking one field value.

    ``value`` is the normalised text when the value may be stored, else ``None``; keeping the
    two in one invariant means no caller can store a value that failed its check.
    """

    value: str | None
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A value with errors, or no value and no error, would be a bug in a check.
        if (self.value is None) != bool(self.errors):
            raise ValueError("Checked: value must be None exactly when there are errors")

    @property
    def ok(self) -> bool:
        """True when the value may be stored (warnings do not prevent that)."""
        return not self.errors


def position_label(index: int) -> str:
    """``第N位`` for a 0-based index: clerks count characters from 1."""
    return f"第{index + 1}位"


def show_char(ch: str) -> str:
    """A character as it can be quoted in a message.

    Invisible or combining characters would print as nothing (or glue onto the quote
    marks), so they are shown as their code point instead, e.g. ``U+0301``.
    """
    if unicodedata.category(ch)[0] in "CMZ":
        return f"U+{ord(ch):04X}"
    return ch


def char_error(index: int, ch: str, expected: str = "不是数字") -> str:
    """``第7位“O”不是数字``, with a hint for the letters that are mistaken for digits."""
    message = f"{position_label(index)}“{show_char(ch)}”{expected}"
    hint = _LOOKALIKES.get(ch)
    if hint:
        message += f"（{hint}）"
    return message


_LOOKALIKES = {
    # Codes are upper-cased before they are checked, so a typed o or l arrives as O or L.
    "O": "是否应为数字0？",
    "I": "是否应为数字1？",
    "L": "是否应为数字1？",
    "S": "是否应为数字5？",
    "Z": "是否应为数字2？",
    "×": "这是乘号；若为末位校验码，请输入字母X",
}


def division_region(code6: str) -> str | None:
    """Best name for a six-digit division code, from the shipped reference data.

    The reference data holds Shanxi's divisions only (current and abolished), so a Shanxi
    code resolves to county, city or at least the province, and any other code to its
    province name. ``None`` when even the province prefix is unknown.
    """
    if code6.startswith("14"):
        found = reference.resolve_division(code6)
        if found is not None:
            return division_path(found.code)
    return reference.province_name(code6[:2])


def division_path(code6: str) -> str | None:
    """``reference.division_path`` without its KeyError: unknown codes give ``None``."""
    try:
        path = reference.division_path(code6)
    except KeyError:
        return None
    return path or None
