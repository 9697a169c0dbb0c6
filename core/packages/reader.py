"""Opening a package: every check, in a fixed order, before the database is written to.

Size and member names first (no path outside the package, nothing compressed by the ZIP layer,
declared sizes within limits), then the manifest's format version (a newer one says 请升级),
the signature and the sender's key (bound to one code, role and prefecture; a changed key or
a claimed identity that differs from the record is refused), whether this receiver hears from
such a sender at all, the schema version, the recipient, the SHA-256 of every part as stored,
decryption, bounded decompression, the SHA-256 of every part as plain text, and finally every
record against its columns (which origins the sender may speak for is the importer's first
step, ``core.packages.authority``). Whatever fails raises ``PackageError`` with the reason in
Chinese; the database is only read (who we are, whom we trust).
"""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from alembic.script import ScriptDirectory
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from core.base.progress import ProgressFn, no_progress
from core.classes.status import ClassStatus
from core.identity.uscc import check_uscc
from core.institution import local_institution
from core.packages.authority import RECEIVES_FROM, check_sender
from core.packages.format import (
    AUDIT_LOG,
    DEFAULT_LIMITS,
    MANIFEST,
    ROLES,
    SIGNATURE,
    TOMBSTONES,
    Limits,
    Manifest,
    PackageError,
    Part,
    parse_manifest,
    part_table,
)
from core.packages.keys import ENCRYPTION, KeyProblem, LocalKeys
from core.packages.records import (
    LABELS,
    RecordError,
    TableSpec,
    audit_spec,
    decode_record,
    spec_by_name,
    tombstone_spec,
)
from core.packages.sealing import WrappedKey, open_part, unwrap_key
from core.packages.trust import check_claim
from models.institution import Institution
from models.migrate import alembic_config

SIGNATURE_BYTES = 64
STATUS_WORDS = frozenset(ClassStatus)
#: Exceptions the zipfile module raises for a damaged or hostile archive (OSError: a seek to
#: an offset the damaged directory points before the start of the file, or a stick pulled out).
_ZIP_ERRORS = (
    OSError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    EOFError,
    ValueError,
    struct.error,
    zlib.error,
    OverflowError,
    UnicodeDecodeError,
)
_MIN_RATIO_ALLOWANCE = 1 << 20


@dataclass(frozen=True)
class VerifiedPackage:
    """A package that passed every check: its manifest and its decoded records."""

    path: Path
    file_sha256: str
    manifest: Manifest
    records: dict[str, list[dict[str, Any]]]
    tombstones: list[dict[str, Any]]
    first_contact: bool
    #: The sender's audit entries (format 2); empty for a version 1 package, which has none.
    audit: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sender(self) -> str:
        return self.manifest.sender.uscc


@cache
def known_schema_versions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


def _corrupt(detail: str = "") -> PackageError:
    suffix = f"（{detail}）" if detail else ""
    return PackageError(f"数据包不完整或已损坏{suffix}：文件可能被截断、未写完或被改动")


def _open_zip(stream: BinaryIO) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(stream)
    except _ZIP_ERRORS as exc:
        raise _corrupt() from exc


def _member_limit(name: str, limits: Limits) -> int:
    if name == MANIFEST:
        return limits.max_manifest_bytes
    if name == SIGNATURE:
        return SIGNATURE_BYTES
    return limits.max_part_bytes


def _check_members(
    archive: zipfile.ZipFile, file_size: int, limits: Limits
) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise PackageError(f"数据包含有 {len(infos)} 个文件，超过上限 {limits.max_members}")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if name not in (MANIFEST, SIGNATURE) and part_table(name) is None:
            raise PackageError(f"数据包中含有不允许的文件名“{name[:80]}”，已拒绝")
        if name in members:
            raise PackageError(f"数据包中“{name}”出现了两次，已拒绝")
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise PackageError(
                f"数据包中的“{name}”经过 ZIP 压缩或加密，持证通数据包不会这样写：可能是伪造的文件"
                "（如压缩炸弹），已拒绝"
            )
        if info.file_size > _member_limit(name, limits) or info.file_size != info.compress_size:
            raise PackageError(f"数据包中的“{name}”声明的大小超过上限，已拒绝")
        members[name] = info
    if sum(i.compress_size for i in infos) > file_size:
        raise _corrupt("成员大小之和超过文件大小")
    for required in (MANIFEST, SIGNATURE):
        if required not in members:
            raise _corrupt(f"缺少 {required}")
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except _ZIP_ERRORS as exc:
        raise _corrupt(f"{info.filename} 读取失败") from exc
    if len(data) != info.file_size:
        raise _corrupt(f"{info.filename} 长度不符")
    return data


