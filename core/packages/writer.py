"""Export: every synchronisable row (full) or every row changed since the last package.

"Changed" is decided by revision, not by clock: ``sent_revisions`` remembers the revision of
each row last written into a package, so a PC whose clock was reset still sends every change.
The package goes to a temporary name, is flushed and renamed; only then is the export recorded,
in the same transaction that read the rows. If that commit fails, the file is removed again,
so the log and the folder never disagree about which sequence numbers exist.

The audit log travels too (``audit_log`` part). Its entries are append-only, so an entry is
either sent or not: ``sent_revisions`` records each one sent under its uuid with revision 1,
and an incremental package carries the entries not listed there. That needs no new state and,
unlike a "highest id sent" mark, cannot miss an entry whose id was drawn before a higher one
but committed after the export read the log (PostgreSQL sequences), nor reuse ids after a
restore. A full package (also the first one to a new recipient) carries every entry and
resets the list, exactly as for rows.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from core.base.atomic import atomic_output
from core.base.progress import ProgressFn, no_progress
from core.institution import local_institution
from core.packages.format import (
    AUDIT_LOG,
    FORMAT_VERSION,
    FULL,
    INCREMENTAL,
    MANIFEST,
    SIGNATURE,
    TOMBSTONES,
    Manifest,
    PackageError,
    Part,
    Sealing,
    Sender,
    package_file_name,
    part_member,
)
from core.packages.keys import SIGNING, LocalKeys
from core.packages.records import (
    TableSpec,
    audit_spec,
    encode_record,
    record_select,
    table_specs,
    tombstone_spec,
)
from core.packages.rows import BATCH, chunks
from core.packages.sealing import new_package_key, seal_part, wrap_key
from core.packages.trust import Recipient, recipient, record_own_fingerprint
from core.version import VERSION
from models.audit import AuditEntry
from models.base import utcnow
from models.database import Database
from models.exchange import SENT, ExchangePackage, SentRevision
from models.institution import Institution
from models.migrate import current_revision
from models.sync import Tombstone


@dataclass(frozen=True)
class ExportResult:
    path: Path
    manifest: Manifest

    @property
    def total_records(self) -> int:
        return sum(p.records for p in self.manifest.parts)


@dataclass
class _EncodedPart:
    table: str
    lines: bytes
    records: int
    revisions: list[tuple[str, int]]


def _tombstone_select(changed_only: bool) -> Any:
    t = Tombstone.__table__
    statement = select(t.c.uuid, t.c.entity, t.c.origin, t.c.revision, t.c.deleted_at).order_by(
        t.c.id
    )
    if changed_only:
        sent = SentRevision.__table__
        statement = statement.outerjoin(sent, sent.c.uuid == t.c.uuid).where(
            or_(sent.c.revision.is_(None), sent.c.revision != t.c.revision)
        )
    return statement


def _changed_rows(spec: TableSpec, changed_only: bool) -> Any:
    statement = record_select(spec)
    if changed_only:
        sent = SentRevision.__table__
        statement = statement.outerjoin(sent, sent.c.uuid == spec.table.c.uuid).where(
            or_(sent.c.revision.is_(None), sent.c.revision != spec.table.c.revision)
        )
    return statement


def _audit_select(own_uscc: str, school: bool, changed_only: bool) -> Any:
    """Audit entries as records; an entry written before the institution was registered has
    no origin and is sent as the sender's own (it was written here). A school sends only its
    own entries, as it does rows (the receiver refuses anything else)."""
    t = AuditEntry.__table__
    columns = [
        func.coalesce(t.c.origin, own_uscc).label(f.name)
        if f.name == "origin"
        else t.c[f.column].label(f.name)
        for f in audit_spec().fields
    ]
    statement = select(*columns).order_by(t.c.id)
    if school:
        statement = statement.where(or_(t.c.origin == own_uscc, t.c.origin.is_(None)))
    if changed_only:
        sent = SentRevision.__table__
        statement = statement.outerjoin(sent, sent.c.uuid == t.c.uuid).where(sent.c.uuid.is_(None))
    return statement


def _encode(table: str, rows: Iterable[dict[str, Any]]) -> _EncodedPart:
    lines: list[bytes] = []
    revisions: list[tuple[str, int]] = []
    for record in rows:
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode())
        # Audit entries have no revision: never changed, so "sent" is revision 1.
        revisions.append((record["uuid"], record.get("revision", 1)))
    body = b"\n".join(lines) + (b"\n" if lines else b"")
    return _EncodedPart(table, body, len(lines), revisions)


def _gather(
    session: Session, own: Institution, changed_only: bool, progress: ProgressFn
) -> list[_EncodedPart]:
    specs = table_specs()
    steps = len(specs) + 2
    parts = []
    for index, spec in enumerate(specs):
        progress(index, steps, f"正在读取{spec.label}…")
        rows = session.execute(_changed_rows(spec, changed_only))
        parts.append(_encode(spec.name, (encode_record(spec, row) for row in rows)))
    progress(len(specs), steps, "正在读取删除记录…")
    tombstones = session.execute(_tombstone_select(changed_only))
    spec = tombstone_spec()
    parts.append(_encode(TOMBSTONES, (encode_record(spec, row) for row in tombstones)))
    progress(len(specs) + 1, steps, "正在读取操作日志…")
    entries = session.execute(_audit_select(own.uscc, own.role == "school", changed_only))
    spec = audit_spec()
    parts.append(_encode(AUDIT_LOG, (encode_record(spec, row) for row in entries)))
    return parts


def _remember_sent(session: Session, parts: list[_EncodedPart], full: bool) -> None:
    table = SentRevision.__table__
    revisions = [pair for part in parts for pair in part.revisions]
    if full:
        session.execute(delete(table))
    else:
        for chunk in chunks([row_uuid for row_uuid, _ in revisions]):
            session.execute(delete(table).where(table.c.uuid.in_(chunk)))
    for chunk in chunks(revisions, BATCH):
        session.execute(insert(table), [{"uuid": u, "revision": r} for u, r in chunk])


def _last_sent(session: Session) -> ExchangePackage | None:
    return session.scalar(
        select(ExchangePackage)
        .where(ExchangePackage.direction == SENT)
        .order_by(ExchangePackage.id.desc())
        .limit(1)
    )


def _seal_parts(
    parts: list[_EncodedPart], package_id: str, target: Recipient | None
) -> tuple[list[tuple[Part, bytes]], Sealing | None]:
    package_key = new_package_key() if target is not None else None
    sealed: list[tuple[Part, bytes]] = []
    for part in parts:
        member = part_member(part.table, target is not None)
        compressed = gzip.compress(part.lines, compresslevel=6, mtime=0)
        stored = (
            compressed
            if package_key is None
            else seal_part(package_key, package_id, member, compressed)
        )
        sealed.append(
            (
                Part(
                    table=part.table,
                    member=member,
                    records=part.records,
                    stored_size=len(stored),
                    stored_sha256=hashlib.sha256(stored).hexdigest(),
                    plain_size=len(part.lines),
                    plain_sha256=hashlib.sha256(part.lines).hexdigest(),
                ),
                stored,
            )
        )
    if target is None or package_key is None:
        return sealed, None
    wrapped = wrap_key(package_key, target.public_key, package_id)
    sealing = Sealing(
        recipient_uscc=target.uscc,
        recipient_name=target.name,
        recipient_key=target.public_key,
        recipient_fingerprint=target.signing_fingerprint,
        ephemeral_key=wrapped.ephemeral_key,
        key_nonce=wrapped.nonce,
        wrapped_key=wrapped.wrapped,
    )
    return sealed, sealing


def _write_zip(path: Path, members: list[tuple[str, bytes]], moment: datetime) -> None:
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    try:
        with atomic_output(path) as stream, zipfile.ZipFile(stream, "w") as archive:
            for name, data in members:
                archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data)
    except FileExistsError as exc:
        raise PackageError(f"文件“{path.name}”已存在：请先将其移走再导出") from exc
    except OSError as exc:
        raise PackageError(f"无法写入数据包“{path}”：{exc.strerror or exc}") from exc


def file_sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def export_package(
    database: Database,
    keys: LocalKeys,
    out_dir: Path,
    *,
    full: bool = False,
    unencrypted: bool = False,
    progress: ProgressFn = no_progress,
) -> ExportResult:
    """Write the next package into ``out_dir`` and record it; raises PackageError to refuse."""
    if not out_dir.is_dir():
        raise PackageError(f"文件夹“{out_dir}”不存在")
    with database.session() as session:
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            # One snapshot for every table, so no child row is sent without its parent.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        institution = local_institution(session)
        if institution is None:
            raise PackageError("本机构尚未登记：请先完成初始设置（init）")
        keys.ensure()
        signing_public = keys.public_key(SIGNING)
        signer = keys.signing_key()  # a bureau's passphrase is asked before anything is locked
        target = None if unencrypted else recipient(session)
        if target is None and not unencrypted:
            raise PackageError(
                "尚未导入上级教育局的公钥，无法加密：请先用 keys trust 导入对方的公钥文件"
                "（并电话核对指纹），或明确选择导出未加密的数据包（--unencrypted）"
            )
        last = _last_sent(session)
        recipient_uscc = target.uscc if target is not None else None
        kind = (
            FULL if full or last is None or last.recipient_uscc != recipient_uscc else INCREMENTAL
        )
        sequence = (
            session.scalar(
                select(func.max(ExchangePackage.sequence)).where(ExchangePackage.direction == SENT)
            )
            or 0
        ) + 1
        package_id = uuid.uuid4().hex
        now = utcnow()
        # The clerk's own calendar day in the name; every time inside the package is UTC.
        path = out_dir / package_file_name(institution.uscc, datetime.now().date(), sequence)
        if path.exists():
            raise PackageError(f"文件“{path.name}”已存在：请先将其移走再导出")
        log = ExchangePackage(
            package_id=package_id,
            direction=SENT,
            sender_uscc=institution.uscc,
            sender_name=institution.name,
            recipient_uscc=recipient_uscc,
            kind=kind,
            sequence=sequence,
            follows=last.sequence if last is not None else None,
            created_at=now,
            processed_at=now,
            file_name=path.name,
            encrypted=target is not None,
        )
        session.add(log)
        session.flush()  # takes the write lock first: nothing can change under the export
        record_own_fingerprint(session, signing_public)
        schema = current_revision(session.connection()) or ""

        encoded = _gather(session, institution, kind == INCREMENTAL, progress)
        progress(len(encoded), len(encoded) + 1, "正在压缩、加密并签名…")
        parts, sealing = _seal_parts(encoded, package_id, target)
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            schema_version=schema,
            app_version=VERSION,
            package_id=package_id,
            kind=kind,
            sequence=sequence,
            follows=log.follows,
            created_at=now,
            sender=Sender(
                uscc=institution.uscc,
                name=institution.name,
                division_code=institution.division_code,
                role=institution.role,
                category=institution.category,
                signing_key=signing_public,
            ),
            sealing=sealing,
            parts=tuple(part for part, _ in parts),
        )
        manifest_bytes = manifest.to_json_bytes()
        signature = signer.sign(manifest_bytes)
        members = [(MANIFEST, manifest_bytes), (SIGNATURE, signature)]
        members += [(part.member, stored) for part, stored in parts]
        _write_zip(path, members, now)
        try:
            log.file_sha256 = file_sha256(path)
            log.record_counts = manifest.record_counts
            _remember_sent(session, encoded, kind == FULL)
            session.commit()
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        progress(len(encoded) + 1, len(encoded) + 1, "完成")
    return ExportResult(path=path, manifest=manifest)
