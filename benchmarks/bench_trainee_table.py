"""Opening and searching the trainee table on 200,000 trainees, keystroke by keystroke.

For each keystroke the clerk might type, the time until the table can paint its first screen
(the model's query plus the ``data()`` of every visible cell), next to a raw sqlite3 query of
the same filter and order fetching every match, as a naive table model would. The issue's
target: every keystroke under 50 ms. Each step is timed ``REPEAT`` times; the median and the
slowest are reported, and the headline is the slowest of all.

Usage: python -m benchmarks.bench_trainee_table [TRAINEES]
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from sqlalchemy import select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from core import reference
from core.identity.idcard import id_check_char
from core.institution import Profile, register_local_institution
from core.trainees.search import TABLE_FIELDS, TraineeQuery
from gui.trainee_table import COLUMNS, TraineeTableModel
from models.bookkeeping import sync_columns
from models.database import open_database
from models.trainee import Trainee

TRAINEES = 200_000
TARGET_MS = 50.0
REPEAT = 5
VISIBLE_ROWS = 30
SCHOOL = Profile(
    name="山西机械高级技工学校",
    uscc="12140000676444728G",
    category="技工院校",
    division_code="140109",
)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志红玉梅飞鹏宇浩然子轩欣怡雨涵"
_MAJORS = ("计算机应用技术", "机电一体化技术", "汽车检测与维修技术", "工业机器人技术", "数控技术")
_EMPLOYERS = ("太原重型机械集团有限公司", "山西汾西重工有限责任公司", "清徐县宏达食品有限公司")
_INSERT = (
    "INSERT INTO trainees (name, gender, id_number, phone, identity, employer, major,"
    " class_name, graduation_year, uuid, revision, origin, updated_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _people(count: int, rng: random.Random) -> list[tuple[Any, ...]]:
    """Trainees with valid, unique Shanxi ID numbers (not anyone's) and mobile numbers."""
    counties = [d.code for d in reference.divisions() if d.level == "county" and d.current]
    seen: set[str] = set()
    rows: list[tuple[Any, ...]] = []
    first_day = date(1975, 1, 1)
    while len(rows) < count:
        born = first_day + timedelta(days=rng.randrange(365 * 30))
        first17 = f"{rng.choice(counties)}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + id_check_char(first17)
        if number in seen:
            continue
        seen.add(number)
        student = rng.random() < 0.8
        major = rng.choice(_MAJORS)
        name = rng.choice(_SURNAMES) + "".join(
            rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2)))
        )
        sync = sync_columns(SCHOOL.uscc)
        rows.append(
            (
                name,
                "男" if int(first17[16]) % 2 else "女",
                number,
                f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                "在校学生" if student else "企业职工",
                "" if student else rng.choice(_EMPLOYERS),
                major if student else "",
                f"{major}{rng.randrange(1, 9)}班" if student else "",
                2021 + rng.randrange(4) if student else None,
                sync["uuid"],
                sync["revision"],
                sync["origin"],
                sync["updated_at"],
            )
        )
    return rows


def build_database(path: Path, trainees: int = TRAINEES) -> list[tuple[Any, ...]]:
    """A migrated database with the school and ``trainees`` trainees; returns the rows."""
    database = open_database(path)
    with database.session() as session:
        register_local_institution(session, SCHOOL)
        session.commit()
    database.close()
    rows = _people(trainees, random.Random(20210514))
    with sqlite3.connect(path) as connection:
        connection.executemany(_INSERT, rows)
    with sqlite3.connect(path) as connection:
        connection.execute("ANALYZE")
    return rows


def _keystrokes(rows: list[tuple[Any, ...]]) -> list[str]:
    """What a clerk types: an ID number's start, a name, an ID's last digits, a phone."""
    sample = rows[len(rows) // 3]
    name, id_number, phone = sample[0], sample[2], sample[3]
    return [
        "1",
        "14",
        "140",
        "1401",
        "",
        name[0],
        name[:2],
        name,
        "",
        id_number[-4:],
        id_number[-6:],
        "",
        phone[:3],
        phone[:7],
        phone,
        "",
    ]


def _paint(model: TraineeTableModel) -> None:
    """What the view asks for its first screen."""
    for row in range(min(VISIBLE_ROWS, model.rowCount())):
        for column in range(len(COLUMNS)):
            model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)


