"""A package cannot write on the bureau clerk's terminal: names it carries are shown inert.

A school's package is the sender's word, names included. One named ``甲\\n已导入\\x1b[2J``
would, printed raw, add a line "已导入" of its own to ``sync import``'s report and clear the
screen; a trainee named with a bidi override would reorder the conflict line. Through
``cli.terminal`` each such value is one line with its control characters escaped, and the
``--json`` output still gives back the exact value.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from main import main
from tests.core.packages.forger import institution
from tests.core.packages.sites import PASSPHRASE
from tests.core.packages.trust_world import Speaker, World, person, school_speaker

SCHOOL_NAME = "甲\n已导入\x1b[2J"
SHOWN_SCHOOL = "甲\\n已导入\\x1b[2J"
TRAINEE_NAME = "乙\u202e\r已导入\x9b"
SHOWN_TRAINEE = "乙\\u202e\\r已导入\\x9b"
#: What a terminal acts on: ESC and CSI, CR, the bidi override.
RAW = ("\x1b", "\x9b", "\r", "\u202e")


def hostile_school() -> Speaker:
    honest = school_speaker(8)
    identity = replace(honest.identity, name=SCHOOL_NAME)
    record = institution(identity.uscc, name=SCHOOL_NAME, division_code=identity.division_code)
    return Speaker(identity, record)


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    assert not any(c in out + err for c in RAW), (out, err)
    return code, out, err


@pytest.fixture
def bureau_db(world: World, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CERTDESK_PASSPHRASE", PASSPHRASE)
    path = world.receiver.database.path
    assert path is not None
    return path


def test_a_forged_name_is_one_inert_line_in_import_status_and_conflicts(
    world: World, bureau_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    school = hostile_school()
    school.trainees = [person(school.uscc, name="学员")]
    first = world.package(
        school, records={"institutions": [school.institution], "trainees": school.trainees}
    )
    code, out, err = run(capsys, bureau_db, "sync", "import", "--accept-new", str(first))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{first.name}：{SHOWN_SCHOOL}（{school.uscc}）第1号数据包（完整）")
    # "已导入" begins no line but CertDesk's own last one.
    assert [line for line in lines if line.lstrip().startswith("已导入")] == ["  已导入"]
    school.imported = 1

    # The same trainee at the same revision with other content: a conflict kept for the clerk.
    renamed = dict(school.trainees[0], name=TRAINEE_NAME)
    second = world.package(school, records={"trainees": [renamed]})
    code, out, err = run(capsys, bureau_db, "sync", "import", str(second))
    assert code == 0 and "1 条冲突待处理" in out, err

    code, out, _ = run(capsys, bureau_db, "sync", "status")
    [row] = out.splitlines()
    assert row.split("\t")[:2] == [SHOWN_SCHOOL, school.uscc] and row.count("\t") == 6

    code, out, _ = run(capsys, bureau_db, "sync", "conflicts")
    [row] = out.splitlines()
    _number, label, summary, reason, sender = row.split("\t")
    assert (label, reason) == ("学员", "修订号相同但内容不同")
    assert summary.startswith(f"{SHOWN_TRAINEE} ") and "*" in summary  # the ID stays masked
    assert sender == f"来自 {SHOWN_SCHOOL} 第2号数据包"

    code, out, _ = run(capsys, bureau_db, "sync", "status", "--json")
    assert json.loads(out)[0]["name"] == SCHOOL_NAME  # exact JSON
    code, out, _ = run(capsys, bureau_db, "sync", "conflicts", "--json")
    [conflict] = json.loads(out)
    assert conflict["sender"] == SCHOOL_NAME and conflict["summary"].startswith(TRAINEE_NAME)
