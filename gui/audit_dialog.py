"""操作日志: who changed which record when, filtered by date, record type, action and user.

The entries come from ``application.safety.audit_log`` already masked; this dialog only
shows them. At most ``LIMIT`` of the newest matching entries are listed, and the count says
so, because a school's log reaches hundreds of thousands of rows after a few imports.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from application.safety import audit_log, audit_users
from core.safety.audit import ACTIONS, ENTITY_LABELS, AuditFilter, AuditRow
from gui.widgets import as_plain
from models.database import Database

LIMIT = 1000
ALL = "全部"
COLUMNS = ("时间", "用户", "计算机", "操作", "类型", "记录", "改动")
RECORD_COLUMN = 5
#: Wide enough for a masked name and ID number; longer texts are elided, whole in the tooltip.
RECORD_WIDTH = 300
DEFAULT_DAYS = 30
SEARCH_DELAY_MS = 250


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class AuditDialog(QDialog):
    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.setWindowTitle("操作日志")
        self.resize(QSize(1000, 560))
        self.rows: list[AuditRow] = []

        today = date.today()
        self.since = QDateEdit(_qdate(today - timedelta(days=DEFAULT_DAYS)))
        self.until = QDateEdit(_qdate(today))
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self.refresh)
        self.entity = QComboBox()
        self.entity.addItem(ALL, None)
        for key, label in ENTITY_LABELS.items():
            self.entity.addItem(label, key)
        self.action = QComboBox()
        self.action.addItem(ALL, None)
        for action in ACTIONS:
            self.action.addItem(action, action)
        self.user = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("记录（姓名首字、证件号后4位）或编号")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        for combo in (self.entity, self.action, self.user):
            combo.currentIndexChanged.connect(self.refresh)

        filters = QHBoxLayout()
        for label, widget in (
            ("从", self.since),
            ("到", self.until),
            ("类型", self.entity),
            ("操作", self.action),
            ("用户", self.user),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)

        self._build_table()
        self.count = QLabel()
        note = QLabel("身份证号、手机号在日志中一律部分隐藏；其他字段只记录字段名，不记录内容。")
        note.setStyleSheet("color: #555;")
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addLayout(bottom)
        self._load_users()
        self.refresh()

    def _build_table(self) -> None:
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        for column in range(RECORD_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RECORD_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(RECORD_COLUMN, RECORD_WIDTH)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

    def _load_users(self) -> None:
        users = audit_users(self.database)
        self.user.blockSignals(True)
        self.user.clear()
        self.user.addItem(ALL, None)
        for name in users:
            self.user.addItem(name, name)
        self.user.blockSignals(False)

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            since=_pydate(self.since.date()),
            until=_pydate(self.until.date()),
            entity=self.entity.currentData(),
            action=self.action.currentData(),
            user=self.user.currentData(),
            text=self.search.text().strip() or None,
        )

    def refresh(self) -> None:
        self.rows = audit_log(self.database, self.current_filter(), limit=LIMIT + 1)
        shown = self.rows[:LIMIT]
        self.table.setRowCount(len(shown))
        for row, entry in enumerate(shown):
            cells = (
                f"{entry.at:%Y-%m-%d %H:%M:%S}",
                entry.os_user,
                entry.host,
                entry.action,
                entry.entity_label,
                entry.detail or (entry.record_uuid or "")[:8],
                entry.changes,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= RECORD_COLUMN:
                    item.setToolTip(as_plain(text))
                item.setData(Qt.ItemDataRole.UserRole, entry.uuid)
                self.table.setItem(row, column, item)
        if len(self.rows) > LIMIT:
            self.count.setText(
                f"符合条件的记录超过 {LIMIT} 条，只显示最新的 {LIMIT} 条；请缩小范围。"
            )
        else:
            self.count.setText(f"共 {len(self.rows)} 条")


def open_audit_dialog(parent: QWidget | None, database: Database) -> None:
    AuditDialog(database, parent).exec()
