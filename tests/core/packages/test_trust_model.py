"""The trust model (issue 13): who may send what, whatever a signed manifest says.

Each of the five attacks found on version 0.1 is here, built with the forger from the
documented format and signed with the attacking school's own, trusted key; each failed on that
version and is refused (or made harmless) now, leaving the bureau's data as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert, select

from core.packages.conflicts import open_conflicts, resolve_conflict
from core.packages.format import PackageError
from core.packages.importer import IMPORTED
from models.exchange import ExchangePackage, ImportConflict
from models.sync import Tombstone
from tests.core.packages.forger import (
    certificate,
    institution,
    signing_key_of,
    tombstone,
    training_class,
)
from tests.core.packages.sites import PASSPHRASE, Site, dump
from tests.core.packages.trust_world import (
    Speaker,
    World,
    bureau_recipient,
    own_institution_record,
    person,
    random_uuid,
    refused,
    rows_of,
    school_speaker,
)

# ---- 1. a self-declared role --------------------------------------------------------------------


def test_a_school_posing_as_a_city_bureau_is_refused(
    world: World, a_and_b: tuple[Speaker, Speaker]
) -> None:
    a, b = a_and_b
    own = own_institution_record(world.receiver)
    hostile = {
        "records": {
            "institutions": [
                {**b.institution, "contact_phone": "13900000000", "revision": 3},
                institution(world.receiver.uscc, name="伪造的教育局", role="city", **own),
            ],
            "trainees": [
                {**b.trainees[0], "name": "被改写", "revision": 5},
                person(b.uscc, name="虚构的人"),
            ],
        },
        "tombstones": [tombstone(b.trainees[1]["uuid"], "trainees", b.uscc, 9)],
    }
    posing = world.package(a, claim=world.pose(a, role="city"), **hostile)
    refused(world.receiver, posing, "已登记为学校，此次却自称市教育局")
    # Claiming the province, or a bureau's role on first contact, fares no better.
    refused(world.receiver, world.package(a, claim=world.pose(a, role="province")), "自称省教育厅")
    stranger = school_speaker(9)
    as_city = world.package(stranger, claim=world.pose(stranger, role="city"))
    refused(world.receiver, as_city, "市教育局只接收学校的数据包")
    # Without the false role, the same content is still beyond a school's authority.
    honest_role = world.package(a, **hostile)
    refused(
        world.receiver, honest_role, "学校只能报送本机构的记录|本机构（太原市教育局）自己的记录"
    )
    # B's genuine next package applies normally: nothing of B was touched.
    renamed = {**b.trainees[0], "name": "王小明", "revision": 2}
    outcome = world.deliver(b, records={"trainees": [renamed]})
    assert outcome.counts["trainees"].updated == 1 and outcome.total().conflicts == 0


# ---- 2. tombstones sent first ------------------------------------------------------------------


def test_tombstones_sent_first_cannot_hide_another_schools_records(
    world: World, a_and_b: tuple[Speaker, Speaker]
) -> None:
    a, b = a_and_b
    coming = [person(b.uscc, name=f"新生{i}") for i in range(3)]
    # A names B's future UUIDs as its own deletions: nothing to refuse, A speaks for A.
    world.deliver(a, tombstones=[tombstone(t["uuid"], "trainees", a.uscc, 50) for t in coming])
    outcome = world.deliver(b, records={"trainees": coming})
    assert outcome.counts["trainees"].new == 3
    assert any("已作废" in notice for notice in outcome.notices)
    held = rows_of(world.receiver, b.uscc)
    assert all(f"trainees/{t['uuid']}" in held for t in coming)
    with world.receiver.database.session() as session:
        uuids = [t["uuid"] for t in coming]
        assert session.scalars(select(Tombstone).where(Tombstone.uuid.in_(uuids))).all() == []
    # And A cannot send deletions in B's name.
    forged = world.package(a, tombstones=[tombstone(random_uuid(), "trainees", b.uscc, 2)])
    refused(world.receiver, forged, "删除记录部分第 1 行.*学校只能报送本机构的记录")


def test_a_deletion_of_another_origin_never_deletes(
    world: World, a_and_b: tuple[Speaker, Speaker]
) -> None:
    a, b = a_and_b
    before = rows_of(world.receiver, b.uscc)
    target = b.trainees[0]["uuid"]
    outcome = world.deliver(a, tombstones=[tombstone(target, "trainees", a.uscc, 99)])
    assert outcome.counts["trainees"].deleted == 0 and outcome.counts["trainees"].conflicts == 1
    assert rows_of(world.receiver, b.uscc) == before


# ---- 3. resolving a conflict changes ownership ---------------------------------------------------


def test_resolving_a_conflict_never_changes_whose_a_row_is(
    world: World, a_and_b: tuple[Speaker, Speaker]
) -> None:
    a, b = a_and_b
    victim = b.trainees[0]
    world.deliver(
        a,
        records={"trainees": [{**victim, "origin": a.uscc, "name": "抢占", "revision": 9}]},
        tombstones=[tombstone(b.trainees[1]["uuid"], "trainees", a.uscc, 9)],
    )
    conflicts = [c for c in _open(world) if c.sender == a.identity.name]
    assert len(conflicts) == 2
    assert all("另一机构" in c.reason for c in conflicts)
    before = dump(world.receiver.database)
    for conflict in conflicts:
        with world.receiver.database.session() as session:
            with pytest.raises(PackageError, match="不能改变记录的归属"):
                resolve_conflict(session, conflict.id, take_incoming=True)
            session.rollback()
    assert dump(world.receiver.database) == before
    with world.receiver.database.session() as session:
        resolve_conflict(session, conflicts[0].id, take_incoming=False)
        session.commit()


def test_a_conflict_kept_by_the_old_rules_is_checked_again(
    world: World, a_and_b: tuple[Speaker, Speaker]
) -> None:
    """A conflict the 0.1 importer kept from a school posing as a bureau cannot be taken."""
    a, b = a_and_b
    with world.receiver.database.session() as session:
        package = session.scalars(
            select(ExchangePackage).where(ExchangePackage.sender_uscc == a.uscc)
        ).first()
        assert package is not None
        incoming = {**b.trainees[0], "name": "被改写", "revision": 7}
        conflict_id = session.execute(
            insert(ImportConflict)
            .values(
                package_id=package.id,
                entity="trainees",
                uuid=incoming["uuid"],
                origin=b.uscc,
                reason="修订号相同但内容不同",
                local_revision=1,
                incoming_revision=7,
                deletion=False,
                incoming=incoming,
            )
            .returning(ImportConflict.id)
        ).scalar_one()
        session.commit()
    before = rows_of(world.receiver, b.uscc)
    with (
        world.receiver.database.session() as session,
        pytest.raises(PackageError, match="学校只能报送本机构的记录"),
    ):
        resolve_conflict(session, conflict_id, take_incoming=True)
    assert rows_of(world.receiver, b.uscc) == before


def test_a_child_is_never_hung_under_another_origins_parent(
    world: World, a_and_b: tuple[Speaker, Speaker]
) -> None:
    a, b = a_and_b
    stray = certificate(a.uscc, b.trainees[0]["uuid"], number="A-0001")
    outcome = world.deliver(a, records={"certificates": [stray]})
    assert outcome.counts["certificates"].new == 0
    assert outcome.counts["certificates"].conflicts == 1
    [conflict] = [c for c in _open(world) if c.entity == "certificates"]
    assert "属于另一机构" in conflict.reason


# ---- 4. one key, two identities; first contact -----------------------------------------------


def test_one_key_never_stands_for_two_codes(world: World, a_and_b: tuple[Speaker, Speaker]) -> None:
    a, _b = a_and_b
    other = school_speaker(3)
    twin = world.pose(a, uscc=other.uscc, name=other.identity.name)
    package = world.package(other, claim=twin, records={"institutions": [other.institution]})
    refused(world.receiver, package, "同一密钥不能代表两个机构")


def test_a_new_sender_is_imported_only_once_its_fingerprint_is_confirmed(world: World) -> None:
    newcomer = school_speaker(4)
    package = world.package(newcomer, records={"institutions": [newcomer.institution]})
    site = world.receiver
    before = dump(site.database)
    preview = site.import_(package, dry_run=True, accept_new=frozenset())
    assert any("首次收到" in n and "附件3" in n for n in preview.notices)
    with pytest.raises(PackageError, match=r"首次收到.*指纹为 [0-9 ]{35}.*尚未确认，未导入"):
        site.import_(package, accept_new=frozenset())
    with pytest.raises(PackageError, match="尚未确认"):
        site.import_(package, accept_new={"00000 00000 00000 00000 00000 00000"})
    assert dump(site.database) == before
    outcome = site.import_(package, accept_new={preview.manifest.sender.fingerprint})
    assert outcome.status == IMPORTED


def test_a_sender_trusted_by_its_key_file_needs_no_confirmation(
    school: Site, world: World, tmp_path: Path
) -> None:
    school.keys.ensure()
    world.receiver.trust(school)
    package = school.export(tmp_path / "out", unencrypted=True)
    outcome = world.receiver.import_(package.path, accept_new=frozenset())
    assert outcome.status == IMPORTED
    assert not any("首次收到" in n for n in outcome.notices)


# ---- 5. the chain rewinds ------------------------------------------------------------------------


def test_an_old_full_package_never_rewinds_the_chain(world: World) -> None:
    a = school_speaker(5)
    world.introduce(a)
    old_full = None
    for sequence in range(2, 6):
        if sequence == 3:  # a full package made then, carried in late
            old_full = world.package(a, full=True, records={"institutions": [a.institution]})
        world.deliver(a, records={"trainees": [person(a.uscc, name=f"第{sequence}批")]})
    assert old_full is not None and a.imported == 5
    late = world.receiver.import_(old_full)
    assert late.status == IMPORTED and any("不大于已导入的第5号" in n for n in late.notices)
    outcome = world.deliver(a, records={"trainees": [person(a.uscc, name="第6批")]})
    assert outcome.manifest.sequence == 6 and outcome.manifest.follows == 5


# ---- bureaus: what a city may forward ---------------------------------------------------------


@pytest.fixture
def province_world(province: Site, city: Site, tmp_path: Path) -> tuple[World, Speaker]:
    """The province, and the Taiyuan city bureau as a sender signing with its real key."""
    world = World(province, tmp_path / "up", bureau_recipient(province, tmp_path / "prov-key"))
    identity = world.pose(
        school_speaker(0),
        uscc=city.uscc,
        name=city.name,
        division_code=city.division_code,
        role="city",
        category="其他",
        signing_key=signing_key_of(city.keys.keys_dir, city.uscc, PASSPHRASE),
    )
    bureau = Speaker(
        identity, institution(city.uscc, name=city.name, role="city", division_code="140100")
    )
    return world, bureau


def test_a_city_forwards_its_own_schools_only(province_world: tuple[World, Speaker]) -> None:
    world, bureau = province_world
    ours, theirs = school_speaker(11, "140107"), school_speaker(12, "140211")
    students = [person(ours.uscc)]
    outcome = world.deliver(
        bureau,
        records={"institutions": [bureau.institution, ours.institution], "trainees": students},
    )
    assert outcome.counts["trainees"].new == 1
    foreign = world.package(
        bureau, records={"institutions": [theirs.institution], "trainees": [person(theirs.uscc)]}
    )
    refused(world.receiver, foreign, "市教育局只能转报本市的学校")
    unknown = world.package(bureau, records={"trainees": [person(school_speaker(13).uscc)]})
    refused(world.receiver, unknown, "没有该机构的信息")
    bureau_as_school = world.package(
        bureau, records={"institutions": [institution(ours.uscc, role="city")]}
    )
    refused(world.receiver, bureau_as_school, "市教育局只能转报本市的学校")


def test_a_school_that_reports_directly_is_heard_only_from_itself(
    province_world: tuple[World, Speaker],
) -> None:
    world, bureau = province_world
    direct = school_speaker(14, "140108")
    world.introduce(direct)
    before = rows_of(world.receiver, direct.uscc)
    outcome = world.deliver(
        bureau,
        records={
            "institutions": [bureau.institution, {**direct.institution, "revision": 4}],
            "trainees": [{**direct.trainees[0], "name": "转报改写", "revision": 3}],
        },
    )
    assert any("直接向本机构报送" in n for n in outcome.notices)
    assert rows_of(world.receiver, direct.uscc) == before


def _open(world: World) -> list:
    with world.receiver.database.session() as session:
        return open_conflicts(session)


# ---- the whole story at one city bureau ------------------------------------------------------


def test_forty_schools_then_every_forgery_then_the_schools_again(world: World) -> None:
    """40 genuine schools, one forged package of each kind, the genuine packages again: the
    bureau ends with exactly what each school itself sent."""
    counties = ("140105", "140106", "140107", "140108", "140109", "140110", "140121")
    schools = [school_speaker(100 + n, counties[n % len(counties)]) for n in range(40)]
    firsts = [world.introduce(school, trainees=3).path for school in schools]
    sent = {s.uscc: rows_of(world.receiver, s.uscc) for s in schools}
    assert all(len(rows) == 4 for rows in sent.values())
    bureau_before = rows_of(world.receiver, world.receiver.uscc)

    a, b = schools[0], schools[1]
    coming = [person(b.uscc, name="后来的学员")]
    own = own_institution_record(world.receiver)
    forgeries = [
        # 1. a school posing as a bureau, rewriting another school and the bureau itself
        world.package(
            a,
            claim=world.pose(a, role="city"),
            records={
                "trainees": [{**b.trainees[0], "name": "被改写", "revision": 8}],
                "institutions": [institution(world.receiver.uscc, name="伪造", **own)],
            },
        ),
        # 4. the attacker's key under a new code
        world.package(
            school_speaker(999),
            claim=world.pose(a, uscc=school_speaker(999).uscc),
            records={"trainees": [person(b.uscc)]},
        ),
    ]
    for forged in forgeries:
        with pytest.raises(PackageError):
            world.receiver.import_(forged)
    # 2. tombstones first, 3. a row under another origin's UUID, then try to take it
    world.deliver(
        a,
        records={"trainees": [{**b.trainees[1], "origin": a.uscc, "revision": 9}]},
        tombstones=[tombstone(t["uuid"], "trainees", a.uscc, 9) for t in coming],
    )
    for conflict in _open(world):
        with (
            world.receiver.database.session() as session,
            pytest.raises(PackageError, match="不能改变记录的归属"),
        ):
            resolve_conflict(session, conflict.id, take_incoming=True)
    # 5. an old full package of B's, carried in after its newer ones
    stale = world.package(b, full=True, sequence=1, records={"trainees": b.trainees[:1]})
    world.receiver.import_(stale)

    # The genuine schools again: every first package once more, and each school's next one.
    for school, first in zip(schools, firsts, strict=True):
        world.receiver.import_(first)
        extra = coming if school is b else []
        world.deliver(school, full=True, records={"trainees": school.trainees + extra})
    for school in schools:
        held = rows_of(world.receiver, school.uscc)
        expected = dict(sent[school.uscc])
        if school is b:
            expected.update(
                {f"trainees/{t['uuid']}": held[f"trainees/{t['uuid']}"] for t in coming}
            )
        assert held == expected, school.identity.name
    assert rows_of(world.receiver, world.receiver.uscc) == bureau_before
    assert len(_open(world)) == 1  # A's claim on a UUID of B's, kept for the clerk to see


@pytest.mark.parametrize(
    ("table", "field", "message"),
    [
        ("institutions", "role", "未知的机构身份"),
        ("training_classes", "status", "未知的培训班状态"),
    ],
)
def test_a_word_the_program_does_not_know_is_refused(
    world: World, a_and_b: tuple[Speaker, Speaker], table: str, field: str, message: str
) -> None:
    """A status or role no screen can show would break the bureau's lists: refused whole."""
    a, _b = a_and_b
    record = {**a.institution, "revision": 2} if table == "institutions" else training_class(a.uscc)
    record[field] = "已作废"
    refused(world.receiver, world.package(a, records={table: [record]}), message)
