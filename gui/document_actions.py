"""What the 生成申请报告 / 打印, 导出机构情况表 and 补贴申请表 buttons do.

Each action asks where to save (starting in the folder used last, remembered in QSettings),
writes the document off the GUI thread with a cancellable progress dialog, and then opens it
in the system's viewer, or on Windows hands it to the viewer's print command. Refusals (a
class without a roster, a plan that does not add up) come back as one message listing every
reason; nothing is written then. The pages only call these functions.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from sqlalchemy import ColumnElement, func, select

from core.audit import record_export
from core.class_records import roster_counts
from core.environment_errors import describe_failure
from core.fields import ValidationFailed
from core.privacy import full_numbers_notice
from gui.tasks import Cancelled, Progress, Task, run_in_background
from models.database import Database
from models.trainee import Trainee
from models.training import TrainingClass
from reports.annex3 import class_designation, write_annex3
from reports.annex4 import TITLE as ANNEX4_TITLE
from reports.annex4 import write_annex4
from reports.output import WrittenDocument
from reports.roster_xlsx import write_class_roster, write_trainee_list
from reports.subsidy import TITLE_TEXT as SUBSIDY_TITLE
from reports.subsidy import write_subsidy

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


def _confirm_personal_data(parent: QWidget | None, what: str, people: int) -> bool:
    answer = QMessageBox.question(
        parent,
        what,
        full_numbers_notice(what, people) + "\n\n是否继续？",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


#: Jobs still running: held here so that a job started without a parent widget is not
#: collected (with its signals) before it reports back.
_RUNNING: set[Task[WrittenDocument]] = set()


def _run(
    parent: QWidget | None,
    title: str,
    job: Job,
    print_it: bool = False,
    on_written: Callable[[WrittenDocument], None] | None = None,
) -> Task[WrittenDocument]:
    def done(written: WrittenDocument) -> None:
        _RUNNING.discard(task)
        if on_written is not None:
            on_written(written)
        if written.warnings:
            QMessageBox.warning(parent, title, "\n".join(written.warnings))
        show_document(written.path, print_it)

    def failed(exc: BaseException) -> None:
        _RUNNING.discard(task)
        if isinstance(exc, Cancelled):
            return
        if isinstance(exc, ValidationFailed):
            QMessageBox.warning(parent, title, f"无法生成{title}：\n{exc}")
        else:
            QMessageBox.critical(parent, title, f"生成{title}失败：\n{describe_failure(exc)}")

    task = run_in_background(parent, f"正在生成{title}…", job, done, failed)
    _RUNNING.add(task)
    return task


def _class_and_counts(database: Database, class_id: int) -> tuple[str, dict[str, int]] | None:
    """The class's name and roster counts (``enrolled``, ``completed``…), None if it is gone."""
    with database.session() as session:
        training_class = session.get(TrainingClass, class_id)
        if training_class is None:
            return None
        return training_class.name, roster_counts(session, class_id)


def _save_and_run(
    parent: QWidget | None,
    database: Database,
    title: str,
    *,
    people: int,
    file_name: str,
    filters: str,
    job_for: Callable[[Path], Job],
    print_it: bool = False,
    save_title: str | None = None,
) -> Task[WrittenDocument] | None:
    """The sequence every action shares: confirm the full ID numbers of ``people`` (if any),
    ask where to save, then write off the GUI thread and open the result; a file with full
    numbers is noted in the audit log. ``None`` when the clerk declines or cancels; nothing is
    written then."""
    if people and not _confirm_personal_data(parent, title, people):
        return None
    path = ask_save_path(parent, save_title or f"保存{title}", file_name, filters)
    if path is None:
        return None

    def audit(written: WrittenDocument) -> None:
        record_export(database, title, written.path, people)

    return _run(parent, title, job_for(path), print_it, audit if people else None)


def _class_document(
    parent: QWidget | None,
    database: Database,
    class_id: int,
    title: str,
    *,
    counted: str,
    document_name: str,
    filters: str,
    job_for: Callable[[Path], Job],
    print_it: bool = False,
) -> Task[WrittenDocument] | None:
    """A document of one class: refused if the class is gone; the people asked about are the
    roster count ``counted`` (``enrolled`` or ``completed``) the document lists."""
    found = _class_and_counts(database, class_id)
    if found is None:
        QMessageBox.warning(parent, title, "该培训班已不存在（可能已被删除）")
        return None
    name, counts = found
    return _save_and_run(
        parent,
        database,
        title,
        people=counts[counted],
        file_name=f"{class_designation(name)}{document_name}",
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
        counted="enrolled",
        document_name="申请报告.pdf",
        filters=PDF_FILTER,
        job_for=lambda path: (
            lambda progress: write_annex3(database, class_id, path, progress=progress)
        ),
        print_it=print_it,
    )


def export_annex4(parent: QWidget | None, database: Database) -> Task[WrittenDocument] | None:
    """导出机构情况表: the Annex 4 workbook (the school's row, or a bureau's consolidation)."""
    return _save_and_run(
        parent,
        database,
        "机构情况表",
        people=0,
        file_name=f"{ANNEX4_TITLE}.xlsx",
        filters=XLSX_FILTER,
        job_for=lambda path: lambda _progress: write_annex4(database, path),
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
        counted="completed",
        document_name=f"{SUBSIDY_TITLE}.pdf",
        filters=f"{PDF_FILTER};;{XLSX_FILTER}",
        job_for=lambda path: (
            lambda progress: write_subsidy(database, class_id, path, progress=progress)
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
        counted="enrolled",
        document_name="学员名单.xlsx",
        filters=XLSX_FILTER,
        job_for=lambda path: lambda _progress: write_class_roster(database, class_id, path),
    )


def export_trainee_list(
    parent: QWidget | None,
    database: Database,
    where: ColumnElement[bool] | None = None,
    order_by: Sequence[Any] = (Trainee.name, Trainee.id),
) -> Task[WrittenDocument] | None:
    """导出学员: the trainees the page shows (its search and sort), with their certificates."""
    title = "学员名单（含证书）"
    query = select(func.count(Trainee.id))
    if where is not None:
        query = query.where(where)
    with database.session() as session:
        people = session.scalar(query) or 0

    def job_for(path: Path) -> Job:
        def job(progress: Progress) -> WrittenDocument:
            def report(done: int, total: int) -> None:
                progress.check()
                progress.report(done, total)

            return write_trainee_list(
                database, path, where=where, order_by=order_by, progress=report
            )

        return job

    return _save_and_run(
        parent,
        database,
        title,
        people=people,
        file_name=f"{title}.xlsx",
        filters=XLSX_FILTER,
        job_for=job_for,
    )
