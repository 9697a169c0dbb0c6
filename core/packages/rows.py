"""Writing package records into the local tables with Core statements, in bulk.

Records name their parents by UUID; here they are resolved to this database's integer ids,
looked up once per batch. Used by the importer for whole packages and by conflict resolution
for a single record, so both write rows the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from core.packages.records import TableSpec, spec_by_name, tombstone_spec
from models.sync import Tombstone

CHUNK = 500
BATCH = 5000


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class MissingParent(LookupError):
    """A record's parent is not in this database."""

    def __init__(self, table: str, uuid: str) -> None:
        super().__init__(table, uuid)
        self.table = table
        self.uuid = uuid


class RowWriter:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)

    def resolve(self, spec: TableSpec, records: list[dict[str, Any]]) -> None:
        """Look up the local ids of every parent the records name that is not cached yet."""
        for ref in spec.refs:
            assert ref.parent is not None
            cache = self.ids[ref.parent]
            wanted = sorted({r[ref.name] for r in records if r[ref.name] not in cache} - {None})
            table = spec_by_name()[ref.parent].table
            for chunk in chunks(wanted):
                rows = self.session.execute(
                    select(table.c.uuid, table.c.id).where(table.c.uuid.in_(chunk))
                )
                cache.update({row.uuid: row.id for row in rows})

    def values(self, spec: TableSpec, record: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in spec.fields:
            value = record[f.name]
            if f.kind == "ref" and value is not None:
                assert f.parent is not None
                try:
                    value = self.ids[f.parent][value]
                except KeyError:
                    raise MissingParent(f.parent, value) from None
            values[f.column] = value
        return values

    def insert(self, spec: TableSpec, records: list[dict[str, Any]]) -> None:
        self.resolve(spec, records)
        local_flag = {"is_local": False} if "is_local" in spec.table.c else {}
        for chunk in chunks(records, BATCH):
            rows = [{**self.values(spec, r), **local_flag} for r in chunk]
            self.session.execute(insert(spec.table), rows)

    def update(self, spec: TableSpec, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        self.resolve(spec, records)
        table = spec.table
        columns = [f.column for f in spec.fields if f.name != "uuid"]
        statement = (
            update(table)
            .where(table.c.uuid == bindparam("match_uuid"))
            .values({c: bindparam(c) for c in columns})
        )
        connection = self.session.connection()
        for chunk in chunks(records, BATCH):
            params = []
            for record in chunk:
                values = self.values(spec, record)
                values["match_uuid"] = values.pop("uuid")
                params.append(values)
            connection.execute(statement, params)

    def delete(self, spec: TableSpec, uuids: list[str]) -> None:
        """Children go with their parent through the database's ON DELETE CASCADE."""
        for chunk in chunks(sorted(uuids)):
            self.session.execute(delete(spec.table).where(spec.table.c.uuid.in_(chunk)))

    def insert_tombstones(self, records: list[dict[str, Any]]) -> None:
        columns = [f.column for f in tombstone_spec().fields]
        for chunk in chunks(records, BATCH):
            self.session.execute(
                insert(Tombstone.__table__), [{c: r[c] for c in columns} for r in chunk]
            )
