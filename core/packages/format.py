"""The package format: names, versions, limits and the manifest (docs/PACKAGE-FORMAT.md).

A package is a ZIP archive whose members are all stored uncompressed: ``manifest.json``, its
Ed25519 signature ``manifest.sig``, and one gzip-compressed JSON-lines part per table under
``parts/`` (AES-256-GCM encrypted when the recipient's key is known). The manifest names every
part with its size and SHA-256, so the signature over the manifest covers the whole package.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from core.packages.keys import fingerprint

FORMAT_NAME = "certdesk-package"
#: 2 added the ``audit_log`` part; a version 1 package (without it) is still read.
FORMAT_VERSION = 2
SUFFIX = ".certpkg"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PARTS_DIR = "parts/"
PLAIN_PART = ".jsonl.gz"
SEALED_PART = ".jsonl.gz.aes"
TOMBSTONES = "tombstones"
AUDIT_LOG = "audit_log"
FULL = "full"
INCREMENTAL = "incremental"
KINDS = {FULL: "完整", INCREMENTAL: "增量"}
ROLES = ("school", "city", "province")
SEALING_SCHEME = "X25519-HKDF-SHA256/AES-256-GCM"

_PART_NAME = re.compile(r"^parts/([a-z_]{1,40})\.jsonl\.gz(\.aes)?$")


class PackageError(Exception):
    """A package is refused; the message (Chinese) says why, and nothing has been written."""


@dataclass(frozen=True)
class Limits:
    """Bounds checked before anything is decompressed or parsed, against zip bombs and junk.

    A school's full package of 100,000 trainees is about 12 MB; the bounds leave room for a
    city's upward package while refusing a file built to exhaust memory.
    """

    max_package_bytes: int = 1 << 30
    max_members: int = 64
    max_manifest_bytes: int = 1 << 20
    max_part_bytes: int = 1 << 30
    max_ratio: int = 100
    max_line_bytes: int = 64 * 1024


DEFAULT_LIMITS = Limits()


def package_file_name(uscc: str, day: date, sequence: int) -> str:
    return f"{uscc}_{day:%Y%m%d}_{sequence:04d}{SUFFIX}"


def part_member(table: str, sealed: bool) -> str:
    return f"{PARTS_DIR}{table}{SEALED_PART if sealed else PLAIN_PART}"


def part_table(member: str) -> tuple[str, bool] | None:
    match = _PART_NAME.match(member)
    return None if match is None else (match.group(1), match.group(2) is not None)


def format_time(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.removesuffix("Z"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@dataclass(frozen=True)
class Sender:
    uscc: str
    name: str
    division_code: str
    role: str
    category: str
    signing_key: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_key)

    @property
    def label(self) -> str:
        return f"{self.name}（{self.uscc}）"


@dataclass(frozen=True)
class Sealing:
    """How the package key reaches the recipient: see docs/PACKAGE-FORMAT.md, 加密."""

    recipient_uscc: str
    recipient_name: str
    recipient_key: bytes
    recipient_fingerprint: str
    ephemeral_key: bytes
    key_nonce: bytes
    wrapped_key: bytes


@dataclass(frozen=True)
class Part:
    table: str
    member: str
    records: int
    stored_size: int
    stored_sha256: str
    plain_size: int
    plain_sha256: str


@dataclass(frozen=True)
class Manifest:
    format_version: int
    schema_version: str
    app_version: str
    package_id: str
    kind: str
    sequence: int
    follows: int | None
    created_at: datetime
    sender: Sender
    sealing: Sealing | None
    parts: tuple[Part, ...]

    @property
    def record_counts(self) -> dict[str, int]:
        return {part.table: part.records for part in self.parts}

    def to_json_bytes(self) -> bytes:
        sealing = None
        if self.sealing is not None:
            s = self.sealing
            sealing = {
                "scheme": SEALING_SCHEME,
                "recipient": {
                    "uscc": s.recipient_uscc,
                    "name": s.recipient_name,
                    "public_key": s.recipient_key.hex(),
                    "fingerprint": s.recipient_fingerprint,
                },
                "ephemeral_public_key": s.ephemeral_key.hex(),
                "key_nonce": s.key_nonce.hex(),
                "wrapped_key": s.wrapped_key.hex(),
            }
        document = {
            "format": FORMAT_NAME,
            "format_version": self.format_version,
            "schema_version": self.schema_version,
            "app_version": self.app_version,
            "package_id": self.package_id,
            "kind": self.kind,
            "sequence": self.sequence,
            "follows": self.follows,
            "created_at": format_time(self.created_at),
            "sender": {
                "uscc": self.sender.uscc,
                "name": self.sender.name,
                "division_code": self.sender.division_code,
                "role": self.sender.role,
                "category": self.sender.category,
                "signing_key": {"algorithm": "Ed25519", "public": self.sender.signing_key.hex()},
            },
            "encryption": sealing,
            "parts": [
                {
                    "table": p.table,
                    "name": p.member,
                    "records": p.records,
                    "size": p.stored_size,
                    "sha256": p.stored_sha256,
                    "plain_size": p.plain_size,
                    "plain_sha256": p.plain_sha256,
                }
                for p in self.parts
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=2).encode()


class _Fields:
    """Typed access to a JSON object that turns every surprise into a PackageError."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise PackageError(f"数据包清单格式错误：{where}应为对象")
        self.data = data
        self.where = where

    def _bad(self, key: str, expected: str) -> PackageError:
        return PackageError(f"数据包清单格式错误：{self.where}{key} 应为{expected}")

    def text(self, key: str, max_length: int = 200) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or len(value) > max_length:
            raise self._bad(key, "文本")
        return value

    def integer(self, key: str, optional: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
            raise self._bad(key, "非负整数")
        return value

    def count(self, key: str) -> int:
        value = self.integer(key)
        assert value is not None
        return value

    def hex_bytes(self, key: str, length: int) -> bytes:
        value = self.text(key, 2 * length)
        try:
            raw = bytes.fromhex(value)
        except ValueError as exc:
            raise self._bad(key, f"{length} 字节的十六进制") from exc
        if len(raw) != length:
            raise self._bad(key, f"{length} 字节的十六进制")
        return raw

    def sha256(self, key: str) -> str:
        return self.hex_bytes(key, 32).hex()

    def child(self, key: str) -> _Fields:
        return _Fields(self.data.get(key), f"{self.where}{key}.")


def format_version_of(document: object) -> int:
    """The format version, checked before anything else so a newer package says 请升级."""
    fields = _Fields(document, "")
    if fields.data.get("format") != FORMAT_NAME:
        raise PackageError("不是持证通数据包（清单中没有持证通的格式标识）")
    version = fields.count("format_version")
    if version > FORMAT_VERSION:
        raise PackageError(
            f"数据包格式版本为 {version}，本程序只支持到 {FORMAT_VERSION}：请升级持证通后再导入"
        )
    if version < 1:
        raise PackageError(f"数据包清单格式错误：format_version {version} 不存在（从 1 开始）")
    return version


def parse_manifest(data: bytes) -> Manifest:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PackageError("数据包清单不是有效的 JSON：文件已损坏") from exc
    version = format_version_of(document)
    top = _Fields(document, "")
    kind = top.text("kind")
    if kind not in KINDS:
        raise PackageError("数据包清单格式错误：kind 应为 full 或 incremental")
    sequence = top.count("sequence")
    if sequence < 1:
        raise PackageError("数据包清单格式错误：sequence 应从 1 开始")
    follows = top.integer("follows", optional=True)
    if follows is not None and follows >= sequence:
        raise PackageError("数据包清单格式错误：follows 应小于 sequence")
    if kind == INCREMENTAL and follows is None:
        raise PackageError("数据包清单格式错误：增量数据包必须注明所接续的序号（follows）")
    try:
        created_at = parse_time(top.text("created_at", 40))
    except ValueError as exc:
        raise PackageError("数据包清单格式错误：created_at 不是有效时间") from exc
    package_id = top.text("package_id", 32)
    if not re.fullmatch(r"[0-9a-f]{32}", package_id):
        raise PackageError("数据包清单格式错误：package_id 应为 32 位十六进制")

    s = top.child("sender")
    role = s.text("role")
    if role not in ROLES:
        raise PackageError("数据包清单格式错误：sender.role 应为 school、city 或 province")
    sender = Sender(
        uscc=s.text("uscc", 18),
        name=s.text("name", 100),
        division_code=s.text("division_code", 6),
        role=role,
        category=s.text("category", 20),
        signing_key=s.child("signing_key").hex_bytes("public", 32),
    )
    sealing = None
    if top.data.get("encryption") is not None:
        e = top.child("encryption")
        if e.text("scheme") != SEALING_SCHEME:
            raise PackageError("数据包使用了本程序不认识的加密方式：请升级持证通")
        r = e.child("recipient")
        sealing = Sealing(
            recipient_uscc=r.text("uscc", 18),
            recipient_name=r.text("name", 100),
            recipient_key=r.hex_bytes("public_key", 32),
            recipient_fingerprint=r.text("fingerprint", 40),
            ephemeral_key=e.hex_bytes("ephemeral_public_key", 32),
            key_nonce=e.hex_bytes("key_nonce", 12),
            wrapped_key=e.hex_bytes("wrapped_key", 48),
        )
    raw_parts = top.data.get("parts")
    if not isinstance(raw_parts, list) or len(raw_parts) > 64:
        raise PackageError("数据包清单格式错误：parts 应为列表")
    parts = []
    for index, raw in enumerate(raw_parts):
        p = _Fields(raw, f"parts[{index}].")
        member = p.text("name")
        named = part_table(member)
        table = p.text("table", 40)
        if named is None or named[0] != table or named[1] != (sealing is not None):
            raise PackageError(f"数据包清单格式错误：第 {index + 1} 部分的名称“{member}”不合规")
        parts.append(
            Part(
                table=table,
                member=member,
                records=p.count("records"),
                stored_size=p.count("size"),
                stored_sha256=p.sha256("sha256"),
                plain_size=p.count("plain_size"),
                plain_sha256=p.sha256("plain_sha256"),
            )
        )
    if len({p.member for p in parts}) != len(parts):
        raise PackageError("数据包清单格式错误：同一部分出现了两次")
    return Manifest(
        format_version=version,
        schema_version=top.text("schema_version", 40),
        app_version=top.text("app_version", 40),
        package_id=package_id,
        kind=kind,
        sequence=sequence,
        follows=follows,
        created_at=created_at,
        sender=sender,
        sealing=sealing,
        parts=tuple(parts),
    )


def describe(manifest: Manifest) -> str:
    """One line for the clerk: who sent it, which number, what kind."""
    return (
        f"{manifest.sender.label}第{manifest.sequence}号数据包（{KINDS[manifest.kind]}），"
        f"{manifest.created_at:%Y-%m-%d %H:%M} UTC 生成"
    )
