"""Files appear whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.base.atomic import atomic_output, partial_path, write_bytes_atomically


def test_the_file_appears_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "a.certpkg"
    with atomic_output(target) as stream:
        stream.write(b"first half")
        assert not target.exists() and partial_path(target).exists()
        stream.write(b" second half")
    assert target.read_bytes() == b"first half second half"
    assert not partial_path(target).exists()


def test_a_failure_half_way_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "a.certpkg"
    with pytest.raises(RuntimeError), atomic_output(target) as stream:
        stream.write(b"half")
        raise RuntimeError("stick pulled")
    assert list(tmp_path.iterdir()) == []


def test_existing_files_are_kept_unless_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "a.certpkg"
    target.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        write_bytes_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    write_bytes_atomically(target, b"new", overwrite=True)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.certpkg"]
