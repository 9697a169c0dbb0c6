"""classes: list, show, add, edit, step along and delete training classes.

Every subcommand calls one use case of ``application.classes``, as the class dialog does, so
a class typed here is held to the same rules and refused with the same messages (``结业日期:
应晚于开班日期``). Refusals go to stderr, one ``label: message`` per line, with exit 1 and
nothing written; ``--json`` prints UTF-8 JSON only. Numbers are shown masked: full numbers
leave only through ``export roster`` and ``export annex3``, which announce and audit it.
Plan modules and trainees are given as ``DESCRIPTION`` below tells a batch user.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from application.classes import (
    ClassDetail,
    ClassInput,
    change_status,
    create_class,
    delete_class,
    edit_class,
    list_classes,
    show_class,
    trainees_by_id_number,
)
from cli.context import CliError, Context, print_json, refusal
from cli.terminal import print_row, printable
from core import reference
from core.classes.checks import LABELS, ClassFields, plan_total
from core.classes.records import (
    PLAN_LABELS,
    Mark,
    PlanItemFields,
    RosterEntry,
    RosterRow,
    default_completion_date,
)
from core.classes.status import ClassStatus, parse_status
from core.fields import FieldError, ValidationFailed
from core.identity.idcard import mask_id_number

T = TypeVar("T")
PLAN_FORMAT = "模块|内容|理论课时|实践课时|授课教师"

DESCRIPTION = f"""培训班。不带子命令时列出全部培训班（--json 以 JSON 输出）。

add 和 edit 中：
  教学计划每个模块一个 --plan-item "{PLAN_FORMAT}"，共5项用 | 分隔
  （也可用全角｜），除模块外均可留空，如 --plan-item "国产数据库|部署与迁移|24|56|周晓东"；
  edit 给出 --plan-item 时以它们替换整个教学计划。--hours 缺省时取这些模块的课时合计。
  学员以身份证号指定，须已登记为本机构学员；大批名单请用 import-roster 文件 --class 编号。
