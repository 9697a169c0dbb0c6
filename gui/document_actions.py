"""What the 生成申请报告 / 打印, 导出机构情况表, 补贴申请表 and 导出名单 buttons do.

Each action first says what a file with full ID numbers will hold (the clerk may decline),
then asks where to save (starting in the folder used last, remembered in QSettings), writes
the document off the GUI thread with a cancellable progress dialog through its use case in
``application.documents`` (which records the audit entry of a file with full numbers), and
then opens it in the system's viewer, or on Windows hands it to the viewer's print command.
Refusals (a class without a roster, a plan that does not add up) come back as one message
listing every reason; nothing is written then. The pages only call these functions.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from application import documents
from application.full_numbers import FullNumberFile
from core.fields import ValidationFailed
from core.safety.environment_errors import describe_failure
from core.trainees.search import TraineeQuery
from gui.tasks import Cancelled, Progress, Task, run_in_background
from gui.widgets import as_plain
from models.database import Database
from reports.annex4 import TITLE as ANNEX4_TITLE
from reports.output import WrittenDocument
from reports.subsidy import TITLE_TEXT as SUBSIDY_TITLE

LAST_FOLDER_KEY = "documents/last_folder"
PDF_FILTER = "PDF 文件 (*.pdf)"
XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\s]+')

Job = Callable[[Progress], WrittenDocument]


def last_folder() -> Path:
    """The folder the clerk saved to last time, else their Documents folder."""
    saved = QSettings().value(LAST_FOLDER_KEY)
    if saved and Path(str(saved)).is_dir():
        return Path(str(saved))
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))


def _file_name(text: str) -> str:
    """A name Windows accepts: no reserved characters, no spaces."""
    return _UNSAFE_IN_NAMES.sub("_", text).strip("._") or "文档"


def ask_save_path(parent: QWidget | None, title: str, name: str, filters: str) -> Path | None:
    """The save dialog; remembers the chosen folder. ``None`` when the clerk cancels."""
    chosen, selected = QFileDialog.getSaveFileName(
        parent, title, str(last_folder() / _file_name(name)), filters
    )
    if not chosen:
        return None
    path = Path(chosen)
    wanted = ".xlsx" if selected.startswith("Excel") else ".pdf"
    if path.suffix.lower() not in (".pdf", ".xlsx"):
        path = path.with_name(path.name + wanted)
    QSettings().setValue(LAST_FOLDER_KEY, str(path.parent))
    return path


def show_document(path: Path, print_it: bool = False) -> None:
    """Open the file in the system's viewer; on Windows, print it through that viewer."""
    if print_it and sys.platform == "win32":
        try:
            os.startfile(str(path), "print")  # type: ignore[attr-defined]
        except OSError:
            pass  # no viewer registered a print command: opening it lets the clerk print
        else:
            return
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _confirm_personal_data(parent: QWidget | None, title: str, file: FullNumberFile) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        as_plain(file.notice + "\n\n是否继续？"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


#: Jobs still running: held here so that a job started without a parent widget is not
#: collected (with its signals) before it reports back.
_RUNNING: set[Task[WrittenDocument]] = set()


def _run(
    parent: QWidget | None, title: str, job: Job, print_it: bool = False
) -> Task[WrittenDocument]:
    def done(written: WrittenDocument) -> None:
        _RUNNING.discard(task)
        if written.warnings:
            QMessageBox.warning(parent, title, as_plain("\n".join(written.warnings)))
        show_document(written.path, print_it)

    def failed(exc: BaseException) -> None:
        _RUNNING.discard(task)
        if isinstance(exc, Cancelled):
            return
        if isinstance(exc, ValidationFailed):
            QMessageBox.warning(parent, title, as_plain(f"无法生成{title}：\n{exc}"))
        else:
            QMessageBox.critical(parent, title, f"生成{title}失败：\n{describe_failure(exc)}")

    task = run_in_background(parent, f"正在生成{title}…", job, done, failed)
    _RUNNING.add(task)
    return task


def _save_and_run(
    parent: QWidget | None,
    title: str,
    *,
    full_numbers: FullNumberFile | None,
    file_name: str,
    filters: str,
    job_for: Callable[[Path], Job],
    print_it: bool = False,
    save_title: str | None = None,
) -> Task[WrittenDocument] | None:
    """The sequence every action shares: say what a file with ``full_numbers`` will hold and
    ask whether to go on, ask where to save, then write off the GUI thread and open the
    result. ``None`` when the clerk declines or cancels; nothing is written then."""
    if full_numbers is not None and not _confirm_personal_data(parent, title, full_numbers):
        return None
    path = ask_save_path(parent, save_title or f"保存{title}", file_name, filters)
    if path is None:
        return None
    return _run(parent, title, job_for(path), print_it)


def _class_document(
    parent: QWidget | None,
    database: Database,
    class_id: int,
    title: str,
    *,
    describe: Callable[[Database, int], FullNumberFile | None],
    document_name: str,
    filters: str,
    job_for: Callable[[Path], Job],
    print_it: bool = False,
) -> Task[WrittenDocument] | None:
    """A document of one class: refused if the class is gone; ``describe`` says whose full
    numbers it will hold (the roster, or the completers)."""
    try:
        file_name = documents.class_file_name(database, class_id, document_name)
        full_numbers = describe(database, class_id)
    except ValidationFailed:
        QMessageBox.warning(parent, title, "该培训班已不存在（可能已被删除）")
        return None
    return _save_and_run(
        parent,
        title,
        full_numbers=full_numbers,
        file_name=file_name,
        filters=filters,
        job_for=job_for,
        print_it=print_it,
    )


def generate_annex3(
    parent: QWidget | None, database: Database, class_id: int, print_it: bool = False
) -> Task[WrittenDocument] | None:
    """生成申请报告 (and with ``print_it``, 打印): the class's Annex 3 report as PDF."""
    return _class_document(
        parent,
        database,
        class_id,
        "申请报告",
        describe=documents.describe_annex3,
        document_name="申请报告.pdf",
        filters=PDF_FILTER,
        job_for=lambda path: (
            lambda progress: documents.write_annex3(database, class_id, path, progress=progress)
        ),
        print_it=print_it,
    )


def export_annex4(parent: QWidget | None, database: Database) -> Task[WrittenDocument] | None:
    """导出机构情况表: the Annex 4 workbook (the school's row, or a bureau's consolidation)."""
    return _save_and_run(
        parent,
        "机构情况表",
        full_numbers=None,
        file_name=f"{ANNEX4_TITLE}.xlsx",
        filters=XLSX_FILTER,
        job_for=lambda path: lambda _progress: documents.write_annex4(database, path),
        save_title="导出机构情况表",
    )


def export_subsidy(
    parent: QWidget | None, database: Database, class_id: int
) -> Task[WrittenDocument] | None:
    """补贴申请表 of a finished class, as PDF or Excel (the clerk picks in the save dialog)."""
    return _class_document(
        parent,
        database,
        class_id,
        "补贴申请表",
        describe=documents.describe_subsidy,
        document_name=f"{SUBSIDY_TITLE}.pdf",
        filters=f"{PDF_FILTER};;{XLSX_FILTER}",
        job_for=lambda path: (
            lambda progress: documents.write_subsidy(database, class_id, path, progress=progress)
        ),
    )


def export_class_roster(
    parent: QWidget | None, database: Database, class_id: int
) -> Task[WrittenDocument] | None:
    """导出学员名单: the class's 学员名单 workbook (序号、姓名、性别、身份证号、手机号)."""
    return _class_document(
        parent,
        database,
        class_id,
        "学员名单",
        describe=documents.describe_class_roster,
        document_name="学员名单.xlsx",
        filters=XLSX_FILTER,
        job_for=lambda path: (
            lambda _progress: documents.write_class_roster(database, class_id, path)
        ),
    )


def export_trainee_list(
    parent: QWidget | None, database: Database, query: TraineeQuery | None = None
) -> Task[WrittenDocument] | None:
    """导出名单: the trainees the 学员 table shows (its search and sort), with their
    certificates; everyone by name without ``query``."""
    title = documents.TRAINEE_LIST

    def job_for(path: Path) -> Job:
        def job(progress: Progress) -> WrittenDocument:
            return documents.write_trainee_list(database, path, query, progress=progress)

        return job

    return _save_and_run(
        parent,
        title,
        full_numbers=documents.describe_trainee_list(database, query),
        file_name=f"{title}.xlsx",
        filters=XLSX_FILTER,
        job_for=job_for,
    )
