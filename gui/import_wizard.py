"""The import wizard: a file → its columns (the clerk may correct them) → every row checked →
imported in one transaction, or not at all.

Reading, checking and writing run off the GUI thread with a cancellable progress dialog; a
cancel or a failure while writing leaves the database as it was. ID numbers and phones are
masked everywhere on screen, the file's sample rows included. The trainee page opens this
with ``open_import_wizard`` from its import button and from a file dropped onto its table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from application.classes import list_classes
from core.certificate_records import display_number
from core.environment_errors import describe_failure
from core.fields import ValidationFailed
from core.idcard import mask_id_number
from core.importing import (
    CertificateRow,
    ColumnMapping,
    ImportPreview,
    ImportRefused,
    Kind,
    RowStatus,
    Sheet,
    Spreadsheet,
    choose_sheet,
    detect_header,
    field_specs,
    import_certificates,
    import_roster,
    kind_title,
    mapping_at,
    preview_certificates,
    preview_roster,
    read_spreadsheet,
)
from core.importing.header import HEADER_SCAN_ROWS, column_letter
from core.importing.roster import class_identity
from core.importing.rows import cell_as_text
from core.phone import mask_phone
from core.privacy import mask_personal_numbers
from gui.tasks import Cancelled, Progress, Task, run_in_background
from models.database import Database
from reports.import_errors import write_error_report

log = logging.getLogger(__name__)

#: What the file dialogs and the drop targets accept.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
FILE_FILTER = "电子表格 (*.xlsx *.xlsm *.xls *.csv *.txt *.tsv);;所有文件 (*)"
NOT_IMPORTED = "（不导入）"
NO_CLASS = "（不加入培训班）"
SAMPLE_ROWS = 6
SHOW_ALL, SHOW_INVALID, SHOW_NEW, SHOW_EXISTING = "全部行", "只看有误的行", "只看新增", "只看已存在"
_STATUS_COLOURS = {
    RowStatus.INVALID: QColor("#fde2e1"),
    RowStatus.EXISTING: QColor("#fff4d6"),
}
_ERROR_COLOUR = QColor("#a40000")
_MAPPING_PAGE, _PREVIEW_PAGE, _DONE_PAGE = 0, 1, 2


def dropped_spreadsheet(mime: QMimeData) -> Path | None:
    """The first local spreadsheet among dropped files, for a drop target's drag events."""
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in SPREADSHEET_SUFFIXES:
                return path
    return None


def _mask_id(text: str) -> str:
    return mask_id_number(text) if text else ""


def _mask_phone(text: str) -> str:
    return mask_phone(text) if text else ""


@dataclass(frozen=True)
class _PreviewColumn:
    """A field shown in the preview: as it will be stored, else as the file has it."""

    header: str
    key: str
    width: int
    show: Callable[[str], str] = str


ROSTER_PREVIEW = (
    _PreviewColumn("姓名", "name", 80),
    _PreviewColumn("性别", "gender", 44),
    _PreviewColumn("身份证号", "id_number", 150, _mask_id),
    _PreviewColumn("手机号", "phone", 100, _mask_phone),
    _PreviewColumn("身份", "identity", 76),
    _PreviewColumn("专业", "major", 96),
    _PreviewColumn("毕业年份", "graduation_year", 64),
)
CERTIFICATE_PREVIEW = (
    _PreviewColumn("姓名", "name", 80),
    _PreviewColumn("身份证号", "id_number", 150, _mask_id),
    _PreviewColumn("证书编号", "number", 150, display_number),
    _PreviewColumn("职业（工种）", "occupation", 110),
    _PreviewColumn("等级", "level", 90),
    _PreviewColumn("发证日期", "issue_date", 86),
)


def _stored_value(row: Any, key: str) -> str:
    """The value as it would be stored; the certificate row keeps its holder apart."""
    if isinstance(row, CertificateRow) and key in ("name", "id_number"):
        return row.holder if key == "name" else row.id_number
    value = getattr(row.fields, key, None) if row.fields is not None else None
    return "" if value is None else str(value)


def _message_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {_ERROR_COLOUR.name()}")
    return label


