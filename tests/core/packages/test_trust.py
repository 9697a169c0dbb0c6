"""A trusted key is bound to one code, role and prefecture; the bureau packages go to."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from core.identity.uscc import uscc_check_char
from core.packages.keys import ENCRYPTION, SIGNING, KeyProblem, PublicIdentity, fingerprint
from core.packages.trust import (
    SOURCE_PACKAGE,
    bind,
    check_claim,
    recipient,
    trust_identity,
    trusted_key,
)
from models.database import Database
from tests.conftest import school_database

OWN = "12140000676444728G"


@pytest.fixture
def registered(database: Database) -> Database:
    """A school's database (the package tests' ``school`` is a whole site, keys and all)."""
    return school_database(database)


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


def test_trusting_a_bureau_file_makes_it_the_recipient(registered: Database) -> None:
    identity = bureau_identity()
    with registered.session() as session:
        assert recipient(session) is None
        outcome = trust_identity(session, identity, OWN)
        assert outcome.newly_trusted and outcome.is_recipient
        session.commit()
    with registered.session() as session:
        target = recipient(session)
        assert target is not None and target.uscc == CITY_USCC
        assert target.public_key == identity.encryption_key
        assert target.signing_fingerprint == identity.fingerprint
        again = trust_identity(session, identity, OWN)
        assert not again.newly_trusted
        encryption = trusted_key(session, CITY_USCC, ENCRYPTION)
        assert encryption is not None
        assert encryption.fingerprint == fingerprint(identity.encryption_key or b"")


def test_a_different_key_for_a_known_code_is_refused(registered: Database) -> None:
    identity = bureau_identity()
    impostor = replace(
        identity, signing_key=Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    )
    with registered.session() as session:
        trust_identity(session, identity, OWN)
        with pytest.raises(KeyProblem, match="与此前记录的不同"):
            trust_identity(session, impostor, OWN)
        with pytest.raises(KeyProblem, match="与此前记录的不同"):
            check_claim(session, impostor)
        assert check_claim(session, identity) is not None


def test_own_or_invalid_files_are_refused(registered: Database) -> None:
    with registered.session() as session:
        with pytest.raises(KeyProblem, match="本机构自己"):
            trust_identity(session, replace(bureau_identity(), uscc=OWN), OWN)
        with pytest.raises(KeyProblem, match="统一社会信用代码无效"):
            trust_identity(session, replace(bureau_identity(), uscc="11140100MB012345X0"), OWN)


def test_first_use_binds_a_sender_once_with_its_role(registered: Database) -> None:
    identity = bureau_identity()
    with registered.session() as session:
        assert check_claim(session, identity) is None
        assert bind(session, identity, SOURCE_PACKAGE)
        assert not bind(session, identity, SOURCE_PACKAGE)
        session.commit()
        stored = trusted_key(session, CITY_USCC, SIGNING)
        assert stored is not None and stored.source == "package"
        assert (stored.role, stored.division_code) == ("city", "140100")


def test_a_known_key_claiming_another_role_or_city_is_refused(registered: Database) -> None:
    identity = bureau_identity()
    with registered.session() as session:
        trust_identity(session, identity, OWN)
        with pytest.raises(KeyProblem, match="已登记为市教育局，此次却自称省教育厅"):
            check_claim(session, replace(identity, role="province"))
        with pytest.raises(KeyProblem, match="行政区划已登记为 140100"):
            check_claim(session, replace(identity, division_code="140200"))
        # a county inside the same prefecture is the same bureau's area
        assert check_claim(session, replace(identity, division_code="140105")) is not None


def test_one_key_never_stands_for_two_codes(registered: Database) -> None:
    identity = bureau_identity()
    other_body = "11140200MB0223456"
    with registered.session() as session:
        trust_identity(session, identity, OWN)
        twin = replace(identity, uscc=other_body + uscc_check_char(other_body), name="大同市教育局")
        with pytest.raises(KeyProblem, match="同一密钥不能代表两个机构"):
            check_claim(session, twin)
        with pytest.raises(KeyProblem, match="同一密钥不能代表两个机构"):
            trust_identity(session, twin, OWN)


def test_a_key_trusted_before_roles_binds_only_the_school_role(registered: Database) -> None:
    identity = bureau_identity()
    with registered.session() as session:
        bind(session, identity, SOURCE_PACKAGE)
        stored = trusted_key(session, CITY_USCC, SIGNING)
        assert stored is not None
        stored.role = stored.division_code = None  # as migration 0002 leaves an unseen key
        with pytest.raises(KeyProblem, match="keys trust FILE"):
            check_claim(session, identity)
        as_school = replace(identity, role="school", division_code="140105")
        assert not bind(session, as_school, SOURCE_PACKAGE)
        assert (stored.role, stored.division_code) == ("school", "140105")
        # the key file of the real bureau now disagrees with what was bound: refused
        with pytest.raises(KeyProblem, match="已登记为学校"):
            trust_identity(session, identity, OWN)
