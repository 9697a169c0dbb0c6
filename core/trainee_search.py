"""Finding a trainee by what a clerk has at hand: a name, the last digits of an ID, a phone.

Used by the pickers of the certificate dialog and the class roster, which show a handful of
matches as the clerk types; so every branch is a prefix range on an indexed column, except
the ID-suffix match, which a clerk asks for only with at least four digits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from core.textnorm import normalize_code
from models.bookkeeping import local_origin
from models.trainee import Trainee

#: Fewer digits than this match too many ID numbers by their end to be worth a scan.
MIN_SUFFIX_DIGITS = 4
#: More digits than this are the start of a number being typed, not its last digits (a
#: clerk reads the last 4 off a masked list, or says 后六位); sparing the scan keeps typing
#: a whole ID number or phone fast on a large table.
MAX_SUFFIX_DIGITS = 6


@dataclass(frozen=True)
class TraineeHit:
    id: int
    name: str
    gender: str
    id_number: str
    phone: str
    employer: str
    class_name: str


def prefix_match(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """``column`` starts with ``text``, as a range an index can answer.

    Not LIKE: in SQLite LIKE is case-insensitive and never uses an index.
    """
    return and_(column >= text, column < text + "\U0010ffff")


@dataclass(frozen=True)
class SearchTerms:
    """What a search text matches, split by cost: the trainee table plans its query by it.

    ``ranges`` are prefix ranges an index answers; ``suffixes`` match the last digits, found
    through the four-character tail columns' indexes and then checked in full.
    """

    ranges: tuple[ColumnElement[bool], ...] = ()
    suffixes: tuple[ColumnElement[bool], ...] = ()

    def condition(self) -> ColumnElement[bool] | None:
        """All terms OR-ed together; None when the text matches nothing in particular."""
        terms = (*self.ranges, *self.suffixes)
        return or_(*terms) if terms else None


def search_terms(text: str) -> SearchTerms:
    """A name prefix, or digits matching the start of an ID number or phone (or their end)."""
    raw = " ".join(text.split())
    code = normalize_code(text)
    if not code:
        return SearchTerms()
    if code.rstrip("X").isdigit():
        ranges = (prefix_match(Trainee.id_number, code), prefix_match(Trainee.phone, code))
        if not MIN_SUFFIX_DIGITS <= len(code) <= MAX_SUFFIX_DIGITS:
            return SearchTerms(ranges)
        tail = code[-4:]
        suffixes = (
            and_(Trainee.id_number_tail == tail, Trainee.id_number.endswith(code, autoescape=True)),
            and_(Trainee.phone_tail == tail, Trainee.phone.endswith(code, autoescape=True)),
        )
        return SearchTerms(ranges, suffixes)
    return SearchTerms((prefix_match(Trainee.name, raw.replace(" ", "")),))


def find_trainees(session: Session, text: str, limit: int = 20) -> list[TraineeHit]:
    """This institution's trainees matching ``text``, by name; nothing for an empty text."""
    condition = search_terms(text).condition()
    if condition is None:
        return []
    query = (
        select(Trainee)
        .where(condition, Trainee.origin == local_origin(session))
        .order_by(Trainee.name, Trainee.id)
        .limit(limit)
    )
    return [_hit(t) for t in session.scalars(query)]


def _hit(trainee: Trainee) -> TraineeHit:
    return TraineeHit(
        id=trainee.id,
        name=trainee.name,
        gender=trainee.gender,
        id_number=trainee.id_number,
        phone=trainee.phone,
        employer=trainee.employer,
        class_name=trainee.class_name,
    )


def trainee_hit(session: Session, trainee_id: int) -> TraineeHit | None:
    """One trainee as the pickers describe them, to show who an existing record belongs to."""
    trainee = session.get(Trainee, trainee_id)
    return None if trainee is None else _hit(trainee)
