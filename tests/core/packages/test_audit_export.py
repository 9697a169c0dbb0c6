"""The audit log travels in packages: school → city → province, once per entry, origin kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import func, select

from core.packages.format import AUDIT_LOG, FORMAT_VERSION, INCREMENTAL, MANIFEST, SIGNATURE
from core.packages.importer import DUPLICATE, IMPORTED
from core.safety.audit import IMPORTED as IMPORTED_ACTION
from core.safety.audit import AuditFilter, audit_origins, query_audit, record_action
from models.audit import AuditEntry
from models.database import Database
from tests.core.packages.sites import Site, edit_school, part_lines, read_members, write_members

_FULL_NUMBER = re.compile(r"\d{17}[\dX]|1\d{10}")


def entries(database: Database, origin: str | None = None) -> dict[str, tuple[object, ...]]:
    """uuid → everything an entry says, of one origin or all."""
    with database.session() as session:
        query = select(AuditEntry)
        if origin is not None:
            query = query.where(AuditEntry.origin == origin)
        return {
            e.uuid: (
                e.at,
                e.os_user,
                e.host,
                e.action,
                e.entity,
                e.record_uuid,
                e.changes,
                e.detail,
            )
            for e in session.scalars(query)
        }


def entry_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_the_school_log_reaches_the_city_with_its_origin(
    linked: tuple[Site, Site], tmp_path: Path
) -> None:
    school, city = linked
    edit_school(school)
    own_before = entries(city.database, city.uscc)
    package = school.export(tmp_path / "out")
    sent = entries(school.database)
    assert package.manifest.format_version == FORMAT_VERSION
    assert package.manifest.record_counts[AUDIT_LOG] == len(sent) > 0

    outcome = city.import_(package.path)
    assert outcome.status == IMPORTED
    assert outcome.counts[AUDIT_LOG].new == len(sent)
    assert entries(city.database, school.uscc) == sent
    # The import wrote no row-change entries of its own for the rows or the entries it added.
    assert entries(city.database, city.uscc) == own_before
    assert entry_count(city.database) == len(own_before) + len(sent)

    with city.database.session() as session:
        assert audit_origins(session) == sorted({school.uscc, *([city.uscc] * bool(own_before))})
        rows = query_audit(session, AuditFilter(origin=school.uscc), limit=100_000)
        assert {r.uuid for r in rows} == set(sent) and {r.origin for r in rows} == {school.uscc}
        assert any(r.action == "删除" and r.entity == "trainees" for r in rows)
        assert not query_audit(session, AuditFilter(origin="91110000000000000X"))
        stored = " ".join(f"{e.changes} {e.detail}" for e in session.scalars(select(AuditEntry)))
    assert not _FULL_NUMBER.search(stored)


def test_entries_are_never_duplicated(linked: tuple[Site, Site], tmp_path: Path) -> None:
    school, city = linked
    out = tmp_path / "out"
    first = school.export(out)
    city.import_(first.path)
    count = entry_count(city.database)
    assert city.import_(first.path).status == DUPLICATE
    assert entry_count(city.database) == count
    # A full package sends every entry again: those already here are skipped.
    edit_school(school)
    again = school.export(out, full=True)
    outcome = city.import_(again.path)
    new = len(entries(school.database)) - outcome.counts[AUDIT_LOG].unchanged
    assert outcome.counts[AUDIT_LOG].new == new > 0
    assert entry_count(city.database) == count + new
    assert entries(city.database, school.uscc) == entries(school.database)


def test_an_incremental_package_carries_only_new_entries(
    school: Site, city: Site, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = school.export(out, unencrypted=True)
    before = set(entries(school.database))
    assert {r["uuid"] for r in part_lines(first.path, AUDIT_LOG)} == before
    edit_school(school)
    second = school.export(out, unencrypted=True)
    assert second.manifest.kind == INCREMENTAL
    carried = part_lines(second.path, AUDIT_LOG)
    assert {r["uuid"] for r in carried} == set(entries(school.database)) - before
    assert {r["origin"] for r in carried} == {school.uscc}
    assert {r["action"] for r in carried} >= {"修改", "新增", "删除"}
    third = school.export(out, unencrypted=True)
    assert third.manifest.record_counts[AUDIT_LOG] == 0

    for package in (first, second, third):
        assert city.import_(package.path).status == IMPORTED
    assert entries(city.database, school.uscc) == entries(school.database)


def test_the_city_passes_its_schools_entries_on_to_the_province(
    linked: tuple[Site, Site], province: Site, tmp_path: Path
) -> None:
    school, city = linked
    city.trust(province)
    out = tmp_path / "out"
    city.import_(school.export(out).path)
    with city.database.session() as session:  # the city's own act, audited at the city
        record_action(session, IMPORTED_ACTION, "file", None, "学校数据包")
        session.commit()
    upward = city.export(out)
    assert upward.manifest.record_counts[AUDIT_LOG] == entry_count(city.database)
    assert province.import_(upward.path).status == IMPORTED
    assert entries(province.database, school.uscc) == entries(school.database)
    assert entries(province.database, city.uscc) == entries(city.database, city.uscc) != {}

    # Later increments carry on only what is new, from the school and from the city.
    edit_school(school)
    city.import_(school.export(out).path)
    increment = city.export(out)
    assert increment.manifest.kind == INCREMENTAL
    new = len(entries(school.database)) - len(entries(province.database, school.uscc))
    assert increment.manifest.record_counts[AUDIT_LOG] == new > 0
    province.import_(increment.path)
    assert entries(province.database, school.uscc) == entries(school.database)


def test_a_version_1_package_without_the_audit_log_still_imports(
    school: Site, city: Site, tmp_path: Path
) -> None:
    """What a CertDesk from before the audit part wrote: format 1, no ``audit_log`` member."""
    package = school.export(tmp_path / "out", unencrypted=True)
    members = {n: data for n, data in read_members(package.path) if AUDIT_LOG not in n}
    manifest = json.loads(members[MANIFEST])
    manifest["format_version"] = 1
    manifest["parts"] = [p for p in manifest["parts"] if p["table"] != AUDIT_LOG]
    members[MANIFEST] = json.dumps(manifest, ensure_ascii=False).encode()
    members[SIGNATURE] = school.keys.signing_key().sign(members[MANIFEST])
    older = write_members(tmp_path / "v1.certpkg", list(members.items()))

    before = entry_count(city.database)
    outcome = city.import_(older)
    assert outcome.status == IMPORTED and AUDIT_LOG not in outcome.counts
    assert outcome.counts["trainees"].new > 0
    assert entry_count(city.database) == before
