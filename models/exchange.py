"""What the database remembers about data packages: sent and received, keys, conflicts.

None of these rows travel in a package themselves; they describe the exchange, so they carry no
sync columns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

#: ``ExchangePackage.direction``: a package written here, or one imported here.
SENT = "sent"
RECEIVED = "received"


class ExchangePackage(Base):
    """One package written here or imported here: the sequence chain per sender lives here.

    The last received package of a sender is its baseline; an incremental package must follow
    it. ``package_id`` comes from the signed manifest, so a second import of the same package
    is recognised whatever its file is called.
    """

    __tablename__ = "exchange_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(String(32), unique=True)
    direction: Mapped[str] = mapped_column(String(8))  # SENT | RECEIVED
    sender_uscc: Mapped[str] = mapped_column(String(18), index=True)
    sender_name: Mapped[str] = mapped_column(String(100))
    recipient_uscc: Mapped[str | None] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(12))  # "full" | "incremental"
    sequence: Mapped[int] = mapped_column(Integer)
    follows: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    processed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    encrypted: Mapped[bool] = mapped_column(Boolean)
    record_counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class TrustedKey(Base):
    """A public key of another institution: imported from its key file, or trusted on first use.

    A key is bound to one identity: one 统一社会信用代码, one role and one division, recorded
    when it is trusted (the clerk confirmed the fingerprint of exactly that identity). A package
    whose manifest claims another role or code for the key is refused, and so is a different key
    for a known code; bureaus also publish an encryption key that schools encrypt to. ``role`` is
    empty only for a key trusted before roles were recorded whose institution was never seen.
    """

    __tablename__ = "trusted_keys"
    __table_args__ = (UniqueConstraint("uscc", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18))
    purpose: Mapped[str] = mapped_column(String(10))  # "signing" | "encryption"
    institution_name: Mapped[str] = mapped_column(String(100))
    algorithm: Mapped[str] = mapped_column(String(10))
    public_key: Mapped[str] = mapped_column(String(64))  # hex of the raw 32 bytes
    fingerprint: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10))  # "file" | "package"
    role: Mapped[str | None] = mapped_column(String(10))  # "school" | "city" | "province"
    division_code: Mapped[str | None] = mapped_column(String(6))
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SentRevision(Base):
    """The revision of each row (or tombstone) last written into a package.

    An incremental package carries exactly the rows whose revision differs from this, which
    needs no clock: a PC whose clock jumps back still sends every change.
    """

    __tablename__ = "sent_revisions"

    uuid: Mapped[str] = mapped_column(String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)


class ImportConflict(Base):
    """An incoming record that could not be applied without overwriting something.

    Kept with the record as it arrived, so the clerk can take it or keep the local row later.
    """

    __tablename__ = "import_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("exchange_packages.id"), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    uuid: Mapped[str] = mapped_column(String(32), index=True)
    origin: Mapped[str] = mapped_column(String(18))
    reason: Mapped[str] = mapped_column(String(200))
    local_revision: Mapped[int | None] = mapped_column(Integer)
    incoming_revision: Mapped[int] = mapped_column(Integer)
    deletion: Mapped[bool] = mapped_column(Boolean, default=False)
    incoming: Mapped[dict[str, Any]] = mapped_column(JSON)
    resolution: Mapped[str | None] = mapped_column(String(20))  # "kept_local" | "took_incoming"
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
