"""The forger is faithful: what it builds from docs/PACKAGE-FORMAT.md alone, CertDesk reads.

Adversarial tests trust the forger to build exactly the package an attacker would; that trust
is earned here. An honest package forged for a school imports at the city like one of its own,
and the two ways a package can fail to be what it claims (a signature by another key, a part
that is not what the manifest hashes) are refused as the real reader refuses them. A failure
here means the document and the code disagree: fix whichever is wrong, not the forger.
"""

from __future__ import annotations

import json
import re
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from core.institution import local_institution
from core.packages.format import PackageError
from core.packages.importer import IMPORTED
from core.packages.keys import ENCRYPTION, SIGNING, fingerprint
from tests.core.packages.forger import (
    RECORD_TABLES,
    TABLES,
    Recipient,
    SenderIdentity,
    audit_entry,
    certificate,
    doc_fingerprint,
    forge_package,
    institution,
    make_uscc,
    recipient_from_key_file,
    sender_from_keys,
    signing_key_of,
    tombstone,
    trainee,
    training_class,
)
from tests.core.packages.sites import (
    PASSPHRASE,
    Site,
    dump,
    read_members,
    synced_content,
    write_members,
)

NOTHING = {"new": 0, "updated": 0, "deleted": 0, "unchanged": 0, "conflicts": 0}
#: What an import counts: deletions are counted under the table of the row they delete.
COUNTED = (*RECORD_TABLES, "audit_log")
DOC = Path(__file__).resolve().parents[3] / "docs" / "PACKAGE-FORMAT.md"


def school_sender(school: Site) -> SenderIdentity:
    """The school as it really is, with the key CertDesk made for it."""
    school.keys.ensure()
    with school.database.session() as session:
        own = local_institution(session)
        assert own is not None
        category = own.category
    return sender_from_keys(
        school.keys.keys_dir,
        school.uscc,
        name=school.name,
        division_code=school.division_code,
        category=category,
    )


def city_recipient(city: Site, tmp_path: Path) -> Recipient:
    """What a school holds of its bureau: the public key file, nothing more."""
    return recipient_from_key_file(city.public_key_file(tmp_path))


def documented_reader() -> Callable[[Path, X25519PrivateKey | None], Any]:
    """§8's reader, run as printed: an outside reading of what the forger wrote."""
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)
    return namespace["read"]


def manifest_of(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json"))


def city_knows(school: Site, city: Site) -> None:
    """The city has the school's public key file (confirmed by phone), as the workflow asks."""
    school.keys.ensure()
    city.trust(school)


def after_real_first_package(school: Site, city: Site, tmp_path: Path) -> None:
    """The city knows the school's key and has imported its real package 1."""
    city_knows(school, city)
    assert city.import_(school.export(tmp_path / "real").path).status == IMPORTED


# ---- the helpers read what CertDesk writes ---------------------------------------------------


def test_the_documented_fingerprint_is_certdesks() -> None:
    for _ in range(20):
        key = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
        assert doc_fingerprint(key) == fingerprint(key)


def test_key_files_read_as_section_7_describes(school: Site, city: Site, tmp_path: Path) -> None:
    school.keys.ensure()
    school_key = signing_key_of(school.keys.keys_dir, school.uscc)
    assert school_key.public_key().public_bytes_raw() == school.keys.public_key(SIGNING)
    city_key = signing_key_of(city.keys.keys_dir, city.uscc, passphrase=PASSPHRASE)
    assert city_key.public_key().public_bytes_raw() == city.keys.public_key(SIGNING)
    with pytest.raises(ValueError, match="passphrase"):
        signing_key_of(city.keys.keys_dir, city.uscc)

    recipient = city_recipient(city, tmp_path)
    assert recipient == Recipient(
        uscc=city.uscc,
        name=city.name,
        public_key=city.keys.public_key(ENCRYPTION),
        fingerprint=fingerprint(city.keys.public_key(SIGNING)),
    )
    with pytest.raises(ValueError, match="no encryption key"):
        recipient_from_key_file(school.public_key_file(tmp_path))


def test_a_forged_package_has_the_shape_of_a_real_one(
    linked: tuple[Site, Site], tmp_path: Path
) -> None:
    """Same members in the same order, same manifest fields, same part fields."""
    school, city = linked
    real = school.export(tmp_path / "real").path
    forged = forge_package(
        tmp_path, school_sender(school), follows=1, recipient=city_recipient(city, tmp_path)
    )
    assert forged.name == real.name.replace("_0001", "_0002")
    assert [name for name, _ in read_members(forged)] == [name for name, _ in read_members(real)]
    with zipfile.ZipFile(forged) as archive:
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    ours, theirs = manifest_of(forged), manifest_of(real)
    assert list(ours) == list(theirs)
    assert list(ours["sender"]) == list(theirs["sender"])
    assert list(ours["encryption"]) == list(theirs["encryption"])
    assert ours["encryption"]["recipient"] == theirs["encryption"]["recipient"]
    assert [list(p) for p in ours["parts"]] == [list(p) for p in theirs["parts"]]
    assert [p["table"] for p in ours["parts"]] == list(TABLES)
    assert ours["sender"] == theirs["sender"]


# ---- (1) an honest forged package imports ----------------------------------------------------


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "unencrypted"])
def test_an_honest_forged_increment_imports(
    linked: tuple[Site, Site], tmp_path: Path, encrypted: bool
) -> None:
    school, city = linked
    after_real_first_package(school, city, tmp_path)
    before = synced_content(city.database, school.uscc)
    person = trainee(school.uscc, name="伪造测试")
    records = {
        "trainees": [person],
        "certificates": [certificate(school.uscc, person["uuid"])],
        "training_classes": [training_class(school.uscc)],
    }
    package = forge_package(
        tmp_path / "forged.certpkg",
        school_sender(school),
        records=records,
        follows=1,
        recipient=city_recipient(city, tmp_path) if encrypted else None,
    )

    outcome = city.import_(package)

    assert outcome.status == IMPORTED
    assert outcome.manifest.sequence == 2 and outcome.manifest.follows == 1
    assert (outcome.manifest.sealing is not None) == encrypted
    assert any("未加密" in notice for notice in outcome.notices) != encrypted
    counted = {table: counts.as_dict() for table, counts in outcome.counts.items()}
    assert set(RECORD_TABLES) <= set(counted) <= set(COUNTED)  # audit_log only when it has any
    assert counted == {table: {**NOTHING, "new": len(records.get(table, []))} for table in counted}
    after = synced_content(city.database, school.uscc)
    for table, rows in after.items():
        added = records.get(table, [])
        assert rows == sorted([*before[table], *added], key=lambda r: r["uuid"]), table


