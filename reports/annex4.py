"""Annex 4: 承担职业技能提升培训机构情况表, the Excel form each institution sends up.

The title and the eight column headers are the seed's, verbatim; the name and the 组织机构代码
(the 统一社会信用代码, which contains it) share one cell on two lines, as in the seed's example
row; lists are joined with 、. Codes and phone numbers are text cells, so Excel neither turns
them into 1.21E+17 nor drops a leading zero.

Which rows (plan section 五): a school sends its own row. A city bureau consolidates the
secondary schools of its city (the categories marked ``city_consolidates``) from the
packages it imported; the province lists every institution it holds. Rows come in a stable
order (category as listed in the reference data, then division, name and code), so two
exports of the same data are the same file to the eye.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core import reference
from core.fields import FieldError, ValidationFailed
from core.institution import local_institution
from models.database import Database
from models.institution import Institution
from reports.columns import ANNEX4_COLUMNS, row_values
from reports.output import WrittenDocument, document_output
from reports.xlsx_writer import (
    LABEL_FONT,
    TITLE_FONT,
    merged_line,
    new_workbook,
    set_up_printing,
    write_cell,
    write_table,
)

LABEL = "附件4"
TITLE = "承担职业技能提升培训机构情况表"
SHEET_TITLE = "附件4"
TITLE_ROW = 2
HEADER_ROW = 3


@dataclass(frozen=True)
class Annex4Row:
    name: str
    uscc: str
    occupations: str
    industries: str
    address: str
    capacity: int | None
    contact: str
    phone: str

    @property
    def name_and_code(self) -> str:
        return f"{self.name}\n{self.uscc}"


@dataclass(frozen=True)
class Annex4Data:
    rows: tuple[Annex4Row, ...]
    warnings: tuple[str, ...] = ()


def _industry_names(institution: Institution) -> str:
    names = []
    for served in institution.industries:
        industry = reference.find_industry(served.industry_code)
        names.append(industry.full_name if industry else served.industry_code)
    return "、".join(names)


def _row(institution: Institution) -> Annex4Row:
    return Annex4Row(
        name=institution.name,
        uscc=institution.uscc,
        occupations="、".join(o.name for o in institution.occupations),
        industries=_industry_names(institution),
        address=institution.address,
        capacity=institution.training_capacity,
        contact=institution.contact_name,
        phone=institution.contact_phone,
    )


_REQUIRED = (
    ("occupations", "可培训的职业（工种）"),
    ("industries", "可承接的产业集群"),
    ("address", "培训机构地址"),
    ("capacity", "培训规模"),
    ("contact", "联系人"),
    ("phone", "联系方式"),
)


def _gaps(row: Annex4Row) -> list[tuple[str, str]]:
    return [(field, label) for field, label in _REQUIRED if getattr(row, field) in ("", None)]


def _held_institutions(session: Session, local: Institution) -> list[Institution]:
    """At a bureau: the institutions whose rows it sends up, in the form's stable order."""
    query = (
        select(Institution)
        .where(Institution.is_local.is_(False))
        .options(selectinload(Institution.occupations), selectinload(Institution.industries))
    )
    institutions = list(session.scalars(query))
    categories = [c.name for c in reference.institution_categories()]
    if local.role == "city":
        consolidated = {c.name for c in reference.institution_categories() if c.city_consolidates}
        city = local.division_code[:4]
        institutions = [
            i
            for i in institutions
            if i.category in consolidated and i.division_code.startswith(city)
        ]

    def order(i: Institution) -> tuple[int, str, str, str]:
        rank = categories.index(i.category) if i.category in categories else len(categories)
        return rank, i.division_code, i.name, i.uscc

    return sorted(institutions, key=order)


def gather_annex4(session: Session) -> Annex4Data:
    """The rows to send; a school missing any of its own columns is refused, field by field.

    At a bureau a school's gap is that school's to fix, so it is a warning naming the school.
    """
    local = local_institution(session)
    if local is None:
        raise ValidationFailed([FieldError("school", "本机构", "尚未登记：请先完成初始设置")])
    if local.role == "school":
        row = _row(local)
        gaps = _gaps(row)
        if gaps:
            raise ValidationFailed(
                [FieldError(f, label, "未填写：请在“本机构”页补全") for f, label in gaps]
            )
        return Annex4Data((row,))
    rows = tuple(_row(i) for i in _held_institutions(session, local))
    if not rows:
        what = "本市的中职学校和县级职教中心" if local.role == "city" else "任何机构"
        raise ValidationFailed(
            [FieldError("institutions", "汇总机构", f"尚无{what}的数据：请先导入各校的数据包")]
        )
    warnings = tuple(
        f"{row.name}未填写{'、'.join(label for _f, label in gaps)}"
        for row in rows
        if (gaps := _gaps(row))
    )
    return Annex4Data(rows, warnings)


def industry_note() -> tuple[str, str]:
    """The seed's note under the table, built from the reference list (ten distinct clusters)."""
    emerging = [i for i in reference.industries() if i.group == "战略性新兴产业"]
    clusters = [i for i in reference.industries() if i.group != "战略性新兴产业"]
    return (
        f"{len(emerging)}个战略性新兴产业：{'、'.join(i.name for i in emerging)}产业。",
        f"农产品精深加工十大产业集群：{'、'.join(i.full_name for i in clusters)}。",
    )


def build_workbook(data: Annex4Data) -> Workbook:
    workbook = new_workbook(TITLE)
    sheet = workbook.create_sheet(SHEET_TITLE)
    columns = ANNEX4_COLUMNS
    write_cell(sheet, 1, 1, LABEL).font = LABEL_FONT
    rows = [row_values(columns, i, row) for i, row in enumerate(data.rows, start=1)]
    after = write_table(sheet, HEADER_ROW, columns, rows)
    merged_line(sheet, TITLE_ROW, len(columns), TITLE, font=TITLE_FONT, horizontal="center")
    for offset, line in enumerate(industry_note()):
        merged_line(sheet, after + offset, len(columns), line)
    set_up_printing(sheet, HEADER_ROW, after + 1, landscape=True)
    return workbook


def render_annex4(data: Annex4Data, target: BinaryIO) -> None:
    build_workbook(data).save(target)


def write_annex4(database: Database, path: Path) -> WrittenDocument:
    """Gather, check and write the Annex 4 workbook into ``path``."""
    with database.session() as session:
        data = gather_annex4(session)
    with document_output(path) as stream:
        render_annex4(data, stream)
    return WrittenDocument(path, 0, len(data.rows), data.warnings)
