"""Building blocks of the 进度 page: a chart or a table with its own export button.

Every chart exports to PNG or PDF and every table to Excel, for the meetings where these
figures are shown; the files are written whole or not at all (``reports.output``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from application import documents
from core.fields import ValidationFailed
from gui.charts import EXPORT_FORMATS, STATUS_COLOURS, Chart, export_chart
from gui.widgets import as_plain

#: Role holding the value a column sorts by (numbers for numeric columns).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role holding the value written to Excel when it differs from the text shown.
EXPORT_ROLE = Qt.ItemDataRole.UserRole + 2
#: Role holding a row's key (e.g. an institution's 统一社会信用代码) on its first cell.
KEY_ROLE = Qt.ItemDataRole.UserRole + 3
EXCEL_FILTER = "Excel 工作簿 (*.xlsx)"


def ask_save_path(parent: QWidget, caption: str, name: str, filters: str) -> Path | None:
    """A save dialog opening in the Documents folder; None when the clerk cancels."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    chosen, selected = QFileDialog.getSaveFileName(
        parent, caption, str(Path(folder) / name), filters
    )
    if not chosen:
        return None
    path = Path(chosen)
    if not path.suffix and "*." in selected:
        path = path.with_suffix("." + selected.split("*.")[1].split(")")[0])
    return path


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-size: 15px; font-weight: bold;")
    return label


def rich_label(tooltip: str = "") -> QLabel:
    """A wrapping rich-text label for the sentences above a chart."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setToolTip(tooltip)
    return label


def scrolling(content: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(content)
    return area


def report_failure(parent: QWidget, exc: Exception) -> None:
    QMessageBox.warning(parent, "导出失败", as_plain(str(exc)))


@dataclass(frozen=True)
class Cell:
    """What a table cell shows, sorts by, exports, and how it is coloured."""

    text: str
    sort: object = None
    export: object = None
    status: str | None = None
    key: str | None = None

    @classmethod
    def number(cls, value: int) -> Cell:
        return cls(f"{value:,}", value, value)

    @classmethod
    def rate(cls, value: float | None) -> Cell:
        return cls("—" if value is None else f"{value:.1%}", -1.0 if value is None else value)


class ChartPanel(QWidget):
    """A chart under its heading (any widget), with an 导出图表 button at the top right."""

    def __init__(
        self,
        chart: Chart,
        file_stem: str,
        header: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.chart = chart
        self.file_stem = file_stem
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        bar = QHBoxLayout()
        if header is None:
            bar.addStretch(1)
        else:
            bar.addWidget(header, 1)
        self.export_button = QPushButton("导出图表…")
        self.export_button.setToolTip("把该图表保存为 PNG 图片或 PDF 文件")
        self.export_button.clicked.connect(self._ask_export)
        bar.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(bar)
        layout.addWidget(chart, 1)

    def _ask_export(self) -> None:
        path = ask_save_path(self, "导出图表", f"{self.file_stem}.png", EXPORT_FORMATS)
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> bool:
        try:
            export_chart(self.chart, path)
        except (ValidationFailed, OSError, ValueError) as exc:
            report_failure(self, exc)
            return False
        return True


class TablePanel(QWidget):
    """A read-only, sortable table of a few hundred rows at most, exportable to Excel."""

    def __init__(
        self,
        title: str,
        headers: Sequence[str],
        parent: QWidget | None = None,
        *,
        stretch: int | None = None,
    ) -> None:
        """``stretch``: the column that takes the spare width (default: the last one)."""
        super().__init__(parent)
        self.title = title
        self.headers = tuple(headers)
        self.stretch = stretch
        self.model = QStandardItemModel(0, len(headers), self)
        self.model.setHorizontalHeaderLabels(list(headers))
        self.model.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSortingEnabled(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(stretch is None)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.setToolTip("把该表保存为 Excel 工作簿")
        self.export_button.clicked.connect(self._ask_export)
        bar = QHBoxLayout()
        bar.addWidget(self.caption, 1)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def set_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        self.view.setSortingEnabled(False)
        self.model.removeRows(0, self.model.rowCount())
        for cells in rows:
            self.model.appendRow([self._item(cell) for cell in cells])
        # Keep the order given (furthest behind first) until the clerk clicks a header.
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.resizeColumnsToContents()
        if self.stretch is not None:
            header = self.view.horizontalHeader()
            header.setSectionResizeMode(self.stretch, QHeaderView.ResizeMode.Stretch)
        self.export_button.setEnabled(bool(rows))

    @staticmethod
    def _item(cell: Cell) -> QStandardItem:
        item = QStandardItem(cell.text)
        item.setData(cell.text if cell.sort is None else cell.sort, SORT_ROLE)
        item.setData(cell.text if cell.export is None else cell.export, EXPORT_ROLE)
        if cell.key is not None:
            item.setData(cell.key, KEY_ROLE)
        if isinstance(cell.sort, int | float) and cell.status is None:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if cell.status is not None:
            item.setBackground(QBrush(QColor(STATUS_COLOURS[cell.status])))
            item.setForeground(QBrush(QColor("white")))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        return item

    def rows_for_export(self) -> list[list[object]]:
        """The rows in their current (sorted) order, as the Excel file will hold them."""
        return [
            [self.model.item(r, c).data(EXPORT_ROLE) for c in range(self.model.columnCount())]
            for r in range(self.model.rowCount())
        ]

    def key_at(self, row: int) -> str | None:
        return self.model.item(row, 0).data(KEY_ROLE)

    def _ask_export(self) -> None:
        path = ask_save_path(self, "导出 Excel", f"{self.title}.xlsx", EXCEL_FILTER)
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> bool:
        try:
            documents.write_table(path, self.title, self.headers, self.rows_for_export())
        except (ValidationFailed, OSError) as exc:
            report_failure(self, exc)
            return False
        return True
