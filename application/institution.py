"""This installation's institution as use cases: register, show, edit, reveal a number, demo.

The first-run dialog, the 本机构 page and ``init``/``demo`` on the command line come here, so
a profile one accepts the others accept too: the checks are ``core.institution``'s
(``validate_profile`` for the profile, ``check_offerings`` for the Annex 4 offerings). Each
function opens its own session and commits once, or raises ``ValidationFailed`` with every
field's problem and writes nothing. The row changes reach the audit log through
``models.audit_hook`` in the same commit; a full number shown to the clerk is recorded here,
by the one function that hands it out.

What ``show_institution`` returns has the super-admin's ID number and the contact phone
masked: the page shows them so, and fetches one in full only when the clerk asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from core import demo
from core.fields import FieldError, ValidationFailed
from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.institution import (
    Occupation,
    Profile,
    check_offerings,
    local_institution,
    profile_of,
    register_local_institution,
    save_offerings,
    update_local_institution,
)
from core.safety.audit import REVEALED, record_action
from models.database import Database
from models.institution import Institution

__all__ = [
    "InstitutionDetails",
    "InstitutionEdit",
    "NumberField",
    "SavedInstitution",
    "create_demo",
    "edit_institution",
    "is_registered",
    "register_institution",
    "reveal_full_number",
    "show_institution",
]

#: The numbers of the profile that are shown masked until the clerk asks to see them.
NumberField = Literal["admin_id_number", "contact_phone"]
#: Where a revealed number was shown, as the audit log names it.
PROFILE_PAGE = "本机构信息"


@dataclass(frozen=True)
class SavedInstitution:
    """The institution just written; ``warnings`` were accepted but are worth a second look."""

    name: str
    uscc: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class InstitutionDetails:
    """The stored institution as the 本机构 page shows it: the profile with its numbers
    masked, and the Annex 4 occupations and industry codes in their stored order."""

    profile: Profile
    occupations: tuple[Occupation, ...]
    industry_codes: tuple[str, ...]


@dataclass(frozen=True)
class InstitutionEdit:
    """The page's form as an edit of the profile and the offerings together.

    ``kept`` names the numbers the clerk never revealed: the form holds only their masked
    form, so they keep their stored values whatever ``profile`` says of them.
    """

    profile: Profile
    occupations: Sequence[Occupation] = ()
    industry_codes: Sequence[str] = ()
    kept: frozenset[NumberField] = frozenset()


def _registered(session: Session) -> Institution:
    institution = local_institution(session)
    if institution is None:
        raise ValidationFailed(
            [FieldError("institution", "本机构", "尚未登记：请先完成初始设置（init）")]
        )
    return institution


# --- Registering and editing ----------------------------------------------------------------


def is_registered(database: Database) -> bool:
    """True once the first run has registered this installation's institution."""
    with database.session() as session:
        return local_institution(session) is not None


def register_institution(database: Database, profile: Profile) -> SavedInstitution:
    """Register this installation's institution (the first run, or ``init``).

    Refused, writing nothing, for a profile ``validate_profile`` rejects and when one is
    already registered: its 统一社会信用代码 is the origin every row here carries.
    """
    with database.session() as session:
        institution, warnings = register_local_institution(session, profile)
        saved = SavedInstitution(institution.name, institution.uscc, warnings)
        session.commit()
    return saved


def edit_institution(database: Database, edit: InstitutionEdit) -> SavedInstitution:
    """Save the edited profile and its Annex 4 offerings in one transaction, or neither.

    The refusal names the profile's and the offerings' problems at once; the code cannot
    change (``core.institution.update_local_institution`` says why).
    """
    with database.session() as session:
        profile = edit.profile
        stored = local_institution(session)
        if stored is not None:  # without one, update_local_institution says what to do
            kept = {key: getattr(stored, key) for key in edit.kept}
            profile = replace(profile, **kept)
        offering_errors = check_offerings(edit.occupations, edit.industry_codes)[2]
        try:
            institution, warnings = update_local_institution(session, profile)
        except ValidationFailed as refused:
            raise ValidationFailed([*refused.errors, *offering_errors]) from None
        save_offerings(session, institution, edit.occupations, edit.industry_codes)
        saved = SavedInstitution(institution.name, institution.uscc, warnings)
        session.commit()
    return saved


# --- Reading and revealing ------------------------------------------------------------------


def show_institution(database: Database) -> InstitutionDetails | None:
    """The registered institution with its numbers masked; None before the first run."""
    with database.session() as session:
        institution = local_institution(session)
        if institution is None:
            return None
        profile = profile_of(institution)
        return InstitutionDetails(
            profile=replace(
                profile,
                admin_id_number=mask_id_number(profile.admin_id_number),
                contact_phone=mask_phone(profile.contact_phone),
            ),
            occupations=tuple(Occupation(o.name, o.code) for o in institution.occupations),
            industry_codes=tuple(i.industry_code for i in institution.industries),
        )


def reveal_full_number(database: Database, field: NumberField, where: str = PROFILE_PAGE) -> str:
    """The super-admin's full ID number or the contact phone, for a clerk who asked.

    The one entry “查看完整号码” is written in the same commit as the number is read, so no
    full number reaches a screen unrecorded; ``where`` says which window showed it.
    """
    with database.session() as session:
        institution = _registered(session)
        number = getattr(profile_of(institution), field)
        record_action(session, REVEALED, "institutions", institution.uuid, where)
        session.commit()
    return number


# --- The demo -------------------------------------------------------------------------------


def create_demo(
    database: Database, trainees: int = 3000, today: date | None = None
) -> demo.DemoSummary:
    """Fill an empty database with a realistic demo institution, its trainees, certificates
    and classes, in one transaction; refused (writing nothing) if an institution is there."""
    with database.session() as session:
        summary = demo.create_demo(session, trainees=trainees, today=today)
        session.commit()
    return summary