def _problems(row: Any) -> str:
    parts = [str(issue) for issue in row.errors]
    parts += [f"提示：{issue}" for issue in row.warnings]
    return "；".join(parts)


class PreviewModel(QAbstractTableModel):
    """The checked rows: 行号, 状态, the fields (masked) and the problems, filterable by status."""

    def __init__(self, kind: Kind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns = ROSTER_PREVIEW if kind == "roster" else CERTIFICATE_PREVIEW
        self._preview: ImportPreview[Any] | None = None
        self._shown: list[int] = []

    @property
    def columns(self) -> tuple[_PreviewColumn, ...]:
        return self._columns

    def set_preview(self, preview: ImportPreview[Any], status: RowStatus | None = None) -> None:
        self.beginResetModel()
        self._preview = preview
        self._shown = [
            i for i, r in enumerate(preview.rows) if status is None or r.status is status
        ]
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        assert self._preview is not None
        return self._preview.rows[self._shown[row]]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns) + 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return "行号"
        if section == 1:
            return "状态"
        if section == len(self._columns) + 2:
            return "问题"
        return self._columns[section - 2].header

    def _value(self, row: Any, column: _PreviewColumn) -> str:
        assert self._preview is not None
        text = _stored_value(row, column.key)
        if not text:
            position = self._preview.mapping.fields.get(column.key)
            cells = self._preview.sheet.rows[row.index]
            if position is not None and position < len(cells):
                text = cell_as_text(cells[position]).strip()
        return column.show(text) if text else ""

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.row() >= len(self._shown):
            return None
        row = self.row_at(index.row())
        column = index.column()
        last = len(self._columns) + 2
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return row.line
            if column == 1:
                return str(row.status)
            if column == last:
                return _problems(row)
            return self._value(row, self._columns[column - 2])
        if role == Qt.ItemDataRole.BackgroundRole:
            return _STATUS_COLOURS.get(row.status)
        if role == Qt.ItemDataRole.ForegroundRole and column == last and row.errors:
            return _ERROR_COLOUR
        return None


def _column_choices(sheet: Sheet, mapping: ColumnMapping) -> list[str]:
    """``A列：身份证号码`` for every column the header or the first rows reach."""
    rows = sheet.rows[mapping.header_row : mapping.data_start + HEADER_SCAN_ROWS]
    width = max([len(mapping.headers), *(len(r) for r in rows)])
    return [
        f"{column_letter(c)}列：{mapping.headers[c]}"
        if c < len(mapping.headers) and mapping.headers[c]
        else f"{column_letter(c)}列"
        for c in range(width)
    ]


