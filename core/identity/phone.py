"""Mobile and landline numbers of trainees and contacts.

Mobiles are checked by shape only (11 digits, ``1[3-9]…``): carrier prefix tables go stale
every year and a stale table would refuse real numbers. Landlines are split into area code
and local number by the numbering plan itself — the three-digit area codes are exactly 010
and 020–029, every other area code has four digits — so ``03513046505`` is unambiguous and
is stored as ``0351-3046505`` whatever way it was typed.

A phone number typed into a General Excel cell becomes a number. Eleven digits fit in
Excel's fifteen, so a mobile survives that (``13812345678.0`` is accepted); a landline loses
its leading 0, which is put back, with a warning, because every area code starts with 0.
"""

from __future__ import annotations

import numbers
import re
import unicodedata
from dataclasses import dataclass

from core.identity.checks import Checked, char_error
from core.identity.textnorm import cell_text, excel_damage, normalize_code, remove_invisible

__all__ = ["PhoneCheck", "check_landline", "check_mobile", "check_phone", "mask_phone"]

MOBILE = "mobile"
LANDLINE = "landline"

#: Hyphens and dashes of every width people type between digit groups (NFKC has already
#: turned the full-width ones into ASCII), and the brackets around an area code.
_DASHES = "-‐‑‒–—―−"
_SEPARATORS = frozenset(_DASHES + "()")
#: ASCII digits only: ``\d`` would also match full-width ones, which are stored normalised.
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_EXTENSION = re.compile(r"(?:转|分机|EXT\.?|X|#)\s*(\d+)\s*", re.IGNORECASE)
_INTERNATIONAL = re.compile(r"\(?\s*(?:\+|00)\s*86\s*\)?[\s\-]*")
_LANDLINE_EXAMPLE = "如 0351-3046505"
_MAX_EXTENSION = 6


@dataclass(frozen=True)
class PhoneCheck(Checked):
    """A checked phone number; ``kind`` is ``"mobile"`` or ``"landline"`` when valid."""

    kind: str | None = None


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _refusal(value: object) -> PhoneCheck | None:
    """The refusals common to every phone check: an empty cell, a number Excel damaged."""
    if value is None or not normalize_code(cell_text(value)):
        return PhoneCheck(value=None, errors=("不能为空",))
    damage = excel_damage(value)
    if damage:
        return PhoneCheck(value=None, errors=(damage,))
    return None


def _mobile_candidate(text: str) -> str:
    """Digits of a mobile as typed: no spaces, dashes, brackets or +86 / 0086 / 86 prefix."""
    code = "".join(ch for ch in normalize_code(text) if ch not in _SEPARATORS)
    if code.startswith("+86"):
        return code[3:]
    if code.startswith("0086"):
        return code[4:]
    if code.startswith("86") and len(code) == 13 and code[2] == "1":
        return code[2:]
    return code


def check_mobile(value: object) -> PhoneCheck:
    """Check a mainland mobile number; valid values are stored as 11 plain digits."""
    if type(value) is str and _MOBILE.fullmatch(value):
        # Already 11 plain digits: the common case, spared the normalising below.
        return PhoneCheck(value=value, kind=MOBILE)
    refused = _refusal(value)
    if refused:
        return refused
    number = _mobile_candidate(cell_text(value))
    errors = [char_error(i, ch) for i, ch in enumerate(number) if ch not in "0123456789"]
    if errors:
        if len(errors) > 3:
            errors = [*errors[:3], f"等共{len(errors)}处字符有误"]
        return PhoneCheck(value=None, errors=tuple(errors))
    if len(number) != 11:
        return PhoneCheck(value=None, errors=(f"手机号应为11位数字，以1开头；实为{len(number)}位",))
    if number[0] != "1":
        hint = "（以0开头的是固定电话，请填写手机号）" if number[0] == "0" else ""
        return PhoneCheck(value=None, errors=(f"手机号应以1开头{hint}",))
    if not _MOBILE.fullmatch(number):
        return PhoneCheck(value=None, errors=(f"手机号第2位应为3–9，实为“{number[1]}”",))
    return PhoneCheck(value=number, kind=MOBILE)


def _split_groups(text: str) -> tuple[str, list[int], list[str]]:
    """Digits of a landline, the digit offsets where a separator split them, and errors."""
    digits: list[str] = []
    boundaries: list[int] = []
    errors: list[str] = []
    pending_break = False
    for index, ch in enumerate(text):
        if ch in "0123456789":
            if pending_break and digits:
                boundaries.append(len(digits))
            pending_break = False
            digits.append(ch)
        elif ch.isspace() or ch in _SEPARATORS:
            pending_break = True
        else:
            errors.append(char_error(index, ch))
    return "".join(digits), boundaries, errors


def _area_length(digits: str) -> int:
    """3 for 010 and 020–029, else 4: the Chinese numbering plan fixes it by the 2nd digit."""
    return 3 if digits[1] in "12" else 4


