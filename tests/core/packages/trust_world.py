"""Schools and bureaus that speak only through forged packages, for the trust-model tests.

Every package here is built by ``forger`` from the documented format, signed with the sender's
own key: the honest ones by their rightful owner, the dishonest ones by a school that holds
nothing but its own key and the bureau's public key file, exactly the attacker of issue 13.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from core.packages.format import PackageError
from core.packages.importer import IMPORTED, ImportOutcome
from models.institution import Institution
from tests.core.packages.forger import (
    Recipient,
    SenderIdentity,
    forge_package,
    institution,
    make_uscc,
    recipient_from_key_file,
    trainee,
    valid_id_number,
)
from tests.core.packages.sites import Site, dump, synced_content

#: 太原's counties: the schools of the city bureau ``CITY`` (140100)
TAIYUAN_COUNTIES = ("140105", "140106", "140107", "140108", "140109", "140110", "140121")


@dataclass
class Speaker:
    """One sender: who it says it is, its key, and how far its chain has been imported."""

    identity: SenderIdentity
    institution: dict[str, Any]
    imported: int = 0
    trainees: list[dict[str, Any]] = field(default_factory=list)

    @property
    def uscc(self) -> str:
        return self.identity.uscc


def school_speaker(number: int, division: str = "140105") -> Speaker:
    code = make_uscc(f"52{division}MA{number:07d}")
    name = f"太原市第{number + 1}职业学校"
    identity = SenderIdentity(
        uscc=code,
        name=name,
        division_code=division,
        role="school",
        category="中职学校",
        signing_key=Ed25519PrivateKey.generate(),
    )
    record = institution(code, name=name, division_code=division)
    return Speaker(identity, record)


_BIRTHDAYS = itertools.count()


def person(origin: str, **over: Any) -> dict[str, Any]:
    """A trainee record whose ID number no other record of this test run has (the forger's
    are random, and a school's two trainees with one number would be a conflict)."""
    born = date(1990, 1, 1) + timedelta(days=next(_BIRTHDAYS))
    return trainee(origin, id_number=valid_id_number(born=born, male=True), gender="男", **over)


def random_uuid() -> str:
    return secrets.token_hex(16)


def bureau_recipient(site: Site, folder: Path) -> Recipient:
    folder.mkdir(parents=True, exist_ok=True)
    return recipient_from_key_file(site.public_key_file(folder))


def own_institution_record(site: Site) -> dict[str, Any]:
    with site.database.session() as session:
        row = session.scalars(select(Institution).where(Institution.is_local)).one()
        return {"uuid": row.uuid, "revision": row.revision}


@dataclass
class World:
    """A receiving bureau and the packages sent to it."""

    receiver: Site
    folder: Path
    recipient: Recipient

    def package(
        self,
        speaker: Speaker,
        *,
        claim: SenderIdentity | None = None,
        full: bool = False,
        sequence: int | None = None,
        **content: Any,
    ) -> Path:
        """The speaker's next package (not yet imported), optionally claiming another identity."""
        follows = speaker.imported or None
        if sequence is not None:  # a package made earlier: it followed what came before it
            follows = sequence - 1 or None
        kind = "full" if full or follows is None else "incremental"
        self.folder.mkdir(parents=True, exist_ok=True)
        return forge_package(
            self.folder / f"{random_uuid()}.certpkg",
            claim or speaker.identity,
            kind=kind,
            sequence=sequence if sequence is not None else speaker.imported + 1,
            follows=follows,
            recipient=self.recipient,
            **content,
        )

    def deliver(self, speaker: Speaker, **content: Any) -> ImportOutcome:
        """Send and import the speaker's next package, which must be accepted."""
        outcome = self.receiver.import_(self.package(speaker, **content))
        assert outcome.status == IMPORTED
        speaker.imported = max(speaker.imported, outcome.manifest.sequence)
        return outcome

    def introduce(self, speaker: Speaker, trainees: int = 2) -> ImportOutcome:
        """The speaker's first package: its institution and a few trainees."""
        speaker.trainees = [person(speaker.uscc, name=f"学员{i}") for i in range(trainees)]
        return self.deliver(
            speaker,
            records={"institutions": [speaker.institution], "trainees": speaker.trainees},
        )

    def pose(self, speaker: Speaker, **claim: Any) -> SenderIdentity:
        """The speaker's own key claiming another identity in the manifest."""
        return replace(speaker.identity, **claim)


def refused(site: Site, path: Path, match: str) -> None:
    """Importing ``path`` fails with ``match`` and leaves every table as it was, dry run too."""
    before = dump(site.database)
    for dry_run in (True, False):
        with pytest.raises(PackageError, match=match):
            site.import_(path, dry_run=dry_run)
    assert dump(site.database) == before


def rows_of(site: Site, origin: str) -> dict[str, dict[str, Any]]:
    """An origin's rows by UUID, without the times a package sets (for comparing states)."""
    content = synced_content(site.database, origin)
    return {
        f"{table}/{record['uuid']}": {k: v for k, v in record.items() if k != "updated_at"}
        for table, records in content.items()
        for record in records
    }
