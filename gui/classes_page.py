"""The 培训班 section: the institution's training classes with their dates, status, headcount
and completers, and the way into each class's application, plan and roster."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from application.classes import ClassSummary, delete_class, list_classes
from core import reference
from core.classes.status import ClassStatus
from core.fields import ValidationFailed
from gui.class_dialog import ClassDialog
from gui.document_actions import export_class_roster, export_subsidy, generate_annex3
from gui.widgets import action_row, as_plain, page_title, plain_label, record_table
from models.database import Database

Index = QModelIndex | QPersistentModelIndex

#: (header, widest text expected, or "" for the column that takes the remaining width)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("培训班名称", ""),
    ("对接产业", "先进轨道交通装备制造产业"),
    ("类型", "项目制"),
    ("开班日期", "2025-06-30"),
    ("结业日期", "2025-06-30"),
    ("计划人数", "计划人数"),
    ("名单人数", "名单人数"),
    ("结业人数", "结业人数"),
    ("状态", max((s.label for s in ClassStatus), key=len)),
)
NUMBER_COLUMNS = (5, 6, 7)


def _industry_name(code: str) -> str:
    industry = reference.find_industry(code)
    return industry.full_name if industry else code


class ClassTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[ClassSummary] = []

    def set_summaries(self, summaries: list[ClassSummary]) -> None:
        self.beginResetModel()
        self.summaries = summaries
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.summaries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        summary = self.summaries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                summary.name,
                _industry_name(summary.industry_code),
                summary.kind,
                f"{summary.start_date:%Y-%m-%d}",
                f"{summary.end_date:%Y-%m-%d}",
                str(summary.planned_headcount),
                str(summary.enrolled),
                str(summary.completed),
                summary.status,
            )
            return values[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in NUMBER_COLUMNS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return summary.name
        return None


class ClassesPage(QWidget):
    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.model = ClassTableModel()
        title = page_title("培训班")
        self.add_button = QPushButton("新建培训班（Ctrl+N）")
        self.edit_button = QPushButton("打开（Enter）")
        self.delete_button = QPushButton(f"删除{ClassStatus.DRAFT}（Del）")
        self.report_button = QPushButton("生成申请报告")
        self.print_button = QPushButton("打印申请报告")
        self.subsidy_button = QPushButton("补贴申请表")
        self.roster_button = QPushButton("导出名单")
        self.roster_button.setToolTip("把选中培训班的学员名单导出为 Excel")
        self.summary = QLabel()
        actions = action_row(
            (
                self.add_button,
                self.edit_button,
                self.delete_button,
                self.report_button,
                self.print_button,
                self.subsidy_button,
                self.roster_button,
            ),
            self.summary,
        )
        self.table = record_table(self.model)
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        for column, (name, widest) in enumerate(COLUMNS):
            if widest:
                width = max(metrics.horizontalAdvance(name), metrics.horizontalAdvance(widest))
                header.resizeSection(column, width + 24)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.message = plain_label()
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

        self.add_button.clicked.connect(self.add_class)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.report_button.clicked.connect(lambda: self._document(generate_annex3))
        self.print_button.clicked.connect(
            lambda: self._document(partial(generate_annex3, print_it=True))
        )
        self.subsidy_button.clicked.connect(lambda: self._document(export_subsidy))
        self.roster_button.clicked.connect(lambda: self._document(export_class_roster))
        self.table.activated.connect(lambda _index: self.edit_current())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        QShortcut(
            QKeySequence.StandardKey.New,
            self,
            self.add_class,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        QShortcut(
            QKeySequence(Qt.Key.Key_Delete),
            self.table,
            self.delete_current,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        # Trainees deleted on another page leave the rosters; the counts must follow.
        self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        selected = self.selected()
        summaries = list_classes(self.database)
        self.model.set_summaries(summaries)
        enrolled = sum(s.enrolled for s in summaries)
        completed = sum(s.completed for s in summaries)
        self.summary.setText(
            f"共 {len(summaries)} 个班，名单 {enrolled} 人次，结业 {completed} 人次"
        )
        if selected is not None:
            self._select(selected.id)

    def selected(self) -> ClassSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.summaries[rows[0].row()] if rows else None

    def _select(self, class_id: int | None) -> None:
        for row, summary in enumerate(self.model.summaries):
            if summary.id == class_id:
                self.table.setCurrentIndex(self.model.index(row, 0))
                return

    def _update_buttons(self) -> None:
        selected = self.selected()
        for button in (
            self.edit_button,
            self.report_button,
            self.print_button,
            self.roster_button,
        ):
            button.setEnabled(selected is not None)
        self.delete_button.setEnabled(selected is not None and selected.status.can_be_deleted)
        self.subsidy_button.setEnabled(selected is not None and selected.status.claims_subsidy)

    def _document(self, action: Callable[[QWidget, Database, int], object]) -> None:
        selected = self.selected()
        if selected is not None:
            action(self, self.database, selected.id)

    def add_class(self) -> None:
        self._open(ClassDialog(self.database, parent=self))

    def edit_current(self) -> None:
        selected = self.selected()
        if selected is not None:
            self._open(ClassDialog(self.database, selected.id, parent=self))

    def _open(self, dialog: ClassDialog) -> None:
        dialog.exec()
        # The dialog may have saved a step along the way even when closed with 取消.
        self.refresh()
        self._select(dialog.class_id)
        self.table.setFocus()

    def delete_current(self) -> None:
        selected = self.selected()
        if selected is None:
            return
        draft = ClassStatus.DRAFT
        if not selected.status.can_be_deleted:
            self.message.setText(f"只能删除{draft}；“{selected.name}”已{selected.status}。")
            return
        answer = QMessageBox.question(
            self,
            "删除培训班",
            as_plain(f"删除{draft}“{selected.name}”及其教学计划和学员名单？此操作不能撤销。"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            delete_class(self.database, selected.id)
        except ValidationFailed as refused:
            self.message.setText(str(refused))
            return
        self.message.setText(f"已删除“{selected.name}”。")
        self.refresh()
