"""Registering and editing the installation's own institution.

The same checks serve the first-run dialog, the profile page and ``init`` on the command line,
so a profile that one accepts the others accept too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import reference
from core.fields import FieldError, ValidationFailed
from core.identity.idcard import check_id_number
from core.identity.phone import check_phone
from core.identity.textnorm import normalize_code
from core.identity.uscc import check_uscc
from models.institution import Institution, OfferedOccupation, ServedIndustry

ROLE_LABELS = {"school": "学校", "city": "市教育局", "province": "省教育厅"}
#: How the form, its refusals and ``institution show`` name each field of the profile.
PROFILE_LABELS = {
    "name": "机构名称",
    "uscc": "统一社会信用代码",
    "category": "机构类别",
    "role": "身份",
    "division_code": "行政区划",
    "address": "机构地址",
    "admin_name": "超级管理员姓名",
    "admin_id_number": "超级管理员身份证号",
    "contact_name": "联系人",
    "contact_phone": "联系方式",
    "training_capacity": "培训规模",
    "annex1_unit": "附件1单位",
}


@dataclass(frozen=True)
class Profile:
    name: str
    uscc: str
    category: str
    division_code: str
    role: str = "school"
    address: str = ""
    admin_name: str = ""
    admin_id_number: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    training_capacity: int | None = None
    annex1_unit: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)


def _annex1_unit_for(name: str) -> str | None:
    names = {t.unit for t in reference.annex1_targets()}
    return name if name in names else None


def _refusal(field: str, message: str) -> FieldError:
    return FieldError(field, PROFILE_LABELS[field], message)


def validate_profile(profile: Profile) -> tuple[Profile, list[FieldError]]:
    """Return the profile with codes normalised, and every problem found (empty when valid)."""
    errors: list[FieldError] = []
    warnings: list[str] = []
    name = profile.name.strip()
    if not name:
        errors.append(_refusal("name", "不能为空"))
    elif len(name) > 100:
        errors.append(_refusal("name", "不能超过100个字"))

    uscc = check_uscc(profile.uscc)
    errors += [_refusal("uscc", m) for m in uscc.errors]

    categories = {c.name for c in reference.institution_categories()}
    if profile.category not in categories:
        errors.append(
            FieldError(
                "category", PROFILE_LABELS["category"], f"应为{'、'.join(sorted(categories))}之一"
            )
        )
    if profile.role not in ROLE_LABELS:
        errors.append(
            FieldError(
                "role", "角色", "应为 school（学校）、city（市教育局）或 province（省教育厅）"
            )
        )

    division = reference.division(profile.division_code.strip())
    if division is None:
        errors.append(_refusal("division_code", "不是山西省的行政区划代码"))
    elif division.valid_to is not None:
        errors.append(
            FieldError(
                "division_code",
                PROFILE_LABELS["division_code"],
                f"该代码已于{division.valid_to}年撤销",
            )
        )

    admin_id = profile.admin_id_number
    if admin_id.strip():
        checked = check_id_number(admin_id)
        errors += [_refusal("admin_id_number", m) for m in checked.errors]
        warnings += list(checked.warnings)
        admin_id = checked.value or admin_id
    phone = profile.contact_phone
    if phone.strip():
        checked_phone = check_phone(phone)
        errors += [_refusal("contact_phone", m) for m in checked_phone.errors]
        phone = checked_phone.value or phone
    if profile.training_capacity is not None and profile.training_capacity < 0:
        errors.append(_refusal("training_capacity", "不能为负数"))

    normalised = replace(
        profile,
        name=name,
        uscc=uscc.value or profile.uscc,
        division_code=profile.division_code.strip(),
        address=profile.address.strip(),
        admin_name=profile.admin_name.strip(),
        admin_id_number=admin_id,
        contact_name=profile.contact_name.strip(),
        contact_phone=phone,
        annex1_unit=profile.annex1_unit or _annex1_unit_for(name),
        warnings=tuple(warnings),
    )
    return normalised, errors


def local_institution(session: Session) -> Institution | None:
    return session.scalar(select(Institution).where(Institution.is_local))


def register_local_institution(
    session: Session, profile: Profile
) -> tuple[Institution, tuple[str, ...]]:
    """Create this installation's institution (and return any warnings about its profile).

    Refuses when one is already registered: a second ``init`` must not silently fork the
    origin that every synchronised row carries.
    """
    normalised, errors = validate_profile(profile)
    existing = local_institution(session)
    if existing is not None:
        errors.append(
            FieldError(
                "name", PROFILE_LABELS["name"], f"本机构已登记为“{existing.name}”，不能重复初始化"
            )
        )
    if errors:
        raise ValidationFailed(errors)
    institution = Institution(
        uscc=normalised.uscc,
        is_local=True,
        **{key: getattr(normalised, key) for key in _EDITABLE_PROFILE},
    )
    session.add(institution)
    session.flush()
    session.info["origin"] = institution.uscc
    return institution, normalised.warnings


#: Profile fields the clerk may change after registration; the code is not among them.
_EDITABLE_PROFILE = (
    "name",
    "category",
    "role",
    "division_code",
    "address",
    "admin_name",
    "admin_id_number",
    "contact_name",
    "contact_phone",
    "training_capacity",
    "annex1_unit",
)


def profile_of(institution: Institution) -> Profile:
    """The stored institution as a profile, for the profile page to edit."""
    return Profile(
        uscc=institution.uscc, **{key: getattr(institution, key) for key in _EDITABLE_PROFILE}
    )


def update_local_institution(
    session: Session, profile: Profile
) -> tuple[Institution, tuple[str, ...]]:
    """Save an edited profile of this installation's institution (and return its warnings).

    The 统一社会信用代码 cannot change here: it is the origin of every row this installation
    has written and sent, and a bureau would take a changed code for a new institution.
    """
    normalised, errors = validate_profile(profile)
    institution = local_institution(session)
    if institution is None:
        errors.append(_refusal("name", "本机构尚未登记，请先完成初始设置"))
    elif normalised.uscc != institution.uscc:
        errors.append(
            FieldError(
                "uscc",
                "统一社会信用代码",
                "登记后不能修改：它是本机构全部数据的来源标识，如确需更正请联系技术支持",
            )
        )
    if errors or institution is None:
        raise ValidationFailed(errors)
    for key in _EDITABLE_PROFILE:
        setattr(institution, key, getattr(normalised, key))
    session.flush()
    return institution, normalised.warnings


# --- Annex 4 offerings: occupations trained and industries served -------------------------


@dataclass(frozen=True)
class Occupation:
    """An occupation (工种) the institution can train, with its 职业编码 when known."""

    name: str
    code: str = ""


def check_offerings(
    occupations: Sequence[Occupation], industry_codes: Iterable[str]
) -> tuple[list[Occupation], list[str], list[FieldError]]:
    """Normalised occupations and industry codes (in the plan's order), and every problem."""
    errors: list[FieldError] = []
    label = "可培训的职业（工种）"
    cleaned: list[Occupation] = []
    rows: dict[str, int] = {}
    for row, occupation in enumerate(occupations, start=1):
        name = " ".join(occupation.name.split())
        code = normalize_code(occupation.code)
        if not name:
            errors.append(FieldError("occupations", label, f"第{row}行：名称不能为空"))
        elif len(name) > 100:
            errors.append(FieldError("occupations", label, f"第{row}行：名称不能超过100个字"))
        elif name in rows:
            errors.append(
                FieldError("occupations", label, f"第{row}行“{name}”与第{rows[name]}行重复")
            )
        elif len(code) > 20:
            errors.append(FieldError("occupations", label, f"第{row}行：职业编码不能超过20位"))
        else:
            rows[name] = row
            cleaned.append(Occupation(name, code))
    wanted = set(industry_codes)
    known = [i.code for i in reference.industries()]
    unknown = sorted(wanted - set(known))
    if unknown:
        errors.append(
            FieldError(
                "industries", "可承接的产业", f"{'、'.join(unknown)} 不是24个产业（集群）之一"
            )
        )
    return cleaned, [code for code in known if code in wanted], errors


def save_offerings(
    session: Session,
    institution: Institution,
    occupations: Sequence[Occupation],
    industry_codes: Iterable[str],
) -> None:
    """Replace the institution's Annex 4 occupations and industries.

    Rows that stay keep their identity (and uuid), so a package carries only what changed.
    """
    cleaned, codes, errors = check_offerings(occupations, industry_codes)
    if errors:
        raise ValidationFailed(errors)
    by_name = {o.name: o for o in institution.occupations}
    kept: list[OfferedOccupation] = []
    for position, occupation in enumerate(cleaned):
        row = by_name.pop(occupation.name, None) or OfferedOccupation(name=occupation.name)
        row.code, row.position = occupation.code, position
        kept.append(row)
    by_code = {i.industry_code: i for i in institution.industries}
    served: list[ServedIndustry] = []
    for position, code in enumerate(codes):
        industry = by_code.pop(code, None) or ServedIndustry(industry_code=code)
        industry.position = position
        served.append(industry)
    institution.occupations = kept
    institution.industries = served
    session.flush()
