"""Resident ID numbers (公民身份号码, GB 11643-1999) and the cards that share their format.

Layout of the 18 characters: six-digit division code of the first registration, birth date
YYYYMMDD, three-digit sequence whose last digit is odd for men and even for women, and a
check character by ISO 7064 MOD 11-2 (``X`` stands for 10). The same layout and check are
used by the residence permits for Hong Kong, Macao and Taiwan residents (810000, 820000,
830000) and by the 2023 foreigners' permanent-residence ID card (first digit 9).

The check is deliberately strict about what it stores and deliberately quiet about what it
knows: it never tells which check character would have been right (that only helps someone
make up a number), and its messages never contain the full number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import mul

from core import reference
from core.identity.checks import Checked, char_error, division_path, division_region, position_label
from core.identity.textnorm import cell_text, excel_damage, normalize_code

__all__ = ["IdCheck", "check_id_number", "id_check_char", "mask_id_number"]

LENGTH = 18
LEGACY_LENGTH = 15

#: ISO 7064 MOD 11-2 weights for the first 17 digits (2**(17-i) mod 11).
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")
#: A number already in the form the standard writes: what almost every cell holds.
_CANONICAL = re.compile(r"[0-9]{17}[0-9X]")

#: Province-level prefixes (GB/T 2260) that begin a resident ID number, plus 81/82/83 of
#: the residence permits. Kept here rather than read from the reference data because an
#: error in this list would silently accept or refuse numbers: it is pinned by the tests.
PROVINCE_PREFIXES = frozenset(
    {
        *("11", "12", "13", "14", "15", "21", "22", "23"),
        *("31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"),
        *("61", "62", "63", "64", "65", "71", "81", "82", "83"),
    }
)
_MAINLAND_PREFIXES = PROVINCE_PREFIXES - {"71", "81", "82", "83"}
#: Residence permits carry exactly these division codes.
_PERMIT_CODES = {"81": "810000", "82": "820000", "83": "830000"}
_PERMIT_NAMES = {
    "81": "港澳居民居住证（香港）",
    "82": "港澳居民居住证（澳门）",
    "83": "台湾居民居住证",
}
_FOREIGNER_NAME = "外国人永久居留身份证"
_SHANXI = "14"
_EARLIEST_BIRTH = date(1900, 1, 1)

_CHECK_FAILED = "校验位不符，号码有误（可能有数字录错或顺序颠倒）"
#: Excel keeps 15 significant digits; a number it truncated and that was later turned back
#: into text ends in 000.
_TRUNCATED_ERROR = (
    "校验位不符，号码有误；末三位均为0，很可能是 Excel 把号码当数字截断后又转成了文本，"
    "请按证件重新录入"
)
_TRUNCATED_WARNING = "末三位均为0，可能是 Excel 截断后碰巧通过了校验，请与证件核对"


@dataclass(frozen=True)
class IdCheck(Checked):
    """A checked ID number and what it encodes.

    ``gender`` and ``birth_date`` are filled for a valid number, and also for a 15-digit
    legacy number (which is refused for storage but tells the clerk whose number it is).
    """

    gender: str | None = None
    birth_date: date | None = None
    region: str | None = None


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits (for the CLI and import tools)."""
    if len(first17) != LENGTH - 1 or not set(first17) <= _DIGITS:
        raise ValueError("需要17位数字")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    """:func:`id_check_char` for 17 digits already checked (it runs for every imported row)."""
    return _CHECK_CHARS[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


def _gender(digit: str) -> str:
    return "男" if int(digit) % 2 else "女"


def _parse_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def _show_date(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:8]}"


@lru_cache(maxsize=4096)
def _region_of(code6: str) -> str | None:
    """Readable region for the first six digits, e.g. 山西省太原市小店区.

    Only Shanxi's divisions ship with the app, so a Shanxi number resolves to its county (or
    at least its city), any other to its province; the permits and the foreigners' card are
    named as such. Cached: a roster holds a few hundred distinct codes in thousands of rows,
    and walking the division tree is the dearest step of a valid number's check.
    """
    prefix = code6[:2]
    if prefix in _PERMIT_NAMES:
        return _PERMIT_NAMES[prefix]
    if code6.startswith(reference.foreign_permanent_resident().prefix):
        # Digits 2-3 of the 2023 card are the province where it was applied for.
        place = reference.province_name(code6[1:3])
        return f"{_FOREIGNER_NAME}（受理地：{place}）" if place else _FOREIGNER_NAME
    return division_region(code6)


def _format_errors(number: str) -> list[str]:
    """Errors in the characters and length; empty when it is 17 digits and a digit or X."""
    errors: list[str] = []
    last = len(number) - 1
    for index, ch in enumerate(number):
        if ch in _DIGITS:
            continue
        if ch == "X":
            # At the end of a too-short or too-long number, the length error says enough.
            if index != last:
                errors.append(f"{position_label(index)}“X”只能作末位校验码")
        else:
            errors.append(char_error(index, ch))
    if len(errors) > 3:
        errors = [*errors[:3], f"等共{len(errors)}处字符有误"]
    if len(number) != LENGTH:
        errors.append(f"应为{LENGTH}位，实为{len(number)}位")
    return errors


