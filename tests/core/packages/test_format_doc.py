"""docs/PACKAGE-FORMAT.md tells the truth: its field table and its reader are checked here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from core.packages.reader import read_package
from core.packages.records import audit_spec, encode_record, table_specs, tombstone_spec
from tests.core.packages.sites import Site

DOC = Path(__file__).resolve().parents[3] / "docs" / "PACKAGE-FORMAT.md"


def test_the_field_table_matches_the_models() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| ([a-z_]+) \| ([a-z0-9_?, ]+) \|$", text, re.MULTILINE))
    for spec in (*table_specs(), tombstone_spec(), audit_spec()):
        fields = ", ".join(f.name + ("?" if f.nullable else "") for f in spec.fields)
        assert documented.get(spec.name) == fields, spec.name


def test_the_documented_reader_reads_a_real_package(
    linked: tuple[Site, Site], tmp_path: Path
) -> None:
    school, city = linked
    package = school.export(tmp_path / "out")
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)
    parts = dict(namespace["read"](package.path, city.keys.encryption_key()))
    verified = city.import_(package.path, dry_run=True)
    assert verified.total().new == sum(len(records) for records in parts.values())
    with city.database.session() as session:
        records = read_package(package.path, session, city.keys).records
    by_name = {spec.name: spec for spec in table_specs()}
    for table, rows in records.items():
        assert [encode_record(by_name[table], r) for r in rows] == parts[table]
    with city.database.session() as session:
        audit = read_package(package.path, session, city.keys).audit
    assert audit and [encode_record(audit_spec(), r) for r in audit] == parts["audit_log"]
