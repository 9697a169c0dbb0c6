"""Use cases of the data exchange: keys, packages out, packages in, conflicts, origin checks.

The 数据交换 page and ``sync``/``keys`` on the command line call these and nothing below them,
so a batch of packages, a first contact or a conflict ends the same way on both: each package
is imported in its own transaction, a refused one is reported and the batch goes on, and a
problem with this installation's own keys (a wrong passphrase) stops the batch.

Every check of a bureau's passphrase, whichever face and use case asks for it, goes through the
keys ``installation_keys`` hands out, and so through ``PassphraseAttempts``: a wrong one is an
audit entry (口令错误, with the time, user and computer), and after five in a row each further
check waits ``passphrase_delay`` first.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from time import sleep

from application.full_numbers import FullNumberFile, write_full_number_file
from core.base.progress import ProgressFn, no_progress
from core.institution import local_institution
from core.packages.conflicts import ConflictView, open_conflicts, resolve_conflict
from core.packages.format import PackageError
from core.packages.importer import ImportOutcome, import_package
from core.packages.keys import (
    SIGNING,
    KeyProblem,
    LocalKeys,
    PassphraseSource,
    PublicIdentity,
    keys_dir_for,
    passphrase_delay,
)
from core.packages.origin_audit import Finding, audit_origins
from core.packages.overview import (
    InstitutionStatus,
    SharedPerson,
    institutions_overview,
    people_at_several_schools,
)
from core.packages.reader import import_order
from core.packages.trust import (
    Recipient,
    TrustOutcome,
    recipient,
    record_own_fingerprint,
    trust_identity,
)
from core.packages.trust import trusted_keys as stored_trusted_keys
from core.packages.writer import ExportResult, export_package
from core.safety.audit import (
    KEYS,
    PASSPHRASE_RIGHT,
    PASSPHRASE_WRONG,
    own_actions_since,
    record_event,
)
from models.database import Database


@dataclass(frozen=True)
class Installation:
    """Who this installation is, as the exchange needs it."""

    uscc: str
    name: str
    role: str
    division_code: str


@dataclass(frozen=True)
class TrustedKeyView:
    uscc: str
    name: str
    purpose: str
    role: str | None
    division_code: str | None
    fingerprint: str
    source: str
    first_seen: datetime


@dataclass(frozen=True)
class ExchangeState:
    """Everything the 数据交换 page shows; the lists are empty at a school."""

    installation: Installation
    fingerprint: str | None
    key_problem: str | None
    recipient: Recipient | None
    institutions: list[InstitutionStatus]
    conflicts: list[ConflictView]


@dataclass(frozen=True)
class Refusal:
    """A package of a batch that was refused, and why (nothing of it was written)."""

    path: Path
    reason: str


Checked = ImportOutcome | Refusal


def installation(database: Database) -> Installation | None:
    with database.session() as session:
        own = local_institution(session)
        if own is None:
            return None
        return Installation(own.uscc, own.name, own.role, own.division_code)


#: Told before a passphrase check waits: the wrong passphrases so far, and the seconds.
WaitNotice = Callable[[int, float], None]


class PassphraseAttempts:
    """The guard of this installation's key passphrase, counted in the audit log.

    The count is the installation's own 口令错误 entries since its last 口令正确 entry: kept
    in the database it survives a restart (closing the window or starting the command again
    does not start a fresh count) and needs no state of its own; entries from other
    institutions' packages have their own origin and do not count. A right passphrase after
    wrong ones is recorded (口令正确) and starts the count again. Each entry is written in a
    transaction of its own, so a wrong passphrase stays on record when the job it was for
    stops. The wait goes through this module's ``sleep`` (tests replace it).
    """

    def __init__(self, database: Database, on_wait: WaitNotice | None = None) -> None:
        self.database = database
        self.on_wait = on_wait

    def failures_in_a_row(self) -> int:
        with self.database.session() as session:
            return own_actions_since(session, PASSPHRASE_WRONG, PASSPHRASE_RIGHT)

    def before_check(self) -> None:
        failures = self.failures_in_a_row()
        delay = passphrase_delay(failures)
        if delay:
            if self.on_wait is not None:
                self.on_wait(failures, delay)
            sleep(delay)

    def failed(self) -> int:
        failures = self.failures_in_a_row() + 1
        record_event(
            self.database, PASSPHRASE_WRONG, KEYS, f"密钥口令不正确（连续第 {failures} 次）"
        )
        return failures

    def succeeded(self) -> None:
        failures = self.failures_in_a_row()
        if failures:
            record_event(
                self.database, PASSPHRASE_RIGHT, KEYS, f"密钥口令正确（此前连续错误 {failures} 次）"
            )


def installation_keys(
    database: Database, passphrase: PassphraseSource, on_wait: WaitNotice | None = None
) -> LocalKeys | None:
    """This installation's keys (None before it is registered); nothing is read yet. Every
    check of their passphrase is counted and, after five wrong ones in a row, slowed
    (``PassphraseAttempts``); ``on_wait`` hears of each wait before it starts."""
    own = installation(database)
    if own is None:
        return None
    guard = PassphraseAttempts(database, on_wait)
    return LocalKeys(keys_dir_for(database), own.uscc, own.role, passphrase, guard)


def _registered(database: Database) -> Installation:
    own = installation(database)
    if own is None:
        raise KeyProblem("本机构尚未登记：请先完成初始设置（init）")
    return own


def exchange_state(database: Database, keys: LocalKeys) -> ExchangeState:
    """The page's state; a school's signing key is made here on first use (no passphrase)."""
    own = _registered(database)
    fingerprint: str | None = None
    problem: str | None = None
    try:
        if not keys.is_bureau:
            keys.ensure()
        if keys.exists():
            with database.session() as session:
                fingerprint = record_own_fingerprint(session, keys.public_key(SIGNING))
                session.commit()
    except (KeyProblem, OSError) as exc:
        problem = f"无法读取或生成密钥（{exc}）"
    receiving = own.role != "school"
    return ExchangeState(
        installation=own,
        fingerprint=fingerprint,
        key_problem=problem,
        recipient=bureau_recipient(database),
        institutions=institutions_received(database) if receiving else [],
        conflicts=conflicts_open(database) if receiving else [],
    )


def bureau_recipient(database: Database) -> Recipient | None:
    """The bureau this installation's packages are encrypted to, if its key is trusted."""
    with database.session() as session:
        return recipient(session)


