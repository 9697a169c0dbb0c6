"""Finding the header row of a roster or certificate list and which column holds which field.

Offices put a title (often merged across the table), a date or a note above the header, and
name the same column a dozen ways (身份证号 / 身份证号码 / 公民身份号码 / 证件号码). The names come
from ``resources/reference/column_aliases.json``; the row whose cells name the most fields is
the header. The result is a :class:`ColumnMapping` the clerk can correct before anything is
validated, so a wrong guess costs a click, not a wrong import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal

from core.identity.textnorm import cell_text, normalize_code
from core.importing.reader import Cell, ImportRefused, Sheet, Spreadsheet
from core.reference import reference_dir

Kind = Literal["roster", "certificates"]
KINDS: tuple[Kind, ...] = ("roster", "certificates")

#: Title rows, notes and two-line headers above the data fit in this many rows.
HEADER_SCAN_ROWS = 30

_MARKS = "*※★☆△▲#"
#: A cell longer than this is a title or a note, not a column name.
_LONGEST_TITLE = 16
_BRACKETED = re.compile(r"[(\[【].*?[)\]】]")


@dataclass(frozen=True)
class FieldSpec:
    """A field an import can fill, with the column names that mean it (most usual first)."""

    key: str
    label: str
    aliases: tuple[str, ...]
    required: bool


@cache
def _alias_data() -> dict[str, Any]:
    with (reference_dir() / "column_aliases.json").open(encoding="utf-8") as f:
        return json.load(f)


@cache
def field_specs(kind: Kind) -> tuple[FieldSpec, ...]:
    """The fields of an import kind: required ones first, in the order the JSON lists them."""
    data = _alias_data()
    spec = data["kinds"][kind]
    fields = data["fields"]
    return tuple(
        FieldSpec(
            key=key,
            label=fields[key]["label"],
            aliases=tuple(fields[key]["aliases"]),
            required=key in spec["required"],
        )
        for key in [*spec["required"], *spec["optional"]]
    )


def kind_title(kind: Kind) -> str:
    """学员名单 or 证书名单, for messages and window titles."""
    return str(_alias_data()["kinds"][kind]["title"])


def header_key(text: str) -> str:
    """A column title reduced to what matters: no spaces, marks or width differences.

    ``＊身份证号 `` and ``身份证号*`` become ``身份证号``; brackets are kept here (职业（工种）is a
    name in its own right) and dropped by :func:`_bare_key`.
    """
    return normalize_code(text).strip(_MARKS)


def _bare_key(key: str) -> str:
    """The key without bracketed notes: 身份证号(必填) → 身份证号."""
    return _BRACKETED.sub("", key).strip(_MARKS)


@cache
def _alias_index(kind: Kind) -> dict[str, tuple[str, int]]:
    """Alias key → (field, priority); a lower priority is a more usual name for the field."""
    index: dict[str, tuple[str, int]] = {}
    for spec in field_specs(kind):
        for priority, alias in enumerate(spec.aliases):
            index.setdefault(header_key(alias), (spec.key, priority))
    return index


def column_letter(index: int) -> str:
    """Excel's name for a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _display(cell: Cell) -> str:
    if isinstance(cell, str):
        return " ".join(cell.split())
    return cell_text(cell)


@dataclass(frozen=True)
class ColumnMapping:
    """Where the header is, where the data starts and which column feeds which field.

    ``header_row`` and ``data_start`` index ``Sheet.rows``; ``headers`` are the titles as the
    file spells them (merged titles filled in), so messages can name a column the clerk
    recognises; ``fields`` maps a field key to its 0-based column.
    """

    kind: Kind
    header_row: int
    data_start: int
    headers: tuple[str, ...]
    fields: dict[str, int] = field(default_factory=dict)

    def column_name(self, key: str) -> str:
        """The column as the file names it, else its letter; the field's label if unmapped."""
        column = self.fields.get(key)
        if column is None:
            return spec_for(self.kind, key).label
        return self.header_text(column)

    def header_text(self, column: int) -> str:
        title = self.headers[column] if column < len(self.headers) else ""
        return title or f"{column_letter(column)}列"

    def missing_required(self) -> tuple[FieldSpec, ...]:
        return tuple(s for s in field_specs(self.kind) if s.required and s.key not in self.fields)

    def with_field(self, key: str, column: int | None) -> ColumnMapping:
        """The mapping with ``key`` read from ``column`` (``None``: not imported).

        A column feeds one field only, so it is taken away from any other field.
        """
        spec_for(self.kind, key)
        fields = {k: c for k, c in self.fields.items() if k != key and c != column}
        if column is not None:
            fields[key] = column
        return replace(self, fields=fields)

    def require_complete(self) -> None:
        """Refuse an import whose required columns are not all mapped, naming each."""
        missing = self.missing_required()
        if missing:
            names = "；".join(
                f"“{s.label}”（可用列名：{'、'.join(s.aliases[:4])}）" for s in missing
            )
            raise ImportRefused(f"文件中缺少必需的列：{names}")


def spec_for(kind: Kind, key: str) -> FieldSpec:
    for spec in field_specs(kind):
        if spec.key == key:
            return spec
    raise KeyError(f"{kind} 导入没有字段 {key}")


