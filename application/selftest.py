"""The installed program's self-test (``CertDesk --selftest``): does this copy work here?

A frozen bundle can build cleanly and still fail on its first real job: a data file left out,
a module PyInstaller did not see, no Chinese font on the machine. So the self-test does the
clerk's first jobs end to end in a throw-away folder, never touching the real data folder:
open and migrate a database, fill it with a small demo institution, print an Annex 3 PDF and
an Annex 4 workbook and read both back. The build script runs it on every bundle, and support
can ask a clerk to run it on a PC that misbehaves.

Each check prints one line, ``OK <check>: detail`` or ``FAIL <check>: reason``, and the run
exits 0 only if every check passed. A check that needs an earlier one that failed says so
rather than failing with a confusing error of its own. The checks that need Qt live in
``gui.selftest``, which runs these first; this module imports no Qt.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select

from core import reference
from core.demo import create_demo
from models.database import Database, open_database
from models.institution import Institution
from models.migrate import current_revision, head_revision
from models.training import Enrolment, TrainingClass

#: The application's packages that import no Qt (``gui`` is the other one): every module in
#: them must import in a bundle, and installer/bundle_contents.py bundles every one.
QT_FREE_PACKAGES = ("application", "cli", "core", "models", "reports")
#: The seed's Annex 1 totals; the bundled reference table must add up to them.
ANNEX1_TOTALS = {"高级工": 107_671, "中级工": 100_820}
INDUSTRY_COUNT = 24
#: Small, so the whole self-test takes seconds; the demo's classes add their own workers.
DEMO_TRAINEES = 40
#: The Annex 4 column that names the institution and holds its code.
ANNEX4_INSTITUTION_HEADER = "院校名称及组织机构代码"


class CheckFailed(Exception):
    """A check found something wrong; the message is the reason printed after FAIL."""


class Skipped(CheckFailed):
    """A check could not run because one it depends on failed."""


@dataclass
class Workspace:
    """What the checks share: a temporary folder and what earlier checks made in it."""

    folder: Path
    database: Database | None = None
    class_id: int | None = None
    institution_name: str = ""
    institution_code: str = ""

    def require_database(self) -> Database:
        if self.database is None:
            raise Skipped("数据库检查未通过，无法进行本项")
        return self.database

    def close(self) -> None:
        if self.database is not None:
            self.database.close()
            self.database = None


Check = tuple[str, Callable[[Workspace], str]]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float

    def line(self) -> str:
        status = "OK" if self.ok else "FAIL"
        return f"{status} {self.name}: {self.detail}（{self.seconds:.2f} 秒）"


def import_all(packages: Sequence[str]) -> int:
    """Import every module of ``packages``; the count, or CheckFailed naming the first broken."""
    count = 0
    for package_name in packages:
        package = importlib.import_module(package_name)
        prefix = package_name + "."
        for module in pkgutil.walk_packages(package.__path__, prefix):
            try:
                importlib.import_module(module.name)
            except ImportError as exc:
                raise CheckFailed(f"模块 {module.name} 无法导入：{exc}") from exc
            count += 1
    return count


def check_modules(_workspace: Workspace) -> str:
    return f"{import_all(QT_FREE_PACKAGES)} 个模块均可导入"


def check_reference(_workspace: Workspace) -> str:
    totals = reference.annex1_totals()
    if totals != ANNEX1_TOTALS:
        raise CheckFailed(f"附件1任务数合计为 {totals}，应为 {ANNEX1_TOTALS}")
    industries = len(reference.industries())
    if industries != INDUSTRY_COUNT:
        raise CheckFailed(f"产业清单有 {industries} 项，应为 {INDUSTRY_COUNT} 项")
    return f"附件1任务表与 {industries} 个产业均已载入"


def check_database(workspace: Workspace) -> str:
    database = open_database(workspace.folder / "selftest.sqlite3")
    workspace.database = database
    head = head_revision()
    with database.engine.connect() as connection:
        current = current_revision(connection)
    if current != head:
        raise CheckFailed(f"数据库版本为 {current}，应为 {head}")
    return f"新建数据库并迁移到版本 {head}"


def check_demo(workspace: Workspace) -> str:
    database = workspace.require_database()
    with database.session() as session, session.begin():
        summary = create_demo(session, trainees=DEMO_TRAINEES)
    with database.session() as session:
        institution = session.scalars(select(Institution)).one()
        workspace.institution_name = institution.name
        workspace.institution_code = institution.uscc
        workspace.class_id = session.scalar(
            select(TrainingClass.id)
            .join(Enrolment)
            .group_by(TrainingClass.id)
            .order_by(func.count().desc(), TrainingClass.id)
            .limit(1)
        )
    if workspace.class_id is None:
        raise CheckFailed("演示数据中没有带学员的培训班")
    return (
        f"{summary.institution}：学员 {summary.trainees} 人，证书 {summary.certificates} 本，"
        f"培训班 {summary.classes} 个"
    )


# The document writers are imported inside their checks, so that a broken one fails its own
# line instead of stopping the whole self-test before it prints anything.


def check_fonts(_workspace: Workspace) -> str:
    from reports.fonts import find_fonts

    fonts = find_fonts()
    if not fonts.embedded:
        raise CheckFailed("；".join(fonts.warnings) or "没有可嵌入 PDF 的中文字体")
    return fonts.describe()


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF as reportlab writes it (uncompressed object dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def check_annex3(workspace: Workspace) -> str:
    from reports.annex3 import write_annex3

    database = workspace.require_database()
    if workspace.class_id is None:
        raise Skipped("演示数据检查未通过，无法进行本项")
    path = workspace.folder / "附件3申请报告.pdf"
    written = write_annex3(database, workspace.class_id, path)
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise CheckFailed("文件开头不是 %PDF-")
    if not data.rstrip().endswith(b"%%EOF"):
        raise CheckFailed("文件结尾缺少 %%EOF，文件不完整")
    pages = pdf_page_count(data)
    if pages != written.pages or pages < 2:
        raise CheckFailed(f"读回 {pages} 页，生成时报告 {written.pages} 页")
    if b"/FontFile2" not in data:
        raise CheckFailed("PDF 中没有嵌入中文字体")
    return f"{pages} 页，学员 {written.rows} 人，{len(data) // 1024} KB，字体已嵌入"


def check_annex4(workspace: Workspace) -> str:
    from openpyxl import load_workbook

    from reports.annex4 import write_annex4
    from reports.columns import ANNEX4_COLUMNS, headers

    database = workspace.require_database()
    if not workspace.institution_name:
        raise Skipped("演示数据检查未通过，无法进行本项")
    path = workspace.folder / "附件4机构情况表.xlsx"
    written = write_annex4(database, path)
    with _opened(path) as stream:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        rows = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
    expected = headers(ANNEX4_COLUMNS)
    header = next((row for row in rows if row[: len(expected)] == expected), None)
    if header is None:
        raise CheckFailed(f"读回的工作表中没有表头行：{'、'.join(expected)}")
    column = expected.index(ANNEX4_INSTITUTION_HEADER)
    body = [row for row in rows[rows.index(header) + 1 :] if len(row) > column and row[column]]
    if len(body) != written.rows:
        raise CheckFailed(f"读回 {len(body)} 行，生成时报告 {written.rows} 行")
    names = [str(row[column]) for row in body]
    entry = next((name for name in names if workspace.institution_name in name), None)
    if entry is None:
        raise CheckFailed(f"没有找到本机构“{workspace.institution_name}”所在的行")
    if workspace.institution_code not in entry:
        raise CheckFailed("本机构行中没有统一社会信用代码")
    return f"{len(expected)} 列、{len(body)} 行，本机构及统一社会信用代码已读回"


@contextmanager
def _opened(path: Path) -> Iterator[BinaryIO]:
    # openpyxl keeps a path-opened file until garbage collection; on Windows that would stop
    # the temporary folder from being removed.
    with path.open("rb") as stream:
        yield stream


CORE_CHECKS: tuple[Check, ...] = (
    ("程序模块", check_modules),
    ("参考数据", check_reference),
    ("数据库迁移", check_database),
    ("演示数据", check_demo),
    ("中文字体", check_fonts),
    ("附件3 PDF", check_annex3),
    ("附件4 Excel", check_annex4),
)


def run_check(name: str, check: Callable[[Workspace], str], workspace: Workspace) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = check(workspace)
        ok = True
    except CheckFailed as exc:
        detail, ok = str(exc), False
    # The self-test exists to report whatever goes wrong on a strange machine as one line and
    # carry on with the next check, so every error is caught here, named and kept.
    except Exception as exc:
        detail, ok = f"{type(exc).__name__}: {exc}".replace("\n", "；"), False
    return CheckResult(name, ok, detail, time.perf_counter() - started)


def run_checks(checks: Sequence[Check], report: Callable[[CheckResult], None]) -> list[CheckResult]:
    """Run ``checks`` in order in a fresh temporary folder, reporting each as it ends."""
    results = []
    with tempfile.TemporaryDirectory(
        prefix="certdesk-selftest-", ignore_cleanup_errors=True
    ) as folder:
        workspace = Workspace(Path(folder))
        try:
            for name, check in checks:
                result = run_check(name, check, workspace)
                report(result)
                results.append(result)
        finally:
            workspace.close()
    return results
