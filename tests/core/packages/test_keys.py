"""Key files, passphrases, fingerprints and public key files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.identity.uscc import uscc_check_char
from core.packages import keys as keys_module
from core.packages.keys import (
    ENCRYPTION,
    MIN_PASSPHRASE_CHARS,
    SCRYPT_N,
    SIGNING,
    KeyProblem,
    LocalKeys,
    PublicIdentity,
    WrongPassphrase,
    fingerprint,
    keys_dir_for,
    passphrase_delay,
    read_public_identity,
)

SCHOOL_USCC = "12140000676444728G"
CITY_BODY = "11140100MB0123456"
CITY_USCC = CITY_BODY + uscc_check_char(CITY_BODY)
PASSPHRASE = "晋中-秋天-2021-correct"


def test_fingerprints_are_six_groups_of_five_digits() -> None:
    value = fingerprint(bytes(32))
    groups = value.split(" ")
    assert len(groups) == 6 and all(len(g) == 5 and g.isdigit() for g in groups)
    assert fingerprint(bytes(32)) == value
    assert fingerprint(bytes(31) + b"\x01") != value


def test_keys_live_beside_the_database(database) -> None:
    assert keys_dir_for(database) == database.path.parent / "keys"


def test_a_school_key_is_made_on_first_use_without_a_passphrase(tmp_path: Path) -> None:
    keys = LocalKeys(tmp_path / "keys", SCHOOL_USCC, "school")
    assert not keys.exists()
    keys.ensure()
    path = keys.path(SIGNING)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["protection"] is None and document["algorithm"] == "Ed25519"
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    first = keys.public_key(SIGNING)
    keys.ensure()
    assert keys.public_key(SIGNING) == first
    again = LocalKeys(tmp_path / "keys", SCHOOL_USCC, "school")
    signature = again.signing_key().sign(b"data")
    keys.signing_key().public_key().verify(signature, b"data")
    with pytest.raises(KeyProblem, match="学校没有加密密钥"):
        keys.encryption_key()


def test_a_bureau_key_is_encrypted_with_the_passphrase(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    keys = LocalKeys(folder, CITY_USCC, "city")
    with pytest.raises(KeyProblem, match="keys init"):
        keys.ensure()
    with pytest.raises(KeyProblem, match="口令"):
        keys.create(None)
    with pytest.raises(KeyProblem, match=f"至少需要 {MIN_PASSPHRASE_CHARS}"):
        keys.create("short")
    keys.create(PASSPHRASE)
    secret = keys.signing_key().private_bytes_raw().hex()
    for purpose in (SIGNING, ENCRYPTION):
        text = keys.path(purpose).read_text(encoding="utf-8")
        document = json.loads(text)
        protection = document["protection"]
        assert (protection["kdf"], protection["n"], protection["r"], protection["p"]) == (
            "scrypt",
            SCRYPT_N,
            8,
            1,
        )
        assert SCRYPT_N >= 2**17 and len(bytes.fromhex(protection["salt"])) == 16
    assert secret not in keys.path(SIGNING).read_text(encoding="utf-8")

    wrong = LocalKeys(folder, CITY_USCC, "city", lambda: "not the passphrase")
    with pytest.raises(KeyProblem, match="口令不正确"):
        wrong.signing_key()
    asked: list[int] = []

    def passphrase() -> str:
        asked.append(1)
        return PASSPHRASE

    right = LocalKeys(folder, CITY_USCC, "city", passphrase)
    assert right.signing_key().private_bytes_raw().hex() == secret
    right.signing_key()
    assert asked == [1]  # asked once, then kept
    assert right.encryption_key().public_key().public_bytes_raw() == right.public_key(ENCRYPTION)
    with pytest.raises(KeyProblem, match="需要本机构的密钥口令"):
        LocalKeys(folder, CITY_USCC, "city").signing_key()


def test_the_wait_grows_after_five_wrong_passphrases_in_a_row() -> None:
    waits = [passphrase_delay(n) for n in range(13)]
    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]


class Recorder:
    """A PassphraseGuard that notes what it is told and counts like the audit log does."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.failures = 0

    def before_check(self) -> None:
        self.events.append("check")

    def failed(self) -> int:
        self.events.append("failed")
        self.failures += 1
        return self.failures

    def succeeded(self) -> None:
        self.events.append("succeeded")
        self.failures = 0