class ImportWizard(QDialog):
    """One import from file to database; ``imported`` carries the result when done."""

    imported = Signal(object)

    def __init__(self, parent: QWidget | None, database: Database, kind: Kind) -> None:
        super().__init__(parent)
        self.database = database
        self.kind: Kind = kind
        self.path: Path | None = None
        self.spreadsheet: Spreadsheet | None = None
        self.sheet: Sheet | None = None
        self.mapping: ColumnMapping | None = None
        self.preview: ImportPreview[Any] | None = None
        self.task: Task[Any] | None = None
        self.setWindowTitle(f"导入{kind_title(kind)}")
        self.setAcceptDrops(True)
        self.resize(1160, 660)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_mapping_page())
        self.pages.addWidget(self._build_preview_page())
        self.pages.addWidget(self._build_done_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # --- page 1: the file and its columns -----------------------------------------------------

    def _build_mapping_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(self._build_file_row())
        layout.addLayout(self._build_where_row())
        middle = QHBoxLayout()
        middle.addWidget(self._build_fields_box())
        middle.addWidget(self._build_sample_box(), 1)
        layout.addLayout(middle, 1)

        self.class_combo = QComboBox()
        if self.kind == "roster":
            options = QHBoxLayout()
            options.addWidget(QLabel("同时加入培训班："))
            options.addWidget(self.class_combo, 1)
            options.addStretch(1)
            layout.addLayout(options)

        self.mapping_message = _message_label()
        layout.addWidget(self.mapping_message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        self.check_button = QPushButton("下一步：检查数据")
        self.check_button.setDefault(True)
        self.check_button.setEnabled(False)
        self.check_button.clicked.connect(self.check_rows)
        buttons.addWidget(cancel)
        buttons.addWidget(self.check_button)
        layout.addLayout(buttons)
        return page

    def _build_file_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.file_label = QLabel("请选择文件，或把文件拖到这里（.xlsx、.xls、.csv）")
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
            self.load(Path(name))

    def load(self, path: Path) -> None:
        """Read ``path`` off the GUI thread, then show its columns."""
        self.path = path
        self.file_label.setText(f"文件：{path.name}")
        self.mapping_message.setText("")
        self.check_button.setEnabled(False)
        self._load_classes()
        self.task = run_in_background(
            self, "正在读取文件", lambda _p: read_spreadsheet(path), self._loaded, self._failed
        )

    def _load_classes(self) -> None:
        if self.kind != "roster":
            return
        classes = [c for c in list_classes(self.database) if c.status.takes_trainees]
        self.class_combo.clear()
        self.class_combo.addItem(NO_CLASS, None)
        for summary in classes:
            label = f"{summary.name}（{summary.start_date:%Y-%m-%d}起，已有{summary.enrolled}人）"
            self.class_combo.addItem(label, summary.id)

    def _loaded(self, spreadsheet: Spreadsheet) -> None:
        self.spreadsheet = spreadsheet
        try:
            sheet, mapping = choose_sheet(spreadsheet, self.kind)
        except ImportRefused as exc:
            if not spreadsheet.sheets:
                self._show_mapping_error(str(exc))
                return
            sheet, mapping = spreadsheet.sheets[0], mapping_at(spreadsheet.sheets[0], self.kind, 0)
            self._show_mapping_error(f"{exc}；请指定表头所在的行和各列")
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(list(spreadsheet.sheet_names))
        self.sheet_combo.setCurrentText(sheet.name)
        self.sheet_combo.blockSignals(False)
        self._use_mapping(sheet, mapping)

    def _sheet_changed(self, name: str) -> None:
        if self.spreadsheet is None or not name:
            return
        sheet = self.spreadsheet.sheet(name)
        self._use_mapping(sheet, detect_header(sheet, self.kind) or mapping_at(sheet, self.kind, 0))

    def _header_row_changed(self, value: int) -> None:
        if self.sheet is not None and self.mapping and self.mapping.header_row != value - 1:
            self._use_mapping(self.sheet, mapping_at(self.sheet, self.kind, value - 1))

    def _use_mapping(self, sheet: Sheet, mapping: ColumnMapping) -> None:
        self.sheet, self.mapping = sheet, mapping
        self.header_spin.blockSignals(True)
        self.header_spin.setValue(mapping.header_row + 1)
        self.header_spin.blockSignals(False)
        choices = _column_choices(sheet, mapping)
        for key, combo in self.field_combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NOT_IMPORTED, None)
            for column, label in enumerate(choices):
                combo.addItem(label, column)
            column = mapping.fields.get(key)
            combo.setCurrentIndex(0 if column is None else column + 1)
            combo.blockSignals(False)
        self._fill_sample(sheet, mapping, len(choices))
        self._mapping_changed()

    def _field_changed(self, key: str) -> None:
        if self.mapping is None:
            return
        self.mapping = self.mapping.with_field(key, self.field_combos[key].currentData())
        for other, combo in self.field_combos.items():
            column = self.mapping.fields.get(other)
            combo.blockSignals(True)
            combo.setCurrentIndex(0 if column is None else column + 1)
            combo.blockSignals(False)
        self._mapping_changed()

    def _mapping_changed(self) -> None:
        assert self.mapping is not None
        missing = self.mapping.missing_required()
        if missing:
            names = "、".join(f"“{s.label}”" for s in missing)
            self._show_mapping_error(f"请为{names}选择所在的列")
        else:
            self.mapping_message.setText("")
        self.check_button.setEnabled(not missing)

    def _show_mapping_error(self, message: str) -> None:
        self.mapping_message.setText(message)
        self.check_button.setEnabled(False)

    def _fill_sample(self, sheet: Sheet, mapping: ColumnMapping, width: int) -> None:
        rows = sheet.rows[mapping.data_start : mapping.data_start + SAMPLE_ROWS]
        self.sample.clear()
        self.sample.setColumnCount(width)
        self.sample.setRowCount(len(rows))
        self.sample.setHorizontalHeaderLabels([mapping.header_text(c) for c in range(width)])
        for r, row in enumerate(rows):
            for c in range(min(width, len(row))):
                text = mask_personal_numbers(cell_as_text(row[c]))
                self.sample.setItem(r, c, QTableWidgetItem(text))
        self.sample.resizeColumnsToContents()
        header = self.sample.horizontalHeader()
        for c in range(width):
            header.resizeSection(c, min(max(header.sectionSize(c), 60), 180))

    # --- page 2: every row checked ------------------------------------------------------------

    def _build_preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        self.summary = QLabel()
        self.filter_combo = QComboBox()
        self.filter_combo.addItems([SHOW_ALL, SHOW_INVALID, SHOW_NEW, SHOW_EXISTING])
        self.filter_combo.currentTextChanged.connect(self._filter_changed)
        top.addWidget(self.summary, 1)
        top.addWidget(self.filter_combo)
        layout.addLayout(top)

        self.model = PreviewModel(self.kind, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.resizeSection(0, 52)
        header.resizeSection(1, 56)
        for offset, column in enumerate(self.model.columns, start=2):
            header.resizeSection(offset, column.width)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        layout.addWidget(self.table, 1)

        options = QHBoxLayout()
        self.skip_invalid = QCheckBox("只导入有效的行（跳过有误的行）")
        self.skip_invalid.toggled.connect(self._options_changed)
        self.update_existing = QCheckBox("用文件内容更新库中已有的学员")
        options.addWidget(self.skip_invalid)
        if self.kind == "roster":
            options.addWidget(self.update_existing)
        options.addStretch(1)
        layout.addLayout(options)

        self.preview_message = _message_label()
        layout.addWidget(self.preview_message)

        buttons = QHBoxLayout()
        back = QPushButton("上一步")
        back.clicked.connect(lambda: self.pages.setCurrentIndex(_MAPPING_PAGE))
        self.report_button = QPushButton("保存错误报告…")
        self.report_button.clicked.connect(self._choose_report_path)
        self.import_button = QPushButton("导入")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        buttons.addWidget(back)
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        return page

    def selected_class(self) -> int | None:
        return self.class_combo.currentData() if self.kind == "roster" else None

    def check_rows(self) -> None:
        """Check every row off the GUI thread (nothing is written), then show the verdicts."""
        sheet, mapping = self.sheet, self.mapping
        assert sheet is not None and mapping is not None
        class_id = self.selected_class()

        def job(progress: Progress) -> ImportPreview[Any]:
            def report(done: int, total: int) -> None:
                progress.check()
                progress.report(done, total, f"正在检查第 {done} 行，共 {total} 行")

            with self.database.session() as session:
                if self.kind == "certificates":
                    return preview_certificates(session, sheet, mapping, progress=report)
                identity = None if class_id is None else class_identity(session, class_id)
                return preview_roster(
                    session, sheet, mapping, default_identity=identity, progress=report
                )

        self.task = run_in_background(self, "正在检查数据", job, self._checked, self._failed)

    def _checked(self, preview: ImportPreview[Any]) -> None:
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
        self.preview_message.setText("")
        start = SHOW_INVALID if invalid else SHOW_ALL
        if self.filter_combo.currentText() == start:
            self._filter_changed(start)
        else:
            self.filter_combo.setCurrentText(start)
        self._options_changed()
        self.pages.setCurrentIndex(_PREVIEW_PAGE)

    def _filter_changed(self, text: str) -> None:
        if self.preview is None:
            return
        status = {
            SHOW_INVALID: RowStatus.INVALID,
            SHOW_NEW: RowStatus.NEW,
            SHOW_EXISTING: RowStatus.EXISTING,
        }.get(text)
        self.model.set_preview(self.preview, status)

    def _options_changed(self) -> None:
        invalid = len(self.preview.invalid) if self.preview else 0
        ready = self.preview is not None and (not invalid or self.skip_invalid.isChecked())
        self.import_button.setEnabled(ready)
        if invalid and not self.skip_invalid.isChecked():
            self.preview_message.setText(
                f"有 {invalid} 行有误：请改正文件后重新导入，或勾选“只导入有效的行”。"
                "可点“保存错误报告”得到标出错误单元格的表格。"
            )
        else:
            self.preview_message.setText("")

    def _choose_report_path(self) -> None:
        assert self.path is not None
        suggested = str(self.path.with_name(f"{self.path.stem}-错误报告.xlsx"))
        name, _ = QFileDialog.getSaveFileName(
            self, "保存错误报告", suggested, "Excel 工作簿 (*.xlsx)"
        )
        if name:
            self.save_error_report(Path(name))

    def save_error_report(self, path: Path) -> None:
        """Write the invalid rows, bad cells marked, off the GUI thread."""
        preview = self.preview
        assert preview is not None
        self.task = run_in_background(
            self,
            "正在保存错误报告",
            lambda _p: write_error_report(preview, path),
            lambda written: self.preview_message.setText(f"错误报告已保存：{written.path}"),
            self._failed,
        )

    # --- writing ------------------------------------------------------------------------------

    def start_import(self) -> None:
        """Write everything in one transaction off the GUI thread; 取消 rolls it all back."""
        preview = self.preview
        assert preview is not None
        skip = self.skip_invalid.isChecked()
        update = self.update_existing.isChecked()
        class_id = self.selected_class()

        def job(progress: Progress) -> Any:
            def report(done: int, total: int) -> None:
                progress.check()
                progress.report(done, total, f"正在写入第 {done} 条，共 {total} 条")

            if self.kind == "certificates":
                return import_certificates(
                    self.database, preview, skip_invalid=skip, progress=report
                )
            return import_roster(
                self.database,
                preview,
                update_existing=update,
                class_id=class_id,
                skip_invalid=skip,
                progress=report,
            )

        self.import_button.setEnabled(False)
        self.task = run_in_background(self, "正在导入", job, self._imported, self._import_failed)

    def _import_failed(self, exc: BaseException) -> None:
        self._options_changed()
        self._failed(exc)

    def _imported(self, result: Any) -> None:
        self.done_label.setText(_result_text(result))
        self.pages.setCurrentIndex(_DONE_PAGE)
        self.imported.emit(result)

    # --- page 3: the outcome ------------------------------------------------------------------

    def _build_done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.done_label)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("完成")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        return page

    # --- failures and drops -------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        """Refusals, environment problems and cancels as a line on the current page."""
        if isinstance(exc, Cancelled):
            message = "已取消，未写入任何数据。"
        elif isinstance(exc, (ImportRefused, ValidationFailed)):
            message = str(exc)
        else:
            message = describe_failure(exc)
        label = self.mapping_message if self.pages.currentIndex() == 0 else self.preview_message
        label.setText(message)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.pages.currentIndex() == _MAPPING_PAGE and dropped_spreadsheet(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_spreadsheet(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.load(path)


def _result_text(result: Any) -> str:
    if hasattr(result, "already_stored"):
        lines = [f"新增证书 {result.inserted} 本"]
        if result.already_stored:
            lines.append(f"已在库中、未重复导入 {result.already_stored} 本")
    else:
        lines = [f"新增学员 {result.inserted} 人", f"更新 {result.updated} 人"]
        if result.unchanged:
            lines.append(f"已在库中、未改动 {result.unchanged} 人")
        if result.enrolled:
            lines.append(f"新加入培训班 {result.enrolled} 人")
    if result.skipped_invalid:
        lines.append(f"跳过有误的 {result.skipped_invalid} 行")
    return "导入完成\n\n" + "\n".join(lines)


def open_import_wizard(
    parent: QWidget | None,
    database: Database,
    path: Path | None = None,
    kind: Kind = "roster",
) -> ImportWizard | None:
    """Open the wizard for ``path`` (asking for a file when ``None``); ``None`` if none chosen.

    Connect to the returned wizard's ``imported`` signal to refresh a view afterwards.
    """
    if path is None:
        name, _ = QFileDialog.getOpenFileName(
            parent, f"选择要导入的{kind_title(kind)}", "", FILE_FILTER
        )
        if not name:
            return None
        path = Path(name)
    wizard = ImportWizard(parent, database, kind)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.open()
    wizard.load(path)
    return wizard
