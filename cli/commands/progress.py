"""progress: the dashboard's figures on the command line, for a school or a bureau.

The JSON layout is documented in docs/progress-json.md; it holds figures only, never a person's
name, ID number or phone, so it can be pasted into a report or a ticket safely.
"""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal
from typing import Any

from application.progress import progress_snapshot
from cli.arguments import iso_date
from cli.context import CliError, Context, print_json, refusal
from cli.terminal import print_row, printable
from core.fields import ValidationFailed
from core.progress import (
    DEFAULT_STALE_DAYS,
    MISSING_GROUPS,
    STATUS_LABELS,
    BureauProgress,
    GroupCount,
    InstitutionInfo,
    SchoolProgress,
    TrendPoint,
    month_day,
)

#: Bumped when a field changes meaning or disappears (adding a field does not bump it).
JSON_VERSION = 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="取证与培训进度（学校或教育局视图，按本机构角色）")
    p.add_argument(
        "--json", action="store_true", help="以 JSON 输出（格式见 docs/progress-json.md）"
    )
    p.add_argument(
        "--date",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="按该日期统计（默认今天）",
    )
    p.add_argument(
        "--stale-days",
        type=int,
        default=DEFAULT_STALE_DAYS,
        metavar="N",
        help=f"教育局视图：超过 N 天没有报送数据包的机构列为未报送（默认 {DEFAULT_STALE_DAYS}）",
    )
    p.set_defaults(handler=show_progress)


def show_progress(args: argparse.Namespace, ctx: Context) -> int:
    if args.stale_days < 0:
        raise CliError("--stale-days 不能为负数")
    today = args.date or date.today()
    try:
        snapshot = progress_snapshot(ctx.database(), today, args.stale_days)
    except ValidationFailed as exc:
        raise refusal(exc) from exc
    progress, groups = snapshot.progress, snapshot.groups
    if isinstance(progress, SchoolProgress):
        if args.json:
            print_json(school_json(progress, groups))
        else:
            _print_school(progress, groups)
    elif args.json:
        print_json(bureau_json(progress))
    else:
        _print_bureau(progress)
    return 0


# --- JSON --------------------------------------------------------------------------------


def _money(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _status(status: str) -> dict[str, str]:
    return {"status": status, "status_label": STATUS_LABELS[status]}


def _trend(points: tuple[TrendPoint, ...]) -> list[dict[str, Any]]:
    return [{"week": p.week.isoformat(), "achieved": p.achieved} for p in points]


def _institution(info: InstitutionInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "uscc": info.uscc,
        "category": info.category,
        "role": info.role,
        "division_code": info.division_code,
        "annex1_unit": info.annex1_unit,
        "training_capacity": info.training_capacity,
    }


def _groups(groups: tuple[GroupCount, ...]) -> list[dict[str, Any]]:
    return [{"name": g.name, "graduates": g.graduates, "missing": g.missing} for g in groups]


def school_json(
    progress: SchoolProgress, groups: dict[str, tuple[GroupCount, ...]]
) -> dict[str, Any]:
    cert = progress.certificates
    training = progress.training
    subsidy = progress.subsidy
    return {
        "version": JSON_VERSION,
        "view": "school",
        "date": progress.today.isoformat(),
        "institution": _institution(progress.institution),
        "certificates": {
            "level": cert.level,
            "target": cert.target,
            "basis": cert.basis,
            "annex1_unit": cert.annex1_unit,
            "graduates": cert.graduates,
            "achieved": cert.achieved,
            "missing": cert.missing,
            "remaining": cert.remaining,
            "beyond_graduates": cert.beyond_graduates,
            "rate": _rate(cert.rate),
            **_status(cert.status),
            "deadline": cert.deadline.isoformat(),
            "days_left": cert.days_left,
            "per_week_needed": cert.per_week_needed,
            "trend": _trend(cert.trend),
        },
        "missing_by_class": _groups(groups.get("class_name", ())),
        "missing_by_major": _groups(groups.get("major", ())),
        "training": {
            "commitment": training.commitment,
            "enrolled": training.enrolled,
            "completers": training.completers,
            "rate": _rate(training.rate),
            **_status(training.status),
            "milestones": [
                {
                    "due": m.due.isoformat(),
                    "share": m.share,
                    "required": m.required,
                    "achieved": m.achieved,
                    "state": m.state,
                    "label": m.label,
                    "state_label": m.state_label,
                }
                for m in training.milestones
            ],
            "late_classes": [
                {
                    "id": c.id,
                    "name": c.name,
                    "start_date": c.start_date.isoformat(),
                    "end_date": c.end_date.isoformat(),
                    "planned_headcount": c.planned_headcount,
                    "enrolled": c.enrolled,
                }
                for c in training.late_classes
            ],
        },
        "subsidy": {
            "cap_per_person": subsidy.cap,
            "completers": subsidy.completers,
            "total": _money(subsidy.total),
            "classes": [
                {
                    "id": r.class_id,
                    "name": r.name,
                    "kind": r.kind,
                    "status": r.status,
                    "completers": r.completers,
                    "per_person": _money(r.per_person),
                    "capped": r.capped,
                    "amount": _money(r.amount),
                }
                for r in subsidy.rows
            ],
        },
    }


def bureau_json(progress: BureauProgress) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "view": "bureau",
        "date": progress.today.isoformat(),
        "institution": _institution(progress.institution),
        "totals": [
            {
                "label": t.label,
                "level": t.level,
                "target": t.target,
                "achieved": t.achieved,
                "rate": _rate(t.rate),
                **_status(t.status),
                "trend": _trend(t.trend),
            }
            for t in progress.totals
        ],
        "institutions": [
            {
                "uscc": i.uscc,
                "name": i.name,
                "category": i.category,
                "division_code": i.division_code,
                "city": i.city,
                "level": i.level,
                "target": i.target,
                "basis": i.basis,
                "annex1_unit": i.annex1_unit,
                "graduates": i.graduates,
                "achieved": i.achieved,
                "rate": _rate(i.rate),
                **_status(i.status),
                "commitment": i.commitment,
                "completers": i.completers,
                "last_package_at": (
                    i.last_package_at.isoformat(sep=" ") if i.last_package_at else None
                ),
            }
            for i in progress.institutions
        ],
        "annex1_rows": [
            {
                "level": r.row.level,
                "section": r.row.section,
                "number": r.row.number,
                "unit": r.row.unit,
                "target": r.row.target,
                "achieved": r.achieved,
                "institutions": r.institutions,
                "rate": _rate(r.rate),
                **_status(r.status),
            }
            for r in progress.rows
        ],
        "completers": progress.completers,
        "stale_days": progress.stale_days,
        "stale": [i.uscc for i in progress.stale],
    }


