"""This installation's key pairs, their files, fingerprints, and the public key file.

Every installation signs its packages with an Ed25519 key; a bureau (市教育局 / 省教育厅) also
holds an X25519 key that schools encrypt their packages to. The private keys live in a ``keys``
folder beside the database file (so a ``--db`` file with its folder is self-contained; with a
server database, in the user's data folder), one file per key and institution.

A school's signing key is protected only by the OS user's folder, so the clerk never needs a
passphrase. A bureau's keys are also encrypted with a passphrase: scrypt (n=2**17, r=8, p=1,
16-byte random salt) derives an AES-256-GCM key, with the key file's header as associated
data. Lose the passphrase and the bureau can no longer open packages encrypted to it; there is
no recovery, which the clerk is told before the key is made.

Guessing at the keyboard is slowed as well: every check of the passphrase reports to a
``PassphraseGuard`` (``application.exchange`` keeps the count in the audit log), and after
``FREE_PASSPHRASE_ATTEMPTS`` wrong ones in a row each further check waits ``passphrase_delay``
first. Someone who copies the key file is held back by scrypt alone.

Fingerprints are six groups of five digits (about 100 bits), short enough to read out over the
phone and to print small on the Annex 3 report.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from core.base.atomic import write_bytes_atomically
from models.database import Database, data_dir

KEYS_DIRNAME = "keys"
PRIVATE_FORMAT = "certdesk-private-key"
PUBLIC_FORMAT = "certdesk-public-key"
PUBLIC_VERSION = 1
PUBLIC_SUFFIX = ".certkey"
MAX_PUBLIC_FILE_BYTES = 64 * 1024

SIGNING = "signing"
ENCRYPTION = "encryption"
ALGORITHMS = {SIGNING: "Ed25519", ENCRYPTION: "X25519"}

SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
NONCE_BYTES = 12
MIN_PASSPHRASE_CHARS = 8

FINGERPRINT_GROUPS = 6
_FINGERPRINT_DOMAIN = b"CertDesk key fingerprint v1\x00"

PASSPHRASE_WARNING = (
    "口令用于保护本机构的私钥。请务必牢记：口令一旦遗失，将无法再解密各单位报送给本机构的"
    "数据包，也无法以本机构名义签名，只能重新生成密钥并请各单位重新导入公钥。"
)

#: Asks the clerk for the passphrase only when a protected key is actually needed.
PassphraseSource = Callable[[], str]

#: Wrong passphrases in a row that are checked at once; each one after that waits first.
FREE_PASSPHRASE_ATTEMPTS = 5
#: The longest wait before a check (seconds): long enough to make guessing hopeless, short
#: enough that a clerk who mistyped six times is not locked out of the morning's imports.
MAX_PASSPHRASE_DELAY = 60.0


def passphrase_delay(failures_in_a_row: int) -> float:
    """Seconds to wait before the next check: none for the first five wrong passphrases in a
    row, then 1, 2, 4 … doubling with each further one, at most a minute."""
    beyond = failures_in_a_row - FREE_PASSPHRASE_ATTEMPTS
    return 0.0 if beyond < 0 else min(2.0**beyond, MAX_PASSPHRASE_DELAY)


class KeyProblem(Exception):
    """A key cannot be made, read or used; the message (Chinese) says why and what to do."""


class WrongPassphrase(KeyProblem):
    """The passphrase did not open the key: the clerk's guess, unlike a damaged key file."""

    def __init__(self, failures_in_a_row: int) -> None:
        self.failures_in_a_row = failures_in_a_row
        message = "口令不正确"
        if failures_in_a_row:
            wait = passphrase_delay(failures_in_a_row)
            then = f"；再次核对前须等待 {wait:g} 秒" if wait else ""
            message += f"（已连续错误 {failures_in_a_row} 次{then}）"
        super().__init__(message)


class PassphraseGuard(Protocol):
    """Told of every check of the passphrase, so that guessing can be counted and slowed."""

    def before_check(self) -> None:
        """Called with the passphrase in hand, before it is checked: wait if need be."""

    def failed(self) -> int:
        """Record a wrong passphrase; the wrong ones in a row, this one included."""

    def succeeded(self) -> None:
        """Record a right passphrase: the count starts again."""


