"""Installations for package tests: a school, bureaus, and tools to inspect and forge packages.

Each site is a database in a folder of its own, with its keys in ``keys/`` beside it, as on a
real machine. Bureau keys are made once per test session (scrypt is deliberately slow) and
copied into each test's folder.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from core.identity.uscc import uscc_check_char
from core.institution import Profile, register_local_institution
from core.packages import keys as keys_module
from core.packages.format import MANIFEST, SIGNATURE
from core.packages.importer import ImportOutcome, import_package
from core.packages.keys import LocalKeys, read_public_identity
from core.packages.records import encode_record, record_select, table_specs
from core.packages.trust import ANY_NEW_KEY, trust_identity
from core.packages.writer import ExportResult, export_package
from models import Base
from models.database import Database, open_database
from models.trainee import Certificate, Trainee

PASSPHRASE = "太原-correct-horse-battery"


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


CITY = Profile(
    name="太原市教育局",
    uscc=uscc("11140100MB0123456"),
    category="其他",
    division_code="140100",
    role="city",
)
OTHER_CITY = Profile(
    name="大同市教育局",
    uscc=uscc("11140200MB0223456"),
    category="其他",
    division_code="140200",
    role="city",
)
PROVINCE = Profile(
    name="山西省教育厅",
    uscc=uscc("11140000MB0000001"),
    category="其他",
    division_code="140000",
    role="province",
)
SCHOOL_B = Profile(
    name="太原市第一职业中学校",
    uscc=uscc("52140105MA0K12345"),
    category="中职学校",
    division_code="140105",
)
BUREAUS = (CITY, OTHER_CITY, PROVINCE)


@dataclass
class Site:
    database: Database
    keys: LocalKeys
    folder: Path
    uscc: str
    name: str
    division_code: str

    def export(self, out: Path, **options: Any) -> ExportResult:
        out.mkdir(parents=True, exist_ok=True)
        return export_package(self.database, self.keys, out, **options)

    def import_(self, path: Path, **options: Any) -> ImportOutcome:
        """Import as a clerk who confirmed every new sender's fingerprint, unless told otherwise
        (``accept_new=frozenset()`` is a clerk who confirmed none)."""
        options.setdefault("accept_new", ANY_NEW_KEY)
        return import_package(self.database, path, self.keys, **options)

    def public_key_file(self, out: Path) -> Path:
        target = out / f"{self.uscc}.certkey"
        self.keys.export_public(self.name, self.division_code, target)
        return target

    def trust(self, other: Site) -> None:
        identity = read_public_identity(other.public_key_file(other.folder))
        with self.database.session() as session:
            trust_identity(session, identity, self.uscc)
            session.commit()


def make_site(
    folder: Path, template_db: Path, profile: Profile, bureau_keys: Path | None = None
) -> Site:
    folder.mkdir(parents=True)
    db_path = folder / "certdesk.sqlite3"
    shutil.copyfile(template_db, db_path)
    return site_on(open_database(db_path), folder, profile, bureau_keys)


def site_on(
    database: Database, folder: Path, profile: Profile, bureau_keys: Path | None = None
) -> Site:
    """Register ``profile`` in an open database (SQLite or a server); keys go in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with database.session() as session:
        register_local_institution(session, profile)
        session.commit()
    keys = LocalKeys(folder / "keys", profile.uscc, profile.role, lambda: PASSPHRASE)
    if bureau_keys is not None:
        shutil.copytree(bureau_keys, folder / "keys", dirs_exist_ok=True)
    return Site(database, keys, folder, profile.uscc, profile.name, profile.division_code)


#: scrypt cost for the bureau keys most tests use: the files record their parameters, so a
#: cheaper key still goes through the real unlocking code (test_keys checks the real cost).
TEST_SCRYPT_N = 2**12


def make_bureau_keys(folder: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys_module, "SCRYPT_N", TEST_SCRYPT_N)
        for profile in BUREAUS:
            LocalKeys(folder, profile.uscc, profile.role).create(PASSPHRASE)
    return folder


