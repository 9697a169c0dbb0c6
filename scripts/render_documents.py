"""Render the official documents of the demo school to PNG pages, for the README.

The demo institution (``core.demo``, as ``main.py demo`` makes it) files the Annex 3 report
of its first class (48 trainees); its Annex 4 row and that class's subsidy claim are written
too. PDF pages are rendered with poppler's ``pdftoppm``; the Annex 4 workbook is converted by
LibreOffice first when it is installed (``libreoffice-calc-nogui``), which is also a check
that another program reads the workbook as we meant it.

Usage: python scripts/render_documents.py [OUT_DIR]   (default docs/screenshots)
Writes annex3-page1.png, annex3-roster.png, annex3-plan.png, subsidy-page1.png and, with
LibreOffice, annex4.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.demo import create_demo  # noqa: E402
from models.database import open_database  # noqa: E402
from reports.annex3 import write_annex3  # noqa: E402
from reports.annex4 import write_annex4  # noqa: E402
from reports.subsidy import write_subsidy  # noqa: E402

#: The demo's first class starts on 2 March 2026; the report is filed some days before.
REPORT_DAY = date(2026, 2, 20)
CLAIM_DAY = date(2026, 6, 10)
FIRST_CLASS = 1
RESOLUTION = "60"


def render_page(pdf: Path, page: int, target: Path) -> None:
    """One page of ``pdf`` as ``target`` (a PNG) at the README's resolution."""
    stem = target.with_suffix("")
    pages = ["-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run(["pdftoppm", "-png", "-r", RESOLUTION, *pages, str(pdf), str(stem)], check=True)


def render_workbook(workbook: Path, target: Path, work: Path) -> bool:
    """The workbook's first page through LibreOffice; False when LibreOffice is missing."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        return False
    subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(work), str(workbook)],
        check=True,
        capture_output=True,
    )
    render_page(work / f"{workbook.stem}.pdf", 1, target)
    return True


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        database = open_database(work / "demo.sqlite3")
        try:
            with database.session() as session:
                create_demo(session, trainees=300, today=REPORT_DAY)
                session.commit()
            report = write_annex3(database, FIRST_CLASS, work / "annex3.pdf", REPORT_DAY)
            claim = write_subsidy(database, FIRST_CLASS, work / "subsidy.pdf", CLAIM_DAY)
            annex4 = write_annex4(database, work / "annex4.xlsx")
        finally:
            database.close()
        for warning in (*report.warnings, *claim.warnings, *annex4.warnings):
            print(f"警告：{warning}")
        render_page(report.path, 1, out_dir / "annex3-page1.png")
        render_page(report.path, 2, out_dir / "annex3-roster.png")
        render_page(report.path, report.pages, out_dir / "annex3-plan.png")
        render_page(claim.path, 1, out_dir / "subsidy-page1.png")
        written = ["annex3-page1.png", "annex3-roster.png", "annex3-plan.png", "subsidy-page1.png"]
        if render_workbook(annex4.path, out_dir / "annex4.png", work):
            written.append("annex4.png")
        else:
            print("未安装 LibreOffice：跳过 annex4.png")
    print(f"{report.pages} 页申请报告；已写出 {out_dir}：{'、'.join(written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