# --- Text --------------------------------------------------------------------------------


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _print_school(progress: SchoolProgress, groups: dict[str, tuple[GroupCount, ...]]) -> None:
    cert = progress.certificates
    print(f"{printable(progress.institution.name)}　统计日期 {progress.today:%Y-%m-%d}")
    print(
        f"\n取证（{cert.level}，{progress.year}届毕业生）：{cert.basis} {cert.target}，"
        f"已取证 {cert.achieved}，完成率 {_percent(cert.rate)}（{STATUS_LABELS[cert.status]}）"
    )
    print(f"应届毕业生 {cert.graduates} 人，尚未取得合格证书 {cert.missing} 人")
    if cert.days_left >= 0:
        print(
            f"距 {month_day(cert.deadline)} 还有 {cert.days_left} 天，"
            f"每周需新增 {cert.per_week_needed} 人"
        )
    else:
        print(
            f"已过 {month_day(cert.deadline)} 截止日 {-cert.days_left} 天，还差 {cert.remaining} 人"
        )
    if cert.beyond_graduates:
        print(f"即使应届毕业生全部取证，仍差 {cert.beyond_graduates} 人")
    for by, label in MISSING_GROUPS.items():
        lacking = [g for g in groups.get(by, ()) if g.missing]
        if lacking:
            listed = "，".join(
                f"{printable(g.name or '（未填）')} {g.missing}" for g in lacking[:10]
            )
            print(f"按{label}还差：{listed}")
    training = progress.training
    commitment = "未填写培训规模" if training.commitment is None else f"{training.commitment} 人"
    print(
        f"\n定向培训：承诺（培训规模）{commitment}，已结业 {training.completers} 人次，"
        f"完成率 {_percent(training.rate)}"
    )
    for m in training.milestones:
        required = "—" if m.required is None else m.required
        print(f"  {m.label}：应 {required}，实 {m.achieved}（{m.state_label}）")
    for c in training.late_classes:
        print(f"  ！{printable(c.name)} 结业日期 {c.end_date:%Y-%m-%d} 晚于最后节点")
    subsidy = progress.subsidy
    print(f"\n培训补贴（每人不超过 {subsidy.cap:,} 元）：")
    for r in subsidy.rows:
        capped = "（超上限，按上限计）" if r.capped else ""
        print(
            f"  {printable(r.name)}：结业 {r.completers} 人 × {r.per_person:,.0f} 元{capped}"
            f" = {r.amount:,.0f} 元"
        )
    print(f"  合计 {subsidy.total:,.0f} 元")


def _print_bureau(progress: BureauProgress) -> None:
    print(f"{printable(progress.institution.name)}　统计日期 {progress.today:%Y-%m-%d}")
    for t in progress.totals:
        print(
            f"{t.label}：任务 {t.target:,}，已取证 {t.achieved:,}，"
            f"完成率 {_percent(t.rate)}（{STATUS_LABELS[t.status]}）"
        )
    print(f"定向培训已结业 {progress.completers:,} 人次")
    print("\n机构（进度最慢的在前）：")
    print("机构\t统一社会信用代码\t等级\t任务\t依据\t已取证\t完成率\t状态")
    for i in progress.institutions:
        print_row(
            i.name,
            i.uscc,
            i.level,
            i.target,
            i.basis,
            i.achieved,
            _percent(i.rate),
            STATUS_LABELS[i.status],
        )
    if progress.stale:
        print(f"\n超过 {progress.stale_days} 天没有报送数据包的机构：")
        for i in progress.stale:
            when = f"{i.last_package_at:%Y-%m-%d}" if i.last_package_at else "从未报送"
            print_row(i.name, i.uscc, f"最近数据包 {when}")
