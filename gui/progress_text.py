"""The sentences above the 进度 page's charts: the figures a clerk reads first, in Chinese.

Rich text for QLabel; kept apart from the widgets so the wording can be read (and tested) as
plain functions of the figures.
"""

from __future__ import annotations

from core.progress import (
    STATUS_LABELS,
    CertificateProgress,
    LevelTotal,
    TrainingProgress,
    month_day,
)
from gui.charts import STATUS_COLOURS

COMMITMENT_TIP = (
    "培训任务数取本机构“培训规模（人）”（附件4），表格中没有单独的培训承诺数；"
    "结业人数按当年定向培训班的结业人次计。"
)
TARGET_TIP = (
    "列入附件1的机构按其任务数计；未单独列入的学校按应届毕业生人数计"
    "（原则上毕业生均应取得相应等级证书），其进度同时计入所属市教育局或“技工院校”任务。"
)
WARNING_COLOUR = "#d32f2f"


def chip(status: str) -> str:
    """The status as a small coloured label."""
    style = f"background-color:{STATUS_COLOURS[status]}; color:white;"
    return f'<span style="{style}">&nbsp;{STATUS_LABELS[status]}&nbsp;</span>'


def warning(text: str) -> str:
    return f'<span style="color:{WARNING_COLOUR};">{text}</span>'


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _figure(label: str, value: str) -> str:
    return f"{label} <b>{value}</b>"


def certificate_text(cert: CertificateProgress, year: int) -> str:
    head = " · ".join(
        (
            _figure(cert.basis, f"{cert.target:,}"),
            _figure("已取证", f"{cert.achieved:,}"),
            _figure("完成率", percent(cert.rate)),
        )
    )
    lines = [
        f"<b>{year}届毕业生取证（{cert.level}及以上）</b>　{head} {chip(cert.status)}",
        f"应届毕业生 {cert.graduates:,} 人，尚未取得合格证书"
        f" <b>{cert.missing:,}</b> 人（见“还差谁”）。",
    ]
    deadline = month_day(cert.deadline)
    if cert.remaining == 0:
        lines.append("已完成任务数。")
    elif cert.days_left > 0:
        lines.append(
            f"距{deadline}还有 {cert.days_left} 天，"
            f"每周需新增取证 <b>{cert.per_week_needed:,}</b> 人。"
        )
    else:
        lines.append(f"{deadline}截止日已过 {-cert.days_left} 天，还差 {cert.remaining:,} 人。")
    if cert.beyond_graduates:
        lines.append(warning(f"即使应届毕业生全部取证，仍差 {cert.beyond_graduates:,} 人。"))
    return "<br>".join(lines)


def training_text(training: TrainingProgress) -> str:
    commitment = "未填写" if training.commitment is None else f"{training.commitment:,} 人"
    head = " · ".join(
        (
            f"培训任务（培训规模）{commitment}",
            _figure("已结业", f"{training.completers:,}") + " 人次",
            _figure("完成率", percent(training.rate)),
        )
    )
    marks = []
    for m in training.milestones:
        required = "—" if m.required is None else f"{m.required:,}"
        marks.append(f"{m.label}：{m.achieved:,}/{required}（{m.state_label}）")
    lines = [f"<b>定向培训</b>　{head} {chip(training.status)}", "　".join(marks)]
    last = month_day(training.milestones[-1].due)
    lines += [
        warning(f"！“{c.name}”{c.end_date:%Y-%m-%d}结业，晚于{last}，其结业人数不能计入全年任务。")
        for c in training.late_classes
    ]
    return "<br>".join(lines)


def total_text(total: LevelTotal) -> str:
    figures = " · ".join(
        (
            _figure("任务", f"{total.target:,}"),
            _figure("已取证", f"{total.achieved:,}"),
            _figure("完成率", percent(total.rate)),
        )
    )
    return f"<b>{total.label}</b>　{figures} {chip(total.status)}"
