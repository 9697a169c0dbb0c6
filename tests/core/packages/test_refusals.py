"""Packages that must be refused, each leaving the receiving database exactly as it was."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.packages.format import FORMAT_VERSION, MANIFEST, SIGNATURE, PackageError
from core.packages.keys import LocalKeys
from core.packages.writer import ExportResult
from tests.core.packages.sites import (
    SCHOOL_B,
    Site,
    dump,
    forge,
    jsonl,
    member_offsets,
    part_lines,
    read_members,
    write_members,
)


@pytest.fixture
def sealed(linked: tuple[Site, Site], tmp_path: Path) -> tuple[Site, Site, ExportResult]:
    """A school's first package, encrypted to the city, not yet imported there."""
    school, city = linked
    return school, city, school.export(tmp_path / "out")


@pytest.fixture
def plain(school: Site, city: Site, tmp_path: Path) -> tuple[Site, Site, ExportResult]:
    """An unencrypted package: what a forger holding the school's key could rewrite."""
    return school, city, school.export(tmp_path / "out", unencrypted=True)


def refused(site: Site, path: Path, match: str) -> None:
    """Importing ``path`` fails with ``match`` and writes nothing, dry run or not."""
    before = dump(site.database)
    for dry_run in (True, False):
        with pytest.raises(PackageError, match=match):
            site.import_(path, dry_run=dry_run)
    assert dump(site.database) == before


MEMBERS = [MANIFEST, SIGNATURE] + [
    f"parts/{t}.jsonl.gz.aes"
    for t in (
        "institutions",
        "offered_occupations",
        "served_industries",
        "trainees",
        "certificates",
        "training_classes",
        "plan_items",
        "enrolments",
        "tombstones",
        "audit_log",
    )
]


