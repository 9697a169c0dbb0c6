"""The trainee table model: searches, orders, windows, masking, and Qt's model contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import insert

import gui.trainee_table as table
from core.identity.idcard import id_check_char
from core.trainees import search
from gui.trainee_table import COLUMNS, TraineeTableModel
from models.bookkeeping import sync_columns
from models.database import Database
from models.trainee import Trainee

ORIGIN = "12140000676444728G"
SURNAMES = "王李张刘陈"
GIVEN = "伟芳娜敏静丽强磊"
KEYS = [c.key for c in COLUMNS]
NAME, ID_NUMBER, PHONE = KEYS.index("name"), KEYS.index("id_number"), KEYS.index("phone")


def person(n: int) -> dict[str, object]:
    """Trainee ``n``: valid unique ID number, phone 139000000nn, names in five surnames."""
    first17 = f"140105{2000 + n % 5}0{1 + n % 9}1{n % 10}{n:03d}"
    return {
        "name": SURNAMES[n % 5] + GIVEN[n % 8] + GIVEN[n // 8 % 8],
        "gender": "男" if n % 2 else "女",
        "id_number": first17 + id_check_char(first17),
        "phone": f"139{n:08d}",
        "major": "数控技术",
        "graduation_year": 2021 + n % 3 if n % 4 else None,
        **sync_columns(ORIGIN),
    }


PEOPLE = [person(n) for n in range(1, 121)]


@pytest.fixture
def people(school: Database) -> Database:
    with school.session() as session:
        session.execute(insert(Trainee), PEOPLE)
        session.commit()
    return school


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows and limits small enough for 120 trainees to need several of each."""
    monkeypatch.setattr(search, "NARROW_LIMIT", 10)
    monkeypatch.setattr(table, "FIRST_WINDOW", 7)
    monkeypatch.setattr(table, "NEXT_WINDOW", 11)
    monkeypatch.setattr(table, "PAGE", 5)
    monkeypatch.setattr(table, "CACHE_ROWS", 12)


@pytest.fixture
def model(people: Database) -> Iterator[TraineeTableModel]:
    yield TraineeTableModel(people)


def text(model: TraineeTableModel, row: int, column: int) -> str:
    return model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)


def all_rows(model: TraineeTableModel) -> list[int]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.trainee_id(row) for row in range(model.rowCount())]  # type: ignore[misc]


def test_the_model_keeps_qts_contract(model: TraineeTableModel, qtmodeltester) -> None:
    qtmodeltester.check(model, force_py=True)
    model.set_search("王")
    qtmodeltester.check(model, force_py=True)


def test_the_contract_holds_across_windows(
    people: Database, small_windows: None, qtmodeltester
) -> None:
    model = TraineeTableModel(people)
    assert model.rowCount() == 7 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model, force_py=True)


def test_newest_first_with_masked_numbers(model: TraineeTableModel) -> None:
    assert model.rowCount() == table.FIRST_WINDOW and model.total == 120
    assert model.status_text() == "共 120 名学员"
    newest = PEOPLE[-1]
    number, phone = str(newest["id_number"]), str(newest["phone"])
    assert text(model, 0, NAME) == newest["name"]
    assert text(model, 0, ID_NUMBER) == f"{number[:6]}********{number[-4:]}"
    assert text(model, 0, PHONE) == f"139****{phone[-4:]}"


def test_revealing_shows_the_full_numbers(model: TraineeTableModel, qtbot) -> None:
    with qtbot.waitSignal(model.dataChanged):
        model.set_reveal(True)
    assert text(model, 0, ID_NUMBER) == PEOPLE[-1]["id_number"]
    assert text(model, 0, PHONE) == PEOPLE[-1]["phone"]
    model.set_reveal(False)
    assert "*" in text(model, 0, ID_NUMBER)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("王伟", [p for p in PEOPLE if str(p["name"]).startswith("王伟")]),
        (str(PEOPLE[41]["id_number"])[-4:], [PEOPLE[41]]),
        (str(PEOPLE[41]["id_number"])[-6:].lower(), [PEOPLE[41]]),
        ("1390000011", [p for p in PEOPLE if str(p["phone"]).startswith("1390000011")]),
        ("0117", [PEOPLE[116]]),  # the end of a phone number
        ("不在表中", []),
    ],
)
def test_narrow_searches_are_exact(
    model: TraineeTableModel, search: str, expected: list[dict[str, object]]
) -> None:
    model.set_search(search)
    assert model.total == len(expected)
    model.set_reveal(True)
    shown = {text(model, row, ID_NUMBER) for row in range(model.rowCount())}
    assert shown == {p["id_number"] for p in expected}
    assert model.status_text() == f"找到 {len(expected)} 名学员"


