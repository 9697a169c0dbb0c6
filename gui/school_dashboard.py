"""A school's 进度: certificates by 8月31日, 定向 training by its milestones, 还差谁, the subsidy.

The bureau shows the same widget for a held institution when the clerk drills down.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from core.progress import GroupCount, SchoolProgress, TrainingProgress
from gui.charts import Mark, Series, TargetBar, TrendChart
from gui.missing_table import MissingPanel
from gui.progress_panels import Cell, ChartPanel, TablePanel, heading, rich_label, scrolling
from gui.progress_text import COMMITMENT_TIP, TARGET_TIP, certificate_text, training_text
from models.database import Database


def _milestone_marks(training: TrainingProgress) -> list[Mark]:
    return [Mark(m.required, m.label) for m in training.milestones if m.required is not None]


class SchoolDashboard(QTabWidget):
    """概览 (certificates, training, weekly trend), 还差谁, and 培训与补贴."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        overview = QWidget()
        layout = QVBoxLayout(overview)
        self.certificate_label = rich_label(TARGET_TIP)
        self.certificate_bar = TargetBar()
        self.training_label = rich_label(COMMITMENT_TIP)
        self.training_bar = TargetBar()
        self.trend = TrendChart("应届毕业生累计取证人数（按周）")
        self.trend.setMinimumHeight(240)
        layout.addWidget(ChartPanel(self.certificate_bar, "取证进度", self.certificate_label))
        layout.addWidget(ChartPanel(self.training_bar, "定向培训进度", self.training_label))
        layout.addWidget(ChartPanel(self.trend, "取证周趋势"), 1)
        self.addTab(scrolling(overview), "概览")

        self.missing = MissingPanel(database)
        self.addTab(self.missing, "还差谁")

        training = QWidget()
        tlayout = QVBoxLayout(training)
        self.milestones = TablePanel("定向培训节点", ("节点", "比例", "应完成", "已结业", "状态"))
        self.late = TablePanel(
            "11月30日后结业的定向培训班", ("培训班", "开班日期", "结业日期", "计划人数", "名单人数")
        )
        self.subsidy = TablePanel(
            "培训补贴", ("培训班", "类型", "状态", "结业人数", "人均补贴（元）", "补贴金额（元）")
        )
        self.subsidy.setToolTip("按实际结业人数申请，每人不超过1万元")
        tlayout.addWidget(heading("定向培训节点"))
        tlayout.addWidget(self.milestones)
        tlayout.addWidget(heading("11月30日后结业的定向培训班"))
        tlayout.addWidget(self.late)
        tlayout.addWidget(heading("培训补贴（结业人数 × 人均补贴，每人不超过1万元）"))
        tlayout.addWidget(self.subsidy, 2)
        self.addTab(training, "培训与补贴")

    def show_progress(
        self, progress: SchoolProgress, groups: dict[str, tuple[GroupCount, ...]]
    ) -> None:
        """Show the figures; ``groups`` are the 还差谁 counts per class and per major."""
        cert = progress.certificates
        self.certificate_label.setText(certificate_text(cert, progress.year))
        self.certificate_bar.show_progress(cert.achieved, cert.target, cert.status)
        training = progress.training
        self.training_label.setText(training_text(training))
        self.training_bar.show_progress(
            training.completers, training.commitment, training.status, _milestone_marks(training)
        )
        self.trend.show_series(
            [Series("已取证", [(p.week, p.achieved) for p in cert.trend])],
            target=cert.target,
            target_label=f"{cert.basis} {cert.target:,}",
            deadline=cert.deadline,
        )
        self.missing.set_scope(progress.missing_scope, groups)
        self._show_training(training)
        self._show_subsidy(progress)

    def _show_training(self, training: TrainingProgress) -> None:
        self.milestones.set_rows(
            [
                [
                    Cell(f"{m.due:%Y-%m-%d}", m.due.isoformat()),
                    Cell(f"{m.share:.0%}", m.share),
                    Cell.number(m.required) if m.required is not None else Cell("—", -1),
                    Cell.number(m.achieved),
                    Cell(m.state_label),
                ]
                for m in training.milestones
            ]
        )
        self.late.set_rows(
            [
                [
                    Cell(c.name),
                    Cell(f"{c.start_date:%Y-%m-%d}"),
                    Cell(f"{c.end_date:%Y-%m-%d}"),
                    Cell.number(c.planned_headcount),
                    Cell.number(c.enrolled),
                ]
                for c in training.late_classes
            ]
        )
        self.late.caption.setText("没有" if not training.late_classes else "")

    def _show_subsidy(self, progress: SchoolProgress) -> None:
        subsidy = progress.subsidy
        self.subsidy.set_rows(
            [
                [
                    Cell(r.name),
                    Cell(r.kind),
                    Cell(r.status),
                    Cell.number(r.completers),
                    Cell(
                        f"{r.per_person:,.2f}" + ("（已按上限）" if r.capped else ""),
                        float(r.per_person),
                        float(r.per_person),
                    ),
                    Cell(f"{r.amount:,.2f}", float(r.amount), float(r.amount)),
                ]
                for r in subsidy.rows
            ]
        )
        self.subsidy.caption.setText(
            f"合计：结业 {subsidy.completers:,} 人，可申请补贴 <b>{subsidy.total:,.2f}</b> 元"
        )