def _filled_top(sheet: Sheet, limit: int) -> list[list[str]]:
    """The first ``limit`` rows as display text, each merged range filled with its value.

    A title merged across the table, or 姓名 merged down over a two-line header, then reads
    the same in every cell it covers.
    """
    rows = [[_display(c) for c in row] for row in sheet.rows[:limit]]
    # Excel never lets merged ranges overlap, so together they cover at most the block of
    # these rows; ranges past that area overlap, in a forged file, and are left out, or a
    # hundred thousand of them would take minutes here.
    widest = max(
        [len(row) for row in rows]
        + [right + 1 for top, _l, _b, right in sheet.merged if top < len(rows)],
        default=0,
    )
    budget = len(rows) * widest
    for top, left, bottom, right in sheet.merged:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        budget -= max(min(bottom, len(rows) - 1) + 1 - top, 0) * max(right + 1 - left, 0)
        if budget < 0:
            break
        value = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= right:
                row.extend([""] * (right + 1 - len(row)))
            for c in range(left, right + 1):
                row[c] = value
    return rows


def _exact_fields(kind: Kind, headers: list[str]) -> dict[str, int]:
    """Fields whose alias is a column's whole title; the most usual alias wins a tie."""
    index = _alias_index(kind)
    best: dict[str, tuple[int, int]] = {}
    for column, title in enumerate(headers):
        key = header_key(title)
        found = index.get(key) or index.get(_bare_key(key))
        if found is None:
            continue
        name, priority = found
        if name not in best or priority < best[name][0]:
            best[name] = (priority, column)
    return {name: column for name, (_, column) in best.items()}


def _contained_fields(kind: Kind, headers: list[str], taken: dict[str, int]) -> dict[str, int]:
    """For the columns left over, the field whose longest alias the title contains.

    Catches 学员身份证号码 or 手机号（本人）. A column goes to that field only if no exact title
    claimed it: 本人身份证号码 beside a 身份证号 column must not fall back to 身份.
    """
    used_columns = set(taken.values())
    found = dict(taken)
    aliases = sorted(
        ((header_key(a), s.key) for s in field_specs(kind) for a in s.aliases),
        key=lambda pair: -len(pair[0]),
    )
    for column, title in enumerate(headers):
        if column in used_columns or not title:
            continue
        key = header_key(title)
        name = next((n for alias, n in aliases if len(alias) >= 2 and alias in key), None)
        if name is not None and name not in found:
            found[name] = column
            used_columns.add(column)
    return found


def mapping_at(sheet: Sheet, kind: Kind, header_row: int) -> ColumnMapping:
    """The mapping if row ``header_row`` (0-based) is the header: the clerk's own choice."""
    top = _filled_top(sheet, max(HEADER_SCAN_ROWS, header_row + 1))
    headers = top[header_row] if header_row < len(top) else []
    fields = _contained_fields(kind, headers, _exact_fields(kind, headers))
    # A title merged down over two rows means the data starts below the merge.
    data_start = header_row + 1
    for first, _left, last, _right in sheet.merged:
        if first <= header_row <= last:
            data_start = max(data_start, last + 1)
    return ColumnMapping(
        kind=kind,
        header_row=header_row,
        data_start=data_start,
        headers=tuple(headers),
        fields=fields,
    )


def _same_header_block(sheet: Sheet, upper: int, lower: int) -> bool:
    """Whether a merge runs down from row ``upper`` into row ``lower``: one two-line header."""
    return any(first <= upper < lower <= last for first, _l, last, _r in sheet.merged)


def _best_row(
    sheet: Sheet, kind: Kind, top: list[list[str]], score: Callable[[list[str]], dict[str, int]]
) -> int | None:
    """The row naming the most fields (at least two, one of them required).

    On a tie the lower row of a two-line header wins when its titles differ: 手机 under
    联系方式 says more, while a title merely merged down over two rows says the same.
    """
    required = {s.key for s in field_specs(kind) if s.required}
    best_row, best_score = None, 1
    for row_index, headers in enumerate(top):
        fields = score(headers)
        if not required & fields.keys():
            continue
        tie = (
            best_row is not None
            and _same_header_block(sheet, best_row, row_index)
            and headers != top[best_row]
        )
        if len(fields) > best_score or (len(fields) == best_score and tie):
            best_row, best_score = row_index, len(fields)
    return best_row


def detect_header(sheet: Sheet, kind: Kind) -> ColumnMapping | None:
    """The most likely header among the first rows, or ``None`` when no row names two fields.

    Whole titles decide first; only when no row has two does a title that merely contains a
    column name count (学员身份证号码), and then only short cells, not a sentence-long title.
    """
    top = _filled_top(sheet, HEADER_SCAN_ROWS)
    row = _best_row(sheet, kind, top, lambda headers: _exact_fields(kind, headers))
    if row is None:
        row = _best_row(
            sheet,
            kind,
            top,
            lambda headers: _contained_fields(
                kind, [h if len(h) <= _LONGEST_TITLE else "" for h in headers], {}
            ),
        )
    return None if row is None else mapping_at(sheet, kind, row)


def choose_sheet(
    spreadsheet: Spreadsheet, kind: Kind, sheet_name: str | None = None
) -> tuple[Sheet, ColumnMapping]:
    """The sheet to import and its mapping: the named one, else the first that looks right.

    Prefers a sheet with every required column, then any sheet with a header at all.
    """
    candidates = (spreadsheet.sheet(sheet_name),) if sheet_name else spreadsheet.sheets
    if not candidates:
        raise ImportRefused(f"文件“{spreadsheet.path.name}”中没有可导入的工作表")
    found = [(s, m) for s in candidates if (m := detect_header(s, kind)) is not None]
    for sheet, mapping in found:
        if not mapping.missing_required():
            return sheet, mapping
    if found:
        return found[0]
    names = "”“".join(s.label for s in field_specs(kind) if s.required)
    where = f"工作表“{sheet_name}”" if sheet_name else f"文件“{spreadsheet.path.name}”"
    raise ImportRefused(f"在{where}的前{HEADER_SCAN_ROWS}行中找不到表头：需要有“{names}”等列名")
