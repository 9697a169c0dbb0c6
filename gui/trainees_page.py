"""The 学员 page: the trainee table with its search box, the edit dialog, delete and undo,
and below the table the selected trainee's certificates and classes.

Keyboard first: Ctrl+F searches, ↓ or Enter in the search box goes to the table, Enter on a
row edits it, Ctrl+N adds, Del deletes (after asking), Ctrl+Z brings the deletion back.
Rosters come in through 导入名册 or by dropping a spreadsheet onto the table; 导出名单 writes
the trainees the table shows, in its order.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from application import trainees
from core.fields import ValidationFailed
from core.trainees.records import MAX_DELETE, DeletedTrainees, TraineeDetails
from gui.document_actions import export_trainee_list
from gui.import_wizard import ImportWizard, dropped_spreadsheet, open_import_wizard
from gui.trainee_dialog import JUMP_TO_EXISTING, TraineeDialog
from gui.trainee_picker import SEARCH_DELAY_MS
from gui.trainee_table import COLUMNS, TraineeTableModel
from gui.widgets import (
    action_row,
    as_plain,
    page_title,
    plain_label,
    record_shortcuts,
    record_table,
)
from models.database import Database

CERTIFICATE_HEADERS = ("证书类型", "职业（工种）", "等级", "证书编号", "发证日期", "计入附件1")
CLASS_HEADERS = ("培训班", "开班—结业", "状态", "已发券", "已验券", "结业")
_SETTINGS = "trainees_page"


def _yes(flag: bool) -> str:
    return "是" if flag else "—"


def _small_table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # a few rows only
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))


class TraineeDetailPanel(QWidget):
    """The selected trainee's certificates and classes: what the clerk checks before a call."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = plain_label("选择一名学员查看其证书和培训班")
        self.certificates = _small_table(CERTIFICATE_HEADERS)
        self.classes = _small_table(CLASS_HEADERS)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.certificates, "证书")
        self.tabs.addTab(self.classes, "培训班")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)

    def show_details(self, details: TraineeDetails | None) -> None:
        if details is None:
            self.heading.setText("选择一名学员查看其证书和培训班")
            _fill(self.certificates, [])
            _fill(self.classes, [])
            self.tabs.setTabText(0, "证书")
            self.tabs.setTabText(1, "培训班")
            return
        owner = "" if details.editable else f"（{details.owner}报送，只能查看）"
        self.heading.setText(f"{details.name}{owner}")
        _fill(
            self.certificates,
            [
                (
                    c.cert_type,
                    c.occupation,
                    c.level or "—",
                    c.number,
                    f"{c.issue_date:%Y-%m-%d}" if c.issue_date else "",
                    c.counts_as or "不计入",
                )
                for c in details.certificates
            ],
        )
        _fill(
            self.classes,
            [
                (
                    k.name,
                    f"{k.start_date:%Y-%m-%d} — {k.end_date:%Y-%m-%d}",
                    k.status,
                    _yes(k.voucher_issued),
                    _yes(k.voucher_verified),
                    f"{k.completion_date:%Y-%m-%d}" if k.completion_date else _yes(k.completed),
                )
                for k in details.classes
            ],
        )
        self.tabs.setTabText(0, f"证书（{len(details.certificates)}）")
        self.tabs.setTabText(1, f"培训班（{len(details.classes)}）")


