"""Value types for argparse options, shared by every command group.

A bad value is a usage error (exit 2) with a Chinese message naming what was expected, the
same wording whichever command took it.
"""

from __future__ import annotations

import argparse
from datetime import date


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，实为“{text}”") from exc


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"应为正整数，实为“{text}”") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，实为“{text}”")
    return value
