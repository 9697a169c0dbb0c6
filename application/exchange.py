"""Use cases of the data exchange between schools and bureaus."""

from __future__ import annotations

from core.institution import local_institution
from core.packages.format import PackageError
from core.packages.origin_audit import Finding, audit_origins
from models.database import Database


def audit_record_origins(database: Database) -> list[Finding]:
    """What earlier imports may have let a wrong sender write here (empty: nothing found).

    Raises PackageError where the question does not arise: no institution yet, or a school,
    which receives no packages.
    """
    with database.session() as session:
        receiver = local_institution(session)
        if receiver is None:
            raise PackageError("本机构尚未登记：请先完成初始设置（init）")
        if receiver.role == "school":
            raise PackageError("学校不接收数据包，无需检查记录来源：此项检查在教育局运行")
        return audit_origins(session, receiver)
