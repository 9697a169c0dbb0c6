"""Whatever bytes arrive, the reader answers with a PackageError or with the true records.

Random files, random damage to a real package, and manifests and records full of arbitrary
JSON signed with the sender's own key (what a buggy or hostile sender could produce): nothing
may escape as another exception, and a record the reader accepts must be writable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.demo import create_demo
from core.institution import local_institution
from core.packages.format import MANIFEST, SIGNATURE, PackageError
from core.packages.importer import apply_plan, plan_import
from core.packages.keys import LocalKeys
from core.packages.reader import VerifiedPackage, read_package
from models.database import open_database
from tests.core.packages.sites import (
    CITY,
    Site,
    bureau_keys_for,
    forge,
    jsonl,
    make_site,
    part_lines,
    read_members,
)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Bench:
    """One school, one city, and one package of each kind, shared by every example."""

    def __init__(self, folder: Path, template_db: Path, all_keys: Path) -> None:
        school_folder = folder / "school"
        school_folder.mkdir()
        db = school_folder / "certdesk.sqlite3"
        db.write_bytes(template_db.read_bytes())
        database = open_database(db)
        with database.session() as session:
            create_demo(session, trainees=12)
            session.commit()
            own = local_institution(session)
            assert own is not None
            self.school = Site(
                database,
                LocalKeys(school_folder / "keys", own.uscc, "school"),
                school_folder,
                own.uscc,
                own.name,
                own.division_code,
            )
        self.city = make_site(
            folder / "city", template_db, CITY, bureau_keys_for(all_keys, CITY, folder / "k")
        )
        self.plain = self.school.export(folder / "plain", unencrypted=True).path
        self.school.trust(self.city)
        self.sealed = self.school.export(folder / "sealed", full=True).path
        self.target = folder / "fuzzed.certpkg"
        self.expected = {path: self.read(path) for path in (self.plain, self.sealed)}

    def read(self, path: Path) -> VerifiedPackage:
        with self.city.database.session() as session:
            return read_package(path, session, self.city.keys)

    def close(self) -> None:
        self.school.database.close()
        self.city.database.close()


@pytest.fixture(scope="module")
def bench(
    tmp_path_factory: pytest.TempPathFactory, template_db: Path, all_bureau_keys: Path
) -> Iterator[Bench]:
    bench = Bench(tmp_path_factory.mktemp("fuzz"), template_db, all_bureau_keys)
    yield bench
    bench.close()


def read_or_refuse(bench: Bench, data: bytes) -> VerifiedPackage | None:
    bench.target.write_bytes(data)
    try:
        return bench.read(bench.target)
    except PackageError as exc:
        assert str(exc)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)), str(exc)
        return None


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_are_refused(bench: Bench, data: bytes) -> None:
    assert read_or_refuse(bench, data) is None


@FUZZ
@given(data=st.binary(max_size=512))
def test_random_bytes_after_a_zip_signature_are_refused(bench: Bench, data: bytes) -> None:
    assert read_or_refuse(bench, b"PK\x03\x04" + data) is None


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 10**9), st.integers(1, 64)),
    st.tuples(st.just("insert"), st.integers(0, 10**9), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("truncate"), st.integers(0, 10**9), st.just(0)),
)


def mutate(data: bytes, steps: list[tuple[str, int, Any]]) -> bytes:
    buffer = bytearray(data)
    for kind, where, arg in steps:
        at = where % max(len(buffer), 1)
        if kind == "flip" and buffer:
            buffer[at] ^= arg
        elif kind == "cut":
            del buffer[at : at + arg]
        elif kind == "insert":
            buffer[at:at] = arg
        else:
            del buffer[at:]
    return bytes(buffer)


@FUZZ
@given(steps=st.lists(mutation, min_size=1, max_size=4), sealed=st.booleans())
def test_damaged_packages_are_refused_or_read_exactly(
    bench: Bench, steps: list[tuple[str, int, Any]], sealed: bool
) -> None:
    source = bench.sealed if sealed else bench.plain
    result = read_or_refuse(bench, mutate(source.read_bytes(), steps))
    if result is not None:  # damage the ZIP layer ignores (a timestamp, a comment)
        expected = bench.expected[source]
        assert result.manifest == expected.manifest
        assert result.records == expected.records


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
MANIFEST_PATHS = [
    ("format_version",),
    ("schema_version",),
    ("package_id",),
    ("kind",),
    ("sequence",),
    ("follows",),
    ("created_at",),
    ("encryption",),
    ("parts",),
    ("sender",),
    ("sender", "uscc"),
    ("sender", "role"),
    ("sender", "signing_key"),
    ("parts", 0),
    ("parts", 0, "name"),
    ("parts", 0, "table"),
    ("parts", 0, "records"),
    ("parts", 0, "size"),
    ("parts", 0, "plain_size"),
]


@FUZZ
@given(path=st.sampled_from(MANIFEST_PATHS), value=json_values)
def test_signed_manifests_with_arbitrary_values(
    bench: Bench, path: tuple[Any, ...], value: object
) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        node: Any = manifest
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    forged = forge(
        bench.plain, bench.target.with_suffix(".src"), bench.school.keys.signing_key(), edit
    )
    read_or_refuse(bench, forged.read_bytes())


TRAINEE_FIELDS = [
    "name",
    "gender",
    "id_number",
    "phone",
    "identity",
    "graduation_year",
    "uuid",
    "revision",
    "origin",
    "updated_at",
]


@FUZZ
@given(field=st.sampled_from(TRAINEE_FIELDS), value=json_values, drop=st.booleans())
def test_records_with_arbitrary_values_are_refused_or_written(
    bench: Bench, field: str, value: object, drop: bool
) -> None:
    records = part_lines(bench.plain, "trainees")
    if drop:
        del records[0][field]
    else:
        records[0][field] = value
    forged = forge(
        bench.plain,
        bench.target.with_suffix(".src"),
        bench.school.keys.signing_key(),
        parts={"trainees": jsonl(records)},
    )
    result = read_or_refuse(bench, forged.read_bytes())
    if result is None:
        return
    with bench.city.database.session() as session:  # accepted means it can be stored
        apply_plan(session, plan_import(session, result))
        session.rollback()


@FUZZ
@given(line=st.binary(max_size=200))
def test_arbitrary_record_lines_are_refused(bench: Bench, line: bytes) -> None:
    records = jsonl(part_lines(bench.plain, "certificates"))
    forged = forge(
        bench.plain,
        bench.target.with_suffix(".src"),
        bench.school.keys.signing_key(),
        parts={"certificates": records + line.replace(b"\n", b" ") + b"\n"},
    )
    result = read_or_refuse(bench, forged.read_bytes())
    if result is not None:  # only a line that happens to be a valid certificate
        assert (
            len(result.records["certificates"]) == len(part_lines(bench.plain, "certificates")) + 1
        )


def test_the_bench_packages_are_real(bench: Bench) -> None:
    members = dict(read_members(bench.sealed))
    assert {MANIFEST, SIGNATURE} <= set(members)
    assert json.loads(members[MANIFEST])["encryption"] is not None
    assert bench.expected[bench.plain].records["trainees"]
