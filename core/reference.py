"""Reference data shipped with CertDesk: targets, industries, certificates, levels, divisions.

The numbers and names come from the Shanxi plan 晋教职成〔2021〕8号 and from GB/T 2260; they
live as UTF-8 data files under ``resources/reference`` (see the README there) so that a
correction is a data change a reviewer can diff, not a code change. Each file is read once,
on first use, and handed out as immutable values, so callers can share them freely.

No Qt here: the CLI, the tests and the GUI all use this module.
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

#: The two target levels of Annex 1, most senior first.
ANNEX1_LEVELS: tuple[str, ...] = ("高级工", "中级工")


@dataclass(frozen=True, slots=True)
class Target:
    """One printed row of Annex 1 (取证任务表).

    ``number`` is the 序号 exactly as printed, kept as text because the printed numbering
    has gaps that a clerk will quote back to us.
    """

    level: str
    section: str
    number: str
    unit: str
    target: int
    category: str
    division: str | None


@dataclass(frozen=True, slots=True)
class Industry:
    """One of the 14 战略性新兴产业 or the 10 农产品精深加工产业集群."""

    code: str
    name: str
    full_name: str
    group: str


@dataclass(frozen=True, slots=True)
class CertificateType:
    """A kind of certificate named in the plan's 二(三).

    ``graded`` says whether the certificate's skill level decides what it counts toward;
    ``counts_as`` is the Annex 1 level the certificate counts as regardless of level.
    """

    code: str
    name: str
    graded: bool
    counts_as: str | None
    note: str


@dataclass(frozen=True, slots=True)
class SkillLevel:
    """A national vocational skill level; higher ``rank`` is more senior."""

    code: str
    name: str
    rank: int
    aliases: tuple[str, ...]
    satisfies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CodeName:
    """A plain coded choice (trainee identity, user role)."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class InstitutionCategory:
    """A kind of institution and where its Annex 4 form goes (plan section 五)."""

    code: str
    name: str
    annex4_to: str | None
    city_consolidates: bool


@dataclass(frozen=True, slots=True)
class Division:
    """A GB/T 2260 administrative division of Shanxi, current or abolished.

    Abolished codes are kept because resident ID numbers issued earlier still carry them.
    """

    code: str
    name: str
    parent: str | None
    level: str  # province | city | county
    valid_from: int | None
    valid_to: int | None

    @property
    def current(self) -> bool:
        """True while the code is still in use (no abolition year recorded)."""
        return self.valid_to is None


@dataclass(frozen=True, slots=True)
class IdPrefix:
    """A leading part of an ID number and what it designates."""

    prefix: str
    name: str
    note: str


