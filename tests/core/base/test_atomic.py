"""Files appear whole or not at all, and only for the OS user."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.base.atomic import atomic_output, partial_path, write_bytes_atomically
from tests.conftest import posix_only


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


@pytest.fixture
def no_umask() -> Iterator[None]:
    """umask 0: whatever mode a file gets is the one CertDesk asked for."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@posix_only
def test_the_temporary_file_is_private_before_its_first_byte(
    tmp_path: Path, no_umask: None
) -> None:
    target = tmp_path / "a.certpkg"
    with atomic_output(target) as stream:
        assert stat.S_IMODE(os.fstat(stream.fileno()).st_mode) == 0o600
        stream.write(b"secret")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@posix_only
def test_a_stale_partial_and_an_old_file_do_not_lend_their_mode(
    tmp_path: Path, no_umask: None
) -> None:
    target = tmp_path / "roster.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o644)
    partial_path(target).write_bytes(b"left by a crash")
    partial_path(target).chmod(0o666)
    write_bytes_atomically(target, b"new", overwrite=True)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