def _landline(text: str, from_number: bool) -> PhoneCheck:
    warnings: list[str] = []
    text = remove_invisible(unicodedata.normalize("NFKC", text)).strip()
    extension = ""
    found = _EXTENSION.search(text)
    if found and found.end() == len(text):
        extension, text = found.group(1), text[: found.start()]
    international = _INTERNATIONAL.match(text)
    if international:
        text = text[international.end() :]

    digits, boundaries, errors = _split_groups(text)
    if errors:
        if len(errors) > 3:
            errors = [*errors[:3], f"等共{len(errors)}处字符有误"]
        return PhoneCheck(value=None, errors=tuple(errors))
    if not digits:
        return PhoneCheck(value=None, errors=(f"没有数字；固定电话应带区号，{_LANDLINE_EXAMPLE}",))
    if not digits.startswith("0") and (international or (from_number and len(digits) >= 9)):
        # +86 drops the trunk 0; an Excel number cell drops the leading 0. Both are certain.
        digits = "0" + digits
        boundaries = [b + 1 for b in boundaries]
        if from_number and not international:
            warnings.append("号码被 Excel 存成了数字，区号前的0已丢失，已自动补上，请核对")

    if not digits.startswith("0"):
        if len(digits) in (7, 8):
            return PhoneCheck(value=None, errors=(f"缺少区号，{_LANDLINE_EXAMPLE}",))
        return PhoneCheck(
            value=None, errors=(f"固定电话应以区号（0开头）开始，{_LANDLINE_EXAMPLE}",)
        )
    if len(digits) < 2 or digits[1] == "0":
        return PhoneCheck(value=None, errors=(f"区号不正确，{_LANDLINE_EXAMPLE}",))
    if digits[1] == "1" and digits[:3] != "010":
        if _MOBILE.fullmatch(digits[1:]):
            return PhoneCheck(value=None, errors=("手机号前不要加0",))
        return PhoneCheck(value=None, errors=(f"区号“{digits[:3]}”不存在",))

    area_len = _area_length(digits)
    if any(1 <= b <= 4 and b != area_len for b in boundaries):
        return PhoneCheck(
            value=None,
            errors=(f"区号应为3位（010、020–029）或4位（其他地区），{_LANDLINE_EXAMPLE}",),
        )
    area, rest = digits[:area_len], digits[area_len:]
    if len(rest) > 8 and not extension:
        # "0351-3046505-123": an extension only where the typist put a separator.
        ends = [b - area_len for b in boundaries if b - area_len in (7, 8)]
        if ends:
            rest, extension = rest[: ends[-1]], rest[ends[-1] :]
    if not 7 <= len(rest) <= 8:
        return PhoneCheck(value=None, errors=(f"本地号码应为7–8位，实为{len(rest)}位",))
    if rest[0] in "01":
        return PhoneCheck(value=None, errors=("本地号码不应以0或1开头",))
    if len(extension) > _MAX_EXTENSION:
        return PhoneCheck(value=None, errors=(f"分机号应不超过{_MAX_EXTENSION}位",))
    normalised = f"{area}-{rest}" + (f"转{extension}" if extension else "")
    return PhoneCheck(value=normalised, warnings=tuple(warnings), kind=LANDLINE)


def check_landline(value: object) -> PhoneCheck:
    """Check a landline with area code; valid values are stored as ``0351-3046505[转123]``."""
    refused = _refusal(value)
    if refused:
        return refused
    return _landline(cell_text(value), from_number=_is_number(value))


def check_phone(value: object) -> PhoneCheck:
    """A contact number: a mobile, or a landline with its area code.

    The kind is told by the first digit after any +86 prefix: 1 is a mobile; anything else
    is checked as a landline, whose messages then explain what is missing.
    """
    refused = _refusal(value)
    if refused:
        return refused
    text = cell_text(value)
    candidate = _mobile_candidate(text)
    if candidate.startswith("1"):
        return check_mobile(value)
    if not candidate[:1].isdigit():
        return PhoneCheck(
            value=None,
            errors=(f"应为手机号（11位，以1开头）或带区号的固定电话（{_LANDLINE_EXAMPLE}）",),
        )
    return _landline(text, from_number=_is_number(value))


def mask_phone(s: str) -> str:
    """``138****5678`` for a mobile, ``0351-****505`` for a landline.

    The area code says only where the contact works, so it stays; of the rest, just enough
    is shown to tell numbers apart. Anything unrecognised is masked but for its last two
    characters, so a malformed number is never shown whole.
    """
    checked = check_phone(s)
    if checked.value is not None and checked.kind == MOBILE:
        return checked.value[:3] + "****" + checked.value[-4:]
    if checked.value is not None:
        area, _, rest = checked.value.partition("-")
        local = rest.partition("转")[0]
        return f"{area}-" + "*" * (len(local) - 3) + local[-3:]
    text = normalize_code(s)
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 2) + text[-2:]
