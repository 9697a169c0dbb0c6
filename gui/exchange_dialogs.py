"""The dialogs of the 数据交换 page: the dry run of picked packages, a bureau's first keys, and
the question put on a sender's first package; with the read-only tables they and the page use.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from application.exchange import Checked, Refusal
from core.institution import ROLE_LABELS
from core.packages.format import KINDS, Sender
from core.packages.importer import DUPLICATE, ImportOutcome
from core.packages.keys import PASSPHRASE_WARNING, KeyProblem, check_new_passphrase
from gui.widgets import as_plain

COUNT_COLUMNS = ("new", "updated", "deleted", "unchanged", "conflicts")
COUNT_HEADERS = ("新增", "更新", "删除", "未变", "冲突")


def table_item(text: object, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def read_only_table(headers: tuple[str, ...], stretch: int) -> QTableWidget:
    """A read-only list; column ``stretch`` takes the width the others leave."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def new_sender_box(
    sender: Sender, parent: QWidget | None = None
) -> tuple[QMessageBox, QPushButton]:
    """The question put to the clerk on first contact: the fingerprint beside where to find
    it on paper, so the answer is a comparison, not a guess."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("首次收到的发送机构")
    box.setTextFormat(Qt.TextFormat.PlainText)  # the sender's name is the package's word
    box.setText(f"首次收到{sender.label}（{ROLE_LABELS.get(sender.role, sender.role)}）的数据包。")
    box.setInformativeText(
        f"它的签名密钥指纹是：\n\n    {sender.fingerprint}\n\n"
        "请与该机构盖章的申请报告（附件3）末页下方印的“本单位数据签名密钥指纹”逐组核对，"
        "或电话向对方核对。一致才接受：接受后，只接受这把密钥以这一身份签名的数据包；"
        "不一致请不要接受，它的数据包不会导入。"
    )
    accept = box.addButton("指纹一致，接受", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("不接受", QMessageBox.ButtonRole.RejectRole)
    return box, accept


class ImportPreviewDialog(QDialog):
    """The dry run of every picked package; 导入 writes only the ones that passed."""

    def __init__(self, results: list[Checked], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入预检")
        self.results = results
        layout = QVBoxLayout(self)
        accepted = [r for r in results if isinstance(r, ImportOutcome) and r.status != DUPLICATE]
        layout.addWidget(
            QLabel(
                f"共 {len(results)} 个数据包，{len(accepted)} 个可以导入。"
                "以下是导入后将发生的变化，确认后才写入数据库："
            )
        )
        self.table = read_only_table(
            ("数据包", "发送机构", "序号", "类型", *COUNT_HEADERS, "说明"),
            stretch=4 + len(COUNT_HEADERS),
        )
        self.table.setRowCount(len(results))
        for row, result in enumerate(results):
            self._fill(row, result)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.setEnabled(bool(accepted))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(980, 360)

    def _fill(self, row: int, result: Checked) -> None:
        self.table.setItem(row, 0, table_item(result.path.name))
        if isinstance(result, Refusal):
            self.table.setItem(row, 1, table_item("—"))
            self.table.setItem(row, 4 + len(COUNT_COLUMNS), table_item(f"拒绝：{result.reason}"))
            return
        manifest = result.manifest
        self.table.setItem(row, 1, table_item(manifest.sender.label))
        self.table.setItem(row, 2, table_item(manifest.sequence, align_right=True))
        self.table.setItem(row, 3, table_item(KINDS[manifest.kind]))
        totals = result.total().as_dict()
        for column, key in enumerate(COUNT_COLUMNS, start=4):
            self.table.setItem(row, column, table_item(totals[key], align_right=True))
        note = (
            f"已导入（{result.duplicate_imported_at}），不会重复导入"
            if result.status == DUPLICATE
            else "；".join(result.notices)
        )
        self.table.setItem(row, 4 + len(COUNT_COLUMNS), table_item(note))
        if note:
            self.table.item(row, 4 + len(COUNT_COLUMNS)).setToolTip(as_plain(note))

    def importable(self) -> list[Path]:
        return [r.path for r in self._importable()]

    def new_senders(self) -> list[Sender]:
        """Each sender seen for the first time, once: the clerk confirms their fingerprints."""
        found: dict[str, Sender] = {}
        for result in self._importable():
            if result.first_contact:
                found.setdefault(result.manifest.sender.fingerprint, result.manifest.sender)
        return list(found.values())

    def _importable(self) -> list[ImportOutcome]:
        return [r for r in self.results if isinstance(r, ImportOutcome) and r.status != DUPLICATE]


class KeyInitDialog(QDialog):
    """A bureau's first key: the warning about the passphrase comes before anything is made."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("生成本机构密钥")
        layout = QVBoxLayout(self)
        warning = QLabel(PASSPHRASE_WARNING)
        warning.setWordWrap(True)
        layout.addWidget(warning)
        form = QFormLayout()
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit()
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("口令：", self.first)
        form.addRow("再输入一次：", self.second)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if self.first.text() != self.second.text():
            self.error.setText("两次输入的口令不一致")
            return
        try:
            check_new_passphrase(self.first.text())
        except KeyProblem as exc:
            self.error.setText(str(exc))
            return
        self.accept()
