"""The import wizard: a file → its columns (the clerk may correct them) → every row checked →
imported in one transaction, or not at all.

The wizard is the conductor: its pages (``import_mapping_page``, ``import_preview_page``)
gather the clerk's choices, the use cases of ``application.importing`` do the work, and each
runs off the GUI thread through ``gui.tasks`` with a cancellable progress dialog. Reading
and checking write nothing; the import is a writing job (``writes=True``), so it waits for any
other write to finish, and a cancel or a failure while writing leaves the database as it was.
The trainee page opens this with ``open_import_wizard`` from its import button and from a
file dropped onto its table; the certificate page from its import button.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from application.classes import list_classes
from application.importing import (
    ImportFile,
    check_certificates,
    check_roster,
    import_certificates,
    import_roster,
    read_for_correction,
    write_error_report,
)
from core.fields import ValidationFailed
from core.importing import (
    CertificateImportResult,
    ImportPreview,
    ImportRefused,
    Kind,
    RosterImportResult,
    kind_title,
)
from core.safety.environment_errors import describe_failure
from gui.import_mapping_page import FILE_FILTER, MappingPage
from gui.import_preview_page import PreviewPage, ask_report_path
from gui.tasks import Cancelled, Progress, Task, run_in_background
from gui.widgets import plain_label
from models.database import Database
from reports.output import WrittenDocument

#: What the drop targets accept.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
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


class ImportWizard(QDialog):
    """One import from file to database; ``imported`` carries the result when done."""

    imported = Signal(object)

    def __init__(self, parent: QWidget | None, database: Database, kind: Kind) -> None:
        super().__init__(parent)
        self.database = database
        self.kind: Kind = kind
        self.path: Path | None = None
        self.task: Task[Any] | None = None
        self.setWindowTitle(f"导入{kind_title(kind)}")
        self.setAcceptDrops(True)
        self.resize(1160, 660)

        self.mapping_page = MappingPage(kind)
        self.mapping_page.file_chosen.connect(self.load)
        self.mapping_page.check_requested.connect(self.check_rows)
        self.mapping_page.cancelled.connect(self.reject)
        self.preview_page = PreviewPage(kind)
        self.preview_page.back_requested.connect(lambda: self.pages.setCurrentIndex(_MAPPING_PAGE))
        self.preview_page.report_requested.connect(self._choose_report_path)
        self.preview_page.import_requested.connect(self.start_import)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.mapping_page)
        self.pages.addWidget(self.preview_page)
        self.pages.addWidget(self._build_done_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        # The controls a clerk works with, reachable from the wizard as before its pages were
        # split out: the page-driving tests and scripts/screenshots_import.py use them.
        self.check_button = self.mapping_page.check_button
        self.header_spin = self.mapping_page.header_spin
        self.field_combos = self.mapping_page.field_combos
        self.sample = self.mapping_page.sample
        self.class_combo = self.mapping_page.class_combo
        self.mapping_message = self.mapping_page.message
        self.summary = self.preview_page.summary
        self.filter_combo = self.preview_page.filter_combo
        self.model = self.preview_page.model
        self.skip_invalid = self.preview_page.skip_invalid
        self.import_button = self.preview_page.import_button
        self.preview_message = self.preview_page.message

    def _build_done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.done_label = plain_label()
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

    def _run(
        self,
        title: str,
        job: Callable[[Progress], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        writes: bool = False,
    ) -> None:
        self.task = run_in_background(
            self, title, job, on_done, on_error or self._failed, writes=writes
        )

    # --- reading and checking: nothing is written ---------------------------------------------

    def load(self, path: Path) -> None:
        """Read ``path`` off the GUI thread, then show its columns."""
        self.path = path
        self.mapping_page.reading(path)
        if self.kind == "roster":
            classes = list_classes(self.database)
            self.mapping_page.set_classes([c for c in classes if c.status.takes_trainees])
        kind = self.kind
        self._run("正在读取文件", lambda _p: read_for_correction(path, kind), self._loaded)

    def _loaded(self, file: ImportFile) -> None:
        self.mapping_page.show_file(file)

    def check_rows(self) -> None:
        """Check every row off the GUI thread (nothing is written), then show the verdicts."""
        file = self.mapping_page.file
        assert file is not None
        class_id = self.mapping_page.selected_class()

        def job(progress: Progress) -> ImportPreview[Any]:
            if file.kind == "certificates":
                return check_certificates(self.database, file, progress=progress)
            return check_roster(self.database, file, class_id=class_id, progress=progress)

        self._run("正在检查数据", job, self._checked)

    def _checked(self, preview: ImportPreview[Any]) -> None:
        self.preview_page.show_preview(preview)
        self.pages.setCurrentIndex(_PREVIEW_PAGE)

    # --- the error report: a file with full numbers -------------------------------------------

    def _choose_report_path(self) -> None:
        preview = self.preview_page.preview
        assert preview is not None and self.path is not None
        path = ask_report_path(self, preview, self.path)
        if path is not None:
            self.save_error_report(path)

    def save_error_report(self, path: Path) -> None:
        """Write the invalid rows, bad cells marked, off the GUI thread (audited)."""
        preview = self.preview_page.preview
        assert preview is not None
        self._run(
            "正在保存错误报告",
            lambda _p: write_error_report(self.database, preview, path),
            self._report_saved,
        )

    def _report_saved(self, written: WrittenDocument) -> None:
        self.preview_page.message.setText(f"错误报告已保存：{written.path}")

    # --- writing ------------------------------------------------------------------------------

    def start_import(self) -> None:
        """Write everything in one transaction off the GUI thread; 取消 rolls it all back."""
        preview = self.preview_page.preview
        assert preview is not None
        skip = self.preview_page.skip_invalid.isChecked()
        update = self.preview_page.update_existing.isChecked()
        class_id = self.mapping_page.selected_class()

        def job(progress: Progress) -> RosterImportResult | CertificateImportResult:
            if self.kind == "certificates":
                return import_certificates(
                    self.database, preview, skip_invalid=skip, progress=progress
                )
            return import_roster(
                self.database,
                preview,
                update_existing=update,
                class_id=class_id,
                skip_invalid=skip,
                progress=progress,
            )

        self.preview_page.import_button.setEnabled(False)
        self._run("正在导入", job, self._imported, self._import_failed, writes=True)

    def _import_failed(self, exc: BaseException) -> None:
        self.preview_page.update_import_button()
        self._failed(exc)

    def _imported(self, result: RosterImportResult | CertificateImportResult) -> None:
        self.done_label.setText(_result_text(result))
        self.pages.setCurrentIndex(_DONE_PAGE)
        self.imported.emit(result)

    # --- failures and drops -------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        """Refusals, environment problems and cancels as a line on the current page."""
        if isinstance(exc, Cancelled):
            message = "已取消，未写入任何数据。"
        elif isinstance(exc, (ImportRefused, ValidationFailed)):
            message = str(exc)
        else:
            message = describe_failure(exc)
        on_mapping = self.pages.currentIndex() == _MAPPING_PAGE
        page = self.mapping_page if on_mapping else self.preview_page
        page.message.setText(message)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.pages.currentIndex() == _MAPPING_PAGE and dropped_spreadsheet(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_spreadsheet(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.load(path)


def _result_text(result: RosterImportResult | CertificateImportResult) -> str:
    if isinstance(result, CertificateImportResult):
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