新建的培训班为{ClassStatus.DRAFT}，用 classes status 编号 状态 逐步推进。
身份证号和手机号一律遮盖显示；需要完整号码请用 export roster（会提示并记入操作日志）。
出错时在 stderr 逐项说明（项目: 原因），退出码 1，不写入任何数据。"""

#: The Annex 3 fields as options: (ClassFields attribute, metavar, help); see OPTION_NAMES.
FIELD_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("name", "名称", "培训班名称"),
    ("industry_code", "产业", "对接产业：代码（如 E01）或名称（如 信息技术应用创新）"),
    ("occupation", "工种", "培训职业（工种）"),
    ("kind", "类型", "培训类型：" + "|".join(reference.training_rules().class_kinds)),
    ("start_date", "YYYY-MM-DD", "开班日期"),
    ("end_date", "YYYY-MM-DD", "结业日期（定向培训每期3—6个月）"),
    ("location", "地点", "培训地点"),
    ("planned_headcount", "人数", "培训人数（计划）"),
    ("participant_identity", "身份", "参培人员身份（如 企业职工）"),
    ("total_hours", "课时", "总课时（缺省时取 --plan-item 的合计）"),
    ("subsidy_per_person", "元", "人均补贴（元，每人不超过1万元）"),
)
OPTION_NAMES = {
    "industry_code": "--industry",
    "start_date": "--start",
    "end_date": "--end",
    "planned_headcount": "--headcount",
    "participant_identity": "--identity",
    "total_hours": "--hours",
    "subsidy_per_person": "--subsidy",
}
REQUIRED_ON_ADD = ("name", "industry_code", "start_date", "end_date")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "classes",
        help="培训班：列表（不带子命令）、add、edit、show、roster、status、delete",
        usage="%(prog)s [--json]\n       %(prog)s {add,edit,show,roster,status,delete} ...",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(handler=list_all)
    actions = p.add_subparsers(dest="action", metavar="ACTION", prog=p.prog)

    add = actions.add_parser(
        "add", help=f"新建培训班（{ClassStatus.DRAFT}），可同时写入教学计划和学员名单"
    )
    _field_options(add, adding=True)
    _plan_options(add, editing=False)
    add.add_argument(
        "--add-trainee",
        action="append",
        default=[],
        metavar="身份证号",
        help="把已登记的学员加入名单（可重复）",
    )
    add.set_defaults(handler=add_class)

    edit = actions.add_parser(
        "edit",
        help="修改培训班：只改给出的项；状态用 classes status 推进",
        description="修改培训班：只改给出的项。名单的改动依次为：移出、加入、标记。",
    )
    edit.add_argument("class_id", type=int, metavar="ID")
    _field_options(edit, adding=False)
    _plan_options(edit, editing=True)
    _roster_options(edit)
    edit.set_defaults(handler=edit_one)

    show = actions.add_parser("show", help="一个培训班的各项信息、教学计划和名单人数")
    show.add_argument("class_id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="以 JSON 输出（含名单，号码已遮盖）")
    show.set_defaults(handler=show_one)

    roster = actions.add_parser("roster", help="培训班学员名单（身份证号、手机号已遮盖）")
    roster.add_argument("class_id", type=int, metavar="ID")
    roster.add_argument("--json", action="store_true", help="以 JSON 输出")
    roster.set_defaults(handler=show_roster)

    status = actions.add_parser(
        "status",
        help=f"推进状态：{'→'.join(ClassStatus)}，每次一步，不能回退",
        description="推进培训班状态，每次一步，不能回退。STATUS 为中文名称或英文："
        + "、".join(f"{s.label} {s.key}" for s in ClassStatus)
        + f"。{ClassStatus.APPLIED}前须有完整的附件3信息、教学计划和学员名单；"
        f"{ClassStatus.OPEN}前名单不能为空。",
    )
    status.add_argument("class_id", type=int, metavar="ID")
    status.add_argument("status", metavar="STATUS")
    status.set_defaults(handler=step_status)

    delete = actions.add_parser("delete", help=f"删除{ClassStatus.DRAFT}培训班及其教学计划和名单")
    delete.add_argument("class_id", type=int, metavar="ID")
    delete.set_defaults(handler=delete_one)


def _field_options(p: argparse.ArgumentParser, adding: bool) -> None:
    for field, metavar, text in FIELD_OPTIONS:
        required = adding and field in REQUIRED_ON_ADD
        p.add_argument(
            OPTION_NAMES.get(field, f"--{field}"),
            dest=field,
            metavar=metavar,
            required=required,
            help=text,
        )


def _plan_options(p: argparse.ArgumentParser, editing: bool) -> None:
    replaces = "，给出时替换整个教学计划" if editing else ""
    p.add_argument(
        "--plan-item",
        action="append",
        default=[],
        metavar=f'"{PLAN_FORMAT}"',
        help=f"教学计划的一个模块（可重复，按给出的顺序{replaces}）",
    )
    if editing:
        p.add_argument("--clear-plan", action="store_true", help="清空教学计划")


def _roster_options(p: argparse.ArgumentParser) -> None:
    for option, text in (
        ("--add-trainee", "把已登记的学员加入名单"),
        ("--remove-trainee", "移出名单（已结业的学员须先 --not-completed）"),
        ("--voucher-issued", "标记已发券"),
        ("--voucher-verified", "标记已验券（同时标记已发券）"),
        ("--not-completed", "取消结业标记"),
    ):
        p.add_argument(
            option, action="append", default=[], metavar="身份证号", help=f"{text}（可重复）"
        )
    p.add_argument(
        "--completed",
        action="append",
        default=[],
        metavar="身份证号[:YYYY-MM-DD]",
        help="标记已结业（可重复）；日期缺省为结业日期，未到则为今天；开班后才能标记",
    )


# --- reading the options --------------------------------------------------------------------


def _refuse(errors: Sequence[FieldError]) -> CliError:
    return refusal(ValidationFailed(list(errors)))


def _field_error(field: str, message: str) -> FieldError:
    return FieldError(field, LABELS[field], message)


def _parsed(field: str, text: str) -> object:
    """An option's value as the ``ClassFields`` attribute wants it; ``ValueError`` if not."""
    if field in ("start_date", "end_date"):
        return date.fromisoformat(text.strip())
    if field in ("planned_headcount", "total_hours"):
        return int(text.strip())
    if field == "subsidy_per_person":
        try:
            amount = Decimal(text.strip())
        except InvalidOperation as exc:
            raise ValueError(text) from exc
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(text)
        return amount
    return text


