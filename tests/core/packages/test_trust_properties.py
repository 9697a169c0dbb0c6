"""Property tests of the trust model: whatever two schools send, each speaks only for itself.

Hypothesis plays two schools known to a city bureau. Each move is a package signed with one
school's own key that may claim any role or code, carry records and deletions of any origin
(its own, the other school's, the bureau's), under known or fresh UUIDs with any revision, as
the next package, a full one or a stale one; or the replay of an earlier package in another
order. After every move: a refused package left every table byte-identical, and an accepted
one changed no row of any origin but the signer's own.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from core.packages.format import PackageError
from tests.core.packages.forger import make_uscc, tombstone
from tests.core.packages.sites import CITY, bureau_keys_for, dump, make_site
from tests.core.packages.trust_world import (
    Speaker,
    World,
    bureau_recipient,
    person,
    rows_of,
    school_speaker,
)

SIGNERS = ("A", "B")
ORIGINS = ("A", "B", "city")


@dataclass(frozen=True)
class Item:
    kind: str  # "update" | "new" | "tombstone"
    origin: str  # one of ORIGINS
    target: str  # "A" | "B" | "fresh": whose existing trainee's UUID, or a new one
    revision: int


@dataclass(frozen=True)
class Move:
    signer: str
    role: str
    code: str  # "own" | "other" | "new"
    shape: str  # "next" | "full" | "stale" | "replay"
    items: tuple[Item, ...]
    replay: int


items = st.builds(
    Item,
    kind=st.sampled_from(("update", "new", "tombstone")),
    origin=st.sampled_from(ORIGINS),
    target=st.sampled_from(("A", "B", "fresh")),
    revision=st.integers(1, 6),
)
moves = st.builds(
    Move,
    signer=st.sampled_from(SIGNERS),
    role=st.sampled_from(("school", "school", "city", "province")),
    code=st.sampled_from(("own", "own", "other", "new")),
    shape=st.sampled_from(("next", "next", "full", "stale", "replay")),
    items=st.lists(items, max_size=3).map(tuple),
    replay=st.integers(0, 20),
)


def _record(item: Item, speakers: dict[str, Speaker], world: World) -> dict[str, Any]:
    origin = world.receiver.uscc if item.origin == "city" else speakers[item.origin].uscc
    known = speakers[item.target].trainees[0] if item.target in speakers else None
    if item.kind == "tombstone":
        uuid = known["uuid"] if known else person(origin)["uuid"]
        return tombstone(uuid, "trainees", origin, item.revision)
    if item.kind == "update" and known is not None:
        return {
            **known,
            "origin": origin,
            "name": f"改写{item.revision}",
            "revision": item.revision,
        }
    return person(origin, name=f"新增{item.revision}", revision=item.revision)


def _package(move: Move, speakers: dict[str, Speaker], world: World) -> Path:
    signer = speakers[move.signer]
    other = speakers["B" if move.signer == "A" else "A"]
    code = {"own": signer.uscc, "other": other.uscc, "new": make_uscc()}[move.code]
    claim = world.pose(signer, role=move.role, uscc=code)
    rows = [_record(i, speakers, world) for i in move.items]
    content: dict[str, Any] = {
        "records": {"trainees": [r for r in rows if "deleted_at" not in r]},
        "tombstones": [r for r in rows if "deleted_at" in r],
    }
    if move.shape == "stale":
        return world.package(signer, claim=claim, full=True, sequence=1, **content)
    return world.package(signer, claim=claim, full=move.shape == "full", **content)


@settings(max_examples=40, deadline=None)
@given(st.lists(moves, min_size=1, max_size=6))
def test_no_origin_changes_unless_its_own_school_sent_it(
    template_db: Path, all_bureau_keys: Path, script: list[Move]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        keys = bureau_keys_for(all_bureau_keys, CITY, folder / "key-copies")
        city = make_site(folder / "city", template_db, CITY, keys)
        try:
            world = World(city, folder / "packages", bureau_recipient(city, folder / "city-key"))
            speakers = {"A": school_speaker(1), "B": school_speaker(2, "140106")}
            for speaker in speakers.values():
                world.introduce(speaker)
            origins = [s.uscc for s in speakers.values()] + [city.uscc]
            sent: list[tuple[str, Path]] = []
            for move in script:
                if move.shape == "replay" and sent:
                    signer_name, path = sent[move.replay % len(sent)]
                else:
                    signer_name, path = move.signer, _package(move, speakers, world)
                    sent.append((signer_name, path))
                signer = speakers[signer_name]
                before_dump = dump(city.database)
                before = {origin: rows_of(city, origin) for origin in origins}
                try:
                    outcome = city.import_(path)
                except PackageError:
                    assert dump(city.database) == before_dump
                    continue
                signer.imported = max(signer.imported, outcome.manifest.sequence)
                for origin in origins:
                    if origin != signer.uscc:
                        assert rows_of(city, origin) == before[origin], (move, origin)
        finally:
            city.database.close()
