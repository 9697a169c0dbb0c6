"""Roster and certificate imports as use cases: read a file, find its columns, check every row,
write them all or none, and the error report of the rows refused.

The import wizard and ``import-roster`` / ``import-certificates`` call these and nothing else,
so a file is read, checked and written the same way from either. The rules stay in
``core.importing`` (reading, header detection, the per-row checks, the Core bulk writes); what
is held here is what makes an import one act: the backup before it, the one transaction, the
one audit entry after it, and the refusal before any of them when rows are invalid and the
clerk did not choose to skip them. A cancel is an exception raised from the progress callback
(``core.importing.ProgressFn``): the transaction rolls back and nothing is recorded.

The error report holds the refused rows as the file had them, full ID numbers and phones
included, so it is a full-number file (``application.full_numbers``): described by
``error_report_file`` before it is written, written and audited by ``write_error_report``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from application.full_numbers import FullNumberFile, write_full_number_file
from core.base.progress import ProgressFn
from core.importing import (
    CertificateImportResult,
    CertificatePreview,
    ColumnMapping,
    FieldSpec,
    ImportPreview,
    ImportRefused,
    Kind,
    RosterImportResult,
    RosterPreview,
    Sheet,
    Spreadsheet,
    choose_sheet,
    detect_header,
    kind_title,
    mapping_at,
    preview_certificates,
    preview_roster,
    read_spreadsheet,
    write_certificates,
    write_roster,
)
from core.importing.roster import class_identity
from core.safety.audit import IMPORTED, record_event
from core.safety.backups import backup_before_change
from models.database import Database
from reports import import_errors
from reports.output import WrittenDocument

__all__ = [
    "ImportFile",
    "check_certificates",
    "check_roster",
    "error_report_file",
    "import_certificates",
    "import_roster",
    "read_for_correction",
    "read_import_file",
    "write_error_report",
]

#: The name under which every import's backup is kept beside the database.
BACKUP_REASON = "before-import"


@dataclass(frozen=True)
class ImportFile:
    """A spreadsheet read for import, the sheet chosen and which column holds which field.

    Immutable: each of the clerk's corrections (another sheet, the header on another row, a
    field read from another column) is a new ``ImportFile``, so what is checked is exactly
    the mapping on screen when 检查数据 was pressed.
    """

    kind: Kind
    spreadsheet: Spreadsheet
    sheet: Sheet
    mapping: ColumnMapping

    @property
    def path(self) -> Path:
        return self.spreadsheet.path

    @property
    def missing(self) -> tuple[FieldSpec, ...]:
        """The required fields no column feeds yet; nothing can be checked until none are."""
        return self.mapping.missing_required()

    def on_sheet(self, name: str) -> ImportFile:
        """Another sheet of the same file, its header found again (else row 1 as header)."""
        sheet = self.spreadsheet.sheet(name)
        mapping = detect_header(sheet, self.kind) or mapping_at(sheet, self.kind, 0)
        return replace(self, sheet=sheet, mapping=mapping)

    def with_header_row(self, header_row: int) -> ImportFile:
        """The header on row ``header_row`` (0-based) of the sheet: the clerk's choice."""
        return replace(self, mapping=mapping_at(self.sheet, self.kind, header_row))

    def with_column(self, key: str, column: int | None) -> ImportFile:
        """``key`` read from ``column`` (``None``: not imported); a column feeds one field."""
        return replace(self, mapping=self.mapping.with_field(key, column))


def read_import_file(path: Path, kind: Kind, sheet_name: str | None = None) -> ImportFile:
    """The file as a batch run takes it, with nobody to correct the columns: the named sheet
    (else the first that looks right) and its header as found, or ``ImportRefused`` naming
    what is missing (an unreadable file is ``UnreadableFile``, one of those refusals)."""
    spreadsheet = read_spreadsheet(path)
    sheet, mapping = choose_sheet(spreadsheet, kind, sheet_name)
    mapping.require_complete()
    return ImportFile(kind, spreadsheet, sheet, mapping)


