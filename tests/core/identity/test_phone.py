"""Mobile and landline numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.identity.phone import check_landline, check_mobile, check_phone, mask_phone

mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "(+86)138-1234-5678",
        "0086 13812345678",
        "8613812345678",
        "１３８１２３４５６７８",
        "\u200b13812345678\u3000",
        13812345678,
        13812345678.0,
        "13812345678.0",
    ],
)
def test_mobile_forms_are_normalised(typed):
    result = check_mobile(typed)
    assert result.ok, result.errors
    assert result.value == "13812345678"
    assert result.kind == "mobile"


@given(mobiles)
def test_every_well_formed_mobile_passes(number):
    assert check_mobile(number).value == number
    assert check_mobile(int(number)).value == number
    assert check_mobile(float(number)).value == number
    assert check_phone(number).value == number


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1381234567", "手机号应为11位数字，以1开头；实为10位"),
        ("138123456789", "手机号应为11位数字，以1开头；实为12位"),
        ("23812345678", "手机号应以1开头"),
        ("03512345678", "手机号应以1开头（以0开头的是固定电话，请填写手机号）"),
        ("12812345678", "手机号第2位应为3–9，实为“2”"),
        ("1381234567a", "第11位“A”不是数字"),
        (None, "不能为空"),
        ("", "不能为空"),
        (" \u200b", "不能为空"),
    ],
)
def test_mobile_errors(typed, expected):
    result = check_mobile(typed)
    assert result.errors == (expected,)
    if isinstance(typed, str) and len(typed) > 8:
        assert all(typed not in m for m in result.errors)


def test_mobile_damaged_by_excel():
    result = check_mobile(1.38123456781234e16)
    assert "Excel" in result.errors[0]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0351-3046505", "0351-3046505"),
        ("0351 3046505", "0351-3046505"),
        ("(0351)3046505", "0351-3046505"),
        ("（0351）3046505", "0351-3046505"),
        ("03513046505", "0351-3046505"),
        ("０３５１－３０４６５０５", "0351-3046505"),
        ("0351—3046505", "0351-3046505"),
        ("0351 304 6505", "0351-3046505"),
        ("+86 351 3046505", "0351-3046505"),
        ("0351-3046505转123", "0351-3046505转123"),
        ("0351-3046505 转 123", "0351-3046505转123"),
        ("0351-3046505-123", "0351-3046505转123"),
        ("03513046505-123", "0351-3046505转123"),
        ("0351-3046505 分机88", "0351-3046505转88"),
        ("0351-3046505 ext. 88", "0351-3046505转88"),
        ("010-87654321", "010-87654321"),
        ("01087654321", "010-87654321"),
        ("022 2345 6789", "022-23456789"),
        ("0755-86001234", "0755-86001234"),
    ],
)
def test_landline_forms_are_normalised(typed, expected):
    result = check_landline(typed)
    assert result.ok, result.errors
    assert result.value == expected
    assert result.kind == "landline"
    assert check_phone(typed).value == expected


def test_landline_stored_as_a_number_gets_its_zero_back_with_a_warning():
    for cell in (3513046505, 3513046505.0):
        result = check_landline(cell)
        assert result.value == "0351-3046505"
        assert result.warnings and "0" in result.warnings[0]
    assert check_phone(3513046505).value == "0351-3046505"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3046505", "缺少区号，如 0351-3046505"),
        ("0351-30465", "本地号码应为7–8位，实为5位"),
        ("0351-304650512345678", "本地号码应为7–8位，实为15位"),
        ("0351-0465051", "本地号码不应以0或1开头"),
        ("035-13046505", "区号应为3位（010、020–029）或4位（其他地区），如 0351-3046505"),
        ("019-12345678", "区号“019”不存在"),
        ("013812345678", "手机号前不要加0"),
        ("0351-304650a", "第12位“a”不是数字"),
        ("0351-3046505转1234567", "分机号应不超过6位"),
        ("--", "没有数字；固定电话应带区号，如 0351-3046505"),
        ("", "不能为空"),
    ],
)
def test_landline_errors(typed, expected):
    assert check_landline(typed).errors == (expected,)


def test_phone_chooses_mobile_or_landline():
    assert check_phone("138 1234 5678").kind == "mobile"
    assert check_phone("0351-3046505").kind == "landline"
    assert check_phone("12345").errors == ("手机号应为11位数字，以1开头；实为5位",)
    assert check_phone("3046505").errors == ("缺少区号，如 0351-3046505",)
    assert check_phone("无").errors == (
        "应为手机号（11位，以1开头）或带区号的固定电话（如 0351-3046505）",
    )
    assert check_phone(None).errors == ("不能为空",)


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("0351-3046505") == "0351-****505"
    assert mask_phone("010-87654321") == "010-*****321"
    assert mask_phone("0351-3046505转123") == "0351-****505"
    assert mask_phone("1381234567") == "********67"
    assert mask_phone("12") == "**"
    assert mask_phone("") == ""