def _raw_sql(text: str) -> tuple[str, list[Any]]:
    """The same filter and order as one plain query fetching every match."""
    query = TraineeQuery(text)
    columns = (getattr(Trainee, key) for key in TABLE_FIELDS)
    statement = select(Trainee.id, *columns).order_by(*query.order_by())
    condition = query.terms.condition()
    if condition is not None:
        statement = statement.where(condition)
    compiled = statement.compile(dialect=sqlite_dialect.dialect())
    return str(compiled), [compiled.params[name] for name in compiled.positiontup or ()]


def _time(action: Any) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _shown(text: str) -> str:
    return f"“{text}”" if text else "（清空）"


def measure(path: Path, keystrokes: list[str]) -> list[dict[str, Any]]:
    app = QCoreApplication.instance() or QCoreApplication([])
    database = open_database(path)
    raw = sqlite3.connect(path)
    results: list[dict[str, Any]] = []
    try:
        opening: list[float] = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            model = TraineeTableModel(database)
            _paint(model)
            opening.append((time.perf_counter() - started) * 1000)
        sql, params = _raw_sql("")
        raw_open = min(_time(lambda: raw.execute(sql, params).fetchall()) for _ in range(REPEAT))
        results.append(_row("打开学员表", model, opening, raw_open))
        timings: dict[int, list[float]] = {i: [] for i in range(len(keystrokes))}
        for _ in range(REPEAT):
            for step, text in enumerate(keystrokes):
                model.set_search(keystrokes[step - 1] if step else "")
                timings[step].append(_time(lambda t=text: (model.set_search(t), _paint(model))))
        for step, text in enumerate(keystrokes):
            model.set_search(text)
            sql, params = _raw_sql(text)
            raw_ms = min(
                _time(lambda s=sql, p=params: raw.execute(s, p).fetchall()) for _ in range(3)
            )
            results.append(_row(f"输入 {_shown(text)}", model, timings[step], raw_ms))
    finally:
        raw.close()
        database.close()
        del app
    return results


def _row(step: str, model: TraineeTableModel, times: list[float], raw_ms: float) -> dict[str, Any]:
    median = statistics.median(times)
    return {
        "name": step,
        "matches": "≥" + f"{model.rowCount():,}" if model.total is None else f"{model.total:,}",
        "model_ms": round(median, 2),
        "model_max_ms": round(max(times), 2),
        "sqlite3_all_rows_ms": round(raw_ms, 2),
        "ratio": round(median / raw_ms, 3) if raw_ms else None,
    }


def run(trainees: int = TRAINEES) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        rows = build_database(path, trainees)
        return measure(path, _keystrokes(rows))


def main(argv: list[str]) -> int:
    trainees = int(argv[0]) if argv else TRAINEES
    started = time.perf_counter()
    results = run(trainees)
    print(f"{trainees:,} 名学员（含建库 {time.perf_counter() - started:.0f} s）\n")
    header = ("步骤", "匹配", "模型中位", "模型最慢", "sqlite3全取", "比值")
    print(
        f"{header[0]:<24}{header[1]:>10}{header[2]:>10}{header[3]:>10}{header[4]:>12}{header[5]:>8}"
    )
    for r in results:
        print(
            f"{r['name']:<24}{r['matches']:>10}{r['model_ms']:>10.2f}{r['model_max_ms']:>10.2f}"
            f"{r['sqlite3_all_rows_ms']:>12.2f}{r['ratio']:>8.3f}"
        )
    slowest = max(r["model_max_ms"] for r in results)
    verdict = "达标" if slowest < TARGET_MS else "未达标"
    print(f"\n最慢一次：{slowest:.1f} ms（目标 < {TARGET_MS:.0f} ms，{verdict}）")
    return 0 if slowest < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
