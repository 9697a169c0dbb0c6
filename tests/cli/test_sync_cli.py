"""sync and keys on the command line: the contract of BRIEF.md, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from main import main

PASSPHRASE = "太原市-2021-correct-horse"
CITY = [
    "init",
    "--name",
    "太原市教育局",
    "--uscc",
    "11140100MB0123456K",
    "--category",
    "其他",
    "--division",
    "140100",
    "--role",
    "city",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sites(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str, Path]:
    """A demo school and a city bureau that exchanged keys; returns (school db, city db, out)."""
    monkeypatch.setenv("CERTDESK_PASSPHRASE", PASSPHRASE)
    school = str(tmp_path / "school" / "certdesk.sqlite3")
    city = str(tmp_path / "city" / "certdesk.sqlite3")
    out = tmp_path / "out"
    out.mkdir()
    assert run(capsys, "--db", school, "demo", "--trainees", "30")[0] == 0
    assert run(capsys, "--db", city, *CITY)[0] == 0
    code, text, err = run(capsys, "--db", city, "keys", "init")
    assert code == 0, err
    assert "口令一旦遗失" in text and "签名密钥指纹" in text
    key_file = tmp_path / "city.certkey"
    code, text, err = run(capsys, "--db", city, "keys", "export-public", "--out", str(key_file))
    assert code == 0, err
    city_fingerprint = text.split("指纹：")[1][:35]
    code, text, err = run(capsys, "--db", school, "keys", "trust", str(key_file))
    assert code == 0, err
    assert city_fingerprint in text and "今后导出的数据包将加密给 太原市教育局" in text
    return school, city, out


def export(capsys: pytest.CaptureFixture[str], db: str, out: Path, *extra: str) -> Path:
    code, text, err = run(capsys, "--db", db, "sync", "export", "--out", str(out), *extra)
    assert code == 0, err
    path = Path(text.strip().splitlines()[-1])  # the contract: the path is the last line
    assert path.exists() and path.suffix == ".certpkg"
    return path


def test_export_dry_run_import_and_import_again(capsys, sites) -> None:
    school, city, out = sites
    package = export(capsys, school, out)
    assert package.parent == out

    code, text, err = run(capsys, "--db", city, "sync", "import", "--dry-run", str(package))
    assert code == 0, err
    assert "预检完成" in text and "首次收到" in text and "学员：新增" in text
    code, text, _ = run(capsys, "--db", city, "sync", "status", "--json")
    assert json.loads(text) == []  # the dry run wrote nothing

    code, text, err = run(capsys, "--db", city, "sync", "import", str(package))
    assert code == 1 and "首次收到" in err and "--accept-new" in err and "未做改动" in err
    code, text, _ = run(capsys, "--db", city, "sync", "status", "--json")
    assert json.loads(text) == []  # an unconfirmed new sender wrote nothing
    code, text, err = run(capsys, "--db", city, "sync", "import", "--accept-new", str(package))
    assert code == 0, err
    assert "已导入" in text and "发送机构签名密钥指纹" in text
    code, text, err = run(capsys, "--db", city, "sync", "import", str(package))
    assert code == 0 and "已导入（" in text and "未做改动" in text

    code, text, _ = run(capsys, "--db", city, "sync", "status", "--json")
    [row] = json.loads(text)
    assert row["last_sequence"] == 1 and row["trainees"] > 30 and row["open_conflicts"] == 0
    code, text, _ = run(capsys, "--db", city, "keys", "show", "--json")
    shown = json.loads(text)
    assert shown["encryption_key"] is True
    [key] = shown["trusted"]
    assert key["source"] == "package" and key["role"] == "school"
    assert key["uscc"] == row["uscc"] and key["first_seen"].startswith("20")


def test_the_school_audit_log_arrives_once_and_filters_by_origin(capsys, sites) -> None:
    school, city, out = sites
    code, text, _ = run(capsys, "--db", school, "audit", "--json", "--limit", "100000")
    sent = json.loads(text)
    [origin] = {row["origin"] for row in sent}
    package = export(capsys, school, out)
    code, text, err = run(capsys, "--db", city, "sync", "import", "--accept-new", str(package))
    assert code == 0, err
    assert f"操作日志：新增 {len(sent)}" in text

    def received() -> list[dict]:
        code, text, err = run(
            capsys, "--db", city, "audit", "--json", "--origin", origin, "--limit", "100000"
        )
        assert code == 0, err
        return json.loads(text)

    assert sorted(r["uuid"] for r in received()) == sorted(r["uuid"] for r in sent)
    assert {r["origin"] for r in received()} == {origin}
    full = export(capsys, school, out, "--full")
    code, text, err = run(capsys, "--db", city, "sync", "import", str(full))
    assert code == 0, err
    assert len(received()) == len(sent)  # the full package's copies were skipped
    code, text, _ = run(capsys, "--db", city, "audit", "--json", "--origin", "91110000000000000X")
    assert (code, json.loads(text)) == (0, [])


def test_import_json_and_files_given_out_of_order(capsys, sites) -> None:
    school, city, out = sites
    first = export(capsys, school, out)
    second = export(capsys, school, out)
    code, text, err = run(
        capsys, "--db", city, "sync", "import", "--accept-new", "--json", str(second), str(first)
    )
    assert code == 0, err
    results = json.loads(text)
    assert [r["sequence"] for r in results] == [1, 2]
    assert [r["status"] for r in results] == ["imported", "imported"]


def test_a_refused_package_exits_1_and_names_the_reason(capsys, sites, tmp_path: Path) -> None:
    school, city, out = sites
    package = export(capsys, school, out)
    cut = tmp_path / "cut.certpkg"
    cut.write_bytes(package.read_bytes()[:-100])
    code, _, err = run(capsys, "--db", city, "sync", "import", str(cut))
    assert code == 1
    assert "拒绝导入" in err and "不完整" in err and "数据库未做改动" in err
    second = export(capsys, school, out)
    code, _, err = run(capsys, "--db", city, "sync", "import", str(second))
    assert code == 1 and "缺少第1号数据包" in err


def test_export_refuses_without_a_bureau_key_unless_unencrypted(capsys, tmp_path: Path) -> None:
    school = str(tmp_path / "school.sqlite3")
    run(capsys, "--db", school, "demo", "--trainees", "10")
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(capsys, "--db", school, "sync", "export", "--out", str(out))
    assert code == 1 and "keys trust" in err and "--unencrypted" in err
    assert list(out.iterdir()) == []
    code, text, err = run(
        capsys, "--db", school, "sync", "export", "--out", str(out), "--unencrypted"
    )
    assert code == 0 and "未加密" in text
    assert "注意" in err and "未加密的数据包" in err  # announced before it was written
    code, text, _ = run(capsys, "--db", school, "audit", "--json", "--action", "导出")
    [entry] = json.loads(text)
    assert "未加密的数据包" in entry["detail"] and "含完整号码" in entry["detail"]
    code, _, err = run(capsys, "--db", school, "sync", "export", "--out", str(tmp_path / "no"))
    assert code == 1 and "不存在" in err


def test_a_passphrase_is_never_an_argument(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CERTDESK_PASSPHRASE", raising=False)
    city = str(tmp_path / "city.sqlite3")
    run(capsys, "--db", city, *CITY)
    code, _, err = run(capsys, "--db", city, "keys", "init")
    assert code == 1 and "CERTDESK_PASSPHRASE" in err
    with pytest.raises(SystemExit) as exc:
        main(["--db", city, "keys", "init", "--passphrase", "x"])
    assert exc.value.code == 2
    monkeypatch.setenv("CERTDESK_PASSPHRASE", "short")
    code, _, err = run(capsys, "--db", city, "keys", "init")
    assert code == 1 and "至少需要 8 个字符" in err
    monkeypatch.setenv("CERTDESK_PASSPHRASE", PASSPHRASE)
    assert run(capsys, "--db", city, "keys", "init")[0] == 0
    code, _, err = run(capsys, "--db", city, "keys", "init")
    assert code == 1 and "已存在" in err


def test_conflicts_resolve_and_shared_people(capsys, sites) -> None:
    _school, city, _out = sites
    code, text, _ = run(capsys, "--db", city, "sync", "conflicts")
    assert code == 0 and "没有待处理的冲突" in text
    code, _, err = run(capsys, "--db", city, "sync", "resolve", "7", "--keep-local")
    assert code == 1 and "没有编号为 7 的冲突" in err
    code, text, _ = run(capsys, "--db", city, "sync", "shared", "--json")
    assert code == 0 and json.loads(text) == []
    with pytest.raises(SystemExit) as exc:
        main(["--db", city, "sync", "resolve", "7"])
    assert exc.value.code == 2


def test_usage_errors_exit_2(capsys) -> None:
    for argv in (["sync"], ["sync", "import"], ["keys"], ["keys", "trust"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2


def test_a_school_key_needs_no_passphrase(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CERTDESK_PASSPHRASE", raising=False)
    school = str(tmp_path / "school.sqlite3")
    run(capsys, "--db", school, "demo", "--trainees", "10")
    code, text, err = run(capsys, "--db", school, "keys", "init")
    assert code == 0, err
    printed = text.split("签名密钥指纹：")[1].strip()
    code, text, _ = run(capsys, "--db", school, "keys", "show", "--json")
    shown = json.loads(text)
    assert shown["fingerprint"] == printed and shown["encryption_key"] is False
    assert (tmp_path / "keys").is_dir()
    key_file = tmp_path / "school.certkey"
    code, text, err = run(capsys, "--db", school, "keys", "export-public", "--out", str(key_file))
    assert code == 0 and printed in text