_FORMATS = {
    "start_date": "应为 YYYY-MM-DD 格式的日期",
    "end_date": "应为 YYYY-MM-DD 格式的日期",
    "planned_headcount": "应为整数",
    "total_hours": "应为整数",
    "subsidy_per_person": "应为金额（元），最多两位小数，如 3200 或 3200.50",
}


def _given_fields(args: argparse.Namespace) -> tuple[dict[str, Any], list[FieldError]]:
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field, _metavar, _help in FIELD_OPTIONS:
        text = getattr(args, field)
        if text is None:
            continue
        try:
            values[field] = _parsed(field, text)
        except ValueError:
            errors.append(_field_error(field, f"{_FORMATS[field]}：{text}"))
    return values, errors


def _plan_item(row: int, text: str) -> tuple[PlanItemFields | None, list[FieldError]]:
    parts = [part.strip() for part in text.replace("｜", "|").split("|")]
    label = f"教学计划第{row}行"
    if len(parts) != 5:
        message = f"应为“{PLAN_FORMAT}”共5项（可留空，用 | 分隔），实为{len(parts)}项"
        return None, [FieldError("plan", label, message)]
    module, content, theory, practice, teacher = parts
    hours: list[int] = []
    errors: list[FieldError] = []
    for field, value in (("theory_hours", theory), ("practice_hours", practice)):
        try:
            hours.append(int(value or 0))
        except ValueError:
            errors.append(FieldError("plan", f"{label} {PLAN_LABELS[field]}", f"应为整数：{value}"))
    if errors:
        return None, errors
    return PlanItemFields(module, content, hours[0], hours[1], teacher), []


def _plan(args: argparse.Namespace) -> tuple[list[PlanItemFields], list[FieldError]]:
    items: list[PlanItemFields] = []
    errors: list[FieldError] = []
    for row, text in enumerate(args.plan_item, start=1):
        item, problems = _plan_item(row, text)
        errors += problems
        if item is not None:
            items.append(item)
    return items, errors


def _completion(text: str) -> tuple[str, date | None]:
    number, _, day = text.replace("：", ":").partition(":")
    if not day.strip():
        return number, None
    try:
        return number, date.fromisoformat(day.strip())
    except ValueError as exc:
        message = f"{mask_id_number(number)}的结业日期应为 YYYY-MM-DD 格式：{day}"
        raise _refuse([FieldError("roster", "学员名单", message)]) from exc


# --- the subcommands --------------------------------------------------------------------------


def _run(action: Callable[[], T]) -> T:
    """Call a use case; its refusal becomes the command's lines on stderr and exit 1."""
    try:
        return action()
    except ValidationFailed as exc:
        raise refusal(exc) from exc


def _trainees(ctx: Context, numbers: Sequence[str]) -> dict[str, int]:
    if not numbers:
        return {}
    database = ctx.database()
    return _run(lambda: trainees_by_id_number(database, numbers))


def _summary_line(verb: str, detail: ClassDetail) -> str:
    counts = detail.counts()
    return (
        f"已{verb}培训班“{printable(detail.fields.name)}”（{detail.status}）："
        f"教学计划 {len(detail.plan)} 个"
        f"模块，名单 {counts['enrolled']} 人"
    )


def add_class(args: argparse.Namespace, ctx: Context) -> int:
    values, errors = _given_fields(args)
    plan, plan_errors = _plan(args)
    if errors + plan_errors:
        raise _refuse(errors + plan_errors)
    values.setdefault("total_hours", plan_total((i.theory_hours, i.practice_hours) for i in plan))
    database = ctx.database()
    trainees = _trainees(ctx, args.add_trainee)
    roster = [RosterEntry(trainee_id) for trainee_id in dict.fromkeys(trainees.values())]
    detail = _run(lambda: create_class(database, ClassInput(ClassFields(**values), plan, roster)))
    print(_summary_line("新建", detail))
    print(detail.id)
    return 0