def _gunzip(data: bytes, part: Part, limits: Limits) -> bytes:
    allowed = min(limits.max_part_bytes, max(len(data) * limits.max_ratio, _MIN_RATIO_ALLOWANCE))
    if part.plain_size > allowed:
        raise PackageError(
            f"数据包的“{part.member}”解压后将达 {part.plain_size} 字节，"
            "超过上限（可能是压缩炸弹），已拒绝"
        )
    inflater = zlib.decompressobj(wbits=31)
    try:
        plain = inflater.decompress(data, part.plain_size + 1)
    except zlib.error as exc:
        raise _corrupt(f"{part.member} 无法解压") from exc
    if len(plain) != part.plain_size or not inflater.eof or inflater.unused_data:
        raise _corrupt(f"{part.member} 解压后的长度与清单不符")
    return plain


def _parse_lines(spec: TableSpec, plain: bytes, part: Part, limits: Limits) -> list[dict[str, Any]]:
    label = LABELS[spec.name]
    if plain and not plain.endswith(b"\n"):
        raise _corrupt(f"{label}部分的末行不完整")
    lines = plain.split(b"\n")[:-1] if plain else []
    if len(lines) != part.records:
        raise _corrupt(f"{label}部分有 {len(lines)} 条记录，清单写的是 {part.records} 条")
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        where = f"{label}部分第 {number} 行"
        if len(line) > limits.max_line_bytes:
            raise PackageError(f"{where}过长，已拒绝")
        try:
            record = decode_record(spec, json.loads(line))
        except RecordError as exc:
            raise PackageError(f"{where}：{exc}") from exc
        except (ValueError, RecursionError) as exc:
            raise PackageError(f"{where}不是有效的 JSON") from exc
        if record["uuid"] in seen:
            raise PackageError(f"{where}：UUID 与前面的记录重复")
        seen.add(record["uuid"])
        if spec.name == TOMBSTONES and record["entity"] not in spec_by_name():
            raise PackageError(f"{where}：未知的数据类别“{record['entity']}”")
        if spec.name == "institutions" and record["uscc"] != record["origin"]:
            raise PackageError(f"{where}：机构记录的统一社会信用代码与其来源不一致")
        _check_closed_values(spec.name, record, where)
        records.append(record)
    return records


def _check_closed_values(table: str, record: dict[str, Any], where: str) -> None:
    """Columns whose values the program branches on: a word it does not know would break
    every screen that shows the row, so it is refused here, with the package."""
    if table == "institutions" and record["role"] not in ROLES:
        raise PackageError(f"{where}：未知的机构身份“{record['role'][:20]}”")
    if table == "training_classes" and record["status"] not in STATUS_WORDS:
        raise PackageError(f"{where}：未知的培训班状态“{record['status'][:20]}”")


def _part_spec(table: str) -> TableSpec:
    if table == TOMBSTONES:
        return tombstone_spec()
    if table == AUDIT_LOG:
        return audit_spec()
    return spec_by_name()[table]


def _check_signature(manifest_bytes: bytes, signature: bytes, manifest: Manifest) -> None:
    if len(signature) != SIGNATURE_BYTES:
        raise PackageError("数据包的签名无效：签名长度不对，文件已损坏或被改动")
    try:
        Ed25519PublicKey.from_public_bytes(manifest.sender.signing_key).verify(
            signature, manifest_bytes
        )
    except (InvalidSignature, ValueError) as exc:
        raise PackageError(
            "数据包的签名无效：清单在签名之后被改动过，或签名者不是清单所写的发送机构，已拒绝"
        ) from exc


def _check_sender(session: Session, manifest: Manifest, own: Institution) -> bool:
    """True when the sender's key is already trusted; False for a first contact.

    The key must be bound to the identity the manifest claims (``core.packages.trust``), and that
    identity must be one this receiver hears from at all (``core.packages.authority``).
    """
    sender = manifest.sender
    if sender.uscc == own.uscc:
        raise PackageError("这是本机构自己导出的数据包，不能导入本机构")
    if not check_uscc(sender.uscc).ok:
        raise PackageError(f"发送机构的统一社会信用代码“{sender.uscc}”无效，已拒绝")
    try:
        known = check_claim(session, sender)
    except KeyProblem as exc:
        raise PackageError(str(exc)) from exc
    check_sender(own, sender)
    return known is not None


def _check_schema(manifest: Manifest) -> None:
    if manifest.schema_version not in known_schema_versions():
        raise PackageError(
            f"数据包由更新版本的持证通生成（数据库版本 {manifest.schema_version}，"
            f"程序版本 {manifest.app_version}）：请升级持证通后再导入"
        )


def _package_key(manifest: Manifest, keys: LocalKeys) -> bytes | None:
    sealing = manifest.sealing
    if sealing is None:
        return None
    ours = keys.public_key(ENCRYPTION) if keys.has_encryption_key() else None
    if ours != sealing.recipient_key:
        raise PackageError(
            f"此数据包是加密给 {sealing.recipient_name}（{sealing.recipient_uscc}，"
            f"指纹 {sealing.recipient_fingerprint}）的，本机构无法解密：请对方导出给本机构的数据包"
        )
    wrapped = WrappedKey(sealing.ephemeral_key, sealing.key_nonce, sealing.wrapped_key)
    return unwrap_key(keys.encryption_key(), sealing.recipient_key, wrapped, manifest.package_id)