def test_a_forged_first_package_introduces_the_school(
    school: Site, city: Site, tmp_path: Path
) -> None:
    """No real package at all: the forger's institution record, rows and audit entries do."""
    city_knows(school, city)
    origin = school.uscc
    home = institution(
        origin,
        name=school.name,
        division_code=school.division_code,
        category=school_sender(school).category,
    )
    person = trainee(origin, gender="女")
    records = {
        "institutions": [home],
        "trainees": [person],
        "certificates": [certificate(origin, person["uuid"])],
        "training_classes": [training_class(origin)],
    }
    package = forge_package(
        tmp_path,
        school_sender(school),
        records=records,
        audit=[audit_entry(origin, record_uuid=person["uuid"])],
        recipient=city_recipient(city, tmp_path),
    )

    outcome = city.import_(package)

    assert outcome.status == IMPORTED and outcome.manifest.kind == "full"
    assert {table: counts.new for table, counts in outcome.counts.items()} == {
        table: len(records.get(table, [])) + (table == "audit_log") for table in COUNTED
    }
    content = synced_content(city.database, origin)
    for table in RECORD_TABLES:
        assert content[table] == records.get(table, []), table


def test_a_version_1_package_without_the_audit_part_imports(
    linked: tuple[Site, Site], tmp_path: Path
) -> None:
    """§2: version 1 is version 2 without ``audit_log``."""
    school, city = linked
    after_real_first_package(school, city, tmp_path)

    def version_1(manifest: dict[str, Any]) -> None:
        manifest["format_version"] = 1

    package = forge_package(
        tmp_path / "v1.certpkg",
        school_sender(school),
        records={"trainees": [trainee(school.uscc)]},
        follows=1,
        recipient=city_recipient(city, tmp_path),
        tables=TABLES[:-1],
        edit_manifest=version_1,
    )
    outcome = city.import_(package)
    assert outcome.status == IMPORTED and outcome.counts["trainees"].new == 1


# ---- (2) and (3): what the signature and the hashes protect ----------------------------------


@pytest.mark.parametrize("how", ["other signer", "other key named"])
def test_a_signature_by_another_key_is_refused(
    linked: tuple[Site, Site], tmp_path: Path, how: str
) -> None:
    school, city = linked
    after_real_first_package(school, city, tmp_path)
    sender = school_sender(school)
    stranger = Ed25519PrivateKey.generate()
    options: dict[str, Any] = {}
    if how == "other signer":
        options["signer"] = stranger
    else:  # the school's real key signs a manifest that names someone else's key
        other = stranger.public_key().public_bytes_raw()
        sender = replace(sender, claimed_public_key=other)
    package = forge_package(
        tmp_path / "forged.certpkg",
        sender,
        records={"trainees": [trainee(school.uscc)]},
        follows=1,
        recipient=city_recipient(city, tmp_path),
        **options,
    )
    before = dump(city.database)
    with pytest.raises(PackageError, match="数据包的签名无效"):
        city.import_(package)
    assert dump(city.database) == before


