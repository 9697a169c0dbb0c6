"""The 证书 section: every certificate with its holder, filtered by type, level and year, and
marked by whether it counts toward the institution's Annex 1 target.

The table is a model over SQL: the filter and the sort run in the database, which hands back
ids a window at a time (the first screenful at once, more as the clerk scrolls), and rows are
read a block at a time as they come into view; so 200,000 certificates open as fast as 200.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from application import certificates
from core import reference
from core.fields import ValidationFailed
from core.trainees.certificates import CertificateFields, CertificateFilter, CertificateRow
from gui.certificate_dialog import CertificateDialog
from gui.import_wizard import ImportWizard, open_import_wizard
from gui.widgets import (
    action_row,
    as_plain,
    page_title,
    plain_label,
    record_shortcuts,
    record_table,
)
from models.database import Database

#: Ids loaded with a new filter or sort: a screenful and then some.
FIRST_WINDOW = 200
#: Ids loaded each time the clerk scrolls to the end of what is loaded.
NEXT_WINDOW = 1000
#: Rows whose values are read together; a screen shows about 30.
BLOCK = 200
#: How far ``row_of`` loads to find a certificate before giving up on showing it.
FIND_LIMIT = 5000
#: Cached rows beyond this are dropped, so scrolling through everything stays bounded.
CACHE_LIMIT = 5000
SEARCH_DELAY_MS = 200
ALL = "全部"
NO_LEVEL_TEXT = "无等级"

Index = QModelIndex | QPersistentModelIndex

#: (sort key or None, header, widest text expected): the width is measured, never guessed.
COLUMNS: tuple[tuple[str | None, str, str], ...] = (
    ("trainee_name", "姓名", "欧阳晓明"),
    ("id_number", "身份证号", "140105********123X"),
    ("cert_type", "证书类型", "职业技能等级证书（含1+X）"),
    ("occupation", "职业（工种）", "信息通信网络运行管理员"),
    ("level", "等级", "一级/高级技师"),
    ("number", "证书编号", "S20251400001234"),
    ("issue_date", "发证日期", "2025-06-30"),
    ("route", "取得途径", "技能大赛"),
    (None, "计入任务", "计入任务"),
    ("issuer", "发证机构", ""),
)
COUNTS_COLUMN = 8


class CertificateTableModel(QAbstractTableModel):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database
        self.filter = CertificateFilter()
        self.sort_key = "issue_date"
        self.descending = True
        self.target_level: str | None = None
        self._ids: list[int] = []
        self._complete = True
        self._rows: dict[int, CertificateRow] = {}

    def _window(self, limit: int) -> list[int]:
        return certificates.certificate_ids(
            self.database,
            self.filter,
            self.sort_key,
            self.descending,
            offset=len(self._ids),
            limit=limit,
        )

    def reload(self) -> None:
        self.beginResetModel()
        self._ids = []
        self._rows.clear()
        self._ids = self._window(FIRST_WINDOW)
        self._complete = len(self._ids) < FIRST_WINDOW
        self.endResetModel()

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._complete

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        more = self._window(NEXT_WINDOW)
        self._complete = len(more) < NEXT_WINDOW
        if more:
            start = len(self._ids)
            self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
            self._ids += more
            self.endInsertRows()

    def certificate_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, certificate_id: int) -> int | None:
        """The row showing ``certificate_id``, loading further windows to find it."""
        while True:
            try:
                return self._ids.index(certificate_id)
            except ValueError:
                if self._complete or len(self._ids) >= FIND_LIMIT:
                    return None
                self.fetchMore(QModelIndex())

    def row(self, row: int) -> CertificateRow | None:
        certificate_id = self._ids[row]
        if certificate_id not in self._rows:
            if len(self._rows) > CACHE_LIMIT:
                self._rows.clear()
            start = row - row % BLOCK
            block = self._ids[start : start + BLOCK]
            self._rows.update(certificates.certificate_rows(self.database, block))
        return self._rows.get(certificate_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            header = COLUMNS[section][1]
            return header
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and section == COUNTS_COLUMN
        ):
            if self.target_level is None:
                return "本机构不在附件1任务表中"
            return f"是否计入本机构附件1的{self.target_level}任务数"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if column == COUNTS_COLUMN:
            counts = self._counts(row)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor("#2e7d32") if counts else QColor("#757575")
            if role == Qt.ItemDataRole.ToolTipRole:
                kind = reference.certificate_type(row.cert_type)
                return kind.note if kind else "证书类型不在方案所列五类之内"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COUNTS_COLUMN:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def _counts(self, row: CertificateRow) -> bool:
        return self.target_level is not None and reference.counts_toward(
            row.cert_type, row.level, self.target_level
        )

    def _text(self, row: CertificateRow, column: int) -> str:
        values = (
            row.trainee_name,
            row.id_number,
            row.cert_type,
            row.occupation,
            row.level or "—",
            row.number,
            f"{row.issue_date:%Y-%m-%d}" if row.issue_date else "",
            row.route,
            "是" if self._counts(row) else "否",
            row.issuer,
        )
        return values[column]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][0]
        if key is None:
            return
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


class CertificatesPage(QWidget):
    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.model = CertificateTableModel(database)
        self._deleted: list[CertificateFields] = []

        title = page_title("证书")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索：姓名、证书编号或身份证号后4位（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.type_filter = QComboBox()
        self.type_filter.addItems([ALL, *(c.name for c in reference.certificate_types())])
        self.level_filter = QComboBox()
        self.level_filter.addItems([ALL, *(lv.name for lv in reference.skill_levels())])
        self.level_filter.addItem(NO_LEVEL_TEXT)
        self.year_filter = QComboBox()
        self.counting_only = QCheckBox("只看计入任务的")
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        for label, widget in (
            ("类型", self.type_filter),
            ("等级", self.level_filter),
            ("年份", self.year_filter),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.counting_only)

        actions = self._build_actions()

        self.table = record_table(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(
            COLUMNS.index(next(c for c in COLUMNS if c[0] == "issue_date")),
            Qt.SortOrder.DescendingOrder,
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = plain_label()

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self._connect()
        self._fit_columns()
        self._update_buttons()

    def _build_actions(self) -> QHBoxLayout:
        self.add_button = QPushButton("新增证书（Ctrl+N）")
        self.edit_button = QPushButton("修改（Enter）")
        self.delete_button = QPushButton("删除（Del）")
        self.undo_button = QPushButton("撤销删除（Ctrl+Z）")
        self.import_button = QPushButton("导入证书")
        self.import_button.setToolTip("从发证机构或鉴定站的 Excel、CSV 证书清单导入")
        self.summary = QLabel()
        return action_row(
            (
                self.add_button,
                self.edit_button,
                self.delete_button,
                self.undo_button,
                self.import_button,
            ),
            self.summary,
        )

    def _connect(self) -> None:
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        for combo in (self.type_filter, self.level_filter, self.year_filter):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.counting_only.toggled.connect(self.apply_filter)
        self.add_button.clicked.connect(self.add_certificate)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.undo_button.clicked.connect(self.undo_delete)
        self.import_button.clicked.connect(self.import_certificates)
        self.table.activated.connect(lambda _index: self.edit_current())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        record_shortcuts(
            self,
            self.table,
            new=self.add_certificate,
            find=self._focus_search,
            undo=self.undo_delete,
            delete=self.delete_current,
        )

    def _fit_columns(self) -> None:
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, (_key, title, widest) in enumerate(COLUMNS):
            text_width = max(
                metrics.horizontalAdvance(title) + 20, metrics.horizontalAdvance(widest)
            )
            header.resizeSection(column, text_width + 12)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def showEvent(self, event: QShowEvent) -> None:
        # Trainees are edited on another page; what is shown here must follow.
        self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Re-read the filter choices and the list, keeping what the clerk selected."""
        years = certificates.issue_years(self.database)
        self.model.target_level = certificates.target_level(self.database)
        chosen = self.year_filter.currentText()
        self.year_filter.blockSignals(True)
        self.year_filter.clear()
        self.year_filter.addItems([ALL, *(str(y) for y in years)])
        self.year_filter.setCurrentText(chosen if chosen else ALL)
        self.year_filter.blockSignals(False)
        self.counting_only.setEnabled(self.model.target_level is not None)
        if self.model.target_level:
            self.counting_only.setText(f"只看计入{self.model.target_level}任务的")
        self.apply_filter()

    def current_filter(self) -> CertificateFilter:
        kind = self.type_filter.currentText()
        level = self.level_filter.currentText()
        year = self.year_filter.currentText()
        counting = self.counting_only.isChecked() and self.model.target_level is not None
        return CertificateFilter(
            text=self.search.text(),
            cert_type=None if kind == ALL else kind,
            level=None if level == ALL else ("" if level == NO_LEVEL_TEXT else level),
            year=int(year) if year.isdigit() else None,
            counting_toward=self.model.target_level if counting else None,
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        selected = self.selected_id()
        self.model.filter = self.current_filter()
        self.model.reload()
        self._select(selected)
        self._show_summary()

    def _show_summary(self) -> None:
        level = self.model.target_level
        total = certificates.count_certificates(self.database, self.model.filter)
        text = f"共 {total:,} 张证书"
        if level is not None and self.model.filter.counting_toward is None:
            counted = certificates.count_certificates(
                self.database, replace(self.model.filter, counting_toward=level)
            )
            text += f"，其中计入本机构{level}任务 {counted:,} 张"
        self.summary.setText(text)

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.certificate_id(rows[0].row()) if rows else None

    def _select(self, certificate_id: int | None) -> None:
        row = None if certificate_id is None else self.model.row_of(certificate_id)
        if row is None:
            return
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)

    def _update_buttons(self) -> None:
        has_selection = self.selected_id() is not None
        self.edit_button.setEnabled(has_selection)
        self.delete_button.setEnabled(has_selection)
        self.undo_button.setEnabled(bool(self._deleted))

    def add_certificate(self) -> None:
        self._open(CertificateDialog(self.database, parent=self))

    def edit_current(self) -> None:
        certificate_id = self.selected_id()
        if certificate_id is not None:
            self._open(CertificateDialog(self.database, certificate_id, parent=self))

    def _open(self, dialog: CertificateDialog) -> None:
        if dialog.exec():
            self.refresh()
            self._select(dialog.certificate_id)
            self.table.setFocus()

    def import_certificates(self) -> ImportWizard | None:
        """The import wizard for a certificate list the clerk picks; the list follows it."""
        wizard = open_import_wizard(self, self.database, None, "certificates")
        if wizard is not None:
            wizard.imported.connect(self._imported)
        return wizard

    def _imported(self, _result: object) -> None:
        self.refresh()
        self.message.setText("证书已导入，列表已更新。")

    def delete_current(self) -> None:
        certificate_id = self.selected_id()
        if certificate_id is None:
            return
        row = self.model.row(self.model.row_of(certificate_id) or 0)
        assert row is not None
        answer = QMessageBox.question(
            self,
            "删除证书",
            as_plain(
                f"删除{row.trainee_name}的{row.cert_type}（{row.number}）？\n"
                "删除后可按 Ctrl+Z 撤销。"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._deleted.append(certificates.delete_certificate(self.database, certificate_id))
        except ValidationFailed as refused:
            self.message.setText(f"无法删除：{refused}")
            self.refresh()
            return
        self.message.setText(f"已删除{row.trainee_name}的证书；按 Ctrl+Z 撤销。")
        self.refresh()

    def undo_delete(self) -> None:
        if not self._deleted:
            return
        fields = self._deleted[-1]
        try:
            restored_id = certificates.add_certificate(self.database, fields)
        except ValidationFailed as refused:
            self.message.setText(f"无法撤销删除：{refused}")
            return
        self._deleted.pop()
        self.message.setText("已撤销删除。")
        self.refresh()
        self._select(restored_id)
