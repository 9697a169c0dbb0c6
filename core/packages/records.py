"""How a synchronisable row becomes a JSON record and back, derived from the models themselves.

Every column travels under its own name except the local integer keys: ``id`` stays behind,
and a foreign key ``trainee_id`` travels as ``trainee_uuid``, the parent's UUID, because
integer ids mean nothing on another machine. Decoding checks every value against its column
(type, length, nullability) so that a record that passes can be written on SQLite and
PostgreSQL alike, and a bad one is refused before the database is touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Numeric,
    Select,
    String,
    Table,
    UniqueConstraint,
    select,
)

from core.packages.format import AUDIT_LOG, TOMBSTONES, format_time, parse_time
from models.audit import AuditEntry
from models.base import Base
from models.institution import Institution, OfferedOccupation, ServedIndustry
from models.sync import Tombstone
from models.trainee import Certificate, Trainee
from models.training import Enrolment, PlanItem, TrainingClass

#: Parents before children: the order parts are written, inserted and (reversed) deleted in.
SYNCED_MODELS: tuple[type[Base], ...] = (
    Institution,
    OfferedOccupation,
    ServedIndustry,
    Trainee,
    Certificate,
    TrainingClass,
    PlanItem,
    Enrolment,
)
LABELS = {
    "institutions": "机构",
    "offered_occupations": "可培训工种",
    "served_industries": "对接产业",
    "trainees": "学员",
    "certificates": "证书",
    "training_classes": "培训班",
    "plan_items": "教学计划",
    "enrolments": "培训班学员",
    TOMBSTONES: "删除记录",
    AUDIT_LOG: "操作日志",
}
#: Columns that describe this installation, not the row: never sent, never overwritten.
LOCAL_ONLY_COLUMNS = frozenset({"id", "is_local"})
SYNC_FIELDS = ("uuid", "revision", "origin", "updated_at")

_UUID = re.compile(r"^[0-9a-f]{32}$")
_ORIGIN = re.compile(r"^[0-9A-Z]{18}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT_LIMIT = 2**31


@dataclass(frozen=True)
class Field:
    name: str
    column: str
    kind: str  # "str" | "int" | "bool" | "date" | "datetime" | "decimal" | "ref"
    nullable: bool
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    parent: str | None = None
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    table: Table
    fields: tuple[Field, ...]
    unique_keys: tuple[tuple[str, ...], ...]

    @property
    def label(self) -> str:
        return LABELS[self.name]

    @property
    def refs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind == "ref")

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _kind(column: Column[Any]) -> str:
    kinds: tuple[tuple[type, str], ...] = (
        (Boolean, "bool"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Numeric, "decimal"),
        (Integer, "int"),
        (String, "str"),
    )
    for sql_type, kind in kinds:
        if isinstance(column.type, sql_type):
            return kind
    raise TypeError(f"no package encoding for {column.table.name}.{column.name}")


def _field(column: Column[Any]) -> Field:
    default = column.default
    scalar_default = default is not None and getattr(default, "is_scalar", False)
    foreign = next(iter(column.foreign_keys), None)
    if foreign is not None:
        return Field(
            name=column.name.removesuffix("_id") + "_uuid",
            column=column.name,
            kind="ref",
            nullable=bool(column.nullable),
            parent=foreign.column.table.name,
        )
    return Field(
        name=column.name,
        column=column.name,
        kind=_kind(column),
        nullable=bool(column.nullable),
        max_length=getattr(column.type, "length", None),
        precision=getattr(column.type, "precision", None),
        scale=getattr(column.type, "scale", None),
        default=default.arg if scalar_default else None,  # type: ignore[union-attr]
        has_default=scalar_default or bool(column.nullable),
    )


def _spec(table: Table) -> TableSpec:
    fields = tuple(
        _field(c)
        for c in table.columns
        if c.name not in LOCAL_ONLY_COLUMNS and c.computed is None  # derived, never sent
    )
    by_column = {f.column: f.name for f in fields}
    keys: list[tuple[str, ...]] = []
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            names = tuple(by_column[c.name] for c in constraint.columns)
            if names != ("uuid",) and names not in keys:
                keys.append(names)
    for column in table.columns:
        if column.unique and column.name != "uuid" and (by_column[column.name],) not in keys:
            keys.append((by_column[column.name],))
    return TableSpec(name=table.name, table=table, fields=fields, unique_keys=tuple(keys))


@cache
def table_specs() -> tuple[TableSpec, ...]:
    return tuple(_spec(model.__table__) for model in SYNCED_MODELS)  # type: ignore[arg-type]


@cache
def spec_by_name() -> dict[str, TableSpec]:
    return {spec.name: spec for spec in table_specs()}


@cache
def tombstone_spec() -> TableSpec:
    table: Table = Tombstone.__table__  # type: ignore[assignment]
    fields = tuple(_field(c) for c in table.columns if c.name != "id")
    return TableSpec(name=TOMBSTONES, table=table, fields=fields, unique_keys=())


@cache
def audit_spec() -> TableSpec:
    """The audit log's part: every column but the local id. Entries are append-only and carry
    no revision; ``origin`` is required in a package (an entry written before the institution
    was registered travels with the sender's code, see ``writer``)."""
    table: Table = AuditEntry.__table__  # type: ignore[assignment]
    fields = tuple(
        replace(f, nullable=False, has_default=False) if f.name == "origin" else f
        for f in (_field(c) for c in table.columns if c.name not in LOCAL_ONLY_COLUMNS)
    )
    return TableSpec(name=AUDIT_LOG, table=table, fields=fields, unique_keys=())


def record_select(spec: TableSpec) -> Select[Any]:
    """Rows of ``spec`` shaped like package records: parent ids replaced by parent UUIDs."""
    table = spec.table
    joined: Any = table
    columns = []
    for f in spec.fields:
        if f.kind == "ref":
            assert f.parent is not None
            parent = table.metadata.tables[f.parent].alias(f"parent_{f.name}")
            joined = joined.outerjoin(parent, parent.c.id == table.c[f.column])
            columns.append(parent.c.uuid.label(f.name))
        else:
            columns.append(table.c[f.column].label(f.name))
    return select(*columns).select_from(joined).order_by(table.c.id)


def encode_value(f: Field, value: Any) -> Any:
    if value is None:
        return None
    if f.kind == "date":
        return value.isoformat()
    if f.kind == "datetime":
        return format_time(value)
    if f.kind == "decimal":
        return f"{Decimal(value):.{f.scale or 0}f}"
    if f.kind == "bool":
        return bool(value)
    return value


def encode_record(spec: TableSpec, row: Any) -> dict[str, Any]:
    mapping = row._mapping if hasattr(row, "_mapping") else row
    return {f.name: encode_value(f, mapping[f.name]) for f in spec.fields}


class RecordError(ValueError):
    """One value of one record is unusable; the reader adds the part and line."""


def _decode_text(f: Field, value: object) -> str:
    if not isinstance(value, str):
        raise RecordError("应为文本")
    if f.max_length is not None and len(value) > f.max_length:
        raise RecordError(f"超过 {f.max_length} 个字符")
    if "\x00" in value:
        raise RecordError("含有空字符")
    if f.name == "uuid" or f.kind == "ref":
        if not _UUID.match(value):
            raise RecordError("应为 32 位十六进制 UUID")
    elif f.name == "origin" and not _ORIGIN.match(value):
        raise RecordError("应为 18 位统一社会信用代码")
    return value


def _decode_int(f: Field, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError("应为整数")
    if not -_INT_LIMIT <= value < _INT_LIMIT:
        raise RecordError("超出整数范围")
    if f.name == "revision" and value < 1:
        raise RecordError("修订号应从 1 开始")
    return value


def _decode_decimal(f: Field, value: object) -> Decimal:
    if not isinstance(value, str) or len(value) > 40:
        raise RecordError("应为以文本表示的数字")
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise RecordError("应为以文本表示的数字") from exc
    if not number.is_finite():
        raise RecordError("应为有限的数字")
    scale = f.scale or 0
    if -number.as_tuple().exponent > scale:  # type: ignore[operator]
        raise RecordError(f"小数位数超过 {scale} 位")
    if f.precision is not None and abs(number) >= Decimal(10) ** (f.precision - scale):
        raise RecordError("数值过大")
    return number


def decode_value(f: Field, value: object) -> Any:
    if value is None:
        if not f.nullable:
            raise RecordError("不能为空")
        return None
    if f.kind in ("str", "ref"):
        return _decode_text(f, value)
    if f.kind == "int":
        return _decode_int(f, value)
    if f.kind == "bool":
        if not isinstance(value, bool):
            raise RecordError("应为 true 或 false")
        return value
    if f.kind == "decimal":
        return _decode_decimal(f, value)
    if not isinstance(value, str) or len(value) > 40:
        raise RecordError("应为日期或时间文本")
    try:
        if f.kind == "date":
            if not _DATE.match(value):
                raise RecordError("应为 YYYY-MM-DD 格式的日期")
            return date.fromisoformat(value)
        moment: datetime = parse_time(value)
        return moment
    except ValueError as exc:
        if isinstance(exc, RecordError):
            raise
        raise RecordError("不是有效的日期或时间") from exc


def decode_record(spec: TableSpec, data: object) -> dict[str, Any]:
    """Typed values by field name; a field an older version did not send gets its default."""
    if not isinstance(data, dict):
        raise RecordError("每行应为一个 JSON 对象")
    unknown = set(data) - {f.name for f in spec.fields}
    if unknown:
        raise RecordError(f"含有未知字段 {'、'.join(sorted(unknown))}")
    record: dict[str, Any] = {}
    for f in spec.fields:
        if f.name not in data:
            if f.has_default and f.name not in SYNC_FIELDS and f.kind != "ref":
                record[f.name] = f.default
                continue
            raise RecordError(f"缺少字段 {f.name}")
        try:
            record[f.name] = decode_value(f, data[f.name])
        except RecordError as exc:
            raise RecordError(f"字段 {f.name} {exc}") from None
    return record


def same_content(spec: TableSpec, local: dict[str, Any], incoming: dict[str, Any]) -> bool:
    """Equal in everything the sender controls; revision and updated-at do not count."""
    return all(
        local[f.name] == incoming[f.name]
        for f in spec.fields
        if f.name not in ("revision", "updated_at")
    )