def _wrong_stored_hash(manifest: dict[str, Any]) -> None:
    part = next(p for p in manifest["parts"] if p["table"] == "trainees")
    part["sha256"] = "0" * 64


def _wrong_plain_hash(manifest: dict[str, Any]) -> None:
    part = next(p for p in manifest["parts"] if p["table"] == "trainees")
    part["plain_sha256"] = "f" * 64


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_wrong_stored_hash, r"“parts/trainees\.jsonl\.gz(\.aes)?”校验值（SHA-256）与清单不符"),
        (_wrong_plain_hash, r"“parts/trainees\.jsonl\.gz(\.aes)?”解压后的校验值与清单不符"),
    ],
    ids=["stored", "plain"],
)
@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "unencrypted"])
def test_a_signed_but_wrong_part_hash_is_refused(
    linked: tuple[Site, Site],
    tmp_path: Path,
    edit: Callable[[dict[str, Any]], None],
    message: str,
    encrypted: bool,
) -> None:
    school, city = linked
    after_real_first_package(school, city, tmp_path)
    package = forge_package(
        tmp_path / "forged.certpkg",
        school_sender(school),
        records={"trainees": [trainee(school.uscc)]},
        follows=1,
        recipient=city_recipient(city, tmp_path) if encrypted else None,
        edit_manifest=edit,
    )
    before = dump(city.database)
    with pytest.raises(PackageError, match=message):
        city.import_(package)
    assert dump(city.database) == before


def test_a_part_changed_after_signing_is_refused(linked: tuple[Site, Site], tmp_path: Path) -> None:
    school, city = linked
    after_real_first_package(school, city, tmp_path)
    package = forge_package(
        tmp_path / "forged.certpkg",
        school_sender(school),
        records={"trainees": [trainee(school.uscc)]},
        follows=1,
        recipient=city_recipient(city, tmp_path),
    )
    members = read_members(package)
    name = "parts/trainees.jsonl.gz.aes"
    members = [(n, d[:-1] + bytes([d[-1] ^ 1]) if n == name else d) for n, d in members]
    write_members(package, members)
    before = dump(city.database)
    with pytest.raises(PackageError, match="校验值（SHA-256）与清单不符"):
        city.import_(package)
    assert dump(city.database) == before


# ---- what the forger can say (for the trust-model tests; their outcome is not tested here) ---


def test_the_forger_can_express_the_attacks(linked: tuple[Site, Site], tmp_path: Path) -> None:
    """Each attack package is well formed: §8's reader verifies it and finds what was asked."""
    school, city = linked
    read = documented_reader()
    honest = school_sender(school)
    to_city = city_recipient(city, tmp_path)
    bureau_key = city.keys.encryption_key()
    victim = make_uscc()

    posing = replace(honest, role="city", name="太原市教育局")
    package = forge_package(tmp_path / "role.certpkg", posing, follows=3, recipient=to_city)
    assert manifest_of(package)["sender"]["role"] == "city"
    assert manifest_of(package)["sender"]["signing_key"]["public"] == (
        school.keys.public_key(SIGNING).hex()
    )
    assert dict(read(package, bureau_key))["trainees"] == []

    foreign = [trainee(victim), institution(victim)]
    package = forge_package(
        tmp_path / "foreign.certpkg",
        honest,
        records={"trainees": [foreign[0]], "institutions": [foreign[1]]},
        follows=1,
        recipient=to_city,
    )
    parts = dict(read(package, bureau_key))
    assert parts["trainees"] == [foreign[0]] and parts["institutions"] == [foreign[1]]
    assert parts["trainees"][0]["origin"] == victim != honest.uscc

    graves = [tombstone(secrets.token_hex(16), "trainees", school.uscc, 9)]
    package = forge_package(
        tmp_path / "graves.certpkg", honest, tombstones=graves, follows=1, recipient=to_city
    )
    assert dict(read(package, bureau_key))["tombstones"] == graves

    package = forge_package(tmp_path / "old.certpkg", honest, kind="full", sequence=1)
    manifest = manifest_of(package)
    assert (manifest["kind"], manifest["sequence"], manifest["follows"]) == ("full", 1, None)
    assert manifest["encryption"] is None
    assert [table for table, _ in read(package, None)] == list(TABLES)
