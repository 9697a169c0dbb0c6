"""Personal numbers never reach a log, a message or an audit entry in full."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.base.privacy import (
    PrivacyFilter,
    full_numbers_notice,
    install_privacy_filter,
    is_personal_number_field,
    mask_field_value,
    mask_personal_numbers,
)
from core.identity.idcard import id_check_char

ID_NUMBER = "14010519900307" + "123"
ID_NUMBER += id_check_char(ID_NUMBER)
MOBILE = "13812345678"


@pytest.mark.parametrize(
    ("text", "hidden", "shown"),
    [
        (f"学员 {ID_NUMBER} 已存在", ID_NUMBER, "140105********"),
        (f"证书编号 T{ID_NUMBER}", ID_NUMBER, "T140105"),
        ("旧号码140105900307123。", "140105900307123", "140105"),
        (f"身份证号:{ID_NUMBER[:-1]}x", ID_NUMBER[6:14], "140105"),
        (f"电话 {MOBILE}，请联系", MOBILE, "138****5678"),
        ("+86 138-1234-5678", "1234-5678", "+86 138****5678"),
        ("8613812345678", "13812345678", "86138****5678"),
        ("138 1234 5678 是手机", "1234 5678", "138****5678"),
        ("办公室 0351-3046505", "3046505", "0351-"),
        (f"[parameters: ('{ID_NUMBER}', '{MOBILE}')]", MOBILE, "parameters"),
    ],
)
def test_masks_numbers_wherever_they_appear(text: str, hidden: str, shown: str) -> None:
    masked = mask_personal_numbers(text)
    assert hidden not in masked
    assert shown in masked


@pytest.mark.parametrize(
    "text",
    [
        "第12行 身份证号: 应为18位，实为17位",
        "备份 certdesk-20250301-142233-123456-manual.sqlite3",
        "统一社会信用代码 12140000676444728G",
        "行政区划 140105，2025-03-01 14:22",
        "共 100000 条，耗时 2.5 秒",
    ],
)
def test_leaves_other_text_alone(text: str) -> None:
    assert mask_personal_numbers(text) == text


def _id_numbers() -> st.SearchStrategy[str]:
    first17 = st.text(alphabet="0123456789", min_size=17, max_size=17)
    return first17.map(lambda d: d + id_check_char(d))


_NOT_DIGIT = st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=20)


@given(before=_NOT_DIGIT, number=_id_numbers(), after=_NOT_DIGIT)
def test_any_id_number_in_any_text_is_masked(before: str, number: str, after: str) -> None:
    masked = mask_personal_numbers(before + number + after)
    assert number[6:14] not in masked  # the birth date never survives


@given(
    before=_NOT_DIGIT,
    number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    after=_NOT_DIGIT,
)
def test_any_mobile_in_any_text_is_masked(before: str, number: str, after: str) -> None:
    masked = mask_personal_numbers(before + number + after)
    assert number not in masked
    assert number[-4:] in masked


@given(st.text(alphabet=st.sampled_from("0123456789 -+xX学号:，")))
def test_masking_is_idempotent(text: str) -> None:
    once = mask_personal_numbers(text)
    assert mask_personal_numbers(once) == once


def test_field_values_are_masked_by_column_name() -> None:
    assert is_personal_number_field("id_number")
    assert is_personal_number_field("admin_id_number")
    assert is_personal_number_field("contact_phone")
    assert not is_personal_number_field("name")
    assert mask_field_value("id_number", ID_NUMBER) == "140105********" + ID_NUMBER[-4:]
    assert mask_field_value("phone", MOBILE) == "138****5678"
    assert mask_field_value("name", "张三") == "张三"
    assert mask_field_value("phone", None) == ""


def test_notice_says_how_many_people() -> None:
    notice = full_numbers_notice("学员名单", 42)
    assert "42 人" in notice
    assert "完整身份证号" in notice


@pytest.fixture
def masked_logging() -> Iterator[io.StringIO]:
    """A handler on the root logger, with the record factory restored afterwards."""
    factory = logging.getLogRecordFactory()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    install_privacy_filter()
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)
    logging.setLogRecordFactory(factory)


def test_log_records_of_child_loggers_are_masked(masked_logging: io.StringIO) -> None:
    logging.getLogger("core.importing.deep.child").info("第%d行 %s %s", 3, ID_NUMBER, MOBILE)
    output = masked_logging.getvalue()
    assert ID_NUMBER not in output
    assert MOBILE not in output
    assert "第3行 140105********" in output


def test_exception_text_in_logs_is_masked(masked_logging: io.StringIO) -> None:
    try:
        raise ValueError(f"UNIQUE constraint failed: ('{ID_NUMBER}',)")
    except ValueError:
        logging.getLogger("gui").exception("保存失败")
    output = masked_logging.getvalue()
    assert "Traceback" in output
    assert "UNIQUE constraint failed" in output
    assert ID_NUMBER not in output


def test_installing_twice_masks_once(masked_logging: io.StringIO) -> None:
    install_privacy_filter()
    logging.getLogger("x").warning("%s", MOBILE)
    assert masked_logging.getvalue().strip() == "138****5678"


def test_filter_on_a_handler_masks_without_the_factory() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PrivacyFilter())
    logger = logging.getLogger("tests.privacy.handler_only")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("手机 %s", MOBILE)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().strip() == "手机 138****5678"
