"""Column definitions shared by a list's PDF and Excel renderings.

A roster printed in the application report and the same roster saved as a workbook must
agree on headers, order and which values are text; defining each list once here keeps them
from drifting apart. Each renderer takes what it needs: the PDF the widths in millimetres
(a table's widths add up to the 156 mm type area), the workbook the widths in Excel's
character units and ``text``, which marks values that must be stored as text cells (an ID
number stored as a number loses its last three digits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Align = Literal["left", "center", "right"]

#: The key of the running number column, which no row object carries.
SEQUENCE = "#"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width_mm: float
    excel_width: float
    align: Align = "center"
    text: bool = False


ROSTER_COLUMNS: tuple[Column, ...] = (
    Column(SEQUENCE, "序号", 16, 6),
    Column("name", "姓名", 34, 12),
    Column("gender", "性别", 16, 6),
    Column("id_number", "身份证号", 56, 22, text=True),
    Column("phone", "手机号", 34, 15, text=True),
)

PLAN_COLUMNS: tuple[Column, ...] = (
    Column(SEQUENCE, "序号", 12, 6),
    Column("module", "教学模块", 38, 20, "left"),
    Column("content", "主要内容", 48, 40, "left"),
    Column("theory_hours", "理论课时", 14, 10),
    Column("practice_hours", "实践课时", 14, 10),
    Column("hours", "小计", 12, 8),
    Column("teacher", "授课教师", 18, 12),
)

SUBSIDY_COLUMNS: tuple[Column, ...] = (
    Column(SEQUENCE, "序号", 12, 6),
    Column("name", "姓名", 22, 12),
    Column("id_number", "身份证号", 42, 22, text=True),
    Column("completion_date", "结业日期", 24, 13),
    Column("voucher", "培训券核验", 26, 12),
    Column("amount", "补贴金额（元）", 30, 16, "right"),
)

#: Annex 4 (承担职业技能提升培训机构情况表), headers verbatim from the seed.
ANNEX4_COLUMNS: tuple[Column, ...] = (
    Column(SEQUENCE, "序号", 0, 6),
    Column("name_and_code", "院校名称及组织机构代码", 0, 26, "left", text=True),
    Column("occupations", "可培训的职业（工种）", 0, 30, "left"),
    Column(
        "industries",
        "可承接的14个战略性新兴产业、农产品精深加工十大产业集群清单",
        0,
        36,
        "left",
    ),
    Column("address", "培训机构地址", 0, 28, "left"),
    Column("capacity", "培训规模（人）", 0, 14),
    Column("contact", "联系人", 0, 10),
    Column("phone", "联系方式", 0, 16, text=True),
)


def headers(columns: Sequence[Column]) -> tuple[str, ...]:
    return tuple(c.header for c in columns)


def row_values(columns: Sequence[Column], position: int, row: object) -> tuple[object, ...]:
    """The cells of one row: the running number for ``SEQUENCE``, else the row's attribute."""
    return tuple(position if c.key == SEQUENCE else getattr(row, c.key) for c in columns)
