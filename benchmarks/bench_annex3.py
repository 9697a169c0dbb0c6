"""The Annex 3 report of a 1,000-trainee class against reportlab building the roster alone.

(a) reportlab alone: one ``Table`` of the same 1,001 rows (header repeated by ``repeatRows``),
the same column widths, fonts and type area, built into memory. (b) CertDesk's whole report:
read the class from the database, check it, check every glyph against the fonts, set the
letter on its grid, deal the roster out to pages and write the PDF through a temporary file.
The ratio b / a is what the report costs over the bare table; it should stay near or below 1,
because the roster is cut into page-sized tables rather than split by reportlab page by page.

Usage: python -m benchmarks.bench_annex3
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from core.identity.idcard import id_check_char
from core.institution import Profile, register_local_institution
from models.database import Database, open_database
from models.trainee import Trainee
from models.training import Enrolment, PlanItem, TrainingClass
from reports.annex3 import gather_annex3, write_annex3
from reports.columns import ROSTER_COLUMNS, headers, row_values
from reports.fonts import find_fonts
from reports.official import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_TOP, PAGE_WIDTH, TYPE_WIDTH

TRAINEES = 1000
RUNS = 3
SCHOOL = Profile(
    name="山西机械高级技工学校",
    uscc="12140000676444728G",
    category="技工院校",
    division_code="140109",
)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def _trainee(serial: int) -> Trainee:
    born = date(1985, 1, 1) + timedelta(days=serial * 7)
    first17 = f"140105{born:%Y%m%d}{serial % 500 * 2 + 1:03d}"
    name = _SURNAMES[serial % 20] + _GIVEN[serial * 7 % 20] + _GIVEN[serial * 3 % 20]
    return Trainee(
        name=name,
        gender="男",
        id_number=first17 + id_check_char(first17),
        phone=f"139{serial:08d}",
        identity="企业职工",
    )


def build_database(folder: Path) -> tuple[Database, int]:
    database = open_database(folder / "bench.sqlite3")
    with database.session() as session:
        register_local_institution(session, SCHOOL)
        training_class = TrainingClass(
            name="煤机智能制造产业电工定向培训班",
            industry_code="E10",
            start_date=date(2026, 3, 2),
            end_date=date(2026, 7, 31),
            location="山西机械高级技工学校实训楼",
            planned_headcount=TRAINEES,
            total_hours=480,
            plan_items=[
                PlanItem(position=i, module=f"模块{i + 1}", theory_hours=40, practice_hours=80)
                for i in range(4)
            ],
            subsidy_per_person=Decimal(3000),
        )
        session.add(training_class)
        session.add_all(
            Enrolment(training_class=training_class, trainee=_trainee(serial))
            for serial in range(TRAINEES)
        )
        session.commit()
        return database, training_class.id


def reportlab_alone(rows: list[tuple[str, ...]]) -> int:
    """The same roster as one reportlab table; returns the PDF's size in bytes."""
    fonts = find_fonts()
    target = io.BytesIO()
    doc = SimpleDocTemplate(
        target,
        leftMargin=MARGIN_LEFT,
        rightMargin=PAGE_WIDTH - MARGIN_LEFT - TYPE_WIDTH,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
    )
    table = Table(
        [headers(ROSTER_COLUMNS), *rows],
        colWidths=[c.width_mm * mm for c in ROSTER_COLUMNS],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("FONTNAME", (0, 0), (-1, -1), fonts.face("body").name),
                ("FONTNAME", (0, 0), (-1, 0), fonts.face("heading").name),
                ("FONTSIZE", (0, 0), (-1, -1), 12),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    doc.build([table])
    return len(target.getvalue())


def _best(job: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        database, class_id = build_database(Path(folder))
        try:
            with database.session() as session:
                roster = gather_annex3(session, class_id).roster
            rows = [
                tuple(str(v) for v in row_values(ROSTER_COLUMNS, i, r))
                for i, r in enumerate(roster, start=1)
            ]
            find_fonts()  # font discovery is once per process; time the documents, not the disk
            alone, _size = _best(lambda: reportlab_alone(rows))
            out = Path(folder) / "annex3.pdf"
            whole, written = _best(lambda: write_annex3(database, class_id, out))
        finally:
            database.close()
    return [
        {
            "name": f"annex3, {TRAINEES} trainees",
            "pages": written.pages,
            "reportlab_table_s": round(alone, 3),
            "certdesk_report_s": round(whole, 3),
            "ratio": round(whole / alone, 2),
        }
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
