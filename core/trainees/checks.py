"""What makes a trainee record acceptable, whoever enters it (form, import or package)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from core import reference
from core.fields import FieldError
from core.identity.idcard import check_id_number
from core.identity.phone import check_mobile
from core.identity.textnorm import normalize_code

LABELS = {
    "name": "姓名",
    "gender": "性别",
    "id_number": "身份证号",
    "phone": "手机号",
    "identity": "身份",
    "employer": "工作单位",
    "major": "专业",
    "class_name": "班级",
    "graduation_year": "毕业年份",
}

_NAME_FORBIDDEN = re.compile(r"[0-9０-９!-/:-@\[-`{-~，。；：？！、]")
#: A name in Chinese characters only, whose spaces are copy-paste noise (a minority name's
#: parts are joined by a middle dot, never a space).
_HAN_NAME = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134F·•\s]+")
#: The longest 工作单位, 专业 or 班级 the database keeps (a server database refuses more).
TEXT_LIMIT = 100
_GENDERS = {"男": "男", "女": "女", "男性": "男", "女性": "女", "M": "男", "F": "女"}


@dataclass(frozen=True)
class TraineeFields:
    """A trainee as typed or read from a sheet: plain text, before and after normalising."""

    name: str
    id_number: str
    gender: str = ""
    phone: str = ""
    identity: str = "在校学生"
    employer: str = ""
    major: str = ""
    class_name: str = ""
    graduation_year: int | None = None


@dataclass(frozen=True)
class CheckedTrainee:
    fields: TraineeFields
    errors: tuple[FieldError, ...]
    warnings: tuple[FieldError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _error(field: str, message: str) -> FieldError:
    return FieldError(field, LABELS[field], message)


def normalize_name(text: str) -> str:
    """Strip the spaces that copy-paste leaves; keep the middle dot of minority names."""
    collapsed = " ".join(text.split())
    if _HAN_NAME.fullmatch(collapsed):
        collapsed = collapsed.replace(" ", "").replace("•", "·")
    return collapsed


@cache
def identity_names() -> tuple[str, ...]:
    """The 身份 a trainee can have, in the reference order (asked once per imported row)."""
    return tuple(i.name for i in reference.trainee_identities())


def check_trainee(raw: TraineeFields, today: date | None = None) -> CheckedTrainee:
    today = today or date.today()
    errors: list[FieldError] = []
    warnings: list[FieldError] = []

    name = normalize_name(raw.name)
    if not name:
        errors.append(_error("name", "不能为空"))
    elif len(name) > 50:
        errors.append(_error("name", "不能超过50个字"))
    elif _NAME_FORBIDDEN.search(name):
        errors.append(_error("name", "含有数字或标点，请检查是否与其他列错位"))

    checked_id = check_id_number(raw.id_number, today=today)
    errors += [_error("id_number", m) for m in checked_id.errors]
    warnings += [_error("id_number", m) for m in checked_id.warnings]

    gender = raw.gender.strip()
    if gender:
        gender = _GENDERS.get(normalize_code(gender), gender)
        if gender not in ("男", "女"):
            errors.append(_error("gender", "应为“男”或“女”"))
        elif checked_id.gender and gender != checked_id.gender:
            errors.append(_error("gender", f"与身份证号不符（身份证号显示为{checked_id.gender}）"))
    else:
        gender = checked_id.gender or ""

    phone = raw.phone
    if str(phone).strip():
        checked_phone = check_mobile(phone)
        errors += [_error("phone", m) for m in checked_phone.errors]
        phone = checked_phone.value or ""
    else:
        phone = ""

    identity = raw.identity.strip() or "在校学生"
    identities = identity_names()
    if identity not in identities:
        errors.append(_error("identity", f"应为{'、'.join(identities)}之一"))

    for field in ("employer", "major", "class_name"):
        if len(getattr(raw, field).strip()) > TEXT_LIMIT:
            errors.append(_error(field, f"不能超过{TEXT_LIMIT}个字"))

    year = raw.graduation_year
    if year is not None and not 1950 <= year <= today.year + 6:
        errors.append(_error("graduation_year", f"{year} 不是合理的毕业年份"))

    fields = TraineeFields(
        name=name,
        id_number=checked_id.value or str(raw.id_number),
        gender=gender,
        phone=phone,
        identity=identity,
        employer=raw.employer.strip(),
        major=raw.major.strip(),
        class_name=raw.class_name.strip(),
        graduation_year=year,
    )
    return CheckedTrainee(fields, tuple(errors), tuple(warnings))