def bureau_keys_for(all_keys: Path, profile: Profile, into: Path) -> Path:
    """A copy of one bureau's two key files, as ``keys/`` of its own site would hold them."""
    target = into / f"keys-{profile.uscc}"
    target.mkdir(parents=True)
    for path in all_keys.glob(f"{profile.uscc}-*.key"):
        shutil.copy2(path, target / path.name)
    return target


def dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: equal dumps mean equal content."""
    with database.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def synced_content(database: Database, origin: str) -> dict[str, list[dict[str, Any]]]:
    """The records of one origin as a package would carry them, for comparing installations."""
    content = {}
    with database.engine.connect() as connection:
        for spec in table_specs():
            statement = record_select(spec).where(spec.table.c.origin == origin)
            rows = [encode_record(spec, row) for row in connection.execute(statement)]
            content[spec.name] = sorted(rows, key=lambda r: r["uuid"])
    return content


def edit_school(school: Site, employer: str = "太原重型机械集团") -> dict[str, str]:
    """Rename an employer, add a certificate, delete a student who holds certificates."""
    with school.database.session() as session:
        worker = session.scalars(select(Trainee).where(Trainee.employer != "").limit(1)).one()
        worker.employer = employer
        session.add(
            Certificate(
                trainee=worker,
                cert_type="职业技能等级证书（含1+X）",
                occupation="电工",
                occupation_code="6-31-01-03",
                level="四级/中级工",
                number=f"T{worker.id:06d}-{hashlib.sha256(employer.encode()).hexdigest()[:8]}",
                issue_date=date(2021, 6, 30),
            )
        )
        student = session.scalars(
            select(Trainee)
            .where(Trainee.certificates.any(), Trainee.identity == "在校学生")
            .order_by(Trainee.id.desc())
            .limit(1)
        ).one()
        session.delete(student)
        session.commit()
        return {"edited": worker.uuid, "deleted": student.uuid}


def trainee_count(database: Database) -> int:
    with database.session() as session:
        return len(session.scalars(select(Trainee.id)).all())


# ---- forging packages -------------------------------------------------------------------------


def read_members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def write_members(
    path: Path, members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED
) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def member_offsets(path: Path) -> dict[str, tuple[int, int]]:
    """Where each member's data starts in the file, and its length."""
    offsets = {}
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            header = info.header_offset
            name_length = int.from_bytes(raw[header + 26 : header + 28], "little")
            extra_length = int.from_bytes(raw[header + 28 : header + 30], "little")
            offsets[info.filename] = (header + 30 + name_length + extra_length, info.compress_size)
    return offsets


def forge(
    source: Path,
    target: Path,
    signer: Ed25519PrivateKey,
    edit_manifest: Callable[[dict[str, Any]], None] = lambda _m: None,
    parts: dict[str, bytes] | None = None,
) -> Path:
    """A copy of an unencrypted package with parts replaced and the manifest re-signed.

    ``parts`` maps a table to new plain JSON-lines bytes; the manifest's sizes and hashes are
    brought in line, as a forger holding the signing key would.
    """
    members = dict(read_members(source))
    manifest = json.loads(members[MANIFEST])
    for table, plain in (parts or {}).items():
        entry = next(p for p in manifest["parts"] if p["table"] == table)
        stored = gzip.compress(plain, mtime=0)
        members[entry["name"]] = stored
        entry.update(
            records=plain.count(b"\n"),
            size=len(stored),
            sha256=hashlib.sha256(stored).hexdigest(),
            plain_size=len(plain),
            plain_sha256=hashlib.sha256(plain).hexdigest(),
        )
    edit_manifest(manifest)
    members[MANIFEST] = json.dumps(manifest, ensure_ascii=False).encode()
    members[SIGNATURE] = signer.sign(members[MANIFEST])
    return write_members(target, list(members.items()))


def part_lines(path: Path, table: str) -> list[dict[str, Any]]:
    """The records of one part of an unencrypted package."""
    members = dict(read_members(path))
    data = gzip.decompress(members[f"parts/{table}.jsonl.gz"])
    return [json.loads(line) for line in data.splitlines()]


def jsonl(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)
