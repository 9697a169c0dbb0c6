"""Run every benchmark in this folder and print one table of ratios.

Each ``bench_*.py`` module exposes ``run() -> list[dict]``; a row holds at least a name and,
where the benchmark compares CertDesk with the raw library doing the same work, both times and
their ratio. Ratios, not absolute times, are what we track: this machine is noisy (±25%).
Usage: python -m benchmarks [NAME_FILTER]
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each benchmark runs in a process of its own so that its peak memory is its own, measured by
# the OS rather than by tracemalloc (which would slow the very code being timed).
_CHILD = """
import json, resource, sys
from benchmarks import {name} as bench
rows = bench.run()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
sys.stdout.write("\\n@@" + json.dumps({{"rows": rows, "peak_rss_mb": peak}}, default=str))
"""


def _modules(name_filter: str) -> list[str]:
    folder = Path(__file__).resolve().parent
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(folder)])
        if m.name.startswith("bench_") and name_filter in m.name
    )


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.0f}"
    return str(value)


def main(argv: list[str]) -> int:
    name_filter = argv[0] if argv else ""
    rows: list[dict[str, object]] = []
    for name in _modules(name_filter):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _CHILD.format(name=name)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0 or "@@" not in done.stdout:
            print(f"{name}: failed\n{done.stderr[-2000:]}")
            return 1
        report = json.loads(done.stdout.rsplit("@@", 1)[1])
        for result in report["rows"]:
            rows.append({"module": name, **result, "peak_rss_mb": report["peak_rss_mb"]})
        print(f"{name}: {elapsed:.1f} s, peak RSS {report['peak_rss_mb']:.0f} MiB")
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    widths = {c: max(len(c), *(len(_format(r.get(c, ""))) for r in rows)) for c in columns}
    print()
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(_format(row.get(c, "")).ljust(widths[c]) for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
