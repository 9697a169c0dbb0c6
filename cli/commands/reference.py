"""targets: the Annex 1 table as shipped in resources/."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from cli.context import Context, print_json
from core import reference


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("targets", help="附件1 取证任务表")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=show_targets)


def show_targets(args: argparse.Namespace, _ctx: Context) -> int:
    rows = reference.annex1_targets()
    totals = reference.annex1_totals()
    if args.json:
        print_json({"rows": [asdict(r) for r in rows], "totals": totals})
        return 0
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            print(f"\n{row.level}　{row.section}")
        print(f"{row.number:>4}  {row.unit}\t{row.target}")
    print()
    for level, total in totals.items():
        print(f"{level}合计\t{total}")
    return 0
