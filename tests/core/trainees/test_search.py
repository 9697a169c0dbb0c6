"""The trainee pickers find people by name, ID number (either end) and phone."""

from __future__ import annotations

import pytest

from core.identity.idcard import id_check_char
from core.trainees.search import find_trainees
from models.database import Database
from models.trainee import Trainee


def make_id(born: str, serial: int) -> str:
    first17 = f"140105{born}{serial:03d}"
    return first17 + id_check_char(first17)


PEOPLE = [
    ("张伟", make_id("19900307", 121), "13800001111"),
    ("张伟民", make_id("19910101", 132), "13900002222"),
    ("李娜", make_id("19920202", 142), "15011113333"),
]


@pytest.fixture
def people(school: Database) -> Database:
    with school.session() as session:
        session.add_all(Trainee(name=n, id_number=i, phone=p) for n, i, p in PEOPLE)
        session.commit()
    return school


def names(db: Database, text: str) -> list[str]:
    with db.session() as session:
        return [hit.name for hit in find_trainees(session, text)]


def test_by_name_prefix(people: Database) -> None:
    assert names(people, "张伟") == ["张伟", "张伟民"]
    assert names(people, " 李 ") == ["李娜"]
    assert names(people, "伟") == []


def test_by_id_number_start_or_end(people: Database) -> None:
    assert names(people, PEOPLE[2][1][:10]) == ["李娜"]
    assert names(people, PEOPLE[1][1][-6:].lower()) == ["张伟民"]


def test_by_phone_start_or_end(people: Database) -> None:
    assert names(people, "139") == ["张伟民"]
    assert names(people, "3333") == ["李娜"]


def test_short_digits_match_only_the_start(people: Database) -> None:
    assert names(people, "11") == []


def test_nothing_for_nothing(people: Database) -> None:
    assert names(people, "  ") == []


def test_the_limit_is_kept(people: Database) -> None:
    with people.session() as session:
        assert len(find_trainees(session, "张", limit=1)) == 1
