"""``sync audit-origins``: what an import under the 0.1 trust model may have left behind.

The damaged states are written here directly, as the old importer wrote them (Core writes that
leave no audit entry); a bureau that only ever imported genuine packages has no findings.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import insert, select, update

from core.institution import local_institution
from core.packages.origin_audit import audit_origins
from main import main
from models.exchange import ExchangePackage, ImportConflict, TrustedKey
from models.institution import Institution
from models.sync import Tombstone
from models.trainee import Trainee
from tests.core.packages.forger import make_uscc
from tests.core.packages.sites import Site
from tests.core.packages.trust_world import Speaker, World


def findings(site: Site) -> list:
    with site.database.session() as session:
        receiver = local_institution(session)
        assert receiver is not None
        return audit_origins(session, receiver)


def test_a_bureau_that_imported_only_genuine_packages_has_no_findings(
    world: World, a_and_b: tuple[Speaker, Speaker]
) -> None:
    assert findings(world.receiver) == []


def test_what_the_old_importer_let_a_wrong_sender_write_is_listed(
    world: World, a_and_b: tuple[Speaker, Speaker]
) -> None:
    a, b = a_and_b
    stranger = make_uscc()
    with world.receiver.database.session() as session, session.begin():
        # 1. rows of an origin nobody here speaks for (a fake school "under" the bureau)
        template = session.scalars(select(Trainee).where(Trainee.origin == b.uscc)).first()
        assert template is not None
        session.execute(
            insert(Trainee).values(
                name="虚构的人",
                gender="男",
                id_number=template.id_number,
                uuid="f" * 32,
                revision=1,
                origin=stranger,
                updated_at=template.updated_at,
            )
        )
        # 1. the bureau's own institution renamed by an import (no local audit entry)
        session.execute(
            update(Institution)
            .where(Institution.is_local)
            .values(name="伪造的教育局", revision=Institution.revision + 1)
        )
        # 2. A's deletion naming B's trainee
        session.execute(
            insert(Tombstone).values(
                uuid=b.trainees[0]["uuid"], entity="trainees", origin=a.uscc, revision=9
            )
        )
        # 3. a conflict across origins that 0.1 let the clerk take
        package_id = session.scalars(select(ExchangePackage.id)).first()
        session.execute(
            insert(ImportConflict).values(
                package_id=package_id,
                entity="trainees",
                uuid=b.trainees[1]["uuid"],
                origin=a.uscc,
                reason="与本地同一记录的来源机构不同",
                local_revision=1,
                incoming_revision=2,
                deletion=False,
                incoming={},
                resolution="took_incoming",
            )
        )
        # 4. one key under two codes
        key = session.scalars(select(TrustedKey).where(TrustedKey.uscc == a.uscc)).one()
        session.execute(
            insert(TrustedKey).values(
                uscc=make_uscc(),
                purpose="signing",
                institution_name="冒名学校",
                algorithm="Ed25519",
                public_key=key.public_key,
                fingerprint=key.fingerprint,
                source="package",
                role=None,
                division_code=None,
                first_seen=key.first_seen,
            )
        )
        # an institution recorded as a bureau at a city bureau
        session.execute(update(Institution).where(Institution.uscc == b.uscc).values(role="city"))
    found = findings(world.receiver)
    kinds = sorted(f.kind for f in found)
    assert kinds == [
        "institution",
        "key",
        "key",
        "own_rows_changed",
        "resolution",
        "tombstone",
        "unauthorised_origin",
    ], [f.message for f in found]
    messages = "\n".join(f.message for f in found)
    assert stranger in messages and "没有可以为它报送" in messages
    assert "本机构自己的机构有 1 条的修改没有本地操作记录" in messages
    assert "登记为多个机构" in messages and "没有登记身份" in messages
    assert "删除记录指向的是另一机构的学员" in messages


def test_the_command_line_check(
    capsys: pytest.CaptureFixture[str], world: World, a_and_b: tuple[Speaker, Speaker]
) -> None:
    db = str(world.receiver.database.path)
    assert main(["--db", db, "sync", "audit-origins"]) == 0
    assert "未发现问题" in capsys.readouterr().out
    with world.receiver.database.session() as session, session.begin():
        session.execute(update(Institution).where(Institution.is_local).values(revision=5))
    assert main(["--db", db, "sync", "audit-origins", "--json"]) == 1
    [finding] = json.loads(capsys.readouterr().out)
    assert finding["kind"] == "own_rows_changed" and finding["count"] == 1
