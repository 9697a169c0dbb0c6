"""sync and keys: data packages and the keys that sign and encrypt them.

A passphrase (a bureau's private keys) is read from the terminal, or from the environment
variable CERTDESK_PASSPHRASE in batch use; never from an argument, which would end up in the
shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from application.exchange import (
    UNENCRYPTED_PACKAGE,
    Refusal,
    audit_record_origins,
    bureau_recipient,
    conflicts_open,
    create_keys,
    export_next_package,
    export_public_key,
    import_packages,
    installation_keys,
    institutions_received,
    resolve_conflicts,
    shared_people,
    trust_key_file,
    trusted_keys,
)
from cli.context import CliError, Context, announce_full_numbers, print_json, refusal
from cli.terminal import printable
from core.institution import ROLE_LABELS
from core.packages.format import KINDS, Manifest, PackageError, describe
from core.packages.importer import DRY_RUN, DUPLICATE, ImportOutcome
from core.packages.keys import (
    PASSPHRASE_WARNING,
    SIGNING,
    KeyProblem,
    LocalKeys,
    PassphraseSource,
    fingerprint,
    read_public_identity,
)
from core.packages.records import LABELS
from core.packages.trust import ANY_NEW_KEY, role_label
from models.database import Database

PASSPHRASE_ENV = "CERTDESK_PASSPHRASE"


def register(sub: argparse._SubParsersAction) -> None:
    sync = sub.add_parser("sync", help="数据包：导出报送、导入各校数据")
    commands = sync.add_subparsers(dest="sync_command", metavar="SUBCOMMAND", required=True)

    p = commands.add_parser("export", help="导出数据包（默认为自上一个数据包以来的增量）")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="数据包写入的文件夹")
    p.add_argument("--full", action="store_true", help="导出完整数据包（全部记录）")
    p.add_argument(
        "--unencrypted",
        action="store_true",
        help="明确选择不加密（仅在尚无上级公钥、且通过安全途径传递时使用）",
    )
    p.set_defaults(handler=export_command)

    p = commands.add_parser("import", help="导入数据包（先校验，再在一个事务中写入）")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="只预检并显示将发生的变化，不写入")
    p.add_argument(
        "--accept-new",
        action="store_true",
        help="接受首次报送的机构（须先与其申请报告上印的或电话告知的指纹核对）；"
        "不加此项时，未经 keys trust 信任的新发送机构一律拒绝",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=import_command)

    p = commands.add_parser("status", help="各机构最近的数据包与记录数")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=status_command)

    p = commands.add_parser("conflicts", help="列出待处理的冲突")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=conflicts_command)

    p = commands.add_parser("resolve", help="处理一个冲突")
    p.add_argument("conflict_id", type=int, metavar="ID")
    choice = p.add_mutually_exclusive_group(required=True)
    choice.add_argument("--take-incoming", action="store_true", help="采用收到的记录")
    choice.add_argument("--keep-local", action="store_true", help="保留本地记录")
    p.set_defaults(handler=resolve_command)

    p = commands.add_parser(
        "audit-origins",
        help="检查旧版本导入的数据中是否有冒充的发送方写入的记录（发现问题时退出码为 1）",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=audit_origins_command)

    p = commands.add_parser("shared", help="同一身份证号在多所学校的学员（不合并）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=shared_command)

    keys = sub.add_parser("keys", help="本机构的签名、加密密钥与信任的公钥")
    commands = keys.add_subparsers(dest="keys_command", metavar="SUBCOMMAND", required=True)
    p = commands.add_parser("init", help="生成本机构的密钥（教育局需设置口令）")
    p.set_defaults(handler=keys_init)
    p = commands.add_parser("show", help="显示本机构的密钥指纹与信任的公钥")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=keys_show)
    p = commands.add_parser("export-public", help="导出本机构的公钥文件")
    p.add_argument("--out", required=True, type=Path, metavar="FILE")
    p.set_defaults(handler=keys_export_public)
    p = commands.add_parser("trust", help="导入并信任对方的公钥文件")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=keys_trust)


def _text(passphrase: str) -> str:
    """The passphrase from the environment: bytes the system could not decode (kept as
    surrogates) cannot be the UTF-8 text scrypt is given, and are refused here rather than
    as an encoding traceback."""
    if any("\ud800" <= ch <= "\udfff" for ch in passphrase):
        raise CliError("口令含有无法识别的字节：请检查终端或环境变量的编码（应为 UTF-8）")
    return passphrase


def _terminal_passphrase(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise CliError(
            f"需要本机构的密钥口令：请在终端中运行，或设置环境变量 {PASSPHRASE_ENV}"
            "（不要写在命令行参数中）"
        )
    return getpass.getpass(prompt)


def _ask_passphrase() -> str:
    from_env = os.environ.get(PASSPHRASE_ENV)
    return _text(from_env) if from_env else _terminal_passphrase("请输入本机构的密钥口令：")


def _new_passphrase() -> str:
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return _text(from_env)
    first = _terminal_passphrase("请设置口令（至少 8 个字符）：")
    if _terminal_passphrase("请再输入一次口令：") != first:
        raise CliError("两次输入的口令不一致，未生成密钥")
    return first


def _announce_wait(failures: int, delay: float) -> None:
    sys.stderr.write(f"口令已连续错误 {failures} 次：等待 {delay:g} 秒后再核对……\n")
    sys.stderr.flush()


def _local_keys(database: Database, passphrase: PassphraseSource = _ask_passphrase) -> LocalKeys:
    keys = installation_keys(database, passphrase, _announce_wait)
    if keys is None:
        raise CliError("本机构尚未登记：请先运行 init")
    return keys


def export_command(args: argparse.Namespace, ctx: Context) -> int:
    database = ctx.database()
    keys = _local_keys(database)
    if args.unencrypted:
        announce_full_numbers(UNENCRYPTED_PACKAGE)
    try:
        result = export_next_package(
            database, keys, args.out, full=args.full, unencrypted=args.unencrypted
        )
    except (PackageError, KeyProblem) as exc:
        raise refusal(exc) from exc
    manifest = result.manifest
    print(f"已导出{printable(describe(manifest))}")
    print(f"记录：{_record_counts(manifest)}")
    if manifest.sealing is None:
        print("注意：该数据包未加密，请通过安全途径传递")
    else:
        sealing = manifest.sealing
        to = f"{printable(sealing.recipient_name)}（{printable(sealing.recipient_uscc)}）"
        print(f"已加密给：{to}")
    print(f"本机构签名密钥指纹：{manifest.sender.fingerprint}")
    print(printable(result.path))
    return 0


def _record_counts(manifest: Manifest) -> str:
    return (
        "，".join(f"{LABELS[p.table]} {p.records}" for p in manifest.parts if p.records) or "无变化"
    )


def _counts_line(label: str, counts: dict[str, int]) -> str:
    return (
        f"{label}：新增 {counts['new']}，更新 {counts['updated']}，删除 {counts['deleted']}，"
        f"未变 {counts['unchanged']}，冲突 {counts['conflicts']}"
    )


def _print_outcome(outcome: ImportOutcome) -> None:
    print(f"{printable(outcome.path.name)}：{printable(describe(outcome.manifest))}")
    print(f"  发送机构签名密钥指纹：{outcome.manifest.sender.fingerprint}")
    if outcome.status == DUPLICATE:
        print(f"  已导入（{outcome.duplicate_imported_at}），未做改动")
        return
    for notice in outcome.notices:
        print(f"  提示：{printable(notice)}")
    for table, counts in outcome.counts.items():
        values = counts.as_dict()
        if any(values.values()):
            print(f"  {_counts_line(LABELS[table], values)}")
    print(f"  {_counts_line('合计', outcome.total().as_dict())}")
    if outcome.status == DRY_RUN:
        print("  预检完成（--dry-run），未写入数据库")
    else:
        conflicts = outcome.total().conflicts
        tail = f"；{conflicts} 条冲突待处理（sync conflicts）" if conflicts else ""
        print(f"  已导入{tail}")


def _outcome_json(outcome: ImportOutcome) -> dict[str, Any]:
    manifest = outcome.manifest
    return {
        "file": str(outcome.path),
        "status": outcome.status,
        "sender": {
            "uscc": manifest.sender.uscc,
            "name": manifest.sender.name,
            "role": manifest.sender.role,
            "fingerprint": manifest.sender.fingerprint,
        },
        "sequence": manifest.sequence,
        "kind": manifest.kind,
        "counts": {table: c.as_dict() for table, c in outcome.counts.items()},
        "total": outcome.total().as_dict(),
        "notices": list(outcome.notices),
    }


def import_command(args: argparse.Namespace, ctx: Context) -> int:
    database = ctx.database()
    keys = _local_keys(database)
    try:
        checked = import_packages(
            database,
            keys,
            args.files,
            dry_run=args.dry_run,
            accept_new=ANY_NEW_KEY if args.accept_new else frozenset(),
        )
    except KeyProblem as exc:
        raise refusal(exc) from exc
    results: list[dict[str, Any]] = []
    for result in checked:
        if isinstance(result, Refusal):
            sys.stderr.write(
                f"{printable(result.path.name)}：拒绝导入：{printable(result.reason)}。"
                "数据库未做改动\n"
            )
            results.append({"file": str(result.path), "status": "refused", "reason": result.reason})
        elif args.json:
            results.append(_outcome_json(result))
        else:
            _print_outcome(result)
    if args.json:
        print_json(results)
    return 1 if any(isinstance(r, Refusal) for r in checked) else 0


def status_command(args: argparse.Namespace, ctx: Context) -> int:
    rows = institutions_received(ctx.database())
    if args.json:
        print_json([asdict(row) for row in rows])
        return 0
    if not rows:
        print("尚未收到任何数据包")
    for row in rows:
        last = (
            f"第{row.last_sequence}号（{KINDS[row.last_kind or 'full']}），"
            f"{row.last_imported_at:%Y-%m-%d %H:%M} 导入"
            if row.last_sequence is not None
            else "未直接收到数据包"
        )
        print(
            f"{printable(row.name)}\t{printable(row.uscc)}\t{last}\t学员 {row.trainees}"
            f"\t证书 {row.certificates}\t培训班 {row.classes}\t待处理冲突 {row.open_conflicts}"
        )
    return 0


def conflicts_command(args: argparse.Namespace, ctx: Context) -> int:
    rows = conflicts_open(ctx.database())
    if args.json:
        print_json([asdict(row) for row in rows])
        return 0
    if not rows:
        print("没有待处理的冲突")
    for row in rows:
        print(
            f"{row.id}\t{printable(row.label)}\t{printable(row.summary)}\t{printable(row.reason)}"
            f"\t来自 {printable(row.sender)} 第{row.sequence}号数据包"
        )
    return 0


def resolve_command(args: argparse.Namespace, ctx: Context) -> int:
    problems = resolve_conflicts(ctx.database(), [args.conflict_id], args.take_incoming)
    if problems:
        raise CliError(problems[0])
    choice = "采用收到的记录" if args.take_incoming else "保留本地记录"
    print(f"冲突 {args.conflict_id} 已处理：{choice}")
    return 0


def audit_origins_command(args: argparse.Namespace, ctx: Context) -> int:
    try:
        findings = audit_record_origins(ctx.database())
    except PackageError as exc:
        raise refusal(exc) from exc
    if args.json:
        print_json([asdict(finding) for finding in findings])
    elif not findings:
        print("未发现问题：每条记录都来自有权报送它的机构")
    else:
        for finding in findings:
            print(printable(finding.message))
        print(f"共发现 {len(findings)} 处问题", file=sys.stderr)
    return 1 if findings else 0


def shared_command(args: argparse.Namespace, ctx: Context) -> int:
    people = shared_people(ctx.database())
    if args.json:
        print_json([asdict(person) for person in people])
        return 0
    if not people:
        print("没有在多所学校登记的同一身份证号")
    for person in people:
        names = "、".join(printable(name) for name in person.names)
        schools = "；".join(printable(school) for school in person.schools)
        print(f"{printable(person.masked_id)}\t{names}\t{schools}")
    return 0


def keys_init(_args: argparse.Namespace, ctx: Context) -> int:
    database = ctx.database()
    keys = _local_keys(database)
    try:
        if keys.exists():
            raise KeyProblem(f"本机构的密钥已存在（{keys.path(SIGNING)}），未做改动")
        passphrase = None
        if keys.is_bureau:
            print(PASSPHRASE_WARNING)
            passphrase = _new_passphrase()
        value = create_keys(database, keys, passphrase)
    except KeyProblem as exc:
        raise refusal(exc) from exc
    print(f"已生成本机构的密钥：{printable(keys.keys_dir)}")
    print(f"签名密钥指纹：{value}")
    return 0


def keys_show(args: argparse.Namespace, ctx: Context) -> int:
    database = ctx.database()
    keys = _local_keys(database)
    try:
        own = fingerprint(keys.public_key(SIGNING)) if keys.exists() else None
    except KeyProblem as exc:
        raise refusal(exc) from exc
    target = bureau_recipient(database)
    trusted = [asdict(key) for key in trusted_keys(database)]
    data = {
        "uscc": keys.uscc,
        "role": keys.role,
        "keys_dir": str(keys.keys_dir),
        "fingerprint": own,
        "encryption_key": keys.has_encryption_key(),
        "recipient": None if target is None else {"uscc": target.uscc, "name": target.name},
        "trusted": trusted,
    }
    if args.json:
        print_json(data)
        return 0
    print(f"本机构：{keys.uscc}（{ROLE_LABELS.get(keys.role, keys.role)}）")
    print(f"签名密钥指纹：{own or '尚未生成（keys init）'}")
    print(f"密钥文件夹：{printable(keys.keys_dir)}")
    if target is not None:
        print(
            f"数据包加密给：{printable(target.name)}（{printable(target.uscc)}），"
            f"指纹 {target.signing_fingerprint}"
        )
    for key in trusted:
        kind = "签名" if key["purpose"] == SIGNING else "加密"
        how = "公钥文件" if key["source"] == "file" else "首个数据包"
        print(
            f"信任：{printable(key['name'])}（{printable(key['uscc'])}，"
            f"{printable(role_label(key['role']))}）{kind}密钥 "
            f"{key['fingerprint']}，来自{how}，{key['first_seen']:%Y-%m-%d} 起"
        )
    return 0


def keys_export_public(args: argparse.Namespace, ctx: Context) -> int:
    database = ctx.database()
    keys = _local_keys(database)
    try:
        identity = export_public_key(database, keys, args.out)
    except KeyProblem as exc:
        raise refusal(exc) from exc
    except OSError as exc:
        raise CliError(f"无法写入“{printable(args.out)}”：{exc.strerror or exc}") from exc
    print(f"已导出本机构公钥：{printable(args.out)}")
    print(f"指纹：{identity.fingerprint}（请对方导入后与此电话核对）")
    return 0


def keys_trust(args: argparse.Namespace, ctx: Context) -> int:
    try:
        outcome = trust_key_file(ctx.database(), read_public_identity(args.file))
    except KeyProblem as exc:
        raise refusal(exc) from exc
    identity = outcome.identity
    state = "已信任" if outcome.newly_trusted else "此前已信任"
    role = ROLE_LABELS.get(identity.role, identity.role)
    print(f"{state}：{printable(identity.name)}（{printable(identity.uscc)}，{printable(role)}）")
    print(f"指纹：{identity.fingerprint}")
    print("请打电话与对方核对这串数字，一致才说明公钥文件没有被调换。")
    if outcome.is_recipient:
        print(f"今后导出的数据包将加密给 {printable(identity.name)}。")
    return 0
