"""check-id and check-uscc: the validators, one number per argument."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli.context import Context, print_json
from cli.terminal import print_row, printable
from core.identity.idcard import check_id_number
from core.identity.uscc import check_uscc


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check-id", help="校验居民身份证号码（GB 11643-1999）")
    p.add_argument("numbers", nargs="+", metavar="NUMBER")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=check_ids)

    p = sub.add_parser("check-uscc", help="校验统一社会信用代码（GB 32100-2015）")
    p.add_argument("codes", nargs="+", metavar="CODE")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=check_usccs)


def _report(results: list[dict[str, Any]], as_json: bool, columns: tuple[str, ...]) -> int:
    if as_json:
        print_json(results)
    else:
        for result in results:
            if result["ok"]:
                print_row(*(result[c] or "" for c in columns))
                for warning in result["warnings"]:
                    sys.stderr.write(f"{printable(result['input'])}: 警告：{warning}\n")
            else:
                sys.stderr.write(f"{printable(result['input'])}: {'；'.join(result['errors'])}\n")
    return 0 if all(r["ok"] for r in results) else 1


def check_ids(args: argparse.Namespace, _ctx: Context) -> int:
    results = []
    for raw in args.numbers:
        checked = check_id_number(raw)
        results.append(
            {
                "input": raw,
                "ok": checked.ok,
                "number": checked.value,
                "gender": checked.gender,
                "birth_date": checked.birth_date.isoformat() if checked.birth_date else None,
                "region": checked.region,
                "errors": list(checked.errors),
                "warnings": list(checked.warnings),
            }
        )
    return _report(results, args.json, ("number", "gender", "birth_date", "region"))


def check_usccs(args: argparse.Namespace, _ctx: Context) -> int:
    results = []
    for raw in args.codes:
        checked = check_uscc(raw)
        results.append(
            {
                "input": raw,
                "ok": checked.ok,
                "code": checked.value,
                "errors": list(checked.errors),
                "warnings": list(checked.warnings),
            }
        )
    return _report(results, args.json, ("code",))