def _file_digest(stream: BinaryIO) -> str:
    stream.seek(0)
    return hashlib.file_digest(stream, "sha256").hexdigest()


def read_manifest(path: Path, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    """The manifest only, unverified: enough to sort files by sender and sequence."""
    with _open_package(path, limits) as (archive, members, _size):
        return parse_manifest(_read_member(archive, members[MANIFEST]))


def import_order(files: list[Path]) -> list[Path]:
    """Each sender's packages in sequence order, so files picked out of order still chain.

    Files whose manifest cannot be read keep their order at the end; importing them will say
    why they are refused.
    """
    keyed: list[tuple[tuple[int, str, int], Path]] = []
    for position, path in enumerate(files):
        try:
            manifest = read_manifest(path)
        except PackageError:
            keyed.append(((1, "", position), path))
        else:
            keyed.append(((0, manifest.sender.uscc, manifest.sequence), path))
    return [path for _, path in sorted(keyed, key=lambda item: item[0])]


@contextmanager
def _open_package(
    path: Path, limits: Limits
) -> Iterator[tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo], BinaryIO]]:
    try:
        size = path.stat().st_size
        if size > limits.max_package_bytes:
            raise PackageError(f"数据包大小 {size} 字节，超过上限，已拒绝")
        stream = path.open("rb")
    except OSError as exc:
        raise PackageError(f"无法读取数据包：{exc.strerror or exc}") from exc
    with stream:
        archive = _open_zip(stream)
        yield archive, _check_members(archive, size, limits), stream


def read_package(
    path: Path,
    session: Session,
    keys: LocalKeys,
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressFn = no_progress,
) -> VerifiedPackage:
    own = local_institution(session)
    if own is None:
        raise PackageError("本机构尚未登记：请先完成初始设置（init）")
    if not RECEIVES_FROM.get(own.role):
        raise PackageError("学校不接收数据包：数据包应导入市教育局或省教育厅的持证通")
    with _open_package(path, limits) as (archive, members, stream):
        manifest_bytes = _read_member(archive, members[MANIFEST])
        manifest = parse_manifest(manifest_bytes)
        _check_signature(manifest_bytes, _read_member(archive, members[SIGNATURE]), manifest)
        known = _check_sender(session, manifest, own)
        _check_schema(manifest)
        listed = {part.member for part in manifest.parts}
        present = set(members) - {MANIFEST, SIGNATURE}
        if listed != present:
            missing = "、".join(sorted(listed - present)) or "无"
            raise _corrupt(f"缺少的部分：{missing}；多出的文件：{len(present - listed)} 个")
        tables = [part.table for part in manifest.parts]
        unknown = [t for t in tables if t not in (TOMBSTONES, AUDIT_LOG, *spec_by_name())]
        if unknown:
            raise PackageError(f"数据包含有本程序不认识的数据“{unknown[0]}”：请升级持证通")
        package_key = _package_key(manifest, keys)
        records: dict[str, list[dict[str, Any]]] = {}
        tombstones: list[dict[str, Any]] = []
        audit: list[dict[str, Any]] = []
        for index, part in enumerate(manifest.parts):
            progress(index, len(manifest.parts), f"正在校验{LABELS[part.table]}…")
            stored = _read_member(archive, members[part.member])
            if len(stored) != part.stored_size:
                raise _corrupt(f"{part.member} 长度与清单不符")
            if hashlib.sha256(stored).hexdigest() != part.stored_sha256:
                raise PackageError(
                    f"数据包的“{part.member}”校验值（SHA-256）与清单不符：文件已损坏或被篡改"
                )
            compressed = (
                stored
                if package_key is None
                else open_part(package_key, manifest.package_id, part.member, stored)
            )
            plain = _gunzip(compressed, part, limits)
            if hashlib.sha256(plain).hexdigest() != part.plain_sha256:
                raise PackageError(f"数据包的“{part.member}”解压后的校验值与清单不符：已损坏")
            spec = _part_spec(part.table)
            decoded = _parse_lines(spec, plain, part, limits)
            if part.table == TOMBSTONES:
                tombstones = decoded
            elif part.table == AUDIT_LOG:
                audit = decoded
            else:
                records[part.table] = decoded
        file_sha256 = _file_digest(stream)
    progress(len(manifest.parts), len(manifest.parts), "校验完成")
    return VerifiedPackage(
        path=path,
        file_sha256=file_sha256,
        manifest=manifest,
        records=records,
        tombstones=tombstones,
        first_contact=not known,
        audit=audit,
    )
