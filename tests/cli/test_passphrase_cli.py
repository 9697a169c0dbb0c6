"""Wrong bureau passphrases on the command line: refused, counted in the audit log, and from
the sixth in a row on each check waits first, saying so (the same use case as the window's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from application import exchange
from core.packages import keys as keys_module
from main import main
from tests.cli.test_sync_cli import CITY, PASSPHRASE, run
from tests.core.packages.sites import TEST_SCRYPT_N


@pytest.fixture
def city(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setattr(keys_module, "SCRYPT_N", TEST_SCRYPT_N)
    monkeypatch.setenv("CERTDESK_PASSPHRASE", PASSPHRASE)
    db = str(tmp_path / "city" / "certdesk.sqlite3")
    assert run(capsys, "--db", db, *CITY)[0] == 0
    code, _, err = run(capsys, "--db", db, "keys", "init")
    assert code == 0, err
    return db


def test_wrong_passphrases_are_counted_and_the_sixth_waits(
    city: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(exchange, "sleep", waits.append)
    monkeypatch.setenv("CERTDESK_PASSPHRASE", "not the passphrase")
    out = str(tmp_path / "city.certkey")
    for attempt in range(1, 7):
        code, text, err = run(capsys, "--db", city, "keys", "export-public", "--out", out)
        assert (code, text) == (1, "")
        assert f"口令不正确（已连续错误 {attempt} 次" in err
    assert "口令已连续错误 5 次：等待 1 秒后再核对" in err
    assert waits == [1.0]

    code, text, _ = run(capsys, "--db", city, "audit", "--json", "--action", "口令错误")
    recorded = json.loads(text)
    assert len(recorded) == 6 and {row["entity_label"] for row in recorded} == {"密钥"}
    assert all(row["at"] and row["user"] for row in recorded)

    monkeypatch.setenv("CERTDESK_PASSPHRASE", PASSPHRASE)
    code, _, err = run(capsys, "--db", city, "keys", "export-public", "--out", out)
    assert code == 0 and "等待 2 秒" in err and Path(out).exists()
    assert main(["--db", city, "keys", "export-public", "--out", out]) == 0
    assert waits == [1.0, 2.0]  # the right one waited; then the count started again


def test_a_passphrase_that_is_not_text_is_refused(
    city: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTDESK_PASSPHRASE", "口令\udcff")  # bytes the locale cannot decode
    out = str(tmp_path / "city.certkey")
    code, text, err = run(capsys, "--db", city, "keys", "export-public", "--out", out)
    assert (code, text) == (1, "") and err.startswith("口令含有无法识别的字节")
