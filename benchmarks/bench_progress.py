"""The bureau dashboard on a province database of 300 institutions and 200,000 trainees.

The database is built with sqlite3 ``executemany`` (the fastest way in; see FACTS.md), then the
dashboard (``core.progress.bureau_progress``) is timed against hand-written sqlite3 aggregate
queries that compute the same per-institution figures. The ratio says what the ORM layer, the
reference-driven certificate rule and the extra figures (trend, Annex 1 rows, last data) cost
over the bare minimum; both must stay aggregates, never a Python loop over trainees.

    python -m benchmarks.bench_progress
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from core import reference
from core.identity.uscc import uscc_check_char
from core.progress import bureau_progress
from models.database import open_database

INSTITUTIONS = 300
TRAINEES = 200_000
TODAY = date(2026, 6, 1)
SEED = 7

SKILL = "职业技能等级证书（含1+X）"
LEVELS = ("五级/初级工", "四级/中级工", "三级/高级工", "二级/技师")
KINDS = (SKILL, SKILL, SKILL, "职业资格证书", "特种作业操作证", "专项职业能力证书")

#: The certificate rule written out by hand for the baseline query (what counts_toward says).
_SENIOR = "'三级/高级工', '二级/技师', '一级/高级技师', '特级技师', '首席技师'"
RAW_QUALIFIES = {
    level: f"""(c.cert_type IN ('QUALIFICATION', '职业资格证书')
        OR (c.cert_type IN ('SKILL_LEVEL', '{SKILL}') AND c.level IN ({levels})))"""
    for level, levels in (("高级工", _SENIOR), ("中级工", f"'四级/中级工', {_SENIOR}"))
}


def _sync(origin: str, rng: random.Random) -> tuple[str, int, str, str]:
    stamp = datetime(2026, 1, 1) + timedelta(minutes=rng.randrange(150 * 24 * 60))
    return (uuid.UUID(int=rng.getrandbits(128)).hex, 1, origin, stamp.isoformat(sep=" "))


def _code(n: int, division: str) -> str:
    first17 = f"52{division}{n:09d}"
    return first17 + uscc_check_char(first17)


def _institutions(rng: random.Random) -> list[tuple[Any, ...]]:
    """30 colleges with their own Annex 1 rows, 20 technical schools, the rest city schools."""
    own = [t for t in reference.annex1_targets() if t.category in ("本科院校", "高职院校")][:30]
    counties = [d.code for c in reference.cities() for d in reference.counties(c.code)]
    rows = []
    for n in range(INSTITUTIONS):
        division = rng.choice(counties)
        if n < len(own):
            name, category, unit = own[n].unit, own[n].category, own[n].unit
        elif n < len(own) + 20:
            name, category, unit = f"技师学院{n}", "技工院校", None
        else:
            name, category, unit = f"职业中学{n}", "中职学校", None
        code = _code(n, division)
        blanks = ("",) * 5
        rows.append(
            (name, code, category, "school", division, *blanks, 200, unit, False, *_sync(code, rng))
        )
    return rows


def build(path: Path) -> None:
    """A province database: schema by the app, rows by sqlite3 executemany."""
    open_database(path).close()
    rng = random.Random(SEED)
    institutions = _institutions(rng)
    codes = [row[1] for row in institutions]
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO institutions (name, uscc, category, role, division_code, address,"
            " admin_name, admin_id_number, contact_name, contact_phone, training_capacity,"
            " annex1_unit, is_local, uuid, revision, origin, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    *("山西省教育厅", _code(999, "140000"), "其他", "province", "140000"),
                    *("", "", "", "", "", None, None, True),
                    *_sync(_code(999, "140000"), rng),
                ),
                *institutions,
            ],
        )
        trainees = []
        certificates = []
        for n in range(1, TRAINEES + 1):
            origin = codes[n % INSTITUTIONS]
            year = 2025 + (n // INSTITUTIONS) % 3
            trainees.append(
                (
                    *(n, f"学员{n}", "男", f"{140105200000000000 + n}", f"139{n:08d}"),
                    *("在校学生", "", f"专业{n % 12}", f"班{n % 40}", year),
                    *_sync(origin, rng),
                )
            )
            for k in range(rng.choice((0, 0, 1, 1, 1, 2))):
                issued = date(2025, 9, 1) + timedelta(days=rng.randrange(300))
                certificates.append(
                    (
                        *(n, rng.choice(KINDS), "电工", "", rng.choice(LEVELS), f"N{n}-{k}"),
                        *(issued.isoformat(), "", "考核评价"),
                        *_sync(origin, rng),
                    )
                )
        connection.executemany(
            "INSERT INTO trainees (id, name, gender, id_number, phone, identity, employer, major,"
            " class_name, graduation_year, uuid, revision, origin, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            trainees,
        )
        connection.executemany(
            "INSERT INTO certificates (trainee_id, cert_type, occupation, occupation_code, level,"
            " number, issue_date, issuer, route, uuid, revision, origin, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            certificates,
        )
        _training(connection, codes, rng)
    connection.execute("ANALYZE")
    connection.close()


def _training(connection: sqlite3.Connection, codes: list[str], rng: random.Random) -> None:
    """Two 定向 classes of 30 per institution, the first finished, drawn from its trainees."""
    classes = []
    enrolments = []
    for n, origin in enumerate(codes):
        for k, (start, end) in enumerate(
            ((date(2026, 1, 5), date(2026, 4, 4)), (date(2026, 9, 1), date(2026, 12, 20)))
        ):
            class_id = 2 * n + k + 1
            classes.append(
                (
                    *(class_id, f"定向班{class_id}", "E01", "", "定向", start.isoformat()),
                    *(end.isoformat(), "", 30, "企业职工", 300, "开班", 3000),
                    *_sync(origin, rng),
                )
            )
            for m in range(30):
                trainee = n + (k * 30 + m + 1) * INSTITUTIONS
                done = k == 0 and m % 10
                enrolments.append(
                    (
                        *(class_id, trainee, True, True, bool(done)),
                        end.isoformat() if done else None,
                        *_sync(origin, rng),
                    )
                )
    connection.executemany(
        "INSERT INTO training_classes (id, name, industry_code, occupation, kind, start_date,"
        " end_date, location, planned_headcount, participant_identity, total_hours, status,"
        " subsidy_per_person, uuid, revision, origin, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        classes,
    )
    connection.executemany(
        "INSERT INTO enrolments (class_id, trainee_id, voucher_issued, voucher_verified,"
        " completed, completion_date, uuid, revision, origin, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        enrolments,
    )


def raw_figures(path: Path) -> dict[str, tuple[int, int]]:
    """(graduates, achieved) per institution with plain sqlite3: the baseline."""
    connection = sqlite3.connect(path)
    try:
        levels = dict(
            connection.execute(
                "SELECT uscc, CASE WHEN category IN ('本科院校', '高职院校') THEN '高级工'"
                " ELSE '中级工' END FROM institutions WHERE NOT is_local"
            ).fetchall()
        )
        figures: dict[str, tuple[int, int]] = {}
        for level, condition in RAW_QUALIFIES.items():
            origins = [code for code, lv in levels.items() if lv == level]
            marks = ",".join("?" * len(origins))
            query = (
                "SELECT t.origin, COUNT(*), SUM(EXISTS (SELECT 1 FROM certificates c"
                f" WHERE c.trainee_id = t.id AND {condition})) FROM trainees t"
                f" WHERE t.graduation_year = ? AND t.origin IN ({marks}) GROUP BY t.origin"
            )
            for origin, graduates, achieved in connection.execute(query, [TODAY.year, *origins]):
                figures[origin] = (graduates, achieved)
        connection.execute(
            "SELECT k.origin, SUM(e.completed) FROM enrolments e"
            " JOIN training_classes k ON k.id = e.class_id WHERE k.kind = '定向'"
            " GROUP BY k.origin"
        ).fetchall()
        return figures
    finally:
        connection.close()


def _best_of(runs: int, job: Any) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = job()
        best = min(best, time.perf_counter() - start)
    return best, result


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "province.sqlite3"
        start = time.perf_counter()
        build(path)
        built = time.perf_counter() - start
        database = open_database(path)
        try:

            def dashboard() -> Any:
                with database.session() as session:
                    return bureau_progress(session, TODAY)

            app_seconds, progress = _best_of(3, dashboard)
        finally:
            database.close()
        raw_seconds, raw = _best_of(3, lambda: raw_figures(path))
    app = {i.uscc: (i.graduates, i.achieved) for i in progress.institutions if i.graduates}
    if app != raw:
        raise AssertionError("仪表盘与原始 SQL 的数字不一致")
    return [
        {
            "name": "bureau_progress",
            "institutions": len(progress.institutions),
            "trainees": TRAINEES,
            "graduates": sum(g for g, _ in app.values()),
            "achieved": sum(a for _, a in app.values()),
            "build_seconds": round(built, 2),
            "seconds": round(app_seconds, 3),
            "raw_sqlite3_seconds": round(raw_seconds, 3),
            "ratio": round(app_seconds / raw_seconds, 2),
        }
    ]


if __name__ == "__main__":
    for result in run():
        print(
            f"{result['name']}: {result['institutions']} 个机构, {result['trainees']:,} 名学员"
            f"（应届 {result['graduates']:,}，已取证 {result['achieved']:,}）；"
            f"建库 {result['build_seconds']} s；仪表盘 {result['seconds']} s，"
            f"原始 sqlite3 {result['raw_sqlite3_seconds']} s，倍数 {result['ratio']}"
        )
