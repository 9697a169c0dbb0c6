"""backup, backups, restore and audit: the data-safety services from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from application import safety
from cli.arguments import iso_date, positive_int
from cli.context import CliError, Context, print_json, refusal
from cli.terminal import print_row, printable
from core.safety.audit import ACTIONS, ENTITY_LABELS, AuditFilter
from core.safety.backups import BackupUnsupported, size_text
from core.safety.instance_lock import InstanceLock, InstanceLocked
from core.safety.restore import (
    BackupCandidate,
    RestoreRefused,
    database_health,
    inspect_backup,
    replace_damaged_database,
    sqlite_file,
)

_CONFIRM = "y"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="立即备份数据库（SQLite 在线备份，写完即校验）")
    p.add_argument(
        "--to",
        metavar="DIR",
        type=Path,
        help="备份到该文件夹（如 U 盘），而不是数据库旁的 backups 文件夹",
    )
    p.set_defaults(handler=backup_now)

    p = sub.add_parser("backups", help="列出数据库的备份（时间、原因、大小、位置）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=show_backups)

    p = sub.add_parser("restore", help="从备份文件恢复数据库（先备份当前数据）")
    p.add_argument("file", type=Path, metavar="FILE", help="备份文件（.sqlite3）")
    p.add_argument("--yes", action="store_true", help="不再询问，直接恢复（批处理用）")
    p.set_defaults(handler=restore_from)

    p = sub.add_parser("audit", help="查看操作日志（谁在何时改了哪条记录）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--since", type=iso_date, metavar="DATE", help="起始日期 YYYY-MM-DD")
    p.add_argument("--until", type=iso_date, metavar="DATE", help="截止日期 YYYY-MM-DD（含）")
    p.add_argument(
        "--entity",
        metavar="E",
        help="记录类型：" + "、".join(f"{label}（{key}）" for key, label in ENTITY_LABELS.items()),
    )
    p.add_argument("--action", choices=ACTIONS, help="操作类型")
    p.add_argument("--user", metavar="USER", help="操作系统用户名")
    p.add_argument(
        "--origin",
        metavar="USCC",
        help="所属机构的统一社会信用代码（教育局可按学校查看随数据包上报的日志）",
    )
    p.add_argument(
        "--limit",
        type=positive_int,
        default=safety.AUDIT_LIMIT,
        help=f"最多显示条数（默认 {safety.AUDIT_LIMIT}）",
    )
    p.set_defaults(handler=show_audit)


def _sqlite_path(ctx: Context) -> Path:
    path = sqlite_file(ctx.db)
    if path is None:
        raise CliError("服务器数据库（PostgreSQL）不由持证通备份或恢复，请由数据库管理员处理。")
    return path


def backup_now(args: argparse.Namespace, ctx: Context) -> int:
    database = ctx.database()
    if args.to is not None:
        _sqlite_path(ctx)
    try:
        outcome = safety.back_up_now(database, to=args.to)
    except BackupUnsupported as exc:
        raise refusal(exc) from exc
    for problem in outcome.problems:
        sys.stderr.write(f"警告：{printable(problem)}\n")
    for copy in outcome.copies:
        sys.stderr.write(f"已复制到第二备份位置：{printable(copy)}\n")
    print(printable(outcome.path))
    return 0


def show_backups(args: argparse.Namespace, ctx: Context) -> int:
    listing = safety.backups_of_file(_sqlite_path(ctx))  # works on a damaged file too
    backups = listing.backups
    if args.json:
        print_json(
            [
                {
                    "path": str(b.path),
                    "taken_at": b.taken_at.isoformat(sep=" ", timespec="seconds"),
                    "reason": b.reason,
                    "size": b.size,
                    "location": b.location,
                }
                for b in backups
            ]
        )
        return 0
    if not backups:
        sys.stderr.write(f"还没有备份（备份文件夹：{printable(listing.folder)}）\n")
        return 0
    for b in backups:
        when = f"{b.taken_at:%Y-%m-%d %H:%M:%S}"
        print_row(when, b.reason, size_text(b.size), b.location, b.path)
    return 0


def _confirmed(candidate: BackupCandidate, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise CliError("恢复会替换当前全部数据，需要确认：请在终端中运行，或加 --yes。")
    sys.stderr.write(
        "将用以下备份替换当前数据库的全部内容（当前数据会先备份）：\n"
        f"  {printable(candidate.summary())}\n"
    )
    sys.stderr.flush()
    answer = input(f"确认恢复请输入 {_CONFIRM} 并回车：").strip().lower()
    return answer == _CONFIRM


def restore_from(args: argparse.Namespace, ctx: Context) -> int:
    db_path = _sqlite_path(ctx)
    try:
        candidate = inspect_backup(args.file)
    except RestoreRefused as exc:
        raise refusal(exc) from exc
    lock = InstanceLock(db_path)
    try:
        lock.acquire()
    except InstanceLocked as exc:
        raise CliError(f"{exc}（恢复前请先关闭持证通窗口）") from exc
    try:
        if not _confirmed(candidate, args.yes):
            sys.stderr.write("已取消，未做任何改动。\n")
            return 1
        try:
            if database_health(db_path).ok:
                result = safety.restore(ctx.database(), args.file)
                previous = f"恢复前的数据已备份为 {printable(result.previous)}"
            else:  # the file is put in place before the database may be opened
                result = replace_damaged_database(db_path, args.file)
                safety.record_restore(ctx.database(), result)
                previous = f"损坏的数据库文件已改名保存为 {printable(result.previous)}"
        except RestoreRefused as exc:
            raise refusal(exc) from exc
    finally:
        lock.release()
    print(f"已从备份恢复：{printable(result.candidate.summary())}")
    print(previous)
    return 0


def show_audit(args: argparse.Namespace, ctx: Context) -> int:
    where = AuditFilter(
        since=args.since,
        until=args.until,
        entity=args.entity,
        action=args.action,
        user=args.user,
        origin=args.origin,
    )
    rows = safety.audit_log(ctx.database(), where, limit=args.limit)
    if args.json:
        print_json([row.as_dict() for row in rows])
        return 0
    for row in rows:
        text = "；".join(part for part in (row.detail, row.changes) if part)
        print_row(f"{row.at:%Y-%m-%d %H:%M:%S}", row.os_user, row.action, row.entity_label, text)
    return 0
