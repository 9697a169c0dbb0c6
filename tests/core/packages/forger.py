"""An independent maker of ``.certpkg`` files, written from docs/PACKAGE-FORMAT.md alone.

Adversarial tests need packages that CertDesk's own writer will never produce: a school's key
signing a manifest that claims the role ``city``, rows of other schools, tombstones for UUIDs
the sender never owned, an old full package replayed, a manifest whose hashes lie. Editing a
real package (``sites.forge``) can only reach some of those, and building on
``core.packages.writer``/``sealing``/``records`` would share every mistake of the code under
test. So this module is what an attacker (or an outside integrator) would write: it knows only
the document, and uses nothing but ``cryptography``, ``json``, ``gzip``, ``zipfile`` and
``hashlib``. If a package forged here with honest contents does not import, either the document
or the reader is wrong — which is exactly what ``test_forger.py`` checks.

From CertDesk itself it borrows only the check characters of 统一社会信用代码 and ID numbers
(``core.identity.uscc``, ``core.identity.idcard``), so that the records it builds pass the data
checks.

The attacker model: a dishonest school holds its own Ed25519 signing key (its key file is plain
JSON, §7) and the bureau's public key file (``.certkey``), and can write anything it likes
into a package it signs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from core.identity.idcard import id_check_char
from core.identity.uscc import uscc_check_char

__all__ = [
    "OMIT",
    "RECORD_TABLES",
    "SCHEMA_VERSION",
    "TABLES",
    "Recipient",
    "SenderIdentity",
    "audit_entry",
    "certificate",
    "doc_fingerprint",
    "enrolment",
    "forge_package",
    "institution",
    "jsonl",
    "make_uscc",
    "offered_occupation",
    "plan_item",
    "recipient_from_key_file",
    "sender_from_keys",
    "served_industry",
    "signing_key_of",
    "timestamp",
    "tombstone",
    "trainee",
    "training_class",
    "valid_id_number",
]

# ---- constants, each from the section of the document that states it ------------------------

FORMAT: Final = "certdesk-package"  # §2
FORMAT_VERSION: Final = 2  # §2
#: §2: an Alembic revision; schema 0001 is the one §3 lists the fields of.
SCHEMA_VERSION: Final = "0001"
APP_VERSION: Final = "0.1.0-forged"
MANIFEST: Final = "manifest.json"  # §1
SIGNATURE: Final = "manifest.sig"  # §1
#: §3: rows' parts, parents first; then tombstones and the audit log, in this order.
RECORD_TABLES: Final = (
    "institutions",
    "offered_occupations",
    "served_industries",
    "trainees",
    "certificates",
    "training_classes",
    "plan_items",
    "enrolments",
)
TABLES: Final = (*RECORD_TABLES, "tombstones", "audit_log")
SCHEME: Final = "X25519-HKDF-SHA256/AES-256-GCM"  # §4
HKDF_INFO: Final = b"CertDesk package key wrap v1"  # §4
FINGERPRINT_DOMAIN: Final = b"CertDesk key fingerprint v1"  # §7
PUBLIC_KEY_FORMAT: Final = "certdesk-public-key"  # §7

#: Pass as a keyword override to a record builder to leave that field out of the record.
OMIT: Final = object()

# ---- who signs and who may read --------------------------------------------------------------


def _raw_public(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class SenderIdentity:
    """What the manifest's ``sender`` says, and the key that signs it.

    Nothing ties these fields together: a school's key can sign ``role="city"`` or another
    school's code. The manifest's ``sender.signing_key.public`` is ``signing_key``'s public
    half unless ``claimed_public_key`` says otherwise (a manifest naming a key it was not
    signed with).
    """

    uscc: str
    name: str
    division_code: str
    role: str
    category: str
    signing_key: Ed25519PrivateKey
    claimed_public_key: bytes | None = None

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte key the manifest names."""
        if self.claimed_public_key is not None:
            return self.claimed_public_key
        return _raw_public(self.signing_key)


