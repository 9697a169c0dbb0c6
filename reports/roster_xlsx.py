"""Rosters as workbooks: a class's 学员名单, and the trainee list with its certificates.

The class roster uses the same columns as the roster printed in the Annex 3 report
(``reports.columns.ROSTER_COLUMNS``). ID numbers, phones and certificate numbers are text
cells formatted as text, so neither opening nor editing the file in Excel can turn them into
1.40105E+17; the header repeats on every printed page. The trainee list is written in
openpyxl's streaming mode (a bureau may hold a hundred thousand trainees), its first sheet
in the roster import's column names and its second in the certificate import's, so either
can be edited and imported back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from core.base.progress import ProgressFn
from core.classes.records import RosterRow, roster_rows
from core.fields import FieldError, ValidationFailed
from core.importing.rows import QUERY_CHUNK, chunks
from models.database import Database
from models.trainee import Certificate, Trainee
from reports.annex3 import class_designation, find_class
from reports.columns import ROSTER_COLUMNS, SEQUENCE, Column, headers, row_values
from reports.output import WrittenDocument, document_output
from reports.xlsx_writer import (
    DATE_FORMAT,
    TITLE_FONT,
    abandon,
    merged_line,
    new_workbook,
    set_up_printing,
    stream_value,
    write_table,
)

ROSTER_TITLE_ROW = 1
ROSTER_HEADER_ROW = 2
HEADER_FONT = Font(bold=True)

TRAINEE_COLUMNS: tuple[Column, ...] = (
    Column(SEQUENCE, "序号", 0, 7),
    Column("name", "姓名", 0, 12),
    Column("gender", "性别", 0, 6),
    Column("id_number", "身份证号", 0, 22, text=True),
    Column("phone", "手机号", 0, 15, text=True),
    Column("identity", "身份", 0, 12),
    Column("employer", "工作单位", 0, 24, "left"),
    Column("major", "专业", 0, 16, "left"),
    Column("class_name", "班级", 0, 16, "left"),
    Column("graduation_year", "毕业年份", 0, 10),
    Column("certificate_count", "证书数", 0, 8),
    Column("certificates", "证书", 0, 40, "left"),
)

CERTIFICATE_COLUMNS: tuple[Column, ...] = (
    Column(SEQUENCE, "序号", 0, 7),
    Column("name", "姓名", 0, 12),
    Column("id_number", "身份证号", 0, 22, text=True),
    Column("cert_type", "证书类型", 0, 26, "left"),
    Column("occupation", "职业（工种）", 0, 22, "left"),
    Column("level", "等级", 0, 14),
    Column("number", "证书编号", 0, 26, text=True),
    Column("issue_date", "发证日期", 0, 12),
    Column("issuer", "发证机构", 0, 26, "left"),
    Column("route", "认定途径", 0, 10),
)


@dataclass(frozen=True)
class ClassRoster:
    class_name: str
    rows: tuple[RosterRow, ...]

    @property
    def title(self) -> str:
        return f"{class_designation(self.class_name)}学员名单"


def gather_class_roster(session: Session, class_id: int) -> ClassRoster:
    """The class's roster in enrolment order; a class without trainees is refused."""
    training_class = find_class(session, class_id)
    rows = tuple(roster_rows(session, class_id))
    if not rows:
        raise ValidationFailed(
            [FieldError("roster", "学员名单", "该培训班还没有学员：请先把学员加入本班")]
        )
    return ClassRoster(class_name=training_class.name.strip(), rows=rows)


def build_class_roster(data: ClassRoster) -> Workbook:
    """序号、姓名、性别、身份证号、手机号 under a title, bordered, fit to an A4 page's width."""
    workbook = new_workbook(data.title)
    sheet = workbook.create_sheet("学员名单")
    rows = [row_values(ROSTER_COLUMNS, i, entry) for i, entry in enumerate(data.rows, start=1)]
    end = write_table(sheet, ROSTER_HEADER_ROW, ROSTER_COLUMNS, rows)
    merged_line(
        sheet,
        ROSTER_TITLE_ROW,
        len(ROSTER_COLUMNS),
        data.title,
        font=TITLE_FONT,
        horizontal="center",
    )
    set_up_printing(sheet, ROSTER_HEADER_ROW, end - 1, landscape=False)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    return workbook


def write_class_roster(database: Database, class_id: int, path: Path) -> WrittenDocument:
    """Gather and write a class's 学员名单 into ``path`` (replaced only once complete)."""
    with database.session() as session:
        data = gather_class_roster(session, class_id)
    with document_output(Path(path)) as stream:
        build_class_roster(data).save(stream)
    return WrittenDocument(Path(path), 0, len(data.rows))


# --- The trainee list -------------------------------------------------------------------------


