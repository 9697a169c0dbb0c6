"""The 进度 page's charts, drawn with pyqtgraph, and their export to PNG or PDF for a meeting.

pyqtgraph is pure Python over Qt's graphics view, so it adds a few megabytes where QtCharts
would add the 156 MB PySide6-Addons wheel. The charts are for looking, not exploring: mouse
panning, zooming and pyqtgraph's context menu are switched off, so a clerk cannot drag a chart
into a state that hides the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPixmap,
)
from PySide6.QtWidgets import QWidget

from reports.output import document_output

#: Status colours shared by charts and tables (codes from ``core.progress.status_of``).
STATUS_COLOURS = {
    "done": "#2e7d32",
    "near": "#7cb342",
    "behind": "#f57c00",
    "far_behind": "#d32f2f",
    "none": "#9e9e9e",
}
INK = "#333333"
TARGET_FILL = "#e6e6e6"
MARK_PEN = pg.mkPen("#1565c0", width=1.5, style=Qt.PenStyle.DashLine)
TARGET_PEN = pg.mkPen("#555555", width=1.5, style=Qt.PenStyle.DashLine)
SERIES_COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a")
#: Characters of an institution's name shown beside its bar; the table has the full name.
NAME_CHARS = 14
EXPORT_FORMATS = "PNG 图片 (*.png);;PDF 文件 (*.pdf)"


@dataclass(frozen=True)
class Mark:
    """A vertical line at ``value`` (a milestone's required number) with its label."""

    value: float
    label: str


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, float]]


class Chart(pg.PlotWidget):
    """A white, static plot with dark axes: the common ground of the charts below."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        item = self.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        if title:
            item.setTitle(title, color=INK, size="11pt")
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(INK)
            axis.setTextPen(INK)

    def clear_chart(self) -> None:
        self.getPlotItem().clear()

    def sizeHint(self) -> QSize:
        # pyqtgraph asks for 600×480, which would push a dashboard into a scroll area.
        return QSize(400, max(self.minimumHeight(), 120))


class TargetBar(Chart):
    """One horizontal bar: what is achieved against the target, with milestone lines."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        item = self.getPlotItem()
        item.hideAxis("left")
        self.setFixedHeight(130 if title else 100)

    def show_progress(
        self, achieved: int, target: int | None, status: str, marks: Sequence[Mark] = ()
    ) -> None:
        self.clear_chart()
        item = self.getPlotItem()
        top = max(target or 0, achieved, *(m.value for m in marks), 1)
        if target:
            item.addItem(
                pg.BarGraphItem(x0=[0], y=[0], height=0.6, width=[target], brush=TARGET_FILL)
            )
        colour = STATUS_COLOURS[status]
        item.addItem(pg.BarGraphItem(x0=[0], y=[0], height=0.6, width=[achieved], brush=colour))
        for mark in marks:
            line = pg.InfiniteLine(
                pos=mark.value,
                angle=90,
                pen=MARK_PEN,
                label=mark.label,
                labelOpts={"position": 0.97, "color": "#1565c0", "anchors": [(1, 0), (1, 0)]},
            )
            item.addItem(line)
        share = f"（{achieved / target:.1%}）" if target else ""
        text = pg.TextItem(f"{achieved:,}{share}", color=INK, anchor=(0, 0.5))
        text.setPos(achieved, 0)
        item.addItem(text)
        item.setXRange(0, top * 1.04, padding=0)
        item.setYRange(-0.45, 1.0, padding=0)


class InstitutionBars(Chart):
    """Completion rates of institutions, one bar each, the first at the top; 100% marked."""

    def show_institutions(self, items: Sequence[tuple[str, float | None, str]]) -> None:
        """``items``: (name, rate as a fraction or None, status code)."""
        self.clear_chart()
        item = self.getPlotItem()
        count = len(items)
        self.setMinimumHeight(80 + 24 * max(count, 1))
        if not count:
            return
        positions = list(range(count - 1, -1, -1))
        widths = [100 * (rate or 0) for _, rate, _ in items]
        brushes = [STATUS_COLOURS[status] for _, _, status in items]
        item.addItem(pg.BarGraphItem(x0=0, y=positions, height=0.7, width=widths, brushes=brushes))
        item.addItem(
            pg.InfiniteLine(
                pos=100, angle=90, pen=TARGET_PEN, label="100%", labelOpts={"color": INK}
            )
        )
        names = [
            name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
            for name, _, _ in items
        ]
        axis = item.getAxis("left")
        axis.setTicks([list(zip(positions, names, strict=True))])
        # Size the axis for the longest name now: pyqtgraph would widen it only after a paint.
        metrics = QFontMetrics(axis.style["tickFont"] or self.font())
        axis.setWidth(max(metrics.horizontalAdvance(name) for name in names) + 20)
        item.getAxis("bottom").setLabel("完成率（%）", color=INK)
        item.setXRange(0, max(110.0, *widths), padding=0)
        item.setYRange(-0.6, count - 0.4, padding=0)