def institutions_received(database: Database) -> list[InstitutionStatus]:
    with database.session() as session:
        return institutions_overview(session)


def conflicts_open(database: Database) -> list[ConflictView]:
    with database.session() as session:
        return open_conflicts(session)


def shared_people(database: Database) -> list[SharedPerson]:
    with database.session() as session:
        return people_at_several_schools(session)


def trusted_keys(database: Database) -> list[TrustedKeyView]:
    """The other institutions' keys trusted here, each with the identity it is bound to."""
    with database.session() as session:
        return [
            TrustedKeyView(
                uscc=key.uscc,
                name=key.institution_name,
                purpose=key.purpose,
                role=key.role,
                division_code=key.division_code,
                fingerprint=key.fingerprint,
                source=key.source,
                first_seen=key.first_seen,
            )
            for key in stored_trusted_keys(session)
        ]


def create_keys(database: Database, keys: LocalKeys, passphrase: str | None) -> str:
    """Make this installation's keys (a bureau's under ``passphrase``); their fingerprint."""
    if keys.exists():
        raise KeyProblem(f"本机构的密钥已存在（{keys.path(SIGNING)}），未做改动")
    keys.create(passphrase)
    with database.session() as session:
        fingerprint = record_own_fingerprint(session, keys.public_key(SIGNING))
        session.commit()
    return fingerprint


def export_public_key(database: Database, keys: LocalKeys, path: Path) -> PublicIdentity:
    """Write this installation's public key file (.certkey) for the other side to trust."""
    own = _registered(database)
    keys.ensure()
    identity = keys.export_public(own.name, own.division_code, path)
    with database.session() as session:
        record_own_fingerprint(session, identity.signing_key)
        session.commit()
    return identity


def trust_key_file(database: Database, identity: PublicIdentity) -> TrustOutcome:
    """Trust a verified public key file, binding its key to its code, role and prefecture."""
    own = _registered(database)
    with database.session() as session:
        outcome = trust_identity(session, identity, own.uscc)
        session.commit()
    return outcome


#: How the audit log and the notice name an unencrypted package.
UNENCRYPTED_PACKAGE = "未加密的数据包"


def needs_unencrypted(database: Database) -> bool:
    """True when no bureau key is trusted yet: the next package could only go unencrypted,
    with every ID and phone number readable by whoever holds the file (ask first)."""
    with database.session() as session:
        return recipient(session) is None


def export_next_package(
    database: Database,
    keys: LocalKeys,
    folder: Path,
    *,
    full: bool = False,
    unencrypted: bool = False,
    progress: ProgressFn = no_progress,
) -> ExportResult:
    """Write the next package; an unencrypted one is a file with full numbers, audited so."""
    result = export_package(
        database, keys, folder, full=full, unencrypted=unencrypted, progress=progress
    )
    if result.manifest.sealing is None:  # the path is known only once written: audited now
        people = result.manifest.record_counts.get("trainees", 0)
        package = FullNumberFile(UNENCRYPTED_PACKAGE, people, "未加密报送")
        write_full_number_file(database, package, result.path, lambda _path: None)
    return result


def import_packages(
    database: Database,
    keys: LocalKeys,
    paths: Iterable[Path],
    *,
    dry_run: bool,
    accept_new: Container[str] = frozenset(),
    progress: ProgressFn = no_progress,
    before_each: Callable[[], None] = lambda: None,
) -> list[Checked]:
    """Each package in its sender's sequence order, each in its own transaction.

    A refused package is reported and the others go on; a KeyProblem (this installation's own
    keys: a wrong passphrase) stops the batch. ``before_each`` lets the GUI's cancel stop
    between packages.
    """
    results: list[Checked] = []
    for path in import_order(list(paths)):
        before_each()
        try:
            results.append(
                import_package(
                    database,
                    path,
                    keys,
                    dry_run=dry_run,
                    accept_new=accept_new,
                    progress=progress,
                )
            )
        except PackageError as exc:
            results.append(Refusal(path, str(exc)))
    return results


def resolve_conflicts(
    database: Database, conflict_ids: Iterable[int], take_incoming: bool
) -> list[str]:
    """Settle each conflict in its own transaction; the reasons of those that could not be."""
    problems = []
    for conflict_id in conflict_ids:
        with database.session() as session:
            try:
                resolve_conflict(session, conflict_id, take_incoming)
            except PackageError as exc:
                problems.append(f"冲突 {conflict_id}：{exc}")
                continue
            session.commit()
    return problems


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
