"""The import wizard's first page: the file, its sheet, where the header is, which column
holds which field (the clerk may correct each guess), the first rows, and for a roster the
class its trainees may join.

The page holds the file as ``application.importing.ImportFile`` and replaces it with each
correction; it reads nothing itself and runs no job: the wizard reads the file off the GUI
thread and hands it over with ``show_file``, and checks the rows when ``check_requested``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from application.classes import ClassSummary
from application.importing import ImportFile
from core.importing import Kind, field_specs
from core.importing.header import HEADER_SCAN_ROWS
from gui.import_models import column_choices, message_label, sample_text
from gui.widgets import plain_label

#: What the file dialogs accept.
FILE_FILTER = "电子表格 (*.xlsx *.xlsm *.xls *.csv *.txt *.tsv);;所有文件 (*)"
NOT_IMPORTED = "（不导入）"
NO_CLASS = "（不加入培训班）"
SAMPLE_ROWS = 6


class MappingPage(QWidget):
    """Where each field is in the file; 下一步 is enabled once every required field has one."""

    #: The clerk picked a file (a ``Path``) with 选择文件….
    file_chosen = Signal(object)
    check_requested = Signal()
    cancelled = Signal()

    def __init__(self, kind: Kind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind: Kind = kind
        self.file: ImportFile | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_file_row())
        layout.addLayout(self._build_where_row())
        middle = QHBoxLayout()
        middle.addWidget(self._build_fields_box())
        middle.addWidget(self._build_sample_box(), 1)
        layout.addLayout(middle, 1)

        self.class_combo = QComboBox()
        if kind == "roster":
            options = QHBoxLayout()
            options.addWidget(QLabel("同时加入培训班："))
            options.addWidget(self.class_combo, 1)
            options.addStretch(1)
            layout.addLayout(options)

        self.message = message_label()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.cancelled)
        self.check_button = QPushButton("下一步：检查数据")
        self.check_button.setDefault(True)
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self.check_requested)
        buttons.addWidget(cancel)
        buttons.addWidget(self.check_button)
        layout.addLayout(buttons)

    def _build_file_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.file_label = plain_label("请选择文件，或把文件拖到这里（.xlsx、.xls、.csv）")
        self.file_label.setWordWrap(True)
        choose = QPushButton("选择文件…")
        choose.clicked.connect(self._choose_file)
        row.addWidget(self.file_label, 1)
        row.addWidget(choose)
        return row

    def _build_where_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.sheet_combo = QComboBox()
        self.sheet_combo.setMinimumWidth(160)
        self.sheet_combo.currentTextChanged.connect(self._sheet_changed)
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, HEADER_SCAN_ROWS)
        self.header_spin.valueChanged.connect(self._header_row_changed)
        row.addWidget(QLabel("工作表："))
        row.addWidget(self.sheet_combo)
        row.addSpacing(24)
        row.addWidget(QLabel("表头在第"))
        row.addWidget(self.header_spin)
        row.addWidget(QLabel("行"))
        row.addStretch(1)
        return row

    def _build_fields_box(self) -> QGroupBox:
        box = QGroupBox("各项内容在哪一列（可修改）")
        form = QFormLayout(box)
        self.field_combos: dict[str, QComboBox] = {}
        for spec in field_specs(self.kind):
            combo = QComboBox()
            combo.setMinimumWidth(200)
            combo.currentIndexChanged.connect(
                lambda _i, key=spec.key: self._field_changed(key)  # type: ignore[misc]
            )
            self.field_combos[spec.key] = combo
            form.addRow(f"{spec.label}{'（必填）' if spec.required else ''}：", combo)
        return box

    def _build_sample_box(self) -> QGroupBox:
        box = QGroupBox("文件内容（前几行；身份证号、手机号已遮盖）")
        layout = QVBoxLayout(box)
        self.sample = QTableWidget()
        self.sample.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sample.setWordWrap(False)
        self.sample.verticalHeader().setVisible(False)
        self.sample.verticalHeader().setDefaultSectionSize(24)
        layout.addWidget(self.sample)
        return box

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择要导入的文件", "", FILE_FILTER)
        if name:
            self.file_chosen.emit(Path(name))

    # --- what the wizard tells the page ------------------------------------------------------

    def reading(self, path: Path) -> None:
        """``path`` is being read: name it, and wait for its columns before checking."""
        self.file_label.setText(f"文件：{path.name}")
        self.message.setText("")
        self.check_button.setEnabled(False)

    def set_classes(self, classes: Sequence[ClassSummary]) -> None:
        """The classes a roster may join (those still taking trainees)."""
        self.class_combo.clear()
        self.class_combo.addItem(NO_CLASS, None)
        for summary in classes:
            label = f"{summary.name}（{summary.start_date:%Y-%m-%d}起，已有{summary.enrolled}人）"
            self.class_combo.addItem(label, summary.id)

    def selected_class(self) -> int | None:
        return self.class_combo.currentData() if self.kind == "roster" else None

    def show_file(self, file: ImportFile) -> None:
        """The file just read, with its sheets and the columns found."""
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(file.spreadsheet.sheet_names))
        self.sheet_combo.setCurrentText(file.sheet.name)
        self.sheet_combo.blockSignals(False)
        self._use(file)

    def show_error(self, message: str) -> None:
        """A refusal that stops the next step until the clerk changes something."""
        self.message.setText(message)
        self.check_button.setEnabled(False)

    # --- the clerk's corrections --------------------------------------------------------------

    def _sheet_changed(self, name: str) -> None:
        if self.file is not None and name:
            self._use(self.file.on_sheet(name))

    def _header_row_changed(self, value: int) -> None:
        if self.file is not None and self.file.mapping.header_row != value - 1:
            self._use(self.file.with_header_row(value - 1))

    def _field_changed(self, key: str) -> None:
        if self.file is None:
            return
        self.file = self.file.with_column(key, self.field_combos[key].currentData())
        self._select_columns()
        self._mapping_changed()

    def _use(self, file: ImportFile) -> None:
        self.file = file
        self.header_spin.blockSignals(True)
        self.header_spin.setValue(file.mapping.header_row + 1)
        self.header_spin.blockSignals(False)
        choices = column_choices(file.sheet, file.mapping)
        for combo in self.field_combos.values():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_IMPORTED, None)
            for column, label in enumerate(choices):
                combo.addItem(label, column)
            combo.blockSignals(False)
        self._select_columns()
        self._fill_sample(file, len(choices))
        self._mapping_changed()

    def _select_columns(self) -> None:
        """Each field's combo at its column: a column taken by one field leaves the other."""
        assert self.file is not None
        for key, combo in self.field_combos.items():
            column = self.file.mapping.fields.get(key)
            combo.blockSignals(True)
            combo.setCurrentIndex(0 if column is None else column + 1)
            combo.blockSignals(False)

    def _mapping_changed(self) -> None:
        assert self.file is not None
        missing = self.file.missing
        if missing:
            names = "、".join(f"“{s.label}”" for s in missing)
            self.show_error(f"请为{names}选择所在的列")
        else:
            self.message.setText("")
        self.check_button.setEnabled(not missing)

    def _fill_sample(self, file: ImportFile, width: int) -> None:
        mapping = file.mapping
        rows = file.sheet.rows[mapping.data_start : mapping.data_start + SAMPLE_ROWS]
        self.sample.clear()
        self.sample.setColumnCount(width)
        self.sample.setRowCount(len(rows))
        self.sample.setHorizontalHeaderLabels([mapping.header_text(c) for c in range(width)])
        for r, row in enumerate(rows):
            for c in range(min(width, len(row))):
                self.sample.setItem(r, c, QTableWidgetItem(sample_text(row[c])))
        self.sample.resizeColumnsToContents()
        header = self.sample.horizontalHeader()
        for c in range(width):
            header.resizeSection(c, min(max(header.sectionSize(c), 60), 180))