@pytest.mark.parametrize("member", MEMBERS)
def test_a_byte_flipped_in_any_part_is_refused(
    sealed: tuple[Site, Site, ExportResult], tmp_path: Path, member: str
) -> None:
    _school, city, package = sealed
    start, length = member_offsets(package.path)[member]
    data = bytearray(package.path.read_bytes())
    data[start + length // 2] ^= 0x20
    damaged = tmp_path / "damaged.certpkg"
    damaged.write_bytes(bytes(data))
    refused(city, damaged, "不完整或已损坏")  # the ZIP layer's CRC notices first


@pytest.mark.parametrize("member", MEMBERS)
def test_a_flipped_byte_with_the_zip_rebuilt_is_refused(
    sealed: tuple[Site, Site, ExportResult], tmp_path: Path, member: str
) -> None:
    """A forger who recomputes the ZIP checksums still meets the signature and the hashes."""
    _school, city, package = sealed
    members = read_members(package.path)
    rebuilt = []
    for name, data in members:
        changed = bytearray(data)
        if name == member:
            changed[len(data) // 2] ^= 0x20
        rebuilt.append((name, bytes(changed)))
    damaged = write_members(tmp_path / "rebuilt.certpkg", rebuilt)
    expected = {
        MANIFEST: "签名无效|不是有效的 JSON|格式错误",
        SIGNATURE: "签名无效",
    }.get(member, "SHA-256.*与清单不符")
    refused(city, damaged, expected)


def test_every_member_is_covered(sealed: tuple[Site, Site, ExportResult]) -> None:
    assert sorted(member_offsets(sealed[2].path)) == sorted(MEMBERS)


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_a_truncated_file_is_refused(
    sealed: tuple[Site, Site, ExportResult], tmp_path: Path, keep: float
) -> None:
    _school, city, package = sealed
    data = package.path.read_bytes()
    cut = tmp_path / "cut.certpkg"
    cut.write_bytes(data[: int(len(data) * keep)])
    refused(city, cut, "不完整")
    cut.write_bytes(data[:-1])
    refused(city, cut, "不完整")


def test_a_signature_by_an_unknown_key_is_refused(
    plain: tuple[Site, Site, ExportResult], tmp_path: Path
) -> None:
    _school, city, package = plain
    members = dict(read_members(package.path))
    members[SIGNATURE] = Ed25519PrivateKey.generate().sign(members[MANIFEST])
    forged = write_members(tmp_path / "forged.certpkg", list(members.items()))
    refused(city, forged, "签名无效")


def test_a_changed_key_for_a_known_school_is_refused(
    linked: tuple[Site, Site], tmp_path: Path
) -> None:
    school, city = linked
    city.import_(school.export(tmp_path / "out").path)
    shutil.rmtree(school.keys.keys_dir)  # reinstalled, or an impostor using the school's name
    school.keys = LocalKeys(school.keys.keys_dir, school.uscc, "school")
    second = school.export(tmp_path / "out")
    refused(city, second.path, "签名密钥与此前记录的不同")


def test_an_impostor_signing_in_a_known_schools_name_is_refused(
    plain: tuple[Site, Site, ExportResult], tmp_path: Path
) -> None:
    school, city, package = plain
    city.import_(package.path)
    impostor = Ed25519PrivateKey.generate()
    public = impostor.public_key().public_bytes_raw().hex()

    def claim(manifest: dict) -> None:
        manifest["sender"]["signing_key"]["public"] = public
        manifest["package_id"] = "f" * 32

    forged = forge(package.path, tmp_path / "impostor.certpkg", impostor, claim)
    refused(city, forged, f"{school.name}.*签名密钥与此前记录的不同")


def test_a_package_encrypted_to_another_bureau_is_refused(
    school: Site, city: Site, other_city: Site, tmp_path: Path
) -> None:
    school.trust(other_city)
    package = school.export(tmp_path / "out")
    refused(city, package.path, "加密给 大同市教育局")


def test_a_zip_with_paths_outside_the_package_is_refused(
    plain: tuple[Site, Site, ExportResult], tmp_path: Path
) -> None:
    _school, city, package = plain
    members = read_members(package.path)
    for evil in ("../evil.txt", "/etc/passwd", "parts/../../evil.jsonl.gz", "..\\evil"):
        forged = write_members(tmp_path / "evil.certpkg", [*members, (evil, b"boom")])
        refused(city, forged, "不允许的文件名")


def test_a_zip_bomb_is_refused(plain: tuple[Site, Site, ExportResult], tmp_path: Path) -> None:
    _school, city, package = plain
    members = dict(read_members(package.path))
    members["parts/trainees.jsonl.gz"] = bytes(64 << 20)  # 64 MB of zeros, deflated to ~64 KB
    bomb = write_members(tmp_path / "bomb.certpkg", list(members.items()), zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 1 << 20
    refused(city, bomb, "压缩炸弹")


def test_a_gzip_bomb_inside_a_signed_package_is_refused(
    plain: tuple[Site, Site, ExportResult], tmp_path: Path
) -> None:
    school, city, package = plain
    signer = school.keys.signing_key()
    bomb = forge(
        package.path, tmp_path / "bomb.certpkg", signer, parts={"trainees": bytes(64 << 20)}
    )
    assert bomb.stat().st_size < 1 << 20
    refused(city, bomb, "压缩炸弹")

    def understate(manifest: dict) -> None:
        entry = next(p for p in manifest["parts"] if p["table"] == "trainees")
        entry["plain_size"] = 1000

    liar = forge(bomb, tmp_path / "liar.certpkg", signer, understate)
    refused(city, liar, "长度与清单不符")


def test_a_newer_format_version_asks_for_an_upgrade(
    plain: tuple[Site, Site, ExportResult], tmp_path: Path
) -> None:
    school, city, package = plain
    signer = school.keys.signing_key()

    def newer_format(manifest: dict) -> None:
        manifest["format_version"] = FORMAT_VERSION + 1
        manifest["encryption"] = {"scheme": "something-new"}

    def newer_schema(manifest: dict) -> None:
        manifest["schema_version"] = "9999"

    refused(city, forge(package.path, tmp_path / "f.certpkg", signer, newer_format), "请升级")
    refused(city, forge(package.path, tmp_path / "s.certpkg", signer, newer_schema), "请升级")


def test_a_school_package_may_carry_only_its_own_records(
    plain: tuple[Site, Site, ExportResult], tmp_path: Path
) -> None:
    school, city, package = plain
    trainees = part_lines(package.path, "trainees")
    trainees[3]["origin"] = SCHOOL_B.uscc
    forged = forge(
        package.path,
        tmp_path / "foreign.certpkg",
        school.keys.signing_key(),
        parts={"trainees": jsonl(trainees)},
    )
    refused(city, forged, "学员部分第 4 行.*学校只能报送本机构的记录，却含有来自 .*已拒绝")
    trainees[3]["origin"] = city.uscc
    forged = forge(
        package.path,
        tmp_path / "own.certpkg",
        school.keys.signing_key(),
        parts={"trainees": jsonl(trainees)},
    )
    refused(city, forged, "学员部分第 4 行.*本机构（太原市教育局）自己的记录")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "1" * 40, "字段 id_number 超过 18 个字符"),
        ("graduation_year", "2021", "字段 graduation_year 应为整数"),
        ("uuid", "../../etc", "字段 uuid 应为 32 位十六进制"),
        ("revision", 0, "字段 revision 修订号应从 1 开始"),
        ("name", "王\x00芳", "字段 name 含有空字符"),
    ],
)
def test_a_bad_value_is_refused_naming_the_part_and_line(
    plain: tuple[Site, Site, ExportResult], tmp_path: Path, field: str, value: object, message: str
) -> None:
    school, city, package = plain
    trainees = part_lines(package.path, "trainees")
    trainees[1][field] = value
    forged = forge(
        package.path,
        tmp_path / "bad.certpkg",
        school.keys.signing_key(),
        parts={"trainees": jsonl(trainees)},
    )
    refused(city, forged, f"学员部分第 2 行：{message}")


def test_an_undeclared_member_is_refused(
    plain: tuple[Site, Site, ExportResult], tmp_path: Path
) -> None:
    _school, city, package = plain
    extra = ("parts/extra.jsonl.gz", gzip.compress(b""))
    forged = write_members(tmp_path / "extra.certpkg", [*read_members(package.path), extra])
    refused(city, forged, "多出的文件")


def test_a_record_that_is_not_json_is_refused(
    plain: tuple[Site, Site, ExportResult], tmp_path: Path
) -> None:
    school, city, package = plain
    lines = jsonl(part_lines(package.path, "certificates")) + b"{not json\n"
    forged = forge(
        package.path,
        tmp_path / "x.certpkg",
        school.keys.signing_key(),
        parts={"certificates": lines},
    )
    refused(city, forged, "证书部分第 .* 行不是有效的 JSON")


def test_not_a_package_at_all(city: Site, tmp_path: Path) -> None:
    text = tmp_path / "roster.certpkg"
    text.write_text("姓名,身份证号\n", encoding="utf-8")
    refused(city, text, "不完整")
    other_zip = write_members(tmp_path / "other.certpkg", [(MANIFEST, json.dumps({}).encode())])
    refused(city, other_zip, "缺少 manifest.sig")
    missing = tmp_path / "nowhere.certpkg"
    with pytest.raises(PackageError, match="无法读取数据包"):
        city.import_(missing)