def reference_dir() -> Path:
    """The folder holding the reference files, in a source tree or a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    root = Path(bundle) if bundle else Path(__file__).resolve().parent.parent
    return root / "resources" / "reference"


def _json(name: str) -> Any:
    with (reference_dir() / name).open(encoding="utf-8") as f:
        return json.load(f)


def _csv(name: str) -> list[dict[str, str]]:
    with (reference_dir() / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _year(text: str) -> int | None:
    return int(text) if text else None


# --- Annex 1 ---------------------------------------------------------------------------


@cache
def annex1_targets() -> tuple[Target, ...]:
    """Every row of both Annex 1 tables, in printed order."""
    return tuple(
        Target(
            level=r["level"],
            section=r["section"],
            number=r["number"],
            unit=r["unit"],
            target=int(r["target"]),
            category=r["category"],
            division=r["division"] or None,
        )
        for r in _csv("annex1_targets.csv")
    )


def annex1_totals(by: Literal["level", "section"] = "level") -> dict[str, int]:
    """Sum of targets per level (高级工/中级工) or per printed section, in printed order."""
    totals: dict[str, int] = {}
    for t in annex1_targets():
        key = t.level if by == "level" else t.section
        totals[key] = totals.get(key, 0) + t.target
    return totals


# --- Industries ------------------------------------------------------------------------


@cache
def industries() -> tuple[Industry, ...]:
    """The 14 emerging industries then the 10 agricultural clusters (24 in all)."""
    return tuple(Industry(**row) for row in _json("industries.json")["industries"])


def find_industry(text: str) -> Industry | None:
    """Match a code, short name or full name, as clerks type any of them."""
    key = text.strip()
    return next((i for i in industries() if key in (i.code, i.name, i.full_name)), None)


# --- Certificates and skill levels -----------------------------------------------------


@cache
def certificate_types() -> tuple[CertificateType, ...]:
    """The five certificate kinds the plan names, in its order."""
    return tuple(
        CertificateType(**row) for row in _json("certificate_types.json")["certificate_types"]
    )


def certificate_type(key: str) -> CertificateType | None:
    """Look a certificate kind up by code or name."""
    key = key.strip()
    return next((c for c in certificate_types() if key in (c.code, c.name)), None)


@cache
def skill_levels() -> tuple[SkillLevel, ...]:
    """Skill levels sorted by rank, most junior first."""
    levels = (
        SkillLevel(
            code=row["code"],
            name=row["name"],
            rank=row["rank"],
            aliases=tuple(row["aliases"]),
            satisfies=tuple(row["satisfies"]),
        )
        for row in _json("skill_levels.json")["skill_levels"]
    )
    return tuple(sorted(levels, key=lambda lv: lv.rank))


def skill_level(key: str) -> SkillLevel | None:
    """Look a level up by code, name (五级/初级工) or alias (五级, 初级工, 初级)."""
    key = key.strip()
    return next((lv for lv in skill_levels() if key in (lv.code, lv.name, *lv.aliases)), None)


def level_satisfies(level_name: str, target_level: str) -> bool:
    """Whether a certificate at ``level_name`` counts toward an Annex 1 ``target_level``.

    Unknown levels satisfy nothing; an unknown target level is a programming error.
    """
    if target_level not in ANNEX1_LEVELS:
        raise ValueError(f"未知的任务等级：{target_level}")
    level = skill_level(level_name)
    return level is not None and target_level in level.satisfies


def counts_toward(certificate: str, level_name: str | None, target_level: str) -> bool:
    """Whether a certificate (kind code or name, plus its level) counts toward a target.

    A kind with ``counts_as`` (专业人员的职业资格证书 → 高级工) counts by that level; a graded
    kind counts by its own level; the others do not count toward Annex 1 at all.
    """
    kind = certificate_type(certificate)
    if kind is None:
        return False
    if kind.counts_as is not None:
        return level_satisfies(kind.counts_as, target_level)
    return kind.graded and level_name is not None and level_satisfies(level_name, target_level)


# --- Trainees, institutions, roles -----------------------------------------------------


@cache
def trainee_identities() -> tuple[CodeName, ...]:
    """参培人员身份 choices for a trainee."""
    return tuple(CodeName(**row) for row in _json("trainee_identities.json")["trainee_identities"])


@cache
def institution_categories() -> tuple[InstitutionCategory, ...]:
    """Institution kinds accepted by ``init --category``."""
    return tuple(
        InstitutionCategory(**row) for row in _json("institution_categories.json")["categories"]
    )


@cache
def roles() -> tuple[CodeName, ...]:
    """Who runs this copy of the app: a school, a city bureau or the province."""
    return tuple(CodeName(**row) for row in _json("institution_categories.json")["roles"])


# --- Administrative divisions ----------------------------------------------------------


@cache
def divisions() -> tuple[Division, ...]:
    """All Shanxi division codes in file order, abolished ones included."""
    return tuple(
        Division(
            code=r["code"],
            name=r["name"],
            parent=r["parent"] or None,
            level=r["level"],
            valid_from=_year(r["valid_from"]),
            valid_to=_year(r["valid_to"]),
        )
        for r in _csv("divisions_shanxi.csv")
    )


@cache
def _divisions_by_code() -> dict[str, Division]:
    return {d.code: d for d in divisions()}


def division(code: str) -> Division | None:
    """The division with exactly this six-digit code, if known."""
    return _divisions_by_code().get(code)


def resolve_division(code: str) -> Division | None:
    """The most specific known division for a code: county, else its city, else province.

    For the first six digits of an ID number whose county code we do not ship.
    """
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        found = division(candidate)
        if found is not None:
            return found
    return None


def division_path(code: str) -> str:
    """Full name from the province down, e.g. 山西省太原市小店区; KeyError if unknown."""
    names: list[str] = []
    current: str | None = code
    while current is not None:
        d = _divisions_by_code()[current]
        names.append(d.name)
        current = d.parent
    return "".join(reversed(names))


def cities(include_abolished: bool = False) -> tuple[Division, ...]:
    """Prefecture-level divisions; with ``include_abolished`` also the former 地区."""
    return tuple(d for d in divisions() if d.level == "city" and (include_abolished or d.current))


def counties(city_code: str, include_abolished: bool = False) -> tuple[Division, ...]:
    """County-level divisions under a city, current ones unless asked otherwise."""
    return tuple(
        d
        for d in divisions()
        if d.parent == city_code and d.level == "county" and (include_abolished or d.current)
    )


# --- ID number prefixes ----------------------------------------------------------------


@cache
def id_provinces() -> tuple[IdPrefix, ...]:
    """Two-digit province-level prefixes valid at the start of a resident ID number."""
    return tuple(IdPrefix(**row) for row in _json("id_provinces.json")["provinces"])


def province_name(prefix2: str) -> str | None:
    """Name for the first two digits of an ID number, or None if no such province."""
    return next((p.name for p in id_provinces() if p.prefix == prefix2), None)


@cache
def foreign_permanent_resident() -> IdPrefix:
    """The 2023 foreigners' permanent residence ID card, recognised by its first digit."""
    return IdPrefix(**_json("id_provinces.json")["foreign_permanent_resident"])


# --- Training rules --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainingRules:
    """The plan's numbers for classes and deadlines (二(三) and 二(四) of the seed)."""

    class_kinds: tuple[str, ...]
    certificate_routes: tuple[str, ...]
    directed_kind: str
    directed_months: tuple[int, int]
    subsidy_cap_per_person: int
    graduate_certificate_deadline: tuple[int, int]
    training_milestones: tuple[tuple[int, int, float], ...]


@cache
def training_rules() -> TrainingRules:
    data = _json("training.json")
    deadline = data["graduate_certificate_deadline"]
    return TrainingRules(
        class_kinds=tuple(data["class_kinds"]),
        certificate_routes=tuple(data["certificate_routes"]),
        directed_kind=data["directed_kind"],
        directed_months=(data["directed_months"]["min"], data["directed_months"]["max"]),
        subsidy_cap_per_person=int(data["subsidy_cap_per_person"]),
        graduate_certificate_deadline=(deadline["month"], deadline["day"]),
        training_milestones=tuple(
            (m["month"], m["day"], float(m["share"])) for m in data["training_milestones"]
        ),
    )