@dataclass(frozen=True)
class Recipient:
    """Whom a package is encrypted to (§4); ``forge_package(recipient=None)`` writes it plain.

    ``fingerprint`` is only what ``encryption.recipient.fingerprint`` says; CertDesk writes the
    recipient's *signing*-key fingerprint there (the document does not say which key), so
    ``recipient_from_key_file`` copies the file's fingerprint. Left ``None``, the fingerprint
    of ``public_key`` is written.
    """

    uscc: str
    name: str
    public_key: bytes  # raw X25519, 32 bytes
    fingerprint: str | None = None


def doc_fingerprint(public_key: bytes) -> str:
    """§7: SHA-256 over domain ‖ 0x00 ‖ key, six groups of five digits."""
    digest = hashlib.sha256(FINGERPRINT_DOMAIN + b"\x00" + public_key).digest()
    return " ".join(
        f"{int.from_bytes(digest[5 * i : 5 * i + 5], 'big') % 100000:05d}" for i in range(6)
    )


def _canonical_json(data: Any) -> bytes:
    """§7: sorted keys, no spaces, UTF-8 (so Chinese text as itself, not ``\\u`` escapes)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signing_key_of(keys_dir: Path, uscc: str, passphrase: str | None = None) -> Ed25519PrivateKey:
    """The institution's Ed25519 private key from ``<keys_dir>/<uscc>-signing.key`` (§7).

    A school's file holds the raw key in hex (``protection: null``): anyone who can read the
    folder can sign as the school, which is the attacker this module plays. A bureau's file is
    scrypt/AES-256-GCM protected and needs ``passphrase``. The field names are those of
    ``core/packages/keys.py``; §7 does not list them.
    """
    document = json.loads((keys_dir / f"{uscc}-signing.key").read_text(encoding="utf-8"))
    if document.get("algorithm") != "Ed25519" or document.get("uscc") != uscc:
        raise ValueError(f"{keys_dir} holds no Ed25519 signing key for {uscc}")
    secret = bytes.fromhex(document["private_key"])
    protection = document.get("protection")
    if protection is not None:
        if passphrase is None:
            raise ValueError("this signing key is passphrase-protected (a bureau's key)")
        kek = Scrypt(
            salt=bytes.fromhex(protection["salt"]),
            length=32,
            n=protection["n"],
            r=protection["r"],
            p=protection["p"],
        ).derive(passphrase.encode())
        header = {k: document[k] for k in ("uscc", "algorithm", "public_key")}
        secret = AESGCM(kek).decrypt(
            bytes.fromhex(protection["nonce"]), secret, _canonical_json(header)
        )
    key = Ed25519PrivateKey.from_private_bytes(secret)
    if _raw_public(key).hex() != document.get("public_key"):
        raise ValueError("the key file's private and public keys do not match")
    return key


def sender_from_keys(
    keys_dir: Path,
    uscc: str,
    *,
    name: str,
    division_code: str,
    role: str = "school",
    category: str = "中职学校",
) -> SenderIdentity:
    """A sender that tells the truth about itself, signing with its real (unprotected) key."""
    return SenderIdentity(
        uscc=uscc,
        name=name,
        division_code=division_code,
        role=role,
        category=category,
        signing_key=signing_key_of(keys_dir, uscc),
    )


def recipient_from_key_file(path: Path) -> Recipient:
    """A bureau's public key file (``.certkey``, §7) as the Recipient to encrypt to.

    The file's self-signature and fingerprint are checked as §7 describes them, which also
    checks that description; a school's file (``encryption_key: null``) is refused because
    nothing can be encrypted to it.
    """
    document = json.loads(path.read_bytes().decode("utf-8"))
    if document.get("format") != PUBLIC_KEY_FORMAT:
        raise ValueError(f"{path} is not a CertDesk public key file")
    signing = bytes.fromhex(document["signing_key"]["public"])
    signed = {k: v for k, v in document.items() if k not in ("fingerprint", "signature")}
    Ed25519PublicKey.from_public_bytes(signing).verify(
        bytes.fromhex(document["signature"]), _canonical_json(signed)
    )
    if document["fingerprint"] != doc_fingerprint(signing):
        raise ValueError(f"{path}: the fingerprint is not that of the signing key")
    if document.get("encryption_key") is None:
        raise ValueError(f"{path} has no encryption key (a school's file)")
    return Recipient(
        uscc=document["uscc"],
        name=document["name"],
        public_key=bytes.fromhex(document["encryption_key"]["public"]),
        fingerprint=document["fingerprint"],
    )


# ---- records ---------------------------------------------------------------------------------


def timestamp(moment: datetime | None = None) -> str:
    """§3's time format, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC (naive means UTC already)."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


