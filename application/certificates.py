"""Certificates as use cases: add, edit, check, delete, and list them as the 证书 page filters.

The certificate dialog, the 证书 page and ``certificates …`` on the command line come here,
so a certificate is refused for the same reasons with the same words wherever it is typed:
the checks are ``core.trainees.certificates.check_certificate`` (a number already held here
names its holder). Each write opens its own session and commits once, or raises
``ValidationFailed`` and writes nothing; ``models.audit_hook`` records the row change in the
same commit.

The list is read in windows (ids sorted in SQL, then a block of rows as it comes into view),
so the page's lazy model and ``certificates list`` ask the same questions; its rows come with
the holder's ID number masked, and a certificate number that embeds one (a 特种作业操作证 is
“T” + the ID number) masked too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from application.trainees import require_institution
from core.fields import FieldError
from core.identity.idcard import mask_id_number
from core.trainees import certificates as certificate_records
from core.trainees.certificates import (
    CertificateFields,
    CertificateFilter,
    CertificateRow,
    check_certificate,
    display_number,
    save_certificate,
)
from models.database import Database

# --- Writing --------------------------------------------------------------------------------


def add_certificate(
    database: Database, entered: CertificateFields, today: date | None = None
) -> int:
    """Store a new certificate for the trainee it names; its id.

    Also how a deleted certificate comes back (the page's undo): from the fields
    ``delete_certificate`` returned, checked again, since its number may be taken by now.
    """
    with database.session() as session:
        require_institution(session)
        certificate_id = save_certificate(session, None, entered, today=today).id
        session.commit()
    return certificate_id


def edit_certificate(
    database: Database, certificate_id: int, entered: CertificateFields, today: date | None = None
) -> int:
    """Replace a certificate's fields with ``entered``; its id."""
    with database.session() as session:
        save_certificate(session, certificate_id, entered, today=today)
        session.commit()
    return certificate_id


def check_certificate_input(
    database: Database,
    certificate_id: int | None,
    entered: CertificateFields,
    today: date | None = None,
) -> list[FieldError]:
    """What saving ``entered`` would be refused for, without writing (the dialog asks on every
    keystroke, so a duplicate number turns red as it is typed)."""
    with database.session() as session:
        return check_certificate(entered, session, certificate_id, today)


def delete_certificate(database: Database, certificate_id: int) -> CertificateFields:
    """Delete one certificate (its tombstone carries the deletion to the bureau) and return
    what it held, so the clerk can undo with ``add_certificate``."""
    with database.session() as session:
        deleted = certificate_records.delete_certificate(session, certificate_id)
        session.commit()
    return deleted


# --- Reading --------------------------------------------------------------------------------


def certificate_form(database: Database, certificate_id: int) -> CertificateFields:
    """A stored certificate's fields, to fill the edit form."""
    with database.session() as session:
        certificate = certificate_records.stored_certificate(session, certificate_id)
        return certificate_records.certificate_fields(certificate)


def target_level(database: Database) -> str | None:
    """The Annex 1 level (高级工/中级工) this institution's certificates are counted at."""
    with database.session() as session:
        return certificate_records.institution_target_level(session)


def occupation_suggestions(database: Database) -> list[str]:
    """The 工种 to offer as the clerk types: the institution's own, then those already used."""
    with database.session() as session:
        return certificate_records.occupation_suggestions(session)


def issue_years(database: Database) -> list[int]:
    """The year filter's choices, newest first."""
    with database.session() as session:
        return certificate_records.issue_years(session)


def _masked(row: CertificateRow) -> CertificateRow:
    return replace(row, id_number=mask_id_number(row.id_number), number=display_number(row.number))


def certificate_ids(
    database: Database,
    flt: CertificateFilter,
    sort_key: str = "issue_date",
    descending: bool = True,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[int]:
    """One window of the ids ``flt`` selects, sorted in SQL (see
    ``core.trainees.certificates.SORT_COLUMNS`` for the keys)."""
    with database.session() as session:
        return certificate_records.certificate_ids(
            session, flt, sort_key, descending, offset=offset, limit=limit
        )


def certificate_rows(database: Database, ids: Sequence[int]) -> dict[int, CertificateRow]:
    """The rows of ``ids`` (a screenful), keyed by id, numbers masked."""
    with database.session() as session:
        rows = certificate_records.certificate_rows(session, ids)
    return {certificate_id: _masked(row) for certificate_id, row in rows.items()}


def count_certificates(database: Database, flt: CertificateFilter) -> int:
    with database.session() as session:
        return certificate_records.count_certificates(session, flt)


def list_certificates(
    database: Database, flt: CertificateFilter, limit: int | None = None
) -> list[CertificateRow]:
    """The certificates ``flt`` selects, newest issue first, numbers masked."""
    ids = certificate_ids(database, flt, limit=limit)
    rows = certificate_rows(database, ids)
    return [rows[certificate_id] for certificate_id in ids if certificate_id in rows]
