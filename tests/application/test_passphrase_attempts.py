"""Guessing a bureau's passphrase: every wrong one is on record, and after five in a row each
further check waits longer (application.exchange.PassphraseAttempts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from application import exchange
from application.exchange import create_keys, export_public_key, installation_keys
from application.safety import audit_log
from core.institution import register_local_institution
from core.packages import keys as keys_module
from core.packages.keys import LocalKeys, WrongPassphrase
from core.safety.audit import KEYS, PASSPHRASE_RIGHT, PASSPHRASE_WRONG, AuditFilter
from models.audit import AuditEntry
from models.database import Database
from tests.core.packages.sites import CITY, PASSPHRASE, TEST_SCRYPT_N


@pytest.fixture
def city(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """A city bureau with its keys (at a cost of scrypt that tests can afford)."""
    with database.session() as session:
        register_local_institution(session, CITY)
        session.commit()
    monkeypatch.setattr(keys_module, "SCRYPT_N", TEST_SCRYPT_N)
    keys = installation_keys(database, lambda: PASSPHRASE)
    assert keys is not None
    create_keys(database, keys, PASSPHRASE)
    return database


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits before each check, instead of sleeping them."""
    waited: list[float] = []
    monkeypatch.setattr(exchange, "sleep", waited.append)
    return waited


def fresh_keys(database: Database, passphrase: str) -> LocalKeys:
    """The keys as a new command (or a newly opened window) gets them: nothing unlocked."""
    keys = installation_keys(database, lambda: passphrase)
    assert keys is not None
    return keys


def entries(database: Database, action: str) -> list[str]:
    return [row.detail for row in audit_log(database, AuditFilter(action=action, entity=KEYS))]


def test_six_wrong_passphrases_are_six_entries_and_the_sixth_waits(
    city: Database, waits: list[float], tmp_path: Path
) -> None:
    out = tmp_path / "city.certkey"
    for attempt in range(1, 7):
        with pytest.raises(WrongPassphrase) as wrong:
            export_public_key(city, fresh_keys(city, "not the passphrase"), out)
        assert wrong.value.failures_in_a_row == attempt
    assert waits == [1.0]  # none before the first five; 2**0 s before the sixth
    assert "已连续错误 6 次；再次核对前须等待 2 秒" in str(wrong.value)
    recorded = entries(city, PASSPHRASE_WRONG)
    assert len(recorded) == 6 and recorded[0] == "密钥口令不正确（连续第 6 次）"
    assert not out.exists()

    # A row that came in another institution's package is its own, not a guess here.
    with city.session() as session:
        session.add(AuditEntry(os_user="x", action=PASSPHRASE_WRONG, entity=KEYS, origin="OTHER"))
        session.commit()

    export_public_key(city, fresh_keys(city, PASSPHRASE), out)  # right, after a wait of 2 s
    assert waits == [1.0, 2.0] and out.exists()
    assert entries(city, PASSPHRASE_RIGHT) == ["密钥口令正确（此前连续错误 6 次）"]
    with pytest.raises(WrongPassphrase) as wrong:
        export_public_key(city, fresh_keys(city, "not the passphrase"), out)
    assert wrong.value.failures_in_a_row == 1 and waits == [1.0, 2.0]  # counted afresh


def test_a_right_passphrase_after_right_ones_adds_nothing(
    city: Database, waits: list[float], tmp_path: Path
) -> None:
    for _ in range(3):
        export_public_key(city, fresh_keys(city, PASSPHRASE), tmp_path / "city.certkey")
    assert entries(city, PASSPHRASE_RIGHT) == [] and entries(city, PASSPHRASE_WRONG) == []
    assert waits == []
