"""还差谁 as a workbook: the graduates still without a qualifying certificate, by class or major.

The clerk takes this list to the class teachers, so it is ordered by the chosen group and a
second sheet counts each group. ID numbers and phones are masked unless the clerk asked for
them in full (to reach the students); then they are text cells, never numbers that Excel would
round, and the file is written through ``application.documents`` (its notice first, its audit
entry after).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.progress import (
    MISSING_GROUPS,
    GroupCount,
    MissingScope,
    MissingTrainee,
    missing_graduates,
    missing_groups,
)
from models.database import Database
from models.institution import Institution
from reports.columns import SEQUENCE, Column, row_values
from reports.output import WrittenDocument, document_output
from reports.xlsx_writer import TITLE_FONT, merged_line, new_workbook, set_up_printing, write_table

TITLE_ROW = 1
HEADER_ROW = 2

MISSING_COLUMNS: tuple[Column, ...] = (
    Column(SEQUENCE, "序号", 0, 6),
    Column("class_name", "班级", 0, 16, "left"),
    Column("major", "专业", 0, 20, "left"),
    Column("name", "姓名", 0, 12),
    Column("gender", "性别", 0, 6),
    Column("id_number", "身份证号", 0, 22, text=True),
    Column("phone", "手机号", 0, 15, text=True),
    Column("certificates", "已有证书数（未达等级）", 0, 12),
)


def _group_columns(by: str) -> tuple[Column, ...]:
    return (
        Column(SEQUENCE, "序号", 0, 6),
        Column("name", MISSING_GROUPS[by], 0, 22, "left"),
        Column("graduates", "应届毕业生", 0, 12),
        Column("missing", "尚未取证", 0, 12),
    )


@dataclass(frozen=True)
class MissingList:
    institution: str
    scope: MissingScope
    by: str
    rows: tuple[MissingTrainee, ...]
    groups: tuple[GroupCount, ...]

    @property
    def title(self) -> str:
        return (
            f"{self.institution}{self.scope.year}届毕业生尚未取得{self.scope.level}及以上证书名单"
        )


def gather_missing(database: Database, scope: MissingScope, by: str) -> MissingList:
    """Every missing graduate of the scope, ordered by ``by`` (class_name or major), then name."""
    with database.session() as session:
        name = session.scalar(select(Institution.name).where(Institution.uscc == scope.origin))
        return MissingList(
            institution=name or scope.origin,
            scope=scope,
            by=by,
            rows=tuple(missing_graduates(session, scope, by=by)),
            groups=tuple(g for g in missing_groups(session, scope, by) if g.missing),
        )


def _masked(row: MissingTrainee) -> MissingTrainee:
    return replace(row, id_number=mask_id_number(row.id_number), phone=mask_phone(row.phone))


def _sheet(
    workbook: Workbook,
    title: str,
    heading: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
) -> None:
    sheet = workbook.create_sheet(title)
    end = write_table(sheet, HEADER_ROW, columns, rows)
    merged_line(sheet, TITLE_ROW, len(columns), heading, font=TITLE_FONT, horizontal="center")
    set_up_printing(sheet, HEADER_ROW, end - 1, landscape=len(columns) > 6)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def build_missing_workbook(data: MissingList, *, reveal: bool = False) -> Workbook:
    """The list (masked unless ``reveal``) and a count per group, each on an A4-wide sheet."""
    workbook = new_workbook(data.title)
    people = data.rows if reveal else tuple(_masked(r) for r in data.rows)
    rows = [row_values(MISSING_COLUMNS, i, r) for i, r in enumerate(people, start=1)]
    _sheet(workbook, "还差谁", data.title, MISSING_COLUMNS, rows)
    group_columns = _group_columns(data.by)
    counts = [row_values(group_columns, i, g) for i, g in enumerate(data.groups, start=1)]
    label = MISSING_GROUPS[data.by]
    _sheet(workbook, f"按{label}汇总", f"按{label}汇总：尚未取证人数", group_columns, counts)
    return workbook


def write_missing_xlsx(
    database: Database,
    scope: MissingScope,
    path: Path,
    *,
    by: str = "class_name",
    reveal: bool = False,
) -> WrittenDocument:
    """Gather and write the 还差谁 list into ``path`` (replaced only once complete)."""
    data = gather_missing(database, scope, by)
    with document_output(Path(path)) as stream:
        build_missing_workbook(data, reveal=reveal).save(stream)
    return WrittenDocument(Path(path), 0, len(data.rows))
