"""Export and import of 100,000 trainees with their certificates, against bare sqlite3.

The floor: (a) sqlite3 reading the same rows and writing them as JSON lines, (b) reading those
lines back and loading them with ``executemany`` into tables built from the same DDL with the
same pragmas. CertDesk does more on both sides (gzip, AES-256-GCM, Ed25519, SHA-256 of every
part, a typed check of every value, the dry-run classification against the receiving
database, parent UUIDs resolved to local ids, the sent-revision bookkeeping), so the ratios
say what that safety costs. The receiving bureau's passphrase (scrypt) is included, as a clerk
would wait for it.

Usage: python -m benchmarks.bench_sync
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from core.identity.idcard import id_check_char
from core.institution import Profile, register_local_institution
from core.packages.importer import import_package
from core.packages.keys import LocalKeys, keys_dir_for, read_public_identity
from core.packages.trust import ANY_NEW_KEY, trust_identity
from core.packages.writer import export_package
from models.base import Base
from models.bookkeeping import sync_columns
from models.database import Database, open_database
from models.trainee import Certificate, Trainee

TRAINEES = 100_000
EXPORT_TARGET = 3.5
IMPORT_TARGET = 3.5
PASSPHRASE = "benchmark-passphrase"
SCHOOL = Profile(
    name="山西机械高级技工学校",
    uscc="12140000676444728G",
    category="技工院校",
    division_code="140109",
)
CITY = Profile(
    name="太原市教育局",
    uscc="11140100MB0123456K",
    category="其他",
    division_code="140100",
    role="city",
)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
_MAJORS = ("数控技术", "机电一体化", "汽车维修", "电气自动化", "工业机器人")


def _trainee(serial: int) -> dict[str, Any]:
    born = f"{2000 + serial % 6}{1 + serial % 12:02d}{1 + serial % 28:02d}"
    first17 = f"1401{serial // 1000 % 100:02d}{born}{serial % 1000:03d}"
    major = _MAJORS[serial % len(_MAJORS)]
    return {
        **sync_columns(SCHOOL.uscc),
        "name": _SURNAMES[serial % 20] + _GIVEN[serial // 20 % 20] + _GIVEN[serial // 400 % 20],
        "gender": "男" if serial % 2 else "女",
        "id_number": first17 + id_check_char(first17),
        "phone": f"138{serial:08d}",
        "identity": "在校学生",
        "employer": "",
        "major": major,
        "class_name": f"{major}{serial % 9}班",
        "graduation_year": 2021 + serial % 4,
    }


def build_school(folder: Path) -> Database:
    database = open_database(folder / "school" / "certdesk.sqlite3")
    with database.session() as session:
        register_local_institution(session, SCHOOL)
        session.execute(insert(Trainee), [_trainee(i) for i in range(TRAINEES)])
        ids = session.scalars(select(Trainee.id).order_by(Trainee.id)).all()
        certificates = [
            {
                **sync_columns(SCHOOL.uscc),
                "trainee_id": trainee_id,
                "cert_type": "职业技能等级证书（含1+X）",
                "occupation": "电工",
                "occupation_code": "6-31-01-03",
                "level": "四级/中级工",
                "number": f"S2021{serial:09d}",
                "issue_date": date(2021, 1 + serial % 8, 1 + serial % 28),
                "issuer": "山西省职业技能鉴定指导中心",
                "route": "考核评价",
            }
            for serial, trainee_id in enumerate(ids)
        ]
        session.execute(insert(Certificate), certificates)
        session.commit()
    return database


def _bare_tables(connection: sqlite3.Connection) -> None:
    dialect = sqlite_dialect.dialect()
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    for table in (Trainee.__table__, Certificate.__table__):
        connection.execute(str(CreateTable(table).compile(dialect=dialect)))  # type: ignore[arg-type]
        for index in table.indexes:  # type: ignore[attr-defined]
            connection.execute(str(CreateIndex(index).compile(dialect=dialect)))


def bare_dump(db_path: Path, out: Path) -> float:
    """sqlite3 SELECT of both tables written as JSON lines, one object per row."""
    started = time.perf_counter()
    connection = sqlite3.connect(db_path)
    connection.row_factory = sqlite3.Row
    with out.open("w", encoding="utf-8") as stream:
        for table in ("trainees", "certificates"):
            # Generated columns (the ID/phone tails) are the database's own: not dumped.
            columns = [c.name for c in Base.metadata.tables[table].columns if c.computed is None]
            query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"
            for row in connection.execute(query):
                stream.write(json.dumps({"t": table, **dict(row)}, ensure_ascii=False) + "\n")
    connection.close()
    return time.perf_counter() - started


def bare_load(lines: Path, db_path: Path) -> float:
    """Those lines parsed and loaded with executemany into the same DDL, in one transaction."""
    connection = sqlite3.connect(db_path)
    _bare_tables(connection)
    started = time.perf_counter()
    rows: dict[str, list[dict[str, Any]]] = {"trainees": [], "certificates": []}
    with lines.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            rows[record.pop("t")].append(record)
    with connection:
        for table, records in rows.items():
            columns = list(records[0])
            statement = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            connection.executemany(statement, [tuple(r[c] for c in columns) for r in records])
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def build_city(folder: Path) -> tuple[Database, LocalKeys]:
    database = open_database(folder / "city" / "certdesk.sqlite3")
    with database.session() as session:
        register_local_institution(session, CITY)
        session.commit()
    keys = LocalKeys(keys_dir_for(database), CITY.uscc, "city", lambda: PASSPHRASE)
    keys.create(PASSPHRASE)
    return database, LocalKeys(keys.keys_dir, CITY.uscc, "city", lambda: PASSPHRASE)


def run() -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        school = build_school(folder)
        city, city_keys = build_city(folder)
        public = folder / "city.certkey"
        city_keys.export_public(CITY.name, CITY.division_code, public)
        city_keys = LocalKeys(city_keys.keys_dir, CITY.uscc, "city", lambda: PASSPHRASE)
        with school.session() as session:
            trust_identity(session, read_public_identity(public), SCHOOL.uscc)
            session.commit()
        school_keys = LocalKeys(keys_dir_for(school), SCHOOL.uscc, "school")
        school_keys.ensure()
        school.close()

        dump = bare_dump(folder / "school" / "certdesk.sqlite3", folder / "bare.jsonl")
        load = bare_load(folder / "bare.jsonl", folder / "bare.sqlite3")

        out = folder / "out"
        out.mkdir()
        started = time.perf_counter()
        exported = export_package(school, school_keys, out)
        export_s = time.perf_counter() - started
        started = time.perf_counter()
        outcome = import_package(city, exported.path, city_keys, accept_new=ANY_NEW_KEY)
        import_s = time.perf_counter() - started
        if outcome.total().new != exported.total_records:
            raise AssertionError(f"imported {outcome.total().new} of {exported.total_records}")
        package_mb = exported.path.stat().st_size / 2**20
        bare_mb = (folder / "bare.jsonl").stat().st_size / 2**20
        school.close()
        city.close()
    return [
        {
            "name": f"sync export {TRAINEES} trainees + certificates",
            "bare_s": dump,
            "certdesk_s": export_s,
            "ratio": export_s / dump,
            "target": EXPORT_TARGET,
            "ok": export_s / dump <= EXPORT_TARGET,
            "bare_mb": bare_mb,
            "package_mb": package_mb,
        },
        {
            "name": f"sync import {TRAINEES} trainees + certificates",
            "bare_s": load,
            "certdesk_s": import_s,
            "ratio": import_s / load,
            "target": IMPORT_TARGET,
            "ok": import_s / load <= IMPORT_TARGET,
        },
    ]


def main() -> int:
    for row in run():
        for key, value in row.items():
            shown = f"{value:.3f}" if isinstance(value, float) else value
            print(f"{key:12s} {shown}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