def test_every_check_of_the_passphrase_is_told_to_the_guard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys_module, "SCRYPT_N", 2**12)  # the files record it: cheap to check
    LocalKeys(tmp_path, CITY_USCC, "city").create(PASSPHRASE)
    guard = Recorder()
    guard.failures = 5
    wrong = LocalKeys(tmp_path, CITY_USCC, "city", lambda: "not the passphrase", guard)
    with pytest.raises(WrongPassphrase, match="已连续错误 6 次；再次核对前须等待 2 秒") as caught:
        wrong.signing_key()
    assert isinstance(caught.value, KeyProblem) and caught.value.failures_in_a_row == 6
    assert guard.events == ["check", "failed"]
    right = LocalKeys(tmp_path, CITY_USCC, "city", lambda: PASSPHRASE, guard)
    right.signing_key()
    right.signing_key()  # kept unlocked: no second check
    assert guard.events == ["check", "failed", "check", "succeeded"]
    LocalKeys(tmp_path, CITY_USCC, "city").path(ENCRYPTION).write_text("{}")
    with pytest.raises(KeyProblem) as damaged:  # a damaged file is no guess: not counted
        right.encryption_key()
    assert not isinstance(damaged.value, WrongPassphrase) and len(guard.events) == 4


def test_keys_are_never_made_twice(tmp_path: Path) -> None:
    keys = LocalKeys(tmp_path, SCHOOL_USCC, "school")
    keys.create()
    before = keys.path(SIGNING).read_bytes()
    with pytest.raises(KeyProblem, match="已存在"):
        keys.create()
    assert keys.path(SIGNING).read_bytes() == before


def test_a_key_file_of_another_institution_or_damaged_is_refused(tmp_path: Path) -> None:
    keys = LocalKeys(tmp_path, SCHOOL_USCC, "school")
    keys.create()
    document = json.loads(keys.path(SIGNING).read_text(encoding="utf-8"))
    document["public_key"] = "00" * 32
    keys.path(SIGNING).write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(KeyProblem, match="不匹配"):
        LocalKeys(tmp_path, SCHOOL_USCC, "school").signing_key()
    other = LocalKeys(tmp_path, CITY_USCC, "school")
    other.path(SIGNING).write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(KeyProblem, match="不属于本机构"):
        other.signing_key()
    keys.path(SIGNING).write_text("{", encoding="utf-8")
    with pytest.raises(KeyProblem, match="已损坏"):
        keys.public_key(SIGNING)


def test_public_key_files_are_self_signed(tmp_path: Path) -> None:
    keys = LocalKeys(tmp_path / "keys", CITY_USCC, "city", lambda: PASSPHRASE)
    keys.create(PASSPHRASE)
    out = tmp_path / "city.certkey"
    written = keys.export_public("太原市教育局", "140100", out)
    read = read_public_identity(out)
    assert read == written
    assert read.encryption_key == keys.public_key(ENCRYPTION)
    assert read.fingerprint == fingerprint(keys.public_key(SIGNING))
    assert json.loads(out.read_text(encoding="utf-8"))["fingerprint"] == read.fingerprint

    document = json.loads(out.read_text(encoding="utf-8"))
    document["encryption_key"]["public"] = "11" * 32  # a swapped encryption key
    out.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(KeyProblem, match="签名无效"):
        read_public_identity(out)
    document["version"] = 9
    out.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(KeyProblem, match="请升级"):
        read_public_identity(out)
    out.write_bytes(b"\x00" * 100)
    with pytest.raises(KeyProblem, match="不是持证通公钥文件"):
        read_public_identity(out)
    with pytest.raises(KeyProblem, match="无法读取"):
        read_public_identity(tmp_path / "missing.certkey")
    with pytest.raises(KeyProblem, match="不是持证通公钥文件"):
        PublicIdentity.from_file_bytes(b'{"format": "certdesk-public-key", "version": 1}')