def _edited_roster(
    args: argparse.Namespace, ctx: Context, current: ClassDetail, end_date: date
) -> list[RosterEntry]:
    """The stored roster with the options applied: removals, then additions, then marks."""
    completions = [_completion(text) for text in args.completed]
    marks: list[tuple[str, Mark, bool, date | None]] = [
        *((n, "voucher_issued", True, None) for n in args.voucher_issued),
        *((n, "voucher_verified", True, None) for n in args.voucher_verified),
        *((n, "completed", True, day) for n, day in completions),
        *((n, "completed", False, None) for n in args.not_completed),
    ]
    numbers = [*args.remove_trainee, *args.add_trainee, *(n for n, *_ in marks)]
    trainees = _trainees(ctx, numbers)
    entries = {e.trainee_id: e for e in current.as_input().roster}
    errors: list[FieldError] = []

    def absent(number: str) -> bool:
        if trainees[number] in entries:
            return False
        message = f"身份证号为{mask_id_number(number)}的学员不在本班名单中"
        errors.append(FieldError("roster", "学员名单", message))
        return True

    for number in args.remove_trainee:
        if not absent(number):
            del entries[trainees[number]]
    for number in args.add_trainee:
        entries.setdefault(trainees[number], RosterEntry(trainees[number]))
    default_day = default_completion_date(end_date)
    for number, mark, checked, day in marks:
        if absent(number):
            continue
        entry = entries[trainees[number]].marked(mark, checked, day or default_day)
        entries[trainees[number]] = replace(entry, completion_date=day) if day else entry
    if errors:
        raise _refuse(errors)
    return list(entries.values())


def edit_one(args: argparse.Namespace, ctx: Context) -> int:
    values, errors = _given_fields(args)
    plan_given, plan_errors = _plan(args)
    if errors + plan_errors:
        raise _refuse(errors + plan_errors)
    database = ctx.database()
    current = _run(lambda: show_class(database, args.class_id))
    plan = list(current.plan)
    if args.clear_plan or plan_given:
        plan = plan_given
        if plan_given:
            values.setdefault(
                "total_hours", plan_total((i.theory_hours, i.practice_hours) for i in plan)
            )
    fields = replace(current.fields, **values)
    roster = _edited_roster(args, ctx, current, fields.end_date)
    detail = _run(lambda: edit_class(database, args.class_id, ClassInput(fields, plan, roster)))
    print(_summary_line("保存", detail))
    return 0


def _class_json(detail: ClassDetail) -> dict[str, Any]:
    fields = detail.fields
    industry = reference.find_industry(fields.industry_code)
    following = detail.status.following
    return {
        "id": detail.id,
        "name": fields.name,
        "status": detail.status.label,
        "status_key": detail.status.key,
        "next_status": following.label if following else None,
        "industry": fields.industry_code,
        "industry_name": industry.full_name if industry else fields.industry_code,
        "occupation": fields.occupation,
        "kind": fields.kind,
        "start_date": fields.start_date.isoformat(),
        "end_date": fields.end_date.isoformat(),
        "location": fields.location,
        "planned_headcount": fields.planned_headcount,
        "participant_identity": fields.participant_identity,
        "total_hours": fields.total_hours,
        "subsidy_per_person": f"{fields.subsidy_per_person:.2f}",
        "plan": [
            {
                "module": i.module,
                "content": i.content,
                "theory_hours": i.theory_hours,
                "practice_hours": i.practice_hours,
                "teacher": i.teacher,
            }
            for i in detail.plan
        ],
        "counts": detail.counts(),
        "roster": [_roster_json(r) for r in detail.roster],
    }


