"""The import wizard's second page: every row checked, what an import would do, and the
choices that remain (skip the invalid rows, update the trainees already stored).

Nothing has been written when this page shows. Its buttons only ask: the wizard runs the
import and writes the error report. ``ask_report_path`` is where the clerk is told that the
error report holds full numbers, before the save dialog opens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from application.importing import error_report_file
from core.importing import ImportPreview, Kind, RowStatus
from gui.import_models import PreviewModel, message_label

SHOW_ALL, SHOW_INVALID, SHOW_NEW, SHOW_EXISTING = "全部行", "只看有误的行", "只看新增", "只看已存在"
_SHOWN_STATUS = {
    SHOW_INVALID: RowStatus.INVALID,
    SHOW_NEW: RowStatus.NEW,
    SHOW_EXISTING: RowStatus.EXISTING,
}
REPORT_TITLE = "保存错误报告"


class PreviewPage(QWidget):
    """The verdict on every row; 导入 is enabled once nothing invalid would stop it."""

    back_requested = Signal()
    report_requested = Signal()
    import_requested = Signal()

    def __init__(self, kind: Kind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview: ImportPreview[Any] | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary = QLabel()
        self.filter_combo = QComboBox()
        self.filter_combo.addItems([SHOW_ALL, SHOW_INVALID, SHOW_NEW, SHOW_EXISTING])
        self.filter_combo.currentTextChanged.connect(self._filter_changed)
        top.addWidget(self.summary, 1)
        top.addWidget(self.filter_combo)
        layout.addLayout(top)

        self.model = PreviewModel(kind, self)
        layout.addWidget(self._build_table(), 1)

        options = QHBoxLayout()
        self.skip_invalid = QCheckBox("只导入有效的行（跳过有误的行）")
        self.skip_invalid.toggled.connect(self.update_import_button)
        self.update_existing = QCheckBox("用文件内容更新库中已有的学员")
        options.addWidget(self.skip_invalid)
        if kind == "roster":
            options.addWidget(self.update_existing)
        options.addStretch(1)
        layout.addLayout(options)

        self.message = message_label()
        layout.addWidget(self.message)

        buttons = QHBoxLayout()
        back = QPushButton("上一步")
        back.clicked.connect(self.back_requested)
        self.report_button = QPushButton("保存错误报告…")
        self.report_button.clicked.connect(self.report_requested)
        self.import_button = QPushButton("导入")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.import_requested)
        buttons.addWidget(back)
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(24)
        header = table.horizontalHeader()
        header.resizeSection(0, 52)
        header.resizeSection(1, 56)
        for offset, column in enumerate(self.model.columns, start=2):
            header.resizeSection(offset, column.width)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        return table

    def show_preview(self, preview: ImportPreview[Any]) -> None:
        """The rows just checked: the counts, the invalid rows first if there are any."""
        self.preview = preview
        counts = preview.counts()
        invalid = counts[RowStatus.INVALID]
        existing = counts[RowStatus.EXISTING]
        parts = [
            f"共 {len(preview.rows)} 行",
            f"新增 {counts[RowStatus.NEW]}",
            f"已存在 {existing}",
            f"有误 {invalid}",
        ]
        if preview.skipped_blank:
            parts.append(f"空行 {preview.skipped_blank}（已略过）")
        self.summary.setText("，".join(parts))
        self.skip_invalid.setEnabled(bool(invalid))
        self.skip_invalid.setChecked(False)
        self.update_existing.setEnabled(bool(existing))
        self.update_existing.setText(f"用文件内容更新库中已有的学员（{existing} 人）")
        self.report_button.setEnabled(bool(invalid))
        self.message.setText("")
        start = SHOW_INVALID if invalid else SHOW_ALL
        if self.filter_combo.currentText() == start:
            self._filter_changed(start)
        else:
            self.filter_combo.setCurrentText(start)
        self.update_import_button()

    def _filter_changed(self, text: str) -> None:
        if self.preview is not None:
            self.model.set_preview(self.preview, _SHOWN_STATUS.get(text))

    def update_import_button(self) -> None:
        """导入 only when no invalid row stops it, and the message saying what would."""
        invalid = len(self.preview.invalid) if self.preview else 0
        ready = self.preview is not None and (not invalid or self.skip_invalid.isChecked())
        self.import_button.setEnabled(ready)
        if invalid and not self.skip_invalid.isChecked():
            self.message.setText(
                f"有 {invalid} 行有误：请改正文件后重新导入，或勾选“只导入有效的行”。"
                "可点“保存错误报告”得到标出错误单元格的表格。"
            )
        else:
            self.message.setText("")


def ask_report_path(parent: QWidget, preview: ImportPreview[Any], source: Path) -> Path | None:
    """Where to save the error report, asked only after the clerk has read that it holds the
    refused rows' full ID numbers and phones and chose to go on; ``None`` if they did not."""
    answer = QMessageBox.question(
        parent,
        REPORT_TITLE,
        error_report_file(preview).notice + "\n\n是否继续？",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return None
    suggested = str(source.with_name(f"{source.stem}-错误报告.xlsx"))
    name, _ = QFileDialog.getSaveFileName(parent, REPORT_TITLE, suggested, "Excel 工作簿 (*.xlsx)")
    return Path(name) if name else None