class TraineesPage(QWidget):
    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.model = TraineeTableModel(database, self)
        self._deleted: list[DeletedTrainees] = []
        self._current: TraineeDetails | None = None
        self._build()
        self._connect()
        self._restore_layout()
        self._update_buttons()
        self.summary.setText(self.model.status_text())

    # --- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        title = page_title("学员")
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索：姓名、身份证号（或末4—6位）、手机号（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        self.reveal = QCheckBox("显示完整号码")
        self.reveal.setToolTip("身份证号、手机号默认只显示首尾几位；勾选后显示完整号码")
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.reveal)

        self.add_button = QPushButton("新增学员（Ctrl+N）")
        self.edit_button = QPushButton("修改（Enter）")
        self.delete_button = QPushButton("删除（Del）")
        self.undo_button = QPushButton("撤销删除（Ctrl+Z）")
        self.import_button = QPushButton("导入名册")
        self.import_button.setToolTip("从 Excel 或 CSV 名册导入学员；也可把文件拖到表格上")
        self.export_button = QPushButton("导出名单")
        self.export_button.setToolTip("把表格中按当前搜索和排序列出的学员及其证书导出为 Excel")
        self.summary = QLabel()
        buttons = (
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.undo_button,
            self.import_button,
            self.export_button,
        )
        for button in buttons:
            button.setAutoDefault(False)
        actions = action_row(buttons, self.summary)

        self.table = self._make_table()
        self.details = TraineeDetailPanel()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.message = plain_label()

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(search_row)
        layout.addLayout(actions)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.message)

    def _make_table(self) -> QTableView:
        """No word wrap, fixed row height, whole rows: what keeps 200,000 rows smooth."""
        table = record_table(self.model, QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setWordWrap(False)
        table.viewport().setAcceptDrops(True)  # a roster dropped here opens the import wizard
        table.viewport().installEventFilter(self)
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorClearable(True)
        table.setSortingEnabled(True)
        header.setStretchLastSection(True)
        metrics = table.fontMetrics()
        for column, spec in enumerate(COLUMNS):
            header.resizeSection(
                column, max(spec.width, metrics.horizontalAdvance(spec.header) + 32)
            )
        return table

    def _audit_reveal(self, revealed: bool) -> None:
        if revealed:
            trainees.reveal_listed_numbers(self.database, "学员列表：显示完整号码")

    def _connect(self) -> None:
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(self._search_timer.start)
        self.reveal.toggled.connect(self.model.set_reveal)
        self.reveal.toggled.connect(self._audit_reveal)
        self.model.statusChanged.connect(self.summary.setText)
        self.add_button.clicked.connect(self.add_trainee)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_button.clicked.connect(self.undo_delete)
        self.import_button.clicked.connect(lambda _checked: self.import_roster())
        self.export_button.clicked.connect(self.export_list)
        self.table.activated.connect(lambda _index: self.edit_current())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.selectionModel().currentRowChanged.connect(self._show_current)
        self.model.modelReset.connect(self._model_reset)
        record_shortcuts(
            self,
            self.table,
            new=self.add_trainee,
            find=self.focus_search,
            undo=self.undo_delete,
            delete=self.delete_selected,
        )

    def _restore_layout(self) -> None:
        settings = QSettings()
        header = settings.value(f"{_SETTINGS}/header")
        if isinstance(header, QByteArray):
            self.table.horizontalHeader().restoreState(header)
        splitter = settings.value(f"{_SETTINGS}/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def save_layout(self) -> None:
        """Column widths and the split, kept for the next start (the main window calls it)."""
        settings = QSettings()
        settings.setValue(f"{_SETTINGS}/header", self.table.horizontalHeader().saveState())
        settings.setValue(f"{_SETTINGS}/splitter", self.splitter.saveState())

    # --- searching and selecting ------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and isinstance(event, QDropEvent):
            return self._spreadsheet_dragged(event)
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
        ):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.apply_search()
                self._focus_table()
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _focus_table(self) -> None:
        self.table.setFocus()
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))

    def apply_search(self) -> None:
        self._search_timer.stop()
        self.model.set_search(self.search.text())

    def showEvent(self, event: QShowEvent) -> None:
        # Imports and the other pages change trainees too: show what is there now.
        self.refresh()
        super().showEvent(event)

    def refresh(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else self.current_id()
        self.model.refresh()
        if keep is not None:
            self.select(keep)

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.trainee_id(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [i for i in (self.model.trainee_id(r) for r in rows) if i is not None]

    def select(self, trainee_id: int) -> bool:
        row = self.model.row_of(trainee_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def show_trainee(self, trainee_id: int) -> None:
        """Bring one trainee into view, searching by name if the current search hides them."""
        if not self.select(trainee_id):
            shown = trainees.show_trainee(self.database, trainee_id)
            if shown is None:
                return
            self.search.setText(shown.name)
            self.apply_search()
            self.select(trainee_id)
        self.table.setFocus()

    def _model_reset(self) -> None:
        self._show_current()
        self._update_buttons()

    def _show_current(self) -> None:
        trainee_id = self.current_id()
        details = None if trainee_id is None else trainees.show_trainee(self.database, trainee_id)
        self._current = details
        self.details.show_details(details)
        self._update_buttons()

    def _update_buttons(self) -> None:
        editable = self._current is not None and self._current.editable
        self.edit_button.setEnabled(editable)
        self.delete_button.setEnabled(editable or len(self.selected_ids()) > 1)
        self.undo_button.setEnabled(bool(self._deleted))

    # --- editing ----------------------------------------------------------------------------

    def add_trainee(self) -> None:
        self._open(TraineeDialog(self.database, parent=self))

    def edit_current(self) -> None:
        if self._current is not None and self._current.editable:
            self._open(TraineeDialog(self.database, self._current.trainee_id, parent=self))

    def _open(self, dialog: TraineeDialog) -> None:
        result = dialog.exec()
        if result == JUMP_TO_EXISTING and dialog.jump_to is not None:
            self.show_trainee(dialog.jump_to)
        elif result and dialog.saved_id is not None:
            self.message.setText("已保存。")
            self.refresh(dialog.saved_id)
            self.table.setFocus()

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if len(ids) > MAX_DELETE:
            QMessageBox.information(
                self, "删除学员", f"一次最多删除 {MAX_DELETE:,} 名学员，请缩小选择范围。"
            )
            return
        if not self._confirm_delete(ids):
            return
        try:
            snapshot = trainees.delete_trainees(self.database, ids)
        except ValidationFailed as refused:
            QMessageBox.warning(self, "无法删除", as_plain(str(refused)))
            return
        self._deleted.append(snapshot)
        shown = "、".join(snapshot.names[:3]) + ("等" if snapshot.count > 3 else "")
        self.message.setText(f"已删除 {snapshot.count} 名学员（{shown}）；按 Ctrl+Z 撤销。")
        self.refresh()
        self._update_buttons()

    def _confirm_delete(self, ids: list[int]) -> bool:
        preview = trainees.deletion_preview(self.database, ids)
        names = preview.names
        if len(ids) == 1:
            who = f"“{names[0]}”"
        else:
            more = "等" if len(ids) > len(names) else ""
            who = f"选中的 {len(ids)} 名学员（{'、'.join(names)}{more}）"
        also = []
        if preview.certificates:
            also.append(f"{preview.certificates} 张证书")
        if preview.places:
            also.append(f"{preview.places} 条培训班名单记录")
        text = f"删除{who}？"
        if also:
            text += f"\n同时删除其{'和'.join(also)}。"
        text += "\n删除后可按 Ctrl+Z 撤销。"
        answer = QMessageBox.question(
            self,
            "删除学员",
            as_plain(text),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    # --- importing and exporting ------------------------------------------------------------

    def import_roster(self, path: Path | None = None) -> ImportWizard | None:
        """The import wizard for ``path``, or for a file the clerk picks when ``None``."""
        wizard = open_import_wizard(self, self.database, path)
        if wizard is not None:
            wizard.imported.connect(self._imported)
        return wizard

    def _imported(self, _result: object) -> None:
        self.refresh()
        self.message.setText("名册已导入，表格已更新。")

    def _spreadsheet_dragged(self, event: QDropEvent) -> bool:
        """Take a spreadsheet dragged onto the table; anything else is refused.

        ``QDragEnterEvent`` and ``QDragMoveEvent`` are ``QDropEvent`` subclasses, so one
        check serves all three; only the drop itself opens the wizard.
        """
        path = dropped_spreadsheet(event.mimeData())
        if path is None:
            event.ignore()
            return True
        event.acceptProposedAction()
        if not isinstance(event, (QDragEnterEvent, QDragMoveEvent)):
            self.import_roster(path)
        return True

    def export_list(self) -> None:
        """导出名单: what the table shows, searched and sorted as on screen."""
        self.apply_search()
        export_trainee_list(self, self.database, self.model.query)

    def undo_delete(self) -> None:
        if not self._deleted:
            return
        snapshot = self._deleted[-1]
        try:
            restored = trainees.undo_deletion(self.database, snapshot)
        except ValidationFailed as refused:
            self.message.setText(f"无法撤销删除：{refused}")
            return
        self._deleted.pop()
        self.message.setText(f"已恢复 {snapshot.count} 名学员。")
        self.refresh(restored[0] if restored else None)
        self._update_buttons()
