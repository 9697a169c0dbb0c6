"""The 进度 page on databases with known answers (tests/core/progress_data.py): the figures it
shows, 还差谁 with masked numbers, refresh on F5, the bureau's table and drill-down, exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gui.charts import export_chart
from gui.progress_page import InstitutionDialog, ProgressPage
from gui.progress_panels import ChartPanel
from main import main
from models.database import Database
from tests.core import progress_data as data

TIMEOUT = 15_000


def open_page(qtbot: QtBot, database: Database, day: date) -> ProgressPage:
    page = ProgressPage(database, today=lambda: day)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    with qtbot.waitSignal(page.refreshed, timeout=TIMEOUT):
        page.show()
    return page


@pytest.fixture
def college(database: Database) -> Database:
    return data.college(database)


@pytest.fixture
def province(database: Database) -> Database:
    return data.bureau(database, data.PROVINCE)


def test_school_overview_states_the_figures(qtbot: QtBot, college: Database) -> None:
    page = open_page(qtbot, college, data.CERT_DAY)
    assert page.stack.currentWidget() is page.school
    assert "山西职业技术学院" in page.status.text()
    text = page.school.certificate_label.text()
    for expected in ("附件1任务数 <b>4,800</b>", "已取证 <b>3</b>", "91 天", "<b>369</b>", "4,794"):
        assert expected in text
    assert "培训规模" in page.school.training_label.toolTip()


def test_missing_list_is_masked_and_filters_by_group(qtbot: QtBot, college: Database) -> None:
    page = open_page(qtbot, college, data.CERT_DAY)
    missing = page.school.missing
    assert missing.model.total == 3
    assert [missing.model.rows[r][2] for r in range(3)] == ["丙三", "丁四", "戊五"]
    for row in missing.model.rows:
        assert "*" in row[4] and len(row[4]) == 18
        assert "****" in row[5]
    groups = missing.group_table.model
    assert groups.item(0, 0).text() == "（全部）"
    assert (groups.item(1, 0).text(), groups.item(1, 2).text()) == ("电工2202班", "2")
    missing.group_table.view.clicked.emit(groups.index(1, 0))
    assert missing.model.total == 2
    assert "“电工2202班”尚未取得合格证书：2 人" in missing.summary.text()
    missing.group_by.setCurrentIndex(1)  # 按专业
    assert groups.item(1, 0).text() == "电气自动化技术"
    assert missing.model.total == 3


def test_missing_export_masks_unless_asked(qtbot: QtBot, college: Database, tmp_path: Path) -> None:
    page = open_page(qtbot, college, data.CERT_DAY)
    missing = page.school.missing
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"
    with qtbot.waitSignal(missing.exported, timeout=TIMEOUT):
        missing.export_to(masked, reveal=False)
    with qtbot.waitSignal(missing.exported, timeout=TIMEOUT):
        missing.export_to(full, reveal=True)
    sheet = openpyxl.load_workbook(masked)["还差谁"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [r[3] for r in rows] == ["丙三", "丁四", "戊五"]
    assert all("*" in r[5] for r in rows)
    full_rows = list(openpyxl.load_workbook(full)["还差谁"].iter_rows(min_row=3, values_only=True))
    assert all(len(r[5]) == 18 and "*" not in r[5] for r in full_rows)
    assert all(isinstance(r[6], str) for r in full_rows)
    summary = openpyxl.load_workbook(full)["按班级汇总"]
    assert [c.value for c in summary[3]] == [1, "电工2202班", 2, 2]


def test_training_tab_lists_milestones_late_classes_and_subsidy(
    qtbot: QtBot, college: Database
) -> None:
    page = open_page(qtbot, college, data.TRAINING_DAY)
    school = page.school
    milestones = school.milestones.rows_for_export()
    assert [(r[0], r[2], r[3], r[4]) for r in milestones] == [
        ("2026-06-30", 40, 4, "未完成"),
        ("2026-09-30", 80, 6, "未完成"),
        ("2026-11-30", 100, 6, "未到期"),
    ]
    assert [r[0] for r in school.late.rows_for_export()] == ["K2 新能源汽车定向班"]
    subsidy = {r[0][:2]: r for r in school.subsidy.rows_for_export()}
    assert subsidy["K3"][5] == 20000.0
    assert "已按上限" in str(school.subsidy.model.item(2, 4).text())
    assert "35,000.00" in school.subsidy.caption.text()
    assert "K2 新能源汽车定向班" in school.training_label.text()


def test_milestones_read_the_same_on_screen_and_on_the_command_line(
    qtbot: QtBot, college: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    page = open_page(qtbot, college, data.TRAINING_DAY)
    day = data.TRAINING_DAY.isoformat()
    assert main(["--db", str(college.path), "progress", "--date", day]) == 0
    out = capsys.readouterr().out
    on_screen = page.school.training_label.text()
    states = [r[4] for r in page.school.milestones.rows_for_export()]
    expected = [("6月30日 40%", 40, 4), ("9月30日 80%", 80, 6), ("11月30日 100%", 100, 6)]
    for (label, required, achieved), state in zip(expected, states, strict=True):
        assert f"{label}：{achieved}/{required}（{state}）" in on_screen
        assert f"  {label}：应 {required}，实 {achieved}（{state}）" in out


def test_f5_recomputes_after_a_change(qtbot: QtBot, college: Database) -> None:
    page = open_page(qtbot, college, data.CERT_DAY)
    with college.session() as session:
        data.add_graduate(session, "壬九", 2026, [(data.QUALIFICATION, "", date(2026, 5, 5))])
        session.commit()
    page.activateWindow()
    qtbot.waitActive(page)
    page.refresh_button.setFocus()
    with qtbot.waitSignal(page.refreshed, timeout=TIMEOUT):
        qtbot.keyClick(page.refresh_button, Qt.Key.Key_F5)
    assert "已取证 <b>4</b>" in page.school.certificate_label.text()
    assert page.snapshot is not None
    assert page.snapshot.progress.certificates.graduates == 7  # type: ignore[union-attr]


def test_unregistered_database_says_what_to_do(qtbot: QtBot, database: Database) -> None:
    page = open_page(qtbot, database, data.CERT_DAY)
    assert page.stack.currentWidget() is page.message
    assert "尚未登记" in page.message.text()


def test_bureau_lists_institutions_furthest_behind_first(
    qtbot: QtBot, province: Database, tmp_path: Path
) -> None:
    page = open_page(qtbot, province, data.CERT_DAY)
    bureau = page.bureau
    assert page.stack.currentWidget() is bureau
    rows = bureau.institutions.rows_for_export()
    assert [r[0] for r in rows] == [
        "山西职业技术学院",
        "太原市第一职业中学",
        "大同市第二职业中学",
        "太原技师学院",
        "清徐县职业教育中心",
    ]
    assert rows[0][4:9] == [4800, "附件1任务数", 3, 2, "0.0%"]
    assert rows[3][-1] == "从未报送"
    assert bureau.tabText(3) == "未报送（2）"
    labels = [label.text() for label, _ in bureau.total_bars]
    assert "任务 <b>107,671</b>" in labels[0]
    assert "任务 <b>100,820</b>" in labels[1]
    assert "2 个机构超过 30 天没有报送数据包" in bureau.totals_label.text()
    out = tmp_path / "机构.xlsx"
    assert bureau.institutions.export_to(out)
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A1"].value == "各机构取证进度"
    assert [c.value for c in sheet[2]][:3] == ["机构", "所在市", "类别"]
    assert sheet["A3"].value == "山西职业技术学院"
    assert sheet["E3"].value == 4800


def test_bureau_drills_down_to_an_institution(qtbot: QtBot, province: Database) -> None:
    page = open_page(qtbot, province, data.CERT_DAY)
    table = page.bureau.institutions
    with qtbot.waitSignal(page.bureau.drill_down, timeout=TIMEOUT) as opened:
        table.view.doubleClicked.emit(table.model.index(1, 0))
    assert opened.args == [data.Y_SECONDARY]
    dialogs = page.findChildren(InstitutionDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: "太原市第一职业中学" in dialog.title.text(), timeout=TIMEOUT)
    assert "应届毕业生人数 <b>4</b>" in dialog.dashboard.certificate_label.text()
    assert dialog.dashboard.missing.model.total == 3
    dialog.close()


def test_charts_export_to_png_and_pdf(qtbot: QtBot, college: Database, tmp_path: Path) -> None:
    page = open_page(qtbot, college, data.CERT_DAY)
    panel = page.school.findChildren(ChartPanel)[0]
    assert panel.chart is page.school.certificate_bar
    png, pdf = tmp_path / "chart.png", tmp_path / "chart.pdf"
    assert panel.export_to(png)
    assert panel.export_to(pdf)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert not list(tmp_path.glob("*.partial"))
    with pytest.raises(ValueError, match="PNG 或 PDF"):
        export_chart(page.school.trend, tmp_path / "chart.gif")
