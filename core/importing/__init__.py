"""Importing rosters and certificate lists from the spreadsheets offices send.

The steps, each usable alone: ``read_spreadsheet`` (any .xlsx, .xls or CSV, cells keeping
their types; a file larger than ``LIMITS`` is refused before it is parsed) → ``choose_sheet``
/ ``mapping_at`` (where the header is, which column is which field; the clerk may correct
it) → ``preview_roster`` / ``preview_certificates`` (every row checked, nothing written) →
``write_roster`` / ``write_certificates`` (the rows written on a connection whose one
transaction, backup and audit entry ``application.importing`` holds).
"""

from core.importing.certificates import (
    CertificateImportResult,
    CertificatePreview,
    CertificateRow,
    preview_certificates,
    write_certificates,
)
from core.importing.header import (
    ColumnMapping,
    FieldSpec,
    Kind,
    choose_sheet,
    detect_header,
    field_specs,
    kind_title,
    mapping_at,
)
from core.importing.limits import LIMITS, ReadLimits
from core.importing.reader import (
    FileTooLarge,
    ImportRefused,
    Sheet,
    Spreadsheet,
    UnreadableFile,
    read_spreadsheet,
)
from core.importing.roster import (
    RosterImportResult,
    RosterPreview,
    RosterRow,
    preview_roster,
    write_roster,
)
from core.importing.rows import ImportPreview, PreviewRow, RowIssue, RowStatus

__all__ = [
    "LIMITS",
    "CertificateImportResult",
    "CertificatePreview",
    "CertificateRow",
    "ColumnMapping",
    "FieldSpec",
    "FileTooLarge",
    "ImportPreview",
    "ImportRefused",
    "Kind",
    "PreviewRow",
    "ReadLimits",
    "RosterImportResult",
    "RosterPreview",
    "RosterRow",
    "RowIssue",
    "RowStatus",
    "Sheet",
    "Spreadsheet",
    "UnreadableFile",
    "choose_sheet",
    "detect_header",
    "field_specs",
    "kind_title",
    "mapping_at",
    "preview_certificates",
    "preview_roster",
    "read_spreadsheet",
    "write_certificates",
    "write_roster",
]