def test_a_broad_search_loads_in_windows(people: Database, small_windows: None) -> None:
    model = TraineeTableModel(people)
    model.set_search("14")  # every ID number starts with 14
    assert model.total is None and model.rowCount() == 7
    assert "还有更多" in model.status_text()
    ids = all_rows(model)
    assert len(ids) == 120 and len(set(ids)) == 120
    assert ids == sorted(ids, reverse=True)
    assert model.total == 120 and not model.canFetchMore(QModelIndex())


def test_rows_evicted_from_the_cache_come_back(people: Database, small_windows: None) -> None:
    model = TraineeTableModel(people)
    all_rows(model)
    names = [text(model, row, NAME) for row in range(model.rowCount())]
    assert names == [p["name"] for p in reversed(PEOPLE)]


def test_row_of_loads_windows_until_found(people: Database, small_windows: None) -> None:
    model = TraineeTableModel(people)
    oldest = model.row_of(1)
    assert oldest == 119 and model.trainee_id(oldest) == 1
    assert model.row_of(10_000) is None


def test_sorting_is_done_by_the_database(model: TraineeTableModel) -> None:
    model.sort(NAME, Qt.SortOrder.AscendingOrder)
    all_rows(model)
    names = [text(model, row, NAME) for row in range(model.rowCount())]
    assert names == sorted(names)
    year = KEYS.index("graduation_year")
    model.sort(year, Qt.SortOrder.DescendingOrder)
    all_rows(model)
    years = [text(model, row, year) for row in range(model.rowCount())]
    assert years[0] == "2023" and years[-1] == ""
    model.set_search("王")
    assert all(text(model, row, NAME).startswith("王") for row in range(model.rowCount()))
    assert text(model, 0, year) == "2023"


def test_a_broad_search_in_name_order(people: Database, small_windows: None) -> None:
    model = TraineeTableModel(people)
    model.sort(NAME, Qt.SortOrder.DescendingOrder)
    model.set_search("139")
    all_rows(model)
    names = [text(model, row, NAME) for row in range(model.rowCount())]
    assert len(names) == 120 and names == sorted(names, reverse=True)


def test_refresh_sees_new_trainees(model: TraineeTableModel, people: Database) -> None:
    with people.session() as session:
        session.execute(insert(Trainee), [person(500)])
        session.commit()
    assert model.total == 120
    model.refresh()
    assert model.total == 121 and text(model, 0, NAME) == person(500)["name"]


def test_headers_and_ids(model: TraineeTableModel) -> None:
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(len(COLUMNS))]
    assert headers[:4] == ["姓名", "性别", "身份证号", "手机号"]
    assert model.data(model.index(0, 0), table.TRAINEE_ID_ROLE) == model.trainee_id(0)
    assert model.trainee_id(10_000) is None


def test_narrow_and_broad_searches_on_each_backend(any_database: Database, small_windows) -> None:
    """A bureau may keep its database on PostgreSQL: the table's queries must run there too."""
    from core.institution import register_local_institution
    from tests.conftest import SCHOOL

    with any_database.session() as session:
        register_local_institution(session, SCHOOL)
        session.execute(insert(Trainee), PEOPLE)
        session.commit()
    model = TraineeTableModel(any_database)
    model.set_search("王伟")  # narrow: at most NARROW_LIMIT matches, ordered by id list
    narrow = all_rows(model)
    assert narrow and all(text(model, r, NAME).startswith("王伟") for r in range(len(narrow)))
    tail = str(PEOPLE[7]["id_number"])[-4:]  # last four digits, through the tail indexes
    model.set_search(tail)
    expected = {p["name"] for p in PEOPLE if str(p["id_number"]).endswith(tail)}
    expected |= {p["name"] for p in PEOPLE if str(p["phone"]).endswith(tail)}
    assert {text(model, r, NAME) for r in range(model.rowCount())} == expected
    model.set_search("王")  # broad: walked in windows
    assert len(all_rows(model)) == sum(1 for p in PEOPLE if str(p["name"]).startswith("王"))