def _uuid() -> str:
    return secrets.token_hex(16)


def make_uscc(body17: str | None = None) -> str:
    """A valid 统一社会信用代码; random 民办非企业单位 in 太原 unless ``body17`` is given."""
    if body17 is None:
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        body17 = "52140105" + "".join(secrets.choice(alphabet) for _ in range(9))
    return body17 + uscc_check_char(body17)


def valid_id_number(
    division: str = "140105", born: date = date(2003, 5, 14), male: bool | None = None
) -> str:
    """An 18-digit ID number that passes the check digit, with a random sequence number."""
    sequence = secrets.randbelow(1000)
    if male is not None and (sequence % 2 == 1) != male:
        sequence = (sequence + 1) % 1000
    first17 = f"{division}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def _record(
    fields: dict[str, Any], origin: str, over: Mapping[str, Any], *, synced: bool = True
) -> dict[str, Any]:
    """The table's own fields, then §3's uuid/revision/origin/updated_at, then overrides.

    Overrides may replace any field, add fields no table has, or (with ``OMIT``) drop one.
    """
    record = dict(fields)
    record["uuid"] = _uuid()
    if synced:
        record.update(revision=1, origin=origin, updated_at=timestamp())
    else:
        record["origin"] = origin
    for key, value in over.items():
        if value is OMIT:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def institution(origin: str, **over: Any) -> dict[str, Any]:
    """An ``institutions`` record; its ``uscc`` is its origin, as §3 requires."""
    return _record(
        {
            "name": f"测试培训学校{origin[-4:]}",
            "uscc": origin,
            "category": "中职学校",
            "role": "school",
            "division_code": origin[2:8],
            "address": "山西省太原市小店区测试路1号",
            "admin_name": "张测试",
            "admin_id_number": valid_id_number("140105", date(1975, 3, 2)),
            "contact_name": "李测试",
            "contact_phone": "13800138000",
            "training_capacity": 300,
            "annex1_unit": None,
        },
        origin,
        over,
    )


def offered_occupation(origin: str, institution_uuid: str, **over: Any) -> dict[str, Any]:
    return _record(
        {"institution_uuid": institution_uuid, "name": "电工", "code": "", "position": 0},
        origin,
        over,
    )


def served_industry(origin: str, institution_uuid: str, **over: Any) -> dict[str, Any]:
    return _record(
        {"institution_uuid": institution_uuid, "industry_code": "E01", "position": 0},
        origin,
        over,
    )


def trainee(origin: str, **over: Any) -> dict[str, Any]:
    """A ``trainees`` record with a valid ID number whose gender digit matches ``gender``."""
    male = over.get("gender", "男") == "男"
    return _record(
        {
            "name": "测试学员",
            "gender": "男" if male else "女",
            "id_number": valid_id_number(male=male),
            "phone": f"139{secrets.randbelow(10**8):08d}",
            "identity": "在校学生",
            "employer": "",
            "major": "数控技术",
            "class_name": "数控技术251班",
            "graduation_year": 2025,
        },
        origin,
        over,
    )


