"""Resident ID numbers: what is stored, what is refused, and what the clerk is told."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import reference
from core.identity.idcard import IdCheck, check_id_number, id_check_char, mask_id_number
from tests.core.strategies import ID_CHARS, TODAY, id_check, id_numbers, noisy


def make(code6: str, born: str, seq: str = "123") -> str:
    """A valid number with the given division code, birth date YYYYMMDD and sequence."""
    body = code6 + born + seq
    return body + id_check(body)


def with_check(body17: str, wrong: bool = False) -> str:
    right = id_check(body17)
    if not wrong:
        return body17 + right
    return body17 + ("0" if right != "0" else "1")


def messages(result: IdCheck) -> tuple[str, ...]:
    return result.errors + result.warnings


def assert_private(result: IdCheck, *numbers: str) -> None:
    """No message may carry a whole number: they end up in logs and screenshots."""
    for text in messages(result):
        for number in numbers:
            assert number not in text, text


SHANXI = make("140105", "19900307", "123")  # 山西省太原市小店区, male


# --- properties -------------------------------------------------------------------------


@given(id_numbers())
def test_every_valid_number_passes(number):
    result = check_id_number(number, today=TODAY)
    assert result.ok, result.errors
    assert result.value == number
    assert result.gender == ("男" if int(number[16]) % 2 else "女")
    assert result.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert result.region
    assert_private(result, number)


@given(st.data(), id_numbers())
def test_copy_paste_noise_is_normalised_away(data, number):
    pasted = data.draw(noisy(number))
    result = check_id_number(pasted, today=TODAY)
    assert result.ok, (pasted, result.errors)
    assert result.value == number


@given(id_numbers())
def test_every_single_substitution_is_refused(number):
    for index, original in enumerate(number):
        for ch in ID_CHARS:
            if ch == original:
                continue
            mutated = number[:index] + ch + number[index + 1 :]
            result = check_id_number(mutated, today=TODAY)
            assert not result.ok, (index, ch)
            assert result.value is None
            assert_private(result, mutated, number)


@given(id_numbers())
def test_every_adjacent_transposition_is_refused(number):
    for index in range(len(number) - 1):
        a, b = number[index], number[index + 1]
        if a == b:
            continue
        swapped = number[:index] + b + a + number[index + 2 :]
        result = check_id_number(swapped, today=TODAY)
        assert not result.ok, index
        assert_private(result, swapped, number)


def test_check_char_matches_the_standard_on_independent_computation():
    assert id_check_char(SHANXI[:17]) == SHANXI[17]
    assert id_check_char("11010519491231002") == "X"  # the example printed in GB 11643-1999
    with pytest.raises(ValueError):
        id_check_char("123")


# --- the number as the clerk sees it ----------------------------------------------------


def test_valid_shanxi_number_with_its_meaning():
    result = check_id_number(SHANXI, today=TODAY)
    assert result.ok and result.value == SHANXI
    assert result.gender == "男"
    assert result.birth_date == date(1990, 3, 7)
    assert result.region is not None and "小店区" in result.region
    assert result.warnings == ()


def test_female_number_and_city_level_code():
    number = make("140100", "20010101", "002")
    result = check_id_number(number, today=TODAY)
    assert result.ok
    assert result.gender == "女"
    assert result.region is not None and "太原市" in result.region


def test_lowercase_x_and_full_width_digits_are_normalised():
    body = "11010519491231002"
    assert id_check(body) == "X"
    fw = "".join(chr(ord(c) + 0xFEE0) for c in body) + "ｘ"
    for typed in (
        body + "x",
        fw,
        f" {body[:6]} {body[6:14]} {body[14:]}x\u200b",
        "\ufeff" + body + "X",
    ):
        result = check_id_number(typed, today=TODAY)
        assert result.ok, typed
        assert result.value == body + "X"


@pytest.mark.parametrize("value", [None, "", "   ", "\u200b\u3000", float("nan")])
def test_empty_is_refused(value):
    result = check_id_number(value, today=TODAY)
    assert result.errors == ("不能为空",)


@pytest.mark.parametrize(
    "cell",
    [
        140105199003071234,  # openpyxl: an int cell
        1.40105199003071e17,  # python-calamine: a float cell
        "1.40105E+17",  # the text Excel shows in a narrow column
        "1.40105e17",
        "140105199003071234.0",
    ],
)
def test_excel_damage_is_recognised_and_never_repaired(cell):
    result = check_id_number(cell, today=TODAY)
    assert not result.ok and result.value is None
    (message,) = result.errors
    assert "Excel" in message
    assert "文本" in message  # tells the clerk what to do
    assert_private(result, "140105199003071234", "14010519900307")


def test_excel_damage_message_shows_only_the_truncated_form():
    (message,) = check_id_number(140105199003071234, today=TODAY).errors
    assert "1.40105E+17" in message


def test_digits_zeroed_by_excel_then_turned_into_text():
    # Excel keeps 15 digits; 140105199003071234 comes back as 140105199003071000.
    result = check_id_number("140105199003071000", today=TODAY)
    assert not result.ok
    assert "Excel" in result.errors[0]
    lucky = next(
        body + "0"
        for body in (f"140105199003{d:02}{s}00" for d in range(1, 29) for s in range(10))
        if id_check(body) == "0"
    )
    assert lucky.endswith("000")
    passed = check_id_number(lucky, today=TODAY)
    assert passed.ok
    assert any("Excel" in w for w in passed.warnings)


def test_legacy_15_digit_number_is_recognised_but_refused():
    result = check_id_number("140105900307123", today=TODAY)
    assert not result.ok and result.value is None
    assert result.errors == ("这是15位旧身份证号（1999年前签发），请换成18位号码",)
    assert result.birth_date == date(1990, 3, 7)
    assert result.gender == "男"
    assert_private(result, "140105900307123")


def test_legacy_15_digit_number_stored_as_a_number_cell():
    # 15 digits fit in Excel's precision: the cell is intact and is recognised as legacy.
    result = check_id_number(140105900307124, today=TODAY)
    assert "15位旧身份证号" in result.errors[0]
    assert result.gender == "女"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (SHANXI[:17], "应为18位，实为17位"),
        (SHANXI + "1", "应为18位，实为19位"),
        ("1401051990", "应为18位，实为10位"),
    ],
)
def test_wrong_length(value, expected):
    result = check_id_number(value, today=TODAY)
    assert result.errors == (expected,)
    assert_private(result, value)


def test_illegal_character_is_named_with_its_position():
    number = SHANXI[:6] + "O" + SHANXI[7:]
    result = check_id_number(number, today=TODAY)
    assert result.errors[0].startswith("第7位“O”不是数字")
    assert_private(result, number, SHANXI)


def test_lowercase_letter_o_is_reported_as_the_letter():
    result = check_id_number(SHANXI[:10] + "o" + SHANXI[11:], today=TODAY)
    assert result.errors[0].startswith("第11位“O”不是数字")


def test_x_only_as_the_last_character():
    number = SHANXI[:8] + "X" + SHANXI[9:]
    result = check_id_number(number, today=TODAY)
    assert result.errors == ("第9位“X”只能作末位校验码",)


def test_invisible_leftover_is_shown_as_a_code_point():
    result = check_id_number(SHANXI[:5] + "\u0301" + SHANXI[6:], today=TODAY)
    assert "U+0301" in result.errors[0]


def test_many_bad_characters_are_summarised():
    result = check_id_number("张三李四王五赵六孙七周八吴九郑十冯陈", today=TODAY)
    assert len(result.errors) == 4  # three named, one summary, no length error (18 chars)
    assert "等共18处" in result.errors[3]


def test_future_birth_date():
    number = make("140105", "20250701")
    result = check_id_number(number, today=TODAY)
    assert result.errors == ("出生日期 2025-07-01 在未来",)
    assert check_id_number(number, today=date(2025, 7, 1)).ok


def test_birth_date_that_does_not_exist():
    number = with_check("140105" + "20230230" + "123")
    result = check_id_number(number, today=TODAY)
    assert result.errors == ("出生日期 2023-02-30 不存在",)
    assert check_id_number(with_check("14010520240229123"), today=TODAY).ok  # leap day


def test_birth_date_before_1900():
    result = check_id_number(make("140105", "18991231"), today=TODAY)
    assert result.errors == ("出生日期 1899-12-31 早于1900年",)


def test_wrong_check_character_does_not_reveal_the_right_one():
    number = with_check(SHANXI[:17], wrong=True)
    result = check_id_number(number, today=TODAY)
    assert result.errors == ("校验位不符，号码有误（可能有数字录错或顺序颠倒）",)
    assert "应为" not in result.errors[0]


@pytest.mark.parametrize("prefix", ["99", "00", "10", "16", "20", "39", "55", "72", "80", "84"])
def test_unknown_province_prefix(prefix):
    number = make(prefix + "0105", "19900307")
    result = check_id_number(number, today=TODAY)
    assert not result.ok
    assert f"前两位“{prefix}”不是有效的省级行政区划代码" in result.errors[0]
    assert_private(result, number)


def test_foreigners_permanent_residence_card_2023():
    number = make("914840", "19850615", "011")  # applied for in Shanxi, nationality 840
    result = check_id_number(number, today=TODAY)
    assert result.ok, result.errors
    assert result.gender == "男"
    assert result.birth_date == date(1985, 6, 15)
    assert result.region is not None and "外国人永久居留身份证" in result.region
    assert "山西省" in result.region


@pytest.mark.parametrize("code6", ["810000", "820000", "830000"])
def test_residence_permits_of_hong_kong_macao_taiwan_residents(code6):
    number = make(code6, "19951120", "024")
    result = check_id_number(number, today=TODAY)
    assert result.ok, result.errors
    assert result.gender == "女"
    assert result.region and "居住证" in result.region


def test_residence_permit_must_carry_the_exact_code():
    result = check_id_number(make("810105", "19951120"), today=TODAY)
    assert result.errors == ("港澳台居民居住证号码前6位应为810000",)


def test_other_province_gives_province_only_and_no_county_warning():
    result = check_id_number(make("110105", "19800101"), today=TODAY)
    assert result.ok
    assert result.region == "北京市"
    assert result.warnings == ()


def test_shanxi_county_not_in_the_list_is_valid_with_a_warning():
    number = make("140199", "19900307")
    result = check_id_number(number, today=TODAY)
    assert result.ok
    assert result.warnings == (
        "行政区划代码 140199 不在山西省区划表中（旧号码可能沿用已撤销的代码）",
    )
    assert result.region is not None and "太原市" in result.region
    assert_private(result, number)


def test_code_abolished_before_birth_is_valid_with_a_warning():
    abolished = next(d for d in reference.divisions() if d.valid_to and d.level == "county")
    year = abolished.valid_to
    assert year is not None
    before = check_id_number(make(abolished.code, f"{year - 5}0101"), today=TODAY)
    assert before.ok and before.warnings == ()
    assert before.region is not None and abolished.name in before.region
    after = make(abolished.code, f"{year + 1}0101")
    result = check_id_number(after, today=TODAY)
    assert result.ok
    (warning,) = result.warnings
    assert f"{abolished.code}" in warning and f"{year}年撤销" in warning
    assert_private(result, after)


def test_default_today_is_the_real_today():
    assert check_id_number(SHANXI).ok
    next_year = date.today().year + 1
    assert "在未来" in check_id_number(make("140105", f"{next_year}0101")).errors[0]


def test_result_invariant():
    with pytest.raises(ValueError):
        IdCheck(value="x", errors=("e",))
    with pytest.raises(ValueError):
        IdCheck(value=None)


# --- masking ----------------------------------------------------------------------------


def test_mask_id_number():
    assert mask_id_number("140105199003071234") == "140105********1234"
    assert mask_id_number(" 14010519900307123x ") == "140105********123X"
    assert mask_id_number("140105900307123") == "140105*****7123"
    assert mask_id_number("1234") == "****"
    assert mask_id_number("") == ""
