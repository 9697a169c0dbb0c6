"""The 数据交换 section: send packages up, and at a bureau take them in.

A school (or a city, sending to the province) imports its bureau's public key file, compares
the fingerprint over the phone, and exports packages into a folder (a USB stick). A bureau
picks package files, sees the dry run of every one (new / updated / deleted / unchanged /
conflicts, and any notice such as a first contact's fingerprint) before anything is written,
then imports them, each in one transaction; it sees every institution with its last package
and resolves the conflicts the import kept. Every package job runs off the GUI thread with a
progress dialog and a cancel button; cancelling rolls the transaction back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from application.exchange import (
    UNENCRYPTED_PACKAGE,
    Checked,
    Refusal,
    audit_record_origins,
    create_keys,
    exchange_state,
    export_next_package,
    export_public_key,
    import_packages,
    installation_keys,
    needs_unencrypted,
    resolve_conflicts,
    trust_key_file,
)
from core.base.privacy import full_numbers_notice
from core.institution import ROLE_LABELS
from core.packages.conflicts import ConflictView
from core.packages.format import KINDS, PackageError, Sender, describe
from core.packages.importer import ImportOutcome
from core.packages.keys import (
    KeyProblem,
    LocalKeys,
    PublicIdentity,
    read_public_identity,
)
from core.packages.overview import InstitutionStatus
from core.packages.records import LABELS
from core.packages.trust import Recipient
from core.packages.writer import ExportResult
from gui.exchange_dialogs import (
    ImportPreviewDialog,
    KeyInitDialog,
    new_sender_box,
    read_only_table,
    table_item,
)
from gui.tasks import Cancelled, Progress, Task, run_in_background
from gui.widgets import as_plain, page_title, plain_label
from models.database import Database

PACKAGE_FILTER = "持证通数据包 (*.certpkg)"
KEY_FILTER = "持证通公钥文件 (*.certkey)"


def _check_all(
    database: Database,
    keys: LocalKeys,
    paths: list[Path],
    progress: Progress,
    accepted: frozenset[str] | None = None,
) -> list[Checked]:
    """A dry run of every file (``accepted`` None), or their import with the fingerprints of
    the new senders the clerk accepted."""
    return import_packages(
        database,
        keys,
        paths,
        dry_run=accepted is None,
        accept_new=accepted or frozenset(),
        progress=progress,
        before_each=progress.check,
    )


class ExchangePage(QWidget):
    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self._passphrase: str | None = None
        self._keys: LocalKeys | None = None
        self._task: Task[object] | None = None
        #: Asks the clerk for the bureau's passphrase (replaceable, e.g. by tests).
        self.ask_passphrase: Callable[[], str | None] = self._passphrase_dialog
        #: Asks the clerk whether a new sender's fingerprint matches its paper report.
        self.confirm_new_sender: Callable[[Sender], bool] = self._new_sender_dialog
        self.last_export: ExportResult | None = None
        self.last_results: list[Checked] = []

        self.preview: ImportPreviewDialog | None = None

        layout = QVBoxLayout(self)
        heading = page_title("数据交换")
        layout.addWidget(heading)
        self.identity = plain_label()
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.identity)
        layout.addLayout(self._key_row())
        layout.addWidget(self._send_box())
        layout.addWidget(self._receive_box(), 1)
        self.refresh()

    def _key_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.init_keys_button = QPushButton("生成本机构密钥…")
        self.init_keys_button.clicked.connect(self._init_keys_clicked)
        self.export_key_button = QPushButton("导出本机构公钥…")
        self.export_key_button.clicked.connect(self._export_key_clicked)
        row.addWidget(self.init_keys_button)
        row.addWidget(self.export_key_button)
        row.addStretch(1)
        return row

    def _send_box(self) -> QGroupBox:
        self.send_box = QGroupBox("报送数据包")
        send = QVBoxLayout(self.send_box)
        self.recipient_label = plain_label()
        self.recipient_label.setWordWrap(True)
        send.addWidget(self.recipient_label)
        row = QHBoxLayout()
        self.trust_button = QPushButton("导入上级公钥…")
        self.trust_button.clicked.connect(self._trust_clicked)
        self.full_check = QCheckBox("完整数据包（全部记录）")
        self.export_button = QPushButton("导出数据包…")
        self.export_button.clicked.connect(self._export_clicked)
        row.addWidget(self.trust_button)
        row.addWidget(self.full_check)
        row.addWidget(self.export_button)
        row.addStretch(1)
        send.addLayout(row)
        self.export_result = plain_label()
        self.export_result.setWordWrap(True)
        self.export_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        send.addWidget(self.export_result)
        return self.send_box

    def _receive_box(self) -> QGroupBox:
        self.receive_box = QGroupBox("接收数据包")
        receive = QVBoxLayout(self.receive_box)
        row = QHBoxLayout()
        self.import_button = QPushButton("导入数据包…")
        self.import_button.clicked.connect(self._import_clicked)
        row.addWidget(self.import_button)
        self.import_result = plain_label()
        row.addWidget(self.import_result, 1)
        self.audit_origins_button = QPushButton("检查记录来源…")
        self.audit_origins_button.setToolTip(
            "检查以前导入的数据中，是否有冒充的发送方写入或改写的记录"
        )
        self.audit_origins_button.clicked.connect(self.show_origin_audit)
        row.addWidget(self.audit_origins_button)
        receive.addLayout(row)
        self.institutions = read_only_table(
            (
                "机构",
                "统一社会信用代码",
                "最近数据包",
                "导入时间",
                "学员",
                "证书",
                "培训班",
                "待处理冲突",
            ),
            stretch=0,
        )
        receive.addWidget(self.institutions, 2)
        receive.addWidget(QLabel("待处理的冲突（本地记录保持不变，直到您选择）："))
        self.conflicts = read_only_table(("编号", "类别", "记录", "原因", "来自"), stretch=3)
        receive.addWidget(self.conflicts, 1)
        buttons = QHBoxLayout()
        self.take_button = QPushButton("采用收到的记录")
        self.take_button.clicked.connect(lambda: self._resolve_selected(take_incoming=True))
        self.keep_button = QPushButton("保留本地记录")
        self.keep_button.clicked.connect(lambda: self._resolve_selected(take_incoming=False))
        buttons.addWidget(self.take_button)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        receive.addLayout(buttons)
        return self.receive_box

    # ---- state -------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def keys(self) -> LocalKeys | None:
        """This installation's keys, or None before the institution is registered."""
        if self._keys is None:
            self._keys = installation_keys(self.database, self._give_passphrase)
        return self._keys

    def _give_passphrase(self) -> str:
        if self._passphrase is None:
            raise KeyProblem("需要本机构的密钥口令")
        return self._passphrase

    def _unlock_ready(self) -> bool:
        """A bureau's passphrase is asked here, on the GUI thread, before a job starts."""
        keys = self.keys()
        if keys is None or not keys.is_bureau or self._passphrase is not None:
            return keys is not None
        answer = self.ask_passphrase()
        if not answer:
            return False
        self._passphrase = answer
        return True

    def _forget_passphrase(self) -> None:
        self._passphrase = None
        self._keys = None

    def refresh(self) -> None:
        keys = self.keys()
        if keys is None:
            self.identity.setText("本机构尚未登记：请先在“本机构”页完成登记。")
            for widget in (self.send_box, self.receive_box, self.export_key_button):
                widget.setVisible(False)
            self.init_keys_button.setVisible(False)
            return
        state = exchange_state(self.database, keys)
        own, role = state.installation, state.installation.role
        has_keys = state.fingerprint is not None
        own_print = state.key_problem or state.fingerprint or "尚未生成"
        self.identity.setText(
            f"{own.name}（{own.uscc}，{ROLE_LABELS.get(role, role)}）　"
            f"本机构签名密钥指纹：{own_print}"
        )
        self.init_keys_button.setVisible(not has_keys)
        self.export_key_button.setVisible(has_keys)
        self.send_box.setVisible(role != "province")
        self.send_box.setTitle("报送数据包" if role == "school" else "向省教育厅报送数据包")
        self._show_recipient(state.recipient)
        self.receive_box.setVisible(role != "school")
        self.import_button.setEnabled(has_keys)
        self._fill_institutions(state.institutions)
        self._fill_conflicts(state.conflicts)

    def _show_recipient(self, target: Recipient | None) -> None:
        if target is None:
            self.recipient_label.setText(
                "尚未导入上级教育局的公钥：请向上级索取公钥文件（.certkey）并导入，"
                "再打电话核对指纹。导入前只能导出未加密的数据包。"
            )
        else:
            self.recipient_label.setText(
                f"数据包将加密给：{target.name}（{target.uscc}），"
                f"对方指纹 {target.signing_fingerprint}"
            )

    def _fill_institutions(self, statuses: list[InstitutionStatus]) -> None:
        self.institutions.setRowCount(len(statuses))
        for row, status in enumerate(statuses):
            last = (
                f"第{status.last_sequence}号（{KINDS[status.last_kind or 'full']}）"
                if status.last_sequence is not None
                else "经上级转来"
            )
            when = f"{status.last_imported_at:%Y-%m-%d %H:%M}" if status.last_imported_at else ""
            values = (
                status.name,
                status.uscc,
                last,
                when,
                status.trainees,
                status.certificates,
                status.classes,
                status.open_conflicts,
            )
            for column, value in enumerate(values):
                self.institutions.setItem(row, column, table_item(value, align_right=column >= 4))

    def _fill_conflicts(self, conflicts: list[ConflictView]) -> None:
        self.conflicts.setRowCount(len(conflicts))
        for row, conflict in enumerate(conflicts):
            values = (
                conflict.id,
                conflict.label,
                conflict.summary,
                conflict.reason,
                f"{conflict.sender} 第{conflict.sequence}号",
            )
            for column, value in enumerate(values):
                self.conflicts.setItem(row, column, table_item(value))
        self.take_button.setEnabled(bool(conflicts))
        self.keep_button.setEnabled(bool(conflicts))

    # ---- keys --------------------------------------------------------------------------------

    def _passphrase_dialog(self) -> str | None:
        text, ok = QInputDialog.getText(
            self, "密钥口令", "请输入本机构的密钥口令：", QLineEdit.EchoMode.Password
        )
        return text if ok and text else None

    def _init_keys_clicked(self) -> None:
        dialog = KeyInitDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.create_keys(dialog.first.text())

    def create_keys(self, passphrase: str) -> None:
        keys = self.keys()
        if keys is None:
            return
        try:
            create_keys(self.database, keys, passphrase)
        except KeyProblem as exc:
            QMessageBox.warning(self, "无法生成密钥", as_plain(str(exc)))
            return
        self._passphrase = passphrase
        self.refresh()

    def _export_key_clicked(self) -> None:
        keys = self.keys()
        if keys is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "导出本机构公钥", f"{keys.uscc}.certkey", KEY_FILTER
        )
        if path:
            self.export_public_key(Path(path))

    def export_public_key(self, path: Path) -> None:
        """Off the GUI thread: signing the file checks the passphrase, which may have to wait
        after wrong ones (application.exchange.PassphraseAttempts)."""
        keys = self.keys()
        if keys is None or not self._unlock_ready():
            return
        self._task = run_in_background(
            self,
            "正在导出公钥",
            lambda _progress: export_public_key(self.database, keys, path),
            lambda identity: self._public_key_exported(path, identity),
            self._public_key_failed,
            writes=True,
        )

    def _public_key_exported(self, path: Path, identity: PublicIdentity) -> None:
        QMessageBox.information(
            self,
            "已导出公钥",
            as_plain(
                f"已写入 {path}\n\n本机构指纹：{identity.fingerprint}\n请对方导入后与此电话核对。"
            ),
        )

    def _public_key_failed(self, error: BaseException) -> None:
        if not isinstance(error, (KeyProblem, OSError)):
            raise error
        self._forget_passphrase()
        QMessageBox.warning(self, "无法导出公钥", as_plain(str(error)))

    def _trust_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入上级公钥", "", KEY_FILTER)
        if path:
            self.trust_key_file(Path(path))

    def trust_key_file(self, path: Path) -> bool:
        """Show who the file names and its fingerprint; trust it only once the clerk confirms."""
        keys = self.keys()
        if keys is None:
            return False
        try:
            identity = read_public_identity(path)
        except KeyProblem as exc:
            QMessageBox.warning(self, "无法导入公钥", as_plain(str(exc)))
            return False
        answer = QMessageBox.question(
            self,
            "核对指纹",
            as_plain(
                f"{identity.name}（{identity.uscc}）\n\n指纹：{identity.fingerprint}\n\n"
                "请打电话与对方核对这串数字。一致才点“是”：信任该公钥。"
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            trust_key_file(self.database, identity)
        except KeyProblem as exc:
            QMessageBox.warning(self, "无法导入公钥", as_plain(str(exc)))
            return False
        self.refresh()
        return True

    # ---- export ------------------------------------------------------------------------------

    def _export_clicked(self) -> None:
        unencrypted = needs_unencrypted(self.database)
        if unencrypted and not self._unencrypted_confirmed():
            return  # asked before the folder is picked: the clerk knows what is written
        folder = QFileDialog.getExistingDirectory(self, "选择数据包保存位置（如U盘）")
        if folder:
            self.export_to(Path(folder), confirmed=unencrypted)

    def _unencrypted_confirmed(self) -> bool:
        answer = QMessageBox.question(
            self,
            "导出未加密的数据包？",
            "尚未导入上级教育局的公钥，数据包将不加密："
            f"{full_numbers_notice(UNENCRYPTED_PACKAGE)}，任何拿到文件的人都能看到。"
            "确实要导出未加密的数据包吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def export_to(self, folder: Path, confirmed: bool = False) -> None:
        """Export into ``folder``; an unencrypted package is asked about first, unless the
        clerk already confirmed it (``confirmed``)."""
        keys = self.keys()
        if keys is None:
            return
        unencrypted = needs_unencrypted(self.database)
        if unencrypted and not confirmed and not self._unencrypted_confirmed():
            return
        if not self._unlock_ready():
            return
        full = self.full_check.isChecked()
        self.export_button.setEnabled(False)
        self._task = run_in_background(
            self,
            "正在导出数据包",
            lambda progress: export_next_package(
                self.database,
                keys,
                folder,
                full=full,
                unencrypted=unencrypted,
                progress=progress,
            ),
            self._exported,
            self._failed,
            writes=True,
        )

    def _exported(self, result: ExportResult) -> None:
        self.export_button.setEnabled(True)
        self.last_export = result
        counts = "，".join(
            f"{LABELS[p.table]} {p.records}" for p in result.manifest.parts if p.records
        )
        self.export_result.setText(
            f"已导出{describe(result.manifest)}：\n{result.path}\n{counts or '自上次以来没有变化'}"
        )
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.import_button.setEnabled(True)
        if isinstance(error, Cancelled):
            return
        if isinstance(error, KeyProblem):
            self._forget_passphrase()
        if isinstance(error, (PackageError, KeyProblem)):
            QMessageBox.warning(self, "未完成", as_plain(str(error)))
            return
        raise error

    # ---- import ------------------------------------------------------------------------------

    def _import_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择数据包", "", PACKAGE_FILTER)
        if paths:
            self.preview_imports([Path(p) for p in paths])

    def preview_imports(self, paths: list[Path]) -> None:
        """Dry-run every file off the GUI thread, then show what importing would change."""
        keys = self.keys()
        if keys is None or not self._unlock_ready():
            return
        self.import_button.setEnabled(False)
        self._task = run_in_background(
            self,
            "正在校验数据包",
            lambda progress: _check_all(self.database, keys, paths, progress),
            self._previewed,
            self._failed,
        )

    def _previewed(self, results: list[Checked]) -> None:
        self.import_button.setEnabled(True)
        dialog = ImportPreviewDialog(results, self)
        dialog.accepted.connect(lambda: self._confirm_then_import(dialog))
        self.preview = dialog
        dialog.open()

    def _confirm_then_import(self, preview: ImportPreviewDialog) -> None:
        """Each new sender's fingerprint is shown and confirmed (or not) before anything is
        written; the import refuses, and reports, the packages of a sender not accepted."""
        accepted = frozenset(
            sender.fingerprint
            for sender in preview.new_senders()
            if self.confirm_new_sender(sender)
        )
        self._run_imports(preview.importable(), accepted)

    def _run_imports(self, paths: list[Path], accepted: frozenset[str]) -> None:
        keys = self.keys()
        if keys is None or not paths:
            return
        self.import_button.setEnabled(False)
        self._task = run_in_background(
            self,
            "正在导入数据包",
            lambda progress: _check_all(self.database, keys, paths, progress, accepted),
            self._imported,
            self._failed,
            writes=True,
        )

    def _new_sender_dialog(self, sender: Sender) -> bool:
        box, accept = new_sender_box(sender, self)
        box.exec()
        return box.clickedButton() is accept

    def _imported(self, results: list[Checked]) -> None:
        self.import_button.setEnabled(True)
        self.last_results = results
        done = sum(isinstance(r, ImportOutcome) for r in results)
        refused = [r for r in results if isinstance(r, Refusal)]
        conflicts = sum(r.total().conflicts for r in results if isinstance(r, ImportOutcome))
        text = f"已导入 {done} 个数据包"
        if conflicts:
            text += f"，{conflicts} 条冲突待处理"
        self.import_result.setText(text)
        self.refresh()
        if refused:
            QMessageBox.warning(
                self,
                "部分数据包未导入",
                as_plain("\n\n".join(f"{r.path.name}：{r.reason}" for r in refused)),
            )

    def show_origin_audit(self) -> None:
        try:
            findings = audit_record_origins(self.database)
        except PackageError as exc:
            QMessageBox.warning(self, "无法检查", as_plain(str(exc)))
            return
        if not findings:
            QMessageBox.information(
                self, "检查记录来源", "未发现问题：每条记录都来自有权报送它的机构。"
            )
            return
        QMessageBox.warning(
            self,
            "检查记录来源",
            as_plain(
                f"发现 {len(findings)} 处问题：\n\n" + "\n\n".join(f.message for f in findings)
            ),
        )

    # ---- conflicts ---------------------------------------------------------------------------

    def _resolve_selected(self, take_incoming: bool) -> None:
        rows = sorted({index.row() for index in self.conflicts.selectedIndexes()})
        ids = [int(self.conflicts.item(row, 0).text()) for row in rows]
        self.resolve(ids, take_incoming)

    def resolve(self, conflict_ids: list[int], take_incoming: bool) -> None:
        problems = resolve_conflicts(self.database, conflict_ids, take_incoming)
        self.refresh()
        if problems:
            QMessageBox.warning(self, "部分冲突未处理", as_plain("\n".join(problems)))
