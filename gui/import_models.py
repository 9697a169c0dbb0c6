"""What the import wizard shows of a file and of its checked rows, as Qt sees it.

``column_choices`` labels the columns the clerk may pick for a field (``C列：身份证号码``) and
``sample_text`` a cell of the file's first rows; ``PreviewModel`` is the table of checked rows;
``message_label`` is the line under either page that says what stops the next step.
Every ID number and phone is masked here, the file's sample rows included: the screen never
needs them in full, and the error report, which does, is an audited file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from core.base.privacy import mask_personal_numbers
from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone
from core.importing import CertificateRow, ColumnMapping, ImportPreview, Kind, RowStatus, Sheet
from core.importing.header import HEADER_SCAN_ROWS, column_letter
from core.importing.reader import Cell
from core.importing.rows import cell_as_text
from core.trainees.certificates import display_number
from gui.widgets import plain_label

_STATUS_COLOURS = {
    RowStatus.INVALID: QColor("#fde2e1"),
    RowStatus.EXISTING: QColor("#fff4d6"),
}
#: The colour of a refusal, in the table and in the wizard's message lines.
ERROR_COLOUR = QColor("#a40000")


def _mask_id(text: str) -> str:
    return mask_id_number(text) if text else ""


def _mask_phone(text: str) -> str:
    return mask_phone(text) if text else ""


@dataclass(frozen=True)
class PreviewColumn:
    """A field shown in the preview: as it will be stored, else as the file has it."""

    header: str
    key: str
    width: int
    show: Callable[[str], str] = str


ROSTER_PREVIEW = (
    PreviewColumn("姓名", "name", 80),
    PreviewColumn("性别", "gender", 44),
    PreviewColumn("身份证号", "id_number", 150, _mask_id),
    PreviewColumn("手机号", "phone", 100, _mask_phone),
    PreviewColumn("身份", "identity", 76),
    PreviewColumn("专业", "major", 96),
    PreviewColumn("毕业年份", "graduation_year", 64),
)
CERTIFICATE_PREVIEW = (
    PreviewColumn("姓名", "name", 80),
    PreviewColumn("身份证号", "id_number", 150, _mask_id),
    PreviewColumn("证书编号", "number", 150, display_number),
    PreviewColumn("职业（工种）", "occupation", 110),
    PreviewColumn("等级", "level", 90),
    PreviewColumn("发证日期", "issue_date", 86),
)


def column_choices(sheet: Sheet, mapping: ColumnMapping) -> list[str]:
    """``A列：身份证号码`` for every column the header or the first rows reach."""
    rows = sheet.rows[mapping.header_row : mapping.data_start + HEADER_SCAN_ROWS]
    width = max([len(mapping.headers), *(len(r) for r in rows)])
    return [
        f"{column_letter(c)}列：{mapping.headers[c]}"
        if c < len(mapping.headers) and mapping.headers[c]
        else f"{column_letter(c)}列"
        for c in range(width)
    ]


def sample_text(cell: Cell) -> str:
    """A cell of the file as the sample table shows it, anything number-shaped masked."""
    return mask_personal_numbers(cell_as_text(cell))


def message_label() -> QLabel:
    """A wrapped line in the refusal colour, empty until there is something to say."""
    label = plain_label()  # it quotes the file's cells and column names
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR.name()}")
    return label


def _stored_value(row: Any, key: str) -> str:
    """The value as it would be stored; the certificate row keeps its holder apart."""
    if isinstance(row, CertificateRow) and key in ("name", "id_number"):
        return row.holder if key == "name" else row.id_number
    value = getattr(row.fields, key, None) if row.fields is not None else None
    return "" if value is None else str(value)


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
    def columns(self) -> tuple[PreviewColumn, ...]:
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

    def _value(self, row: Any, column: PreviewColumn) -> str:
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
            return ERROR_COLOUR
        return None
