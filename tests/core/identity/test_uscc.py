"""统一社会信用代码 (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.identity.uscc import ALPHABET, UsccCheck, check_uscc, uscc_check_char
from tests.core.strategies import USCC_ALPHABET, noisy, uscc_check, usccs

SEED_CODE = "12140000676444728G"  # 山西机械高级技工学校, as printed in the seed's Annex 4


def assert_private(result: UsccCheck, *codes: str) -> None:
    for text in result.errors + result.warnings:
        for code in codes:
            assert code not in text, text


def test_the_seed_example_is_valid_and_explained():
    result = check_uscc(SEED_CODE)
    assert result.ok, result.errors
    assert result.value == SEED_CODE
    assert result.authority == "机构编制"
    assert result.category == "事业单位"
    assert result.division_code == "140000"
    assert result.region == "山西省"
    assert result.warnings == ()


def test_alphabets_agree():
    assert ALPHABET == USCC_ALPHABET
    assert not set("IOSVZ") & set(ALPHABET)
    assert len(ALPHABET) == 31


def test_check_char():
    assert uscc_check_char(SEED_CODE[:17]) == "G"
    with pytest.raises(ValueError):
        uscc_check_char("12140000I76444728")


@given(usccs())
def test_every_valid_code_passes(code):
    result = check_uscc(code)
    assert result.ok, result.errors
    assert result.value == code
    assert result.division_code == code[2:8]
    assert_private(result, code)


@given(st.data(), usccs())
def test_copy_paste_noise_is_normalised_away(data, code):
    pasted = data.draw(noisy(code))
    result = check_uscc(pasted)
    assert result.ok, (pasted, result.errors)
    assert result.value == code


@given(usccs())
def test_every_single_substitution_is_refused(code):
    for index, original in enumerate(code):
        for ch in USCC_ALPHABET:
            if ch == original:
                continue
            mutated = code[:index] + ch + code[index + 1 :]
            result = check_uscc(mutated)
            assert not result.ok, (index, ch)
            assert_private(result, mutated, code)


@given(usccs())
def test_every_adjacent_transposition_is_refused(code):
    for index in range(len(code) - 1):
        a, b = code[index], code[index + 1]
        if a == b:
            continue
        swapped = code[:index] + b + a + code[index + 2 :]
        result = check_uscc(swapped)
        assert not result.ok, index
        assert_private(result, swapped, code)


def test_lowercase_and_spaces_are_normalised():
    assert check_uscc(" 1214 0000 6764 4472 8g ").value == SEED_CODE
    assert check_uscc("１２１４００００６７６４４４７２８Ｇ").value == SEED_CODE


@pytest.mark.parametrize("value", [None, "", "  ", "\u200b"])
def test_empty(value):
    assert check_uscc(value).errors == ("不能为空",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (SEED_CODE[:17], "应为18位，实为17位"),
        (SEED_CODE + "1", "应为18位，实为19位"),
    ],
)
def test_wrong_length(value, expected):
    result = check_uscc(value)
    assert result.errors == (expected,)
    assert_private(result, value)


def test_old_registration_number_and_organisation_code_are_recognised():
    assert "工商注册号" in check_uscc("140100100012345").errors[0]
    assert "组织机构代码" in check_uscc("67644472-8").errors[0]


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters_are_named(letter):
    code = SEED_CODE[:12] + letter + SEED_CODE[13:]
    result = check_uscc(code)
    assert result.errors[0].startswith(f"第13位“{letter}”是不允许的字母")
    assert_private(result, code)


def test_other_characters_are_named():
    result = check_uscc(SEED_CODE[:10] + "-" + SEED_CODE[11:])
    assert result.errors == ("第11位“-”不是数字或大写字母",)


def test_division_part_must_be_digits():
    body = "12" + "14A000" + SEED_CODE[8:17]
    result = check_uscc(body + uscc_check(body))
    assert result.errors[0].startswith("第5位“A”应为数字")


def test_wrong_check_character_does_not_reveal_the_right_one():
    result = check_uscc(SEED_CODE[:17] + "H")
    assert result.errors == ("校验位不符，代码有误（可能有字符录错或顺序颠倒）",)


def test_excel_damage_of_an_all_digit_code():
    body = "91140100123456789"
    code = body + uscc_check(body)
    assert check_uscc(code).ok
    damaged = check_uscc(int(body + "0"))
    assert "Excel" in damaged.errors[0]
    assert "Excel" in check_uscc("9.11401E+17").errors[0]


def test_letter_e_in_a_code_is_not_taken_for_scientific_notation():
    body = "911401001234E5678"
    code = body + uscc_check(body)
    assert check_uscc(code).ok


def test_unknown_authority_is_a_warning_only():
    body = "B1140000676444728"
    result = check_uscc(body + uscc_check(body))
    assert result.ok
    assert result.authority is None
    assert result.warnings == ("第1位“B”不是已知的登记管理部门代码，请核对",)


def test_shanxi_county_region():
    body = "52140105MJY123456"
    result = check_uscc(body + uscc_check(body))
    assert result.ok
    assert result.category == "民办非企业单位"
    assert result.region is not None and "小店区" in result.region