def certificate(origin: str, trainee_uuid: str, **over: Any) -> dict[str, Any]:
    return _record(
        {
            "trainee_uuid": trainee_uuid,
            "cert_type": "职业技能等级证书（含1+X）",
            "occupation": "电工",
            "occupation_code": "6-31-01-03",
            "level": "四级/中级工",
            "number": f"F{secrets.token_hex(8).upper()}",
            "issue_date": "2025-06-30",
            "issuer": "山西省人力资源和社会保障厅",
            "route": "考核评价",
        },
        origin,
        over,
    )


def training_class(origin: str, **over: Any) -> dict[str, Any]:
    return _record(
        {
            "name": "测试定向培训班",
            "industry_code": "E01",
            "occupation": "电工",
            "kind": "定向",
            "start_date": "2025-03-03",
            "end_date": "2025-06-30",
            "location": "实训楼",
            "planned_headcount": 40,
            "participant_identity": "企业职工",
            "total_hours": 160,
            "status": "草稿",
            "subsidy_per_person": "3000.00",
        },
        origin,
        over,
    )


def plan_item(origin: str, class_uuid: str, **over: Any) -> dict[str, Any]:
    return _record(
        {
            "class_uuid": class_uuid,
            "position": 0,
            "module": "安全用电",
            "content": "低压电工安全规程",
            "theory_hours": 16,
            "practice_hours": 8,
            "teacher": "王测试",
        },
        origin,
        over,
    )


def enrolment(origin: str, class_uuid: str, trainee_uuid: str, **over: Any) -> dict[str, Any]:
    return _record(
        {
            "class_uuid": class_uuid,
            "trainee_uuid": trainee_uuid,
            "voucher_issued": False,
            "voucher_verified": False,
            "completed": False,
            "completion_date": None,
        },
        origin,
        over,
    )


def tombstone(
    uuid: str, entity: str, origin: str, revision: int, deleted_at: datetime | None = None
) -> dict[str, Any]:
    """§3: row ``uuid`` of table ``entity`` deleted; ``revision`` is its last one plus one.

    Tombstones have no ``updated_at``: their time is ``deleted_at``.
    """
    return {
        "uuid": uuid,
        "entity": entity,
        "origin": origin,
        "revision": revision,
        "deleted_at": timestamp(deleted_at),
    }


def audit_entry(origin: str, **over: Any) -> dict[str, Any]:
    """An ``audit_log`` entry (§3): append-only, so no ``revision`` and no ``updated_at``."""
    return _record(
        {
            "at": timestamp(),
            "os_user": "forger",
            "host": "forge-pc",
            "action": "新增",
            "entity": "trainees",
            "record_uuid": None,
            "changes": "[]",
            "detail": "测试学员",
        },
        origin,
        over,
        synced=False,
    )


def jsonl(records: Sequence[Mapping[str, Any]]) -> bytes:
    """§3's part text: one JSON object per line, each line ending in ``\\n``."""
    return b"".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" for r in records
    )


# ---- the package -----------------------------------------------------------------------------


def _wrap_package_key(package_key: bytes, recipient: Recipient, package_id: str) -> dict[str, Any]:
    """§4 steps 2-4: an ephemeral X25519 agreement, HKDF, then AES-GCM around the key."""
    ephemeral = X25519PrivateKey.generate()
    e_public = _raw_public(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.public_key))
    kek = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=e_public + recipient.public_key, info=HKDF_INFO
    ).derive(shared)
    key_nonce = os.urandom(12)
    wrapped = AESGCM(kek).encrypt(key_nonce, package_key, package_id.encode("ascii"))
    return {
        "scheme": SCHEME,
        "recipient": {
            "uscc": recipient.uscc,
            "name": recipient.name,
            "public_key": recipient.public_key.hex(),
            "fingerprint": recipient.fingerprint or doc_fingerprint(recipient.public_key),
        },
        "ephemeral_public_key": e_public.hex(),
        "key_nonce": key_nonce.hex(),
        "wrapped_key": wrapped.hex(),
    }


