"""Encryption of a package to the recipient bureau's X25519 key.

A fresh random 256-bit package key encrypts every part with AES-256-GCM. The package key itself
is wrapped for the recipient: an ephemeral X25519 key pair, made for this package only, agrees
a secret with the recipient's public key; HKDF-SHA256 turns it into a key-encryption key that
wraps the package key with AES-256-GCM. Associated data binds each ciphertext to its package
and part, so parts cannot be swapped between packages or renamed unnoticed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.packages.format import PackageError

KEY_BYTES = 32
NONCE_BYTES = 12
HKDF_INFO = b"CertDesk package key wrap v1"


@dataclass(frozen=True)
class WrappedKey:
    ephemeral_key: bytes
    nonce: bytes
    wrapped: bytes


def new_package_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _key_encryption_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral + recipient, info=HKDF_INFO
    ).derive(shared)


def wrap_key(package_key: bytes, recipient_key: bytes, package_id: str) -> WrappedKey:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_key))
    kek = _key_encryption_key(shared, ephemeral_public, recipient_key)
    nonce = os.urandom(NONCE_BYTES)
    wrapped = AESGCM(kek).encrypt(nonce, package_key, package_id.encode())
    return WrappedKey(ephemeral_public, nonce, wrapped)


def unwrap_key(
    private_key: X25519PrivateKey, recipient_key: bytes, wrapped: WrappedKey, package_id: str
) -> bytes:
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(wrapped.ephemeral_key))
        kek = _key_encryption_key(shared, wrapped.ephemeral_key, recipient_key)
        return AESGCM(kek).decrypt(wrapped.nonce, wrapped.wrapped, package_id.encode())
    except (InvalidTag, ValueError) as exc:
        raise PackageError("无法解开数据包密钥：数据包已损坏，或不是加密给本机构的") from exc


def _aad(package_id: str, member: str) -> bytes:
    return f"{package_id}/{member}".encode()


def seal_part(package_key: bytes, package_id: str, member: str, data: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(package_key).encrypt(nonce, data, _aad(package_id, member))


def open_part(package_key: bytes, package_id: str, member: str, sealed: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise PackageError(f"数据包的“{member}”部分已损坏（过短）")
    try:
        return AESGCM(package_key).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _aad(package_id, member)
        )
    except InvalidTag as exc:
        raise PackageError(f"数据包的“{member}”部分解密失败：已损坏或被篡改") from exc
