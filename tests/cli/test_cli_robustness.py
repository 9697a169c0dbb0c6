"""The command line's own failure modes, in real processes: a reader that goes away, an
argument that is not text, a console that is not UTF-8. Each ends with its exit status and a
message, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAIN = str(ROOT / "main.py")
GOOD_ID = "11010519491231002X"


def certdesk(*argv: str | bytes) -> list[str | bytes]:
    return [sys.executable, MAIN, *argv]


def clean(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert "Traceback" not in text and "Exception ignored" not in text, text
    return text


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (("targets",), 0),
        (("targets", "--json"), 0),
        (("check-id", "--json", GOOD_ID), 0),
        (("check-id", GOOD_ID, "14010519900307122X"), 1),  # the second is refused
    ],
)
def test_a_reader_gone_before_the_first_line_ends_quietly(argv: tuple[str], status: int) -> None:
    with subprocess.Popen(
        certdesk(*argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # before the program has written anything: every write fails
        err = process.stderr.read()
        assert process.wait(timeout=60) == status
    clean(err)


#: Output far beyond a pipe's buffer (64 KB), so the reader leaves while the writer writes.
MANY_IDS = (GOOD_ID,) * 5000


@pytest.mark.parametrize(
    ("argv", "head"), [(("check-id", "--json", *MANY_IDS), "-c10"), (("check-id", *MANY_IDS), "-1")]
)
def test_piped_into_head(argv: tuple[str], head: str) -> None:
    """``certdesk check-id --json … | head -c 10`` and ``certdesk check-id … | head -1``."""
    with subprocess.Popen(
        certdesk(*argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as writer:
        assert writer.stdout is not None and writer.stderr is not None
        reader = subprocess.run(
            ["head", head], stdin=writer.stdout, capture_output=True, check=True
        )
        writer.stdout.close()  # head has exited: nobody reads any more
        err = writer.stderr.read()
        assert writer.wait(timeout=60) == 0
    clean(err)
    assert reader.stdout  # head got its share


@pytest.mark.parametrize("json_flag", [("--json",), ()])
def test_an_argument_that_is_not_text_is_a_usage_error(json_flag: tuple[str, ...]) -> None:
    done = subprocess.run(
        certdesk("check-id", *json_flag, b"\xff"), capture_output=True, check=False
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert "参数“\\xff”含有无法识别的字节" in clean(done.stderr)


def test_json_is_utf8_whatever_the_locale() -> None:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}
    done = subprocess.run(
        certdesk("check-id", "--json", GOOD_ID), capture_output=True, env=env, check=False
    )
    assert done.returncode == 0, clean(done.stderr)
    [result] = json.loads(done.stdout.decode("utf-8"))
    assert result["gender"] == "女" and result["region"] == "北京市"
    text = subprocess.run(certdesk("targets"), capture_output=True, env=env, check=True)
    assert "高级工" in text.stdout.decode("utf-8")