def _legacy(number: str) -> IdCheck:
    """A 15-digit number of the first generation: recognised, explained, not stored."""
    born = _parse_date("19" + number[6:12])
    return IdCheck(
        value=None,
        errors=("这是15位旧身份证号（1999年前签发），请换成18位号码",),
        gender=_gender(number[14]),
        birth_date=born,
        region=_region_of(number[:6]),
    )


def _prefix_error(code6: str) -> str | None:
    prefix = code6[:2]
    if code6.startswith(reference.foreign_permanent_resident().prefix):
        # The 2023 card: 9, then the province where it was applied for, then nationality.
        if code6[1:3] in _MAINLAND_PREFIXES:
            return None
        return (
            f"前两位“{prefix}”不是有效的省级行政区划代码"
            "（9开头的外国人永久居留身份证，第2–3位应为受理地的省级代码）"
        )
    if prefix not in PROVINCE_PREFIXES:
        return f"前两位“{prefix}”不是有效的省级行政区划代码"
    permit = _PERMIT_CODES.get(prefix)
    if permit and code6 != permit:
        return f"港澳台居民居住证号码前6位应为{permit}"
    return None


def _birth_error(born: date | None, digits: str, today: date) -> str | None:
    if born is None:
        return f"出生日期 {_show_date(digits)} 不存在"
    if born > today:
        return f"出生日期 {_show_date(digits)} 在未来"
    if born < _EARLIEST_BIRTH:
        return f"出生日期 {_show_date(digits)} 早于1900年"
    return None


def _division_warnings(code6: str, born: date) -> list[str]:
    """Doubts about a Shanxi division code; other provinces' codes are not shipped."""
    if not code6.startswith(_SHANXI):
        return []
    found = reference.division(code6)
    if found is None:
        return [f"行政区划代码 {code6} 不在山西省区划表中（旧号码可能沿用已撤销的代码）"]
    if found.valid_to is not None and found.valid_to < born.year:
        name = division_path(code6) or found.name
        return [
            f"行政区划代码 {code6}（{name}）已于{found.valid_to}年撤销，"
            f"早于出生年份{born.year}年，请与证件核对"
        ]
    return []


def _canonical(value: object) -> str | IdCheck:
    """The number normalised and well-formed, or the check refusing it before it is read."""
    if type(value) is str and _CANONICAL.fullmatch(value):
        # Nothing to normalise and nothing Excel can have damaged.
        return value
    if value is None:
        return IdCheck(value=None, errors=("不能为空",))
    damage = excel_damage(value)
    if damage:
        return IdCheck(value=None, errors=(damage,))
    number = normalize_code(cell_text(value))
    if not number:
        return IdCheck(value=None, errors=("不能为空",))
    if len(number) == LEGACY_LENGTH and set(number) <= _DIGITS:
        return _legacy(number)
    format_errors = _format_errors(number)
    if format_errors:
        return IdCheck(value=None, errors=tuple(format_errors))
    return number


def check_id_number(value: object, today: date | None = None) -> IdCheck:
    """Check an ID number as typed, pasted or read from a spreadsheet cell.

    ``today`` bounds the birth date (tests pass a fixed day). Never raises on bad input:
    every problem found is returned as a Chinese message, positions counted from 1 in the
    normalised number.
    """
    today = today or date.today()
    number = _canonical(value)
    if isinstance(number, IdCheck):
        return number

    errors: list[str] = []
    code6 = number[:6]
    prefix_error = _prefix_error(code6)
    if prefix_error:
        errors.append(prefix_error)
    born = _parse_date(number[6:14])
    birth_error = _birth_error(born, number[6:14], today)
    if birth_error:
        errors.append(birth_error)
    truncated = number.endswith("000")
    if _check_char(number[:17]) != number[17]:
        errors.append(_TRUNCATED_ERROR if truncated else _CHECK_FAILED)
    if errors or born is None:
        return IdCheck(value=None, errors=tuple(errors))

    warnings = _division_warnings(code6, born)
    if truncated:
        warnings.append(_TRUNCATED_WARNING)
    return IdCheck(
        value=number,
        warnings=tuple(warnings),
        gender=_gender(number[16]),
        birth_date=born,
        region=_region_of(code6),
    )


def mask_id_number(s: str) -> str:
    """Show the first 6 and last 4 characters, e.g. ``140105********1234``.

    Enough for a clerk to tell two trainees apart on screen or on a printed list, while the
    birth date and most of the sequence stay hidden. Anything too short to be an ID number
    is masked entirely rather than risk showing most of it.
    """
    text = normalize_code(s)
    if len(text) < LEGACY_LENGTH:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]