def read_for_correction(path: Path, kind: Kind) -> ImportFile:
    """The file with the best guess at its columns, for a clerk who will look and correct.

    A file whose header is not recognised is not refused: its first sheet is offered with row
    1 as the header, and the required fields left unmapped say what is to be chosen. Only a
    file that cannot be read, or holds no sheet, is refused.
    """
    spreadsheet = read_spreadsheet(path)
    try:
        sheet, mapping = choose_sheet(spreadsheet, kind)
    except ImportRefused:
        if not spreadsheet.sheets:
            raise
        sheet = spreadsheet.sheets[0]
        mapping = mapping_at(sheet, kind, 0)
    return ImportFile(kind, spreadsheet, sheet, mapping)


# --- Checking: nothing is written -----------------------------------------------------------


def check_roster(
    database: Database,
    file: ImportFile,
    *,
    class_id: int | None = None,
    progress: ProgressFn | None = None,
) -> RosterPreview:
    """Every row of a roster checked and compared with the stored trainees; writes nothing.

    With ``class_id`` (the class the rows will join) a blank 身份 takes the class's participant
    identity; a class that does not exist is refused here, before anything is written.
    """
    with database.session() as session:
        identity = None if class_id is None else class_identity(session, class_id)
        return preview_roster(
            session, file.sheet, file.mapping, default_identity=identity, progress=progress
        )


def check_certificates(
    database: Database, file: ImportFile, *, progress: ProgressFn | None = None
) -> CertificatePreview:
    """Every row of a certificate list checked and matched to its holder; writes nothing."""
    with database.session() as session:
        return preview_certificates(session, file.sheet, file.mapping, progress=progress)


# --- Importing: all or nothing --------------------------------------------------------------


def import_roster(
    database: Database,
    preview: RosterPreview,
    *,
    update_existing: bool = False,
    class_id: int | None = None,
    skip_invalid: bool = False,
    progress: ProgressFn | None = None,
) -> RosterImportResult:
    """Write the checked roster in one transaction, and enrol its trainees into ``class_id``.

    Trainees already stored are updated (from the cells the file fills in) only with
    ``update_existing``. Refused before the backup when any row is invalid unless
    ``skip_invalid``; a cancel or any error rolls everything back and records nothing.
    """
    preview.require_importable(skip_invalid)
    backup_before_change(database, BACKUP_REASON)
    with database.engine.begin() as connection:
        result = write_roster(
            connection,
            preview,
            update_existing=update_existing,
            class_id=class_id,
            progress=progress,
        )
    record_event(
        database,
        IMPORTED,
        "trainees",
        f"导入学员名册：新增{result.inserted}人，更新{result.updated}人，"
        f"编入培训班{result.enrolled}人",
    )
    return result


def import_certificates(
    database: Database,
    preview: CertificatePreview,
    *,
    skip_invalid: bool = False,
    progress: ProgressFn | None = None,
) -> CertificateImportResult:
    """Store the checked list's new certificates in one transaction; a certificate already
    stored for its holder is passed over. Refused, cancelled or failed as ``import_roster``."""
    preview.require_importable(skip_invalid)
    backup_before_change(database, BACKUP_REASON)
    with database.engine.begin() as connection:
        result = write_certificates(connection, preview, progress=progress)
    record_event(database, IMPORTED, "certificates", f"导入证书名单：新增{result.inserted}本")
    return result


# --- The error report: a file with full numbers ---------------------------------------------


def error_report_file(preview: ImportPreview[Any]) -> FullNumberFile:
    """What the error report of ``preview`` will hold: one person per refused row."""
    return FullNumberFile(
        what=f"{kind_title(preview.mapping.kind)}导入错误报告",
        people=len(preview.invalid),
        reason="改正后重新导入",
    )


def write_error_report(
    database: Database, preview: ImportPreview[Any], path: Path
) -> WrittenDocument:
    """Write the refused rows, bad cells marked, to ``path``, with the one audit entry.

    The caller has shown ``error_report_file(preview).notice`` first.
    """
    return write_full_number_file(
        database,
        error_report_file(preview),
        path,
        lambda out: import_errors.write_error_report(preview, out),
    )