def _roster_json(row: RosterRow) -> dict[str, Any]:
    return {
        "trainee_id": row.trainee_id,
        "name": row.name,
        "gender": row.gender,
        "id_number": row.id_number,
        "phone": row.phone,
        "voucher_issued": row.voucher_issued,
        "voucher_verified": row.voucher_verified,
        "completed": row.completed,
        "completion_date": row.completion_date.isoformat() if row.completion_date else None,
    }


def show_one(args: argparse.Namespace, ctx: Context) -> int:
    database = ctx.database()
    detail = _run(lambda: show_class(database, args.class_id))
    data = _class_json(detail)
    if args.json:
        print_json(data)
        return 0
    following = f"（下一步：{data['next_status']}）" if data["next_status"] else ""
    print(f"编号：{detail.id}")
    print(f"{LABELS['status']}：{detail.status}{following}")
    for field, key in (
        ("name", "name"),
        ("industry_code", "industry_name"),
        ("kind", "kind"),
        ("occupation", "occupation"),
        ("start_date", "start_date"),
        ("end_date", "end_date"),
        ("location", "location"),
        ("planned_headcount", "planned_headcount"),
        ("participant_identity", "participant_identity"),
        ("total_hours", "total_hours"),
        ("subsidy_per_person", "subsidy_per_person"),
    ):
        print(f"{LABELS[field]}：{printable(data[key])}")
    total = plan_total((i.theory_hours, i.practice_hours) for i in detail.plan)
    print(f"教学计划：{len(detail.plan)} 个模块，合计 {total} 课时")
    if detail.plan:
        print("序号\t" + "\t".join(PLAN_LABELS.values()))
        for row, item in enumerate(detail.plan, start=1):
            print_row(
                row,
                item.module,
                item.content,
                item.theory_hours,
                item.practice_hours,
                item.teacher,
            )
    counts = detail.counts()
    print(
        f"学员名单：{counts['enrolled']} 人，已发券 {counts['voucher_issued']}，"
        f"已验券 {counts['voucher_verified']}，已结业 {counts['completed']}"
        f"（名单见 classes roster {detail.id}）"
    )
    return 0


def show_roster(args: argparse.Namespace, ctx: Context) -> int:
    database = ctx.database()
    detail = _run(lambda: show_class(database, args.class_id))
    if args.json:
        print_json([_roster_json(r) for r in detail.roster])
        return 0
    print("序号\t姓名\t性别\t身份证号\t手机号\t已发券\t已验券\t已结业\t结业日期")
    for row, r in enumerate(detail.roster, start=1):
        marks = ["是" if m else "否" for m in (r.voucher_issued, r.voucher_verified, r.completed)]
        done = f"{r.completion_date:%Y-%m-%d}" if r.completion_date else ""
        print_row(row, r.name, r.gender, r.id_number, r.phone, *marks, done)
    return 0


def step_status(args: argparse.Namespace, ctx: Context) -> int:
    target = _run(lambda: parse_status(args.status))
    database = ctx.database()
    detail = _run(lambda: change_status(database, args.class_id, target))
    print(f"已将培训班“{printable(detail.fields.name)}”的状态改为“{detail.status}”")
    return 0


def delete_one(args: argparse.Namespace, ctx: Context) -> int:
    database = ctx.database()
    name = _run(lambda: delete_class(database, args.class_id))
    print(f"已删除培训班“{printable(name)}”")
    return 0


def list_all(args: argparse.Namespace, ctx: Context) -> int:
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "industry": s.industry_code,
            "kind": s.kind,
            "start_date": s.start_date.isoformat(),
            "end_date": s.end_date.isoformat(),
            "planned_headcount": s.planned_headcount,
            "headcount": s.enrolled,
            "completed": s.completed,
            "status": s.status.label,
        }
        for s in list_classes(ctx.database())
    ]
    if args.json:
        print_json(rows)
        return 0
    print("编号\t名称\t对接产业\t开班日期\t结业日期\t人数\t结业\t状态")
    for row in rows:
        industry = reference.find_industry(str(row["industry"]))
        print_row(
            row["id"],
            row["name"],
            industry.name if industry else row["industry"],
            row["start_date"],
            row["end_date"],
            row["headcount"],
            row["completed"],
            row["status"],
        )
    return 0
