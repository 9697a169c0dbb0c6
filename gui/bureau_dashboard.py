"""A bureau's 进度: its totals, every institution it holds (furthest behind first), the Annex 1
rows they fill, and the institutions that have stopped sending packages."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from core.progress import STATUS_LABELS, BureauProgress
from gui.charts import InstitutionBars, Series, TargetBar, TrendChart
from gui.progress_panels import Cell, ChartPanel, TablePanel, rich_label, scrolling
from gui.progress_text import TARGET_TIP, total_text

#: Institutions shown in the bureau's bar chart; the table lists them all.
CHART_INSTITUTIONS = 20


class BureauDashboard(QTabWidget):
    """概览 (totals, institutions chart, trend), 机构, 附件1任务, 未报送."""

    drill_down = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        overview = QWidget()
        self.overview_layout = QVBoxLayout(overview)
        self.totals_label = rich_label(TARGET_TIP)
        self.total_bars: list[tuple[QLabel, TargetBar]] = []
        self.totals_box = QHBoxLayout()
        self.institution_bars = InstitutionBars(f"进度最慢的{CHART_INSTITUTIONS}个机构")
        self.trend = TrendChart("累计取证（按周）")
        self.trend.setMinimumHeight(240)
        self.overview_layout.addLayout(self.totals_box)
        self.overview_layout.addWidget(self.totals_label)
        self.overview_layout.addWidget(ChartPanel(self.institution_bars, "机构完成率"))
        self.overview_layout.addWidget(ChartPanel(self.trend, "取证周趋势"))
        self.addTab(scrolling(overview), "概览")

        self.institutions = TablePanel(
            "各机构取证进度",
            (
                "机构",
                "所在市",
                "类别",
                "等级",
                "任务数",
                "任务依据",
                "应届毕业生",
                "已取证",
                "完成率",
                "状态",
                "定向结业",
                "最近数据包",
            ),
            stretch=0,
        )
        self.institutions.caption.setText("进度最慢的在前；双击查看该机构的详细进度。")
        self.institutions.view.doubleClicked.connect(self._open)
        self.addTab(self.institutions, "机构")
        self.rows = TablePanel(
            "附件1任务完成情况",
            ("等级", "类别", "序号", "单位", "任务数", "已取证", "机构数", "完成率", "状态"),
            stretch=3,
        )
        self.addTab(self.rows, "附件1任务")
        self.stale = TablePanel("未报送机构", ("机构", "统一社会信用代码", "所在市", "最近数据包"))
        self.addTab(self.stale, "未报送")

    def show_progress(self, progress: BureauProgress) -> None:
        self._show_totals(progress)
        slowest = [i for i in progress.institutions if i.rate is not None][:CHART_INSTITUTIONS]
        self.institution_bars.show_institutions([(i.name, i.rate, i.status) for i in slowest])
        self._show_trend(progress)
        self.institutions.set_rows(
            [
                [
                    Cell(i.name, key=i.uscc),
                    Cell(i.city),
                    Cell(i.category),
                    Cell(i.level),
                    Cell.number(i.target),
                    Cell(i.basis),
                    Cell.number(i.graduates),
                    Cell.number(i.achieved),
                    Cell.rate(i.rate),
                    Cell(STATUS_LABELS[i.status], i.status, status=i.status),
                    Cell.number(i.completers),
                    Cell(f"{i.last_package_at:%Y-%m-%d}" if i.last_package_at else "从未报送"),
                ]
                for i in progress.institutions
            ]
        )
        self.rows.set_rows(
            [
                [
                    Cell(r.row.level),
                    Cell(r.row.section),
                    Cell(r.row.number),
                    Cell(r.row.unit),
                    Cell.number(r.row.target),
                    Cell.number(r.achieved),
                    Cell.number(r.institutions),
                    Cell.rate(r.rate),
                    Cell(STATUS_LABELS[r.status], r.status, status=r.status),
                ]
                for r in progress.rows
            ]
        )
        stale = progress.stale
        self.stale.caption.setText(
            f"{len(stale)} 个机构超过 {progress.stale_days} 天没有报送数据包（含从未报送的）。"
        )
        self.stale.set_rows(
            [
                [
                    Cell(i.name, key=i.uscc),
                    Cell(i.uscc),
                    Cell(i.city),
                    Cell(f"{i.last_package_at:%Y-%m-%d}" if i.last_package_at else "从未报送"),
                ]
                for i in stale
            ]
        )
        self.setTabText(3, f"未报送（{len(stale)}）")

    def _show_totals(self, progress: BureauProgress) -> None:
        while len(self.total_bars) < len(progress.totals):
            label, bar = rich_label(TARGET_TIP), TargetBar()
            self.total_bars.append((label, bar))
            self.totals_box.addWidget(ChartPanel(bar, "任务进度", label))
        for (label, bar), total in zip(self.total_bars, progress.totals, strict=False):
            label.setText(total_text(total))
            bar.show_progress(total.achieved, total.target, total.status)
        self.totals_label.setText(
            f"共 {len(progress.institutions)} 个机构；定向培训已结业 {progress.completers:,} 人次；"
            f"{len(progress.stale)} 个机构超过 {progress.stale_days} 天没有报送数据包。"
        )

    def _show_trend(self, progress: BureauProgress) -> None:
        if len(progress.totals) == 1:
            (total,) = progress.totals
            self.trend.show_series(
                [Series(total.label, [(p.week, p.achieved) for p in total.trend])],
                target=total.target,
                target_label=f"任务 {total.target:,}",
            )
            return
        self.trend.show_series(
            [
                Series(t.label, [(p.week, 100 * p.achieved / t.target) for p in t.trend])
                for t in progress.totals
            ],
            y_label="完成率（%）",
        )

    def _open(self, index: QModelIndex) -> None:
        uscc = self.institutions.key_at(index.row())
        if uscc:
            self.drill_down.emit(uscc)
