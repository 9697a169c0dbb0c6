"""统一社会信用代码 (unified social credit code, GB 32100-2015).

Eighteen characters: registration authority (1), institution category (1), the division code
of the registering authority (6), the body of the old organisation code (9) and a check
character. The alphabet is the digits and the capital letters without I, O, S, V, Z (31
symbols), and the check character makes the weighted sum divisible by 31, so any single
wrong character and any swap of two neighbours is caught.

Schools meet it on the institution profile (附件2: every training institution reports it);
public schools are 12… (事业单位), private ones 52… (民办非企业单位).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.identity.checks import Checked, char_error, division_region, position_label
from core.identity.textnorm import cell_text, excel_damage, normalize_code

__all__ = ["ALPHABET", "UsccCheck", "check_uscc", "uscc_check_char"]

LENGTH = 18
#: The 31 symbols in value order: digits 0-9 are 0-9, A is 10 … Y is 30.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
_FORBIDDEN_LETTERS = frozenset("IOSVZ")
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_DIVISION = slice(2, 8)

#: Registration authorities (position 1) and their institution categories (position 2),
#: as listed in GB 32100-2015 and its later additions. Informative only: the check
#: character is what decides validity.
_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("市场监督管理（工商）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业农村",
        {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    ),
    "Y": ("其他", {"1": "其他"}),
}

_CHECK_FAILED = "校验位不符，代码有误（可能有字符录错或顺序颠倒）"
_ORG_CODE = re.compile(r"[0-9A-Z]{8}-?[0-9X]")


@dataclass(frozen=True)
class UsccCheck(Checked):
    """A checked code and what its leading parts say (filled only when valid)."""

    authority: str | None = None
    category: str | None = None
    division_code: str | None = None
    region: str | None = None


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    if len(first17) != LENGTH - 1 or not set(first17) <= _VALUES.keys():
        raise ValueError("需要17位代码字符")
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _shape_hint(code: str) -> str | None:
    """Recognise the numbers that preceded the USCC, which clerks still copy from old forms."""
    if len(code) == 15 and code.isdigit():
        return "应为18位，实为15位；这像是旧的工商注册号，请填写18位统一社会信用代码"
    if _ORG_CODE.fullmatch(code):
        return f"应为18位，实为{len(code)}位；这像是组织机构代码，请填写18位统一社会信用代码"
    return None


def _format_errors(code: str) -> list[str]:
    errors: list[str] = []
    for index, ch in enumerate(code):
        if ch in _VALUES:
            if _DIVISION.start <= index < _DIVISION.stop and not ch.isdigit():
                errors.append(
                    f"{position_label(index)}“{ch}”应为数字（第3–8位是登记机关的行政区划代码）"
                )
        elif ch in _FORBIDDEN_LETTERS:
            errors.append(char_error(index, ch, "是不允许的字母"))
        else:
            errors.append(char_error(index, ch, "不是数字或大写字母"))
    if len(errors) > 3:
        errors = [*errors[:3], f"等共{len(errors)}处字符有误"]
    if len(code) != LENGTH:
        errors.append(f"应为{LENGTH}位，实为{len(code)}位")
    return errors


def check_uscc(value: object) -> UsccCheck:
    """Check a 统一社会信用代码 as typed, pasted or read from a spreadsheet cell."""
    if value is None:
        return UsccCheck(value=None, errors=("不能为空",))
    damage = excel_damage(value)
    if damage:
        return UsccCheck(value=None, errors=(damage,))
    code = normalize_code(cell_text(value))
    if not code:
        return UsccCheck(value=None, errors=("不能为空",))
    hint = _shape_hint(code)
    if hint:
        return UsccCheck(value=None, errors=(hint,))
    errors = _format_errors(code)
    if errors:
        return UsccCheck(value=None, errors=tuple(errors))
    if uscc_check_char(code[:17]) != code[17]:
        return UsccCheck(value=None, errors=(_CHECK_FAILED,))

    warnings: list[str] = []
    authority, categories = _AUTHORITIES.get(code[0], (None, {}))
    if authority is None:
        warnings.append(f"第1位“{code[0]}”不是已知的登记管理部门代码，请核对")
    division_code = code[_DIVISION]
    return UsccCheck(
        value=code,
        warnings=tuple(warnings),
        authority=authority,
        category=categories.get(code[1]),
        division_code=division_code,
        region=division_region(division_code),
    )