def _start_sheet(workbook: Workbook, title: str, columns: Sequence[Column]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.excel_width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.append([stream_value(sheet, text, font=HEADER_FONT) for text in headers(columns)])
    return sheet


def _row_cells(sheet: Worksheet, columns: Sequence[Column], values: Iterable[Any]) -> list[Any]:
    """Codes as text cells, dates formatted as dates, everything else as ``stream_value`` says."""
    return [
        stream_value(
            sheet,
            value,
            text=column.text,
            number_format=DATE_FORMAT if isinstance(value, date) else None,
        )
        for column, value in zip(columns, values, strict=True)
    ]


@dataclass(frozen=True)
class _TraineeLine:
    name: str
    gender: str
    id_number: str
    phone: str
    identity: str
    employer: str
    major: str
    class_name: str
    graduation_year: int | None
    certificate_count: int
    certificates: str


@dataclass(frozen=True)
class _CertificateLine:
    name: str
    id_number: str
    cert_type: str
    occupation: str
    level: str
    number: str
    issue_date: date | None
    issuer: str
    route: str


def _batches(
    session: Session, ids: Sequence[int]
) -> Iterator[tuple[list[Trainee], dict[int, list[Certificate]]]]:
    """Trainees in the order of ``ids``, a batch at a time, with their certificates."""
    for part in chunks(len(ids), QUERY_CHUNK):
        wanted = [ids[i] for i in part]
        found = {t.id: t for t in session.scalars(select(Trainee).where(Trainee.id.in_(wanted)))}
        held: dict[int, list[Certificate]] = {}
        query = (
            select(Certificate)
            .where(Certificate.trainee_id.in_(wanted))
            .order_by(Certificate.issue_date, Certificate.id)
        )
        for certificate in session.scalars(query):
            held.setdefault(certificate.trainee_id, []).append(certificate)
        yield [found[i] for i in wanted if i in found], held
        session.expunge_all()


def _summary(certificates: Sequence[Certificate]) -> str:
    return "；".join(
        f"{c.occupation}（{c.level}）" if c.level else c.occupation for c in certificates
    )


def _trainee_line(trainee: Trainee, held: Sequence[Certificate]) -> _TraineeLine:
    return _TraineeLine(
        name=trainee.name,
        gender=trainee.gender,
        id_number=trainee.id_number,
        phone=trainee.phone,
        identity=trainee.identity,
        employer=trainee.employer,
        major=trainee.major,
        class_name=trainee.class_name,
        graduation_year=trainee.graduation_year,
        certificate_count=len(held),
        certificates=_summary(held),
    )


def _certificate_line(trainee: Trainee, certificate: Certificate) -> _CertificateLine:
    return _CertificateLine(
        name=trainee.name,
        id_number=trainee.id_number,
        cert_type=certificate.cert_type,
        occupation=certificate.occupation,
        level=certificate.level,
        number=certificate.number or "",
        issue_date=certificate.issue_date,
        issuer=certificate.issuer,
        route=certificate.route,
    )


def _fill_trainee_list(
    workbook: Workbook, session: Session, ids: Sequence[int], progress: ProgressFn | None
) -> int:
    trainees_sheet = _start_sheet(workbook, "学员", TRAINEE_COLUMNS)
    certificates_sheet = _start_sheet(workbook, "证书", CERTIFICATE_COLUMNS)
    written = 0
    certificate_lines: list[_CertificateLine] = []
    for trainees, held in _batches(session, ids):
        for trainee in trainees:
            own = held.get(trainee.id, [])
            written += 1
            values = row_values(TRAINEE_COLUMNS, written, _trainee_line(trainee, own))
            trainees_sheet.append(_row_cells(trainees_sheet, TRAINEE_COLUMNS, values))
            certificate_lines += [_certificate_line(trainee, c) for c in own]
        if progress is not None:
            progress(written, len(ids), "")
    for position, line in enumerate(certificate_lines, start=1):
        values = row_values(CERTIFICATE_COLUMNS, position, line)
        certificates_sheet.append(_row_cells(certificates_sheet, CERTIFICATE_COLUMNS, values))
    return written


def write_trainee_list(
    database: Database,
    path: Path,
    *,
    where: ColumnElement[bool] | None = None,
    order_by: Sequence[Any] = (Trainee.name, Trainee.id),
    progress: ProgressFn | None = None,
) -> WrittenDocument:
    """Write the trainees ``where`` selects, sorted by ``order_by`` (all trainees by default).

    The trainee page passes its own search condition and sort, so the file holds what the
    clerk sees, filtered and ordered the same way. Sheet 学员 has one row per trainee; sheet
    证书 one row per certificate of those trainees.
    """
    workbook = new_workbook("学员名单（含证书）", write_only=True)
    try:
        with database.session() as session:
            query = select(Trainee.id).order_by(*order_by)
            if where is not None:
                query = query.where(where)
            written = _fill_trainee_list(workbook, session, list(session.scalars(query)), progress)
        with document_output(Path(path)) as stream:
            workbook.save(stream)
    except BaseException:
        abandon(workbook)
        raise
    return WrittenDocument(Path(path), 0, written)
