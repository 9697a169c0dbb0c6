"""还差谁 on screen: the groups (class or major) with most graduates missing, and who they are.

The list is a lazy model over ``application.progress.missing_page``: it counts in SQL, then
fetches a page of rows as the view scrolls, so a college with thousands of graduates opens the
tab at once. The pages arrive with ID numbers and phones masked; the full numbers are never in
the model. The Excel export (``application.documents.write_missing_list``) runs off the GUI
thread; with full numbers, the clerk is told what the file will hold before choosing where.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from application import documents
from application.progress import missing_page, missing_total
from core.fields import ValidationFailed
from core.progress import MISSING_GROUPS, GroupCount, MissingScope
from gui.progress_panels import EXCEL_FILTER, Cell, TablePanel, ask_save_path, report_failure
from gui.tasks import Cancelled, Progress, Task, run_in_background
from gui.widgets import plain_label
from models.database import Database
from reports.output import WrittenDocument

Index = QModelIndex | QPersistentModelIndex

HEADERS = ("班级", "专业", "姓名", "性别", "身份证号", "手机号", "已有证书数")
#: Rows fetched per page as the view scrolls.
PAGE = 200
ALL_GROUPS = "（全部）"


class MissingModel(QAbstractTableModel):
    """Graduates without a qualifying certificate, fetched a page at a time, masked."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.scope: MissingScope | None = None
        self.by = "class_name"
        self.group: str | None = None
        self.total = 0
        self.rows: list[tuple[str, ...]] = []

    def set_query(self, scope: MissingScope | None, by: str, group: str | None) -> None:
        self.beginResetModel()
        self.scope, self.by, self.group = scope, by, group
        self.rows = []
        if scope is None:
            self.total = 0
        else:
            self.total = missing_total(self.database, scope, by=by, group=group)
        self.endResetModel()
        # A view fetches more only as it scrolls; a hidden tab's view would start empty.
        self.fetchMore()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self.scope is None:
            return
        page = missing_page(
            self.database,
            self.scope,
            by=self.by,
            group=self.group,
            offset=len(self.rows),
            limit=PAGE,
        )
        if not page:
            self.total = len(self.rows)  # the data changed under us; stop asking
            return
        start = len(self.rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self.rows += [
            (
                r.class_name,
                r.major,
                r.name,
                r.gender,
                r.id_number,
                r.phone,
                str(r.certificates),
            )
            for r in page
        ]
        self.endInsertRows()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.rows[index.row()][index.column()]


class MissingPanel(QWidget):
    """Group counts on the left; pick one to list its graduates on the right; export to Excel."""

    exported = Signal(object)

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.scope: MissingScope | None = None
        self.groups: dict[str, tuple[GroupCount, ...]] = {}
        self._task: Task[WrittenDocument] | None = None

        self.group_by = QComboBox()
        for key, label in MISSING_GROUPS.items():
            self.group_by.addItem(f"按{label}", key)
        self.group_by.currentIndexChanged.connect(self._show_groups)
        self.summary = plain_label()
        self.reveal = QCheckBox("导出完整身份证号和手机号")
        self.reveal.setToolTip("默认导出打码的号码；需要联系学生时再勾选（敏感个人信息）")
        self.export_button = QPushButton("导出 Excel…")
        self.export_button.clicked.connect(self._ask_export)
        bar = QHBoxLayout()
        bar.addWidget(self.group_by)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.reveal)
        bar.addWidget(self.export_button)

        self.group_table = TablePanel("尚未取证人数", ("分组", "应届毕业生", "尚未取证"))
        self.group_table.view.clicked.connect(self._pick_group)
        self.group_table.export_button.hide()  # the list's workbook has the counts too
        self.model = MissingModel(database, self)
        self.list_view = QTableView()
        self.list_view.setModel(self.model)
        self.list_view.setWordWrap(False)
        self.list_view.verticalHeader().setDefaultSectionSize(24)
        self.list_view.horizontalHeader().setStretchLastSection(True)
        splitter = QSplitter()
        splitter.addWidget(self.group_table)
        splitter.addWidget(self.list_view)
        splitter.setSizes([360, 900])

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    @property
    def by(self) -> str:
        return str(self.group_by.currentData())

    def set_scope(
        self, scope: MissingScope | None, groups: dict[str, tuple[GroupCount, ...]]
    ) -> None:
        self.scope = scope
        self.groups = groups
        self._show_groups()

    def _show_groups(self) -> None:
        groups = self.groups.get(self.by, ())
        label = MISSING_GROUPS[self.by]
        self.group_table.title = f"按{label}统计尚未取证人数"
        self.group_table.model.setHorizontalHeaderLabels([label, "应届毕业生", "尚未取证"])
        graduates = sum(g.graduates for g in groups)
        missing = sum(g.missing for g in groups)
        rows = [[Cell(ALL_GROUPS, ""), Cell.number(graduates), Cell.number(missing)]]
        rows += [
            [
                Cell(g.name or "（未填）", g.name, key=g.name),
                Cell.number(g.graduates),
                Cell.number(g.missing),
            ]
            for g in groups
            if g.missing
        ]
        self.group_table.set_rows(rows)
        self.export_button.setEnabled(self.scope is not None and missing > 0)
        self.show_group(None)

    def _pick_group(self, index: QModelIndex) -> None:
        self.show_group(self.group_table.key_at(index.row()))

    def show_group(self, group: str | None) -> None:
        """List one group's missing graduates (None: everyone's)."""
        self.model.set_query(self.scope, self.by, group)
        self.list_view.resizeColumnsToContents()
        where = "全部" if group is None else f"“{group or '（未填）'}”"
        self.summary.setText(f"{where}尚未取得合格证书：{self.model.total:,} 人")

    def _ask_export(self) -> None:
        """With full numbers, the notice first (the clerk may still decline), then where."""
        if self.scope is None:
            return
        reveal = self.reveal.isChecked()
        if reveal and not self._confirm_full_numbers(self.scope):
            return
        year = self.scope.year
        path = ask_save_path(self, "导出还差谁名单", f"{year}届未取证名单.xlsx", EXCEL_FILTER)
        if path is not None:
            self.export_to(path, reveal=reveal)

    def _confirm_full_numbers(self, scope: MissingScope) -> bool:
        file = documents.describe_missing_list(self.database, scope)
        if file is None:
            return True  # nobody is missing: the file holds no one's numbers
        answer = QMessageBox.warning(
            self,
            "敏感个人信息",
            file.notice,
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Ok

    def export_to(self, path: Path, *, reveal: bool) -> Task[WrittenDocument] | None:
        """Write the whole list (every group, ordered by the current grouping) in the background."""
        scope = self.scope
        if scope is None or self._task is not None:
            return None
        by = self.by

        def job(progress: Progress) -> WrittenDocument:
            progress.check()
            return documents.write_missing_list(self.database, scope, path, by=by, full=reveal)

        self.export_button.setEnabled(False)
        self._task = run_in_background(
            self, "正在导出还差谁名单…", job, self._exported, self._failed
        )
        return self._task

    def _exported(self, written: WrittenDocument) -> None:
        self._task = None
        self.export_button.setEnabled(True)
        self.summary.setText(f"已导出 {written.rows:,} 人：{written.path}")
        self.exported.emit(written)

    def _failed(self, exc: BaseException) -> None:
        self._task = None
        self.export_button.setEnabled(True)
        if isinstance(exc, ValidationFailed | OSError):
            report_failure(self, exc)
        elif not isinstance(exc, Cancelled):
            report_failure(self, RuntimeError(f"导出时出错：{exc}"))
        self.exported.emit(exc)
