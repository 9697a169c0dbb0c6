"""Normalising codes that arrive by copy-paste or from spreadsheets.

Two different problems meet here, and they are kept apart on purpose:

* Copy-paste adds harmless noise — full-width digits (１２３), a lowercase x, spaces of every
  width, zero-width and bidi characters from web pages and chat apps. What such noise hides
  is unambiguous, so :func:`normalize_code` removes it silently.
* Excel destroys information — a long number typed into a General cell is kept to 15
  significant digits. The lost digits cannot be recovered, and ``int(float(x))`` would invent
  plausible ones that pass no check but look real. :func:`excel_damage` recognises this from
  the cell's type and shape, so the importer can refuse the value and say why.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata

from core.identity.checks import Checked

__all__ = ["Checked", "cell_text", "excel_damage", "normalize_code", "remove_invisible"]

#: Unicode categories dropped from a code: controls, format characters (zero-width space and
#: joiners, word joiner, BOM, soft hyphen, bidi marks) and every kind of space or separator.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

#: Excel keeps 15 significant digits; any number with more has lost its tail.
_EXCEL_DIGITS = 15

#: "1.40102E+17", "1.40102e17", "1E+17". A decimal point or an exponent sign is required, so
#: an all-digit 统一社会信用代码 with one letter E in it is not taken for a number.
_SCIENTIFIC = re.compile(r"(\d+)(\.\d*)?E([+-])?(\d+)")
_TRAILING_ZEROS = re.compile(r"(\d+)\.0+")

_RETYPE = "请在源文件中把该列设为文本后重新录入"


def _is_plain(text: str) -> bool:
    """Only ASCII letters and digits: no point, sign or space, so nothing Excel wrote.

    Most cells of an import are such codes, and this spares them the normalising and the
    regular expressions below (roster imports look at every code several times).
    """
    return text.isascii() and text.isalnum()


def remove_invisible(text: str) -> str:
    """Drop format and control characters but keep whitespace.

    For values where a space means something (it separates the area code of a landline
    from the local number), unlike :func:`normalize_code` which drops spaces too.
    """
    return "".join(
        ch
        for ch in text
        if not (
            unicodedata.category(ch) == "Cf"
            or (unicodedata.category(ch) == "Cc" and not ch.isspace())
        )
    )


def normalize_code(value: str) -> str:
    """The canonical form of a typed or pasted code: NFKC, no spaces or invisibles, upper case.

    NFKC turns full-width digits and letters into ASCII; upper-casing makes a trailing x of an
    ID number the X the standard prescribes. Anything else that is odd (a letter O, a dash)
    is left for the specific check to report with its position.
    """
    if value.isascii() and value.isprintable() and " " not in value:
        # Already NFKC with nothing to drop: the common case, and 20× faster (roster imports
        # call this several times per row).
        return value.upper()
    text = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED_CATEGORIES).upper()


def _scientific(number: float) -> str:
    """Excel's narrow-column display, e.g. ``1.40105E+17``.

    Six significant digits are all a clerk needs to find the cell, and they reveal no more
    than the division code of an ID number.
    """
    return f"{number:.5E}"


def excel_damage(value: object) -> str | None:
    """Explain, in Chinese, how Excel has damaged a long number; ``None`` if it has not.

    Judged by the cell's type and shape, never by guessing at the digits: an int or float
    cell with 16 or more digits (openpyxl gives ints, python-calamine floats such as
    1.40102199003071e17), a text in scientific notation, or a text of 16 or more digits with
    a trailing ``.0``. Shorter numbers (an 11-digit mobile, a 15-digit old ID number) fit in
    Excel's 15 digits and are not damaged; :func:`cell_text` turns them back into text.
    Booleans are not numbers here.
    """
    if isinstance(value, str):
        return None if _is_plain(value) else _text_damage(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        if len(str(abs(int(value)))) > _EXCEL_DIGITS:
            return _number_damage(float(value))
        return None
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number) and abs(number) >= 10**_EXCEL_DIGITS:
            return _number_damage(number)
    return None


def _text_damage(value: str) -> str | None:
    text = normalize_code(value)
    match = _SCIENTIFIC.fullmatch(text)
    if match and (match.group(2) or match.group(3)):
        number = float(text)  # the regex admits only what float() parses; huge is inf
        shown = _scientific(number) if math.isfinite(number) else text
        return f"号码是科学计数法 {shown}，说明 Excel 已把它存成数字，末几位已丢失；{_RETYPE}"
    match = _TRAILING_ZEROS.fullmatch(text)
    if match and len(match.group(1)) > _EXCEL_DIGITS:
        return f"号码末尾带“.0”，说明它曾被 Excel 存成数字，超出15位的末几位已不可信；{_RETYPE}"
    return None


def _number_damage(number: float) -> str:
    return (
        f"Excel 已把号码存成数字（科学计数法 {_scientific(number)}），"
        f"超出15位的末几位已丢失；{_RETYPE}"
    )


def cell_text(value: object) -> str:
    """A spreadsheet cell as text, for values :func:`excel_damage` has let through.

    An integral number of up to 15 digits is exact, so it becomes its digits (``8.0`` from
    python-calamine becomes ``"8"``, 13812345678.0 becomes ``"13812345678"``); so does a text
    such as ``"13812345678.0"`` that some tool made from such a number. ``None`` and NaN
    (an empty cell read through pandas) become ``""``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        if _is_plain(value):
            return value
        match = _TRAILING_ZEROS.fullmatch(normalize_code(value))
        if match and len(match.group(1)) <= _EXCEL_DIGITS:
            return match.group(1)
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 10**_EXCEL_DIGITS:
            return str(int(number))
        return repr(number)
    return str(value)
