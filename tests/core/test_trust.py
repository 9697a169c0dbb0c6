"""Trust on first use per 统一社会信用代码, and the bureau packages are encrypted to."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from core.keys import ENCRYPTION, SIGNING, KeyProblem, PublicIdentity, fingerprint
from core.trust import (
    is_known_sender,
    recipient,
    trust_identity,
    trust_sender_on_first_use,
    trusted_key,
)
from core.uscc import uscc_check_char
from models.database import Database

OWN = "12140000676444728G"
CITY_BODY = "11140100MB0123456"
CITY_USCC = CITY_BODY + uscc_check_char(CITY_BODY)


def bureau_identity() -> PublicIdentity:
    return PublicIdentity(
        uscc=CITY_USCC,
        name="太原市教育局",
        role="city",
        division_code="140100",
        signing_key=Ed25519PrivateKey.generate().public_key().public_bytes_raw(),
        encryption_key=X25519PrivateKey.generate().public_key().public_bytes_raw(),
    )


def test_trusting_a_bureau_file_makes_it_the_recipient(school: Database) -> None:
    identity = bureau_identity()
    with school.session() as session:
        assert recipient(session) is None
        outcome = trust_identity(session, identity, OWN)
        assert outcome.newly_trusted and outcome.is_recipient
        session.commit()
    with school.session() as session:
        target = recipient(session)
        assert target is not None and target.uscc == CITY_USCC
        assert target.public_key == identity.encryption_key
        assert target.signing_fingerprint == identity.fingerprint
        again = trust_identity(session, identity, OWN)
        assert not again.newly_trusted
        encryption = trusted_key(session, CITY_USCC, ENCRYPTION)
        assert encryption is not None
        assert encryption.fingerprint == fingerprint(identity.encryption_key or b"")


def test_a_different_key_for_a_known_code_is_refused(school: Database) -> None:
    identity = bureau_identity()
    impostor = replace(
        identity, signing_key=Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    )
    with school.session() as session:
        trust_identity(session, identity, OWN)
        with pytest.raises(KeyProblem, match="与此前记录的不同"):
            trust_identity(session, impostor, OWN)
        with pytest.raises(KeyProblem, match="与此前记录的不同"):
            is_known_sender(session, CITY_USCC, "太原市教育局", impostor.signing_key)
        assert is_known_sender(session, CITY_USCC, "太原市教育局", identity.signing_key)


def test_own_or_invalid_files_are_refused(school: Database) -> None:
    with school.session() as session:
        with pytest.raises(KeyProblem, match="本机构自己"):
            trust_identity(session, replace(bureau_identity(), uscc=OWN), OWN)
        with pytest.raises(KeyProblem, match="统一社会信用代码无效"):
            trust_identity(session, replace(bureau_identity(), uscc="11140100MB012345X0"), OWN)


def test_first_use_trusts_a_sender_once(school: Database) -> None:
    key = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with school.session() as session:
        assert not is_known_sender(session, CITY_USCC, "太原市教育局", key)
        trust_sender_on_first_use(session, CITY_USCC, "太原市教育局", key)
        trust_sender_on_first_use(session, CITY_USCC, "太原市教育局", key)
        session.commit()
        stored = trusted_key(session, CITY_USCC, SIGNING)
        assert stored is not None and stored.source == "package"
