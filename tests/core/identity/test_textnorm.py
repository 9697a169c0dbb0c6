"""Normalising pasted codes and recognising what Excel did to long numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.identity.textnorm import (
    Checked,
    cell_text,
    excel_damage,
    normalize_code,
    remove_invisible,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("１４０１０５", "140105"),
        ("12345x", "12345X"),
        ("ｘ", "X"),
        (" 1 2\u30003\u00a04\t5\n", "12345"),
        ("1\u200b2\u200c3\u200d4\u20605\ufeff6\u00ad7\u200e8\u200f9\u202a0\u202c", "1234567890"),
        ("\u20281\u20292", "12"),
        ("ａｂｃ", "ABC"),
        ("", ""),
    ],
)
def test_normalize_code(typed, expected):
    assert normalize_code(typed) == expected


def test_normalize_code_leaves_real_mistakes_for_the_checks():
    # A letter O, a dash or a multiplication sign are not noise: the check must name them.
    assert normalize_code("14O1-05×") == "14O1-05×"


def test_remove_invisible_keeps_spaces():
    assert remove_invisible("0351\u200b 30\ufeff46505\x00") == "0351 3046505"


@pytest.mark.parametrize(
    "cell",
    [
        140105199003071234,
        1401051990030712,
        14010519900307123,
        1.40105199003071e17,
        1.4010519900307e15,
        "1.40105E+17",
        "1.40105e17",
        "1.40105199003071e+17",
        "1E+17",
        "１.４０１０５Ｅ＋１７",
        "140105199003071234.0",
        "140105199003071234.00",
    ],
)
def test_excel_damage_is_recognised(cell):
    message = excel_damage(cell)
    assert message is not None
    assert "Excel" in message
    assert "请在源文件中把该列设为文本后重新录入" in message
    assert "140105199003071" not in message  # at most the truncated scientific form


def test_excel_damage_message_shows_excel_s_short_form():
    assert "1.40105E+17" in (excel_damage(1.40105199003071e17) or "")
    assert "1.40105E+17" in (excel_damage("1.40105199003071e+17") or "")


@pytest.mark.parametrize(
    "cell",
    [
        None,
        True,
        False,
        13812345678,
        13812345678.0,
        140105900307123,  # 15 digits fit
        "13812345678.0",
        "140105199003071234",
        "14010519900307123X",
        "911401001234E56789",  # a real code with the letter E in it
        "12E5",
        Decimal("140105199003071234"),
        float("nan"),
        float("inf"),
        "",
    ],
)
def test_not_excel_damage(cell):
    assert excel_damage(cell) is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, ""),
        (8.0, "8"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("13812345678.0", "13812345678"),
        ("０３５１", "０３５１"),
        (1.5, "1.5"),
        (float("nan"), ""),
        (True, "TRUE"),
        (Decimal("12"), "12"),
    ],
)
def test_cell_text(cell, expected):
    assert cell_text(cell) == expected


def test_checked():
    assert Checked("a").ok
    bad = Checked(None, ("错",))
    assert not bad.ok
    assert Checked("a", warnings=("注意",)).ok