class Unguarded:
    """No counting: keys used outside an installation's use cases (tests, tools)."""

    def before_check(self) -> None:
        return None

    def failed(self) -> int:
        return 0

    def succeeded(self) -> None:
        return None


def fingerprint(public_key: bytes) -> str:
    digest = hashlib.sha256(_FINGERPRINT_DOMAIN + public_key).digest()
    groups = (
        int.from_bytes(digest[5 * i : 5 * i + 5], "big") % 100_000
        for i in range(FINGERPRINT_GROUPS)
    )
    return " ".join(f"{g:05d}" for g in groups)


def canonical_json(data: Any) -> bytes:
    """The bytes a signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def keys_dir_for(database: Database) -> Path:
    path = database.path
    if path is None:
        return data_dir() / KEYS_DIRNAME
    return path.parent / KEYS_DIRNAME


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise KeyProblem(f"口令至少需要 {MIN_PASSPHRASE_CHARS} 个字符")


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def _raw_public(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def _private_file_bytes(
    uscc: str, purpose: str, key: Ed25519PrivateKey | X25519PrivateKey, passphrase: str | None
) -> bytes:
    header = {"uscc": uscc, "algorithm": ALGORITHMS[purpose], "public_key": _raw_public(key).hex()}
    body: dict[str, Any] = {"format": PRIVATE_FORMAT, "version": 1, **header}
    secret = _raw_private(key)
    if passphrase is None:
        body["protection"] = None
        body["private_key"] = secret.hex()
    else:
        salt = os.urandom(SALT_BYTES)
        nonce = os.urandom(NONCE_BYTES)
        kek = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        body["protection"] = {
            "kdf": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": salt.hex(),
            "cipher": "AES-256-GCM",
            "nonce": nonce.hex(),
        }
        body["private_key"] = AESGCM(kek).encrypt(nonce, secret, canonical_json(header)).hex()
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def _hex(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise KeyProblem(f"{what}格式不正确")
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise KeyProblem(f"{what}格式不正确") from exc


@dataclass(frozen=True)
class PublicIdentity:
    """What one institution publishes: who it is and its public keys, signed by itself.

    The signature only proves the file is whole and that the encryption key belongs with the
    signing key; that the signing key is really the bureau's is settled by comparing the
    fingerprint over the phone.
    """

    uscc: str
    name: str
    role: str
    division_code: str
    signing_key: bytes
    encryption_key: bytes | None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_key)

    def _signed_fields(self) -> dict[str, Any]:
        return {
            "format": PUBLIC_FORMAT,
            "version": PUBLIC_VERSION,
            "uscc": self.uscc,
            "name": self.name,
            "role": self.role,
            "division_code": self.division_code,
            "signing_key": {"algorithm": ALGORITHMS[SIGNING], "public": self.signing_key.hex()},
            "encryption_key": None
            if self.encryption_key is None
            else {"algorithm": ALGORITHMS[ENCRYPTION], "public": self.encryption_key.hex()},
        }

    def to_file_bytes(self, signer: Ed25519PrivateKey) -> bytes:
        fields = self._signed_fields()
        signature = signer.sign(canonical_json(fields))
        document = {**fields, "fingerprint": self.fingerprint, "signature": signature.hex()}
        return json.dumps(document, ensure_ascii=False, indent=2).encode()

    @classmethod
    def from_file_bytes(cls, data: bytes) -> PublicIdentity:
        """Parse and verify a public key file; refuse anything that is not whole and self-signed."""
        bad = KeyProblem("不是持证通公钥文件，或文件已损坏")
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise bad from exc
        if not isinstance(document, dict) or document.get("format") != PUBLIC_FORMAT:
            raise bad
        version = document.get("version")
        if not isinstance(version, int) or version > PUBLIC_VERSION:
            raise KeyProblem("公钥文件由更新版本的持证通生成：请升级持证通")
        texts = {k: document.get(k) for k in ("uscc", "name", "role", "division_code")}
        if not all(isinstance(v, str) for v in texts.values()):
            raise bad
        signing = document.get("signing_key")
        encryption = document.get("encryption_key")
        if not isinstance(signing, dict) or not (
            encryption is None or isinstance(encryption, dict)
        ):
            raise bad
        identity = cls(
            uscc=str(texts["uscc"]),
            name=str(texts["name"]),
            role=str(texts["role"]),
            division_code=str(texts["division_code"]),
            signing_key=_hex(signing.get("public"), "签名公钥"),
            encryption_key=None
            if encryption is None
            else _hex(encryption.get("public"), "加密公钥"),
        )
        if len(identity.signing_key) != 32 or (
            identity.encryption_key is not None and len(identity.encryption_key) != 32
        ):
            raise bad
        signature = _hex(document.get("signature"), "签名")
        try:
            Ed25519PublicKey.from_public_bytes(identity.signing_key).verify(
                signature, canonical_json(identity._signed_fields())
            )
        except (InvalidSignature, ValueError) as exc:
            raise KeyProblem("公钥文件的签名无效：文件已损坏或被改动") from exc
        return identity


def read_public_identity(path: Path) -> PublicIdentity:
    try:
        size = path.stat().st_size
        if size > MAX_PUBLIC_FILE_BYTES:
            raise KeyProblem("不是持证通公钥文件（文件过大）")
        data = path.read_bytes()
    except OSError as exc:
        raise KeyProblem(f"无法读取公钥文件：{exc.strerror or exc}") from exc
    return PublicIdentity.from_file_bytes(data)


class LocalKeys:
    """This installation's private keys, read from their files when first needed.

    A protected key asks ``passphrase`` once; the unlocked key is kept for the object's
    lifetime so importing ten packages asks once. Each check of a passphrase goes through
    ``guard``.
    """

    def __init__(
        self,
        keys_dir: Path,
        uscc: str,
        role: str,
        passphrase: PassphraseSource | None = None,
        guard: PassphraseGuard | None = None,
    ) -> None:
        self.keys_dir = keys_dir
        self.uscc = uscc
        self.role = role
        self._passphrase = passphrase
        self._guard: PassphraseGuard = guard or Unguarded()
        self._unlocked: dict[str, Ed25519PrivateKey | X25519PrivateKey] = {}

    @property
    def is_bureau(self) -> bool:
        return self.role != "school"

    def path(self, purpose: str) -> Path:
        return self.keys_dir / f"{self.uscc}-{purpose}.key"

    def exists(self) -> bool:
        return self.path(SIGNING).exists()

    def create(self, passphrase: str | None = None) -> None:
        """Make the key pairs; a bureau's need a passphrase, a school's must not have one."""
        if self.exists():
            raise KeyProblem(
                f"本机构的密钥已存在（{self.path(SIGNING)}）；重新生成会使已交换的公钥失效，未做改动"
            )
        if self.is_bureau:
            if passphrase is None:
                raise KeyProblem("教育局的私钥必须用口令保护：请提供口令")
            check_new_passphrase(passphrase)
        else:
            passphrase = None
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        keys: dict[str, Ed25519PrivateKey | X25519PrivateKey] = {
            SIGNING: Ed25519PrivateKey.generate()
        }
        if self.is_bureau:
            keys[ENCRYPTION] = X25519PrivateKey.generate()
        # The encryption key first: the signing key file is what marks the keys as present.
        for purpose in (ENCRYPTION, SIGNING):
            if purpose in keys:
                path = self.path(purpose)
                data = _private_file_bytes(self.uscc, purpose, keys[purpose], passphrase)
                write_bytes_atomically(path, data, overwrite=purpose == ENCRYPTION)
                if os.name == "posix":
                    path.chmod(0o600)
        self._unlocked.update(keys)

    def ensure(self) -> None:
        """A school's signing key is made silently on first use; a bureau's needs ``keys init``."""
        if self.exists():
            return
        if self.is_bureau:
            raise KeyProblem("本机构尚未生成密钥：请先运行 keys init（需设置口令）")
        self.create()

    def _document(self, purpose: str) -> dict[str, Any]:
        path = self.path(purpose)
        if not path.exists():
            if purpose == ENCRYPTION and not self.is_bureau:
                raise KeyProblem("学校没有加密密钥：只有教育局接收加密数据包")
            raise KeyProblem("本机构尚未生成密钥：请先运行 keys init")
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise KeyProblem(f"无法读取密钥文件 {path}：文件已损坏") from exc
        if (
            not isinstance(document, dict)
            or document.get("format") != PRIVATE_FORMAT
            or document.get("uscc") != self.uscc
            or document.get("algorithm") != ALGORITHMS[purpose]
        ):
            raise KeyProblem(f"密钥文件 {path} 不属于本机构或已损坏")
        return document

    def public_key(self, purpose: str) -> bytes:
        """The raw public key, read without the passphrase."""
        key = _hex(self._document(purpose).get("public_key"), "密钥文件中的公钥")
        if len(key) != 32:
            raise KeyProblem(f"密钥文件 {self.path(purpose)} 已损坏")
        return key

    def has_encryption_key(self) -> bool:
        return self.path(ENCRYPTION).exists()

    def _unlock(self, purpose: str) -> Ed25519PrivateKey | X25519PrivateKey:
        if purpose in self._unlocked:
            return self._unlocked[purpose]
        document = self._document(purpose)
        public = self.public_key(purpose)
        secret = _hex(document.get("private_key"), "私钥")
        protection = document.get("protection")
        if protection is not None:
            secret = self._decrypt(purpose, document, protection, secret)
        try:
            key: Ed25519PrivateKey | X25519PrivateKey = (
                Ed25519PrivateKey.from_private_bytes(secret)
                if purpose == SIGNING
                else X25519PrivateKey.from_private_bytes(secret)
            )
        except ValueError as exc:
            raise KeyProblem(f"密钥文件 {self.path(purpose)} 已损坏") from exc
        if _raw_public(key) != public:
            raise KeyProblem(f"密钥文件 {self.path(purpose)} 已损坏（私钥与公钥不匹配）")
        self._unlocked[purpose] = key
        return key

    def _decrypt(
        self, purpose: str, document: dict[str, Any], protection: object, secret: bytes
    ) -> bytes:
        if not isinstance(protection, dict) or protection.get("kdf") != "scrypt":
            raise KeyProblem(f"密钥文件 {self.path(purpose)} 的保护方式无法识别")
        if self._passphrase is None:
            raise KeyProblem("需要本机构的密钥口令")
        params = [protection.get(k) for k in ("n", "r", "p")]
        if not all(isinstance(v, int) and 0 < v <= 2**20 for v in params):
            raise KeyProblem(f"密钥文件 {self.path(purpose)} 已损坏")
        salt = _hex(protection.get("salt"), "密钥文件")
        nonce = _hex(protection.get("nonce"), "密钥文件")
        header = {k: document.get(k) for k in ("uscc", "algorithm", "public_key")}
        passphrase = self._passphrase()
        self._guard.before_check()
        kek = _derive(passphrase, salt, *params)
        try:
            plain = AESGCM(kek).decrypt(nonce, secret, canonical_json(header))
        except (InvalidTag, ValueError) as exc:
            raise WrongPassphrase(self._guard.failed()) from exc
        self._guard.succeeded()
        return plain

    def signing_key(self) -> Ed25519PrivateKey:
        key = self._unlock(SIGNING)
        assert isinstance(key, Ed25519PrivateKey)
        return key

    def encryption_key(self) -> X25519PrivateKey:
        key = self._unlock(ENCRYPTION)
        assert isinstance(key, X25519PrivateKey)
        return key

    def identity(self, name: str, division_code: str) -> PublicIdentity:
        return PublicIdentity(
            uscc=self.uscc,
            name=name,
            role=self.role,
            division_code=division_code,
            signing_key=self.public_key(SIGNING),
            encryption_key=self.public_key(ENCRYPTION) if self.is_bureau else None,
        )

    def export_public(self, name: str, division_code: str, out: Path) -> PublicIdentity:
        identity = self.identity(name, division_code)
        write_bytes_atomically(out, identity.to_file_bytes(self.signing_key()), overwrite=True)
        return identity