def forge_package(
    out: Path,
    sender: SenderIdentity,
    *,
    records: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    tombstones: Sequence[Mapping[str, Any]] = (),
    audit: Sequence[Mapping[str, Any]] = (),
    kind: str | None = None,
    sequence: int | None = None,
    follows: int | None = None,
    recipient: Recipient | None = None,
    package_id: str | None = None,
    created_at: datetime | None = None,
    tables: Sequence[str] = TABLES,
    signer: Ed25519PrivateKey | None = None,
    edit_manifest: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    """Write a package as §1-§4 describe it and return its path.

    ``out`` is the file to write, or a folder to write ``<uscc>_<YYYYMMDD>_<seq>.certpkg`` in
    (§1). Every table of ``tables`` (by default all ten, in §3's order) gets a part, empty or
    not, as CertDesk's writer does; ``records`` maps a row table to its records, in the order
    they are to be written. ``kind`` defaults to ``full`` for a first package (``follows`` is
    ``None``) and ``incremental`` otherwise, and ``sequence`` to ``follows + 1``; any explicit
    value is written as given, however inconsistent. ``signer`` signs instead of
    ``sender.signing_key`` (the manifest still names the sender's key), and ``edit_manifest``
    may change the manifest document after the parts are hashed and before it is signed.
    """
    records = records or {}
    stray = set(records) - set(tables)
    if stray:
        raise ValueError(f"records for tables without a part: {sorted(stray)}")
    contents: dict[str, Sequence[Mapping[str, Any]]] = {
        **records,
        "tombstones": tombstones,
        "audit_log": audit,
    }
    if kind is None:
        kind = "full" if follows is None else "incremental"
    if sequence is None:
        sequence = (follows or 0) + 1
    package_id = package_id or secrets.token_hex(16)
    created_at = created_at or datetime.now(UTC)
    package_key = os.urandom(32) if recipient is not None else None

    members: list[tuple[str, bytes]] = []
    parts: list[dict[str, Any]] = []
    for table in tables:
        lines = contents.get(table, ())
        plain = jsonl(lines)
        compressed = gzip.compress(plain, mtime=0)
        if package_key is None:
            name, stored = f"parts/{table}.jsonl.gz", compressed
        else:
            name = f"parts/{table}.jsonl.gz.aes"
            nonce = os.urandom(12)
            aad = f"{package_id}/{name}".encode()
            stored = nonce + AESGCM(package_key).encrypt(nonce, compressed, aad)
        members.append((name, stored))
        parts.append(
            {
                "table": table,
                "name": name,
                "records": len(lines),
                "size": len(stored),
                "sha256": hashlib.sha256(stored).hexdigest(),
                "plain_size": len(plain),
                "plain_sha256": hashlib.sha256(plain).hexdigest(),
            }
        )

    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "app_version": APP_VERSION,
        "package_id": package_id,
        "kind": kind,
        "sequence": sequence,
        "follows": follows,
        "created_at": timestamp(created_at),
        "sender": {
            "uscc": sender.uscc,
            "name": sender.name,
            "division_code": sender.division_code,
            "role": sender.role,
            "category": sender.category,
            "signing_key": {"algorithm": "Ed25519", "public": sender.public_key.hex()},
        },
        "encryption": None
        if recipient is None or package_key is None
        else _wrap_package_key(package_key, recipient, package_id),
        "parts": parts,
    }
    if edit_manifest is not None:
        edit_manifest(manifest)
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    signature = (signer or sender.signing_key).sign(manifest_bytes)

    if out.is_dir():  # §1: the sender's local calendar day, though every time inside is UTC
        day = created_at.replace(tzinfo=created_at.tzinfo or UTC).astimezone().date()
        out /= f"{sender.uscc}_{day:%Y%m%d}_{sequence:04d}.certpkg"
    stamp = created_at.timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in [(MANIFEST, manifest_bytes), (SIGNATURE, signature), *members]:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data)
    return out