class TrendChart(Chart):
    """Cumulative figures week by week, with the target and the deadline marked."""

    def show_series(
        self,
        series: Sequence[Series],
        *,
        target: float | None = None,
        target_label: str = "",
        deadline: date | None = None,
        y_label: str = "人数",
    ) -> None:
        self.clear_chart()
        item = self.getPlotItem()
        starts = [s.points[0][0] for s in series if s.points]
        if not starts:
            return
        origin = min(starts)
        if len(series) > 1:
            item.addLegend(offset=(10, 10), labelTextColor=INK)
        last = origin
        for index, one in enumerate(series):
            xs = [(day - origin).days for day, _ in one.points]
            ys = [value for _, value in one.points]
            pen = pg.mkPen(SERIES_COLOURS[index % len(SERIES_COLOURS)], width=2.5)
            item.plot(xs, ys, pen=pen, name=one.label)
            last = max(last, one.points[-1][0])
        if target is not None:
            item.addItem(
                pg.InfiniteLine(
                    pos=target,
                    angle=0,
                    pen=TARGET_PEN,
                    label=target_label,
                    labelOpts={"position": 0.08, "color": INK, "anchors": [(0, 1), (0, 1)]},
                )
            )
        if deadline is not None:
            item.addItem(
                pg.InfiniteLine(
                    pos=(deadline - origin).days,
                    angle=90,
                    pen=MARK_PEN,
                    label=f"{deadline.month}月{deadline.day}日",
                    labelOpts={"position": 0.95, "color": "#1565c0"},
                )
            )
            last = max(last, deadline)
        ticks = [
            ((date(year, month, 1) - origin).days, f"{month}月")
            for year in range(origin.year, last.year + 1)
            for month in range(1, 13)
            if origin <= date(year, month, 1) <= last
        ]
        item.getAxis("bottom").setTicks([ticks])
        item.getAxis("left").setLabel(y_label, color=INK)
        item.setXRange(0, (last - origin).days + 3, padding=0.01)
        tops = [value for one in series for _, value in one.points]
        item.setYRange(0, max(target or 0, *tops, 1) * 1.08, padding=0)


# --- Export ------------------------------------------------------------------------------


#: Export resolution relative to the screen: sharp when printed, still a small file.
EXPORT_SCALE = 3


def _picture(widget: QWidget) -> QPixmap:
    """The widget drawn at ``EXPORT_SCALE`` times its on-screen resolution."""
    pixmap = QPixmap(widget.size() * EXPORT_SCALE)
    pixmap.setDevicePixelRatio(EXPORT_SCALE)
    pixmap.fill(QColor("white"))
    # QWidget's render, not QGraphicsView's (which draws only the scene, into a painter).
    QWidget.render(widget, pixmap)
    return pixmap


def _png_bytes(widget: QWidget) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not _picture(widget).save(buffer, "PNG"):
        raise OSError("无法生成 PNG 图片")
    buffer.close()
    return bytes(data.data())


def _pdf_bytes(widget: QWidget) -> bytes:
    """The widget's picture on one A4 landscape page, scaled to fit and centred.

    A picture rather than the widget's own drawing: pyqtgraph sizes text in screen pixels, so
    rendered straight onto a 300 dpi page its labels and bars come out at the wrong scale.
    """
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(300)
    writer.setCreator("持证通 CertDesk")
    picture = _picture(widget)
    painter = QPainter(writer)
    try:
        page = painter.viewport()
        size = picture.size().scaled(page.size(), Qt.AspectRatioMode.KeepAspectRatio)
        left = (page.width() - size.width()) // 2
        painter.drawPixmap(QRect(left, 0, size.width(), size.height()), picture)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


def export_chart(widget: QWidget, path: Path) -> None:
    """Write the widget as ``.png`` or ``.pdf`` (by suffix); ``path`` is replaced only when done."""
    suffix = path.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise ValueError(f"只能导出为 PNG 或 PDF：{path.name}")
    content = _png_bytes(widget) if suffix == ".png" else _pdf_bytes(widget)
    with document_output(path) as stream:
        stream.write(content)
