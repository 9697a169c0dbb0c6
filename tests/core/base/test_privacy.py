"""Personal numbers never reach a log, a message or an audit entry in full, however written."""

from __future__ import annotations

import io
import logging
import sys
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.base.logfile import LogFileHandler, log_to_file
from core.base.privacy import (
    MaskedOutput,
    MaskedStderrHandler,
    full_numbers_notice,
    install_privacy_filter,
    is_personal_number_field,
    mask_field_value,
    mask_personal_numbers,
)
from core.identity.idcard import check_id_number, id_check_char, mask_id_number
from core.identity.phone import check_mobile
from core.packages.keys import fingerprint

ID_NUMBER = "14010519900307" + "123"
ID_NUMBER += id_check_char(ID_NUMBER)
MOBILE = "13812345678"
#: 110105 19491231 002 and its check character (X): the shape found whole in certdesk.log.
BEIJING = "11010519491231002X"


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
        # the shapes of issue 20
        ("身份证 110105 19491231 002X", "19491231", "身份证 110105********002X"),
        ("110105-1949-1231-002X", "1949", "110105********002X"),
        ("1101\u200b0519\u2060491231\ufeff002x", "1949", "110105********002X"),
        ("110105\u00a019491231\u3000002\u00adX", "1949", "110105********002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "１９４９", "110105********002X"),
        ("手机 １３８１２３４５６７８", "１２３４", "手机 138****5678"),
        ("0086 138.1234.5678", "1234", "0086 138****5678"),
        ("(+86) 138\u200b1234\u200b5678", "1234", "(+86) 138****5678"),
        ("9 14 156 19900307 123 4", "19900307", "914156********1234"),
        (f"第 3 行 {ID_NUMBER} {MOBILE}", MOBILE, f"第 3 行 140105********{ID_NUMBER[-4:]} 138"),
        (f"3x{ID_NUMBER}", ID_NUMBER, "3x140105"),
    ],
)
def test_masks_numbers_wherever_and_however_they_appear(text: str, hidden: str, shown: str) -> None:
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
        "2025-06-30 至 2025-07-01，2025.06.30",
        "2025-06-30 14:22:33,123 INFO certdesk [MainThread] 持证通启动",
        "证书编号 S2025140000127，职业资格证书 1814000002300012",
        "证书编号 S000014000002234000123",
        "指纹 01234 56789 01234 56789 01234 56789",
        "第 3/12 页，补贴 3200.00 元，版本 0.9.3",
    ],
)
def test_leaves_other_text_alone(text: str) -> None:
    assert mask_personal_numbers(text) == text


def test_every_invisible_character_and_space_inside_a_number_is_seen_through() -> None:
    """The table of invisible characters and spaces, checked against this Python's Unicode."""
    chars = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cf", "Zs")
    ]
    assert "\u200b" in chars and "\u3000" in chars and "\u00ad" in chars
    for ch in chars:
        masked = mask_personal_numbers(f"号码 {BEIJING[:9]}{ch}{BEIJING[9:]}")
        assert masked == "号码 110105********002X", f"U+{ord(ch):04X}"


# --- properties: numbers however written ------------------------------------------------------

#: Division codes of every kind of card: Shanxi, Beijing, Shanghai, Xinjiang, the permits.
_DIVISIONS = ("140105", "140100", "110105", "310115", "650102", "810000", "820000", "830000")
_SEPARATORS = (" ", "-", ".", "\t", "\u00a0", "\u2009", "\u3000", "\u2013", "\uff0d", "\uff0e")
_INVISIBLES = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202c")
_FORMS = {d: (d, chr(0xFF10 + int(d))) for d in "0123456789"} | {"X": ("X", "x", "Ｘ", "ｘ")}


@st.composite
def _id_numbers(draw: st.DrawFn) -> str:
    """A valid 18-character number: a resident's, a permit's or the 2023 foreigners' card."""
    if draw(st.booleans()):
        code6 = draw(st.sampled_from(_DIVISIONS))
    else:
        code6 = (
            "9"
            + draw(st.sampled_from(("11", "14", "31", "44")))
            + draw(st.sampled_from(("156", "840", "392")))
        )
    born = draw(st.dates(date(1900, 1, 1), date(2024, 12, 31)))
    first17 = f"{code6}{born.year:04d}{born:%m%d}{draw(st.integers(0, 999)):03d}"
    number = first17 + id_check_char(first17)
    assert check_id_number(number).value == number
    return number


@st.composite
def _legacy_id_numbers(draw: st.DrawFn) -> str:
    """A 15-digit first-generation number (issued before 1999)."""
    born = draw(st.dates(date(1900, 1, 1), date(1999, 12, 31)))
    code6 = draw(st.sampled_from(_DIVISIONS[:5]))
    number = f"{code6}{born:%y%m%d}{draw(st.integers(0, 999)):03d}"
    assert check_id_number(number).birth_date == born
    return number


_MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True).filter(
    lambda n: check_mobile(n).value == n
)


@st.composite
def _written(draw: st.DrawFn, chars: str) -> str:
    """``chars`` as typed or pasted: any character full-width (X also as x or ｘ), and up to
    two separators or invisible characters between any two."""
    parts: list[str] = []
    for index, ch in enumerate(chars):
        if index:
            gap = draw(st.lists(st.sampled_from(_SEPARATORS + _INVISIBLES), max_size=2))
            parts.append("".join(gap))
        parts.append(draw(st.sampled_from(_FORMS[ch])))
    return "".join(parts)


#: Text around a number: anything but a digit.
_AROUND = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=12)


@given(
    before=_AROUND,
    number=st.one_of(_id_numbers(), _legacy_id_numbers()),
    after=_AROUND,
    data=st.data(),
)
def test_an_id_number_however_written_is_masked_in_its_usual_shape(
    before: str, number: str, after: str, data: st.DataObject
) -> None:
    written = data.draw(_written(number))
    masked = mask_personal_numbers(before + written + after)
    assert masked == before + mask_id_number(number) + after


@given(
    before=_AROUND,
    prefix=st.sampled_from(("", "+86", "0086", "86")),
    number=_MOBILES,
    after=_AROUND,
    data=st.data(),
)
def test_a_mobile_however_written_is_masked_in_its_usual_shape(
    before: str, prefix: str, number: str, after: str, data: st.DataObject
) -> None:
    typed_prefix = ""
    if prefix:
        plus = "+" if prefix.startswith("+") else ""
        gap = data.draw(st.sampled_from(("", " ", "-", "\u200b")))
        typed_prefix = plus + data.draw(_written(prefix.lstrip("+"))) + gap
    written = data.draw(_written(number))
    masked = mask_personal_numbers(before + typed_prefix + written + after)
    assert masked == before + typed_prefix + number[:3] + "****" + number[-4:] + after


@given(
    st.text(alphabet=st.sampled_from("0123456789 -.+xX学号:，\u200b\u3000１３８Ｘ"), max_size=60)
)
def test_masking_is_idempotent(text: str) -> None:
    once = mask_personal_numbers(text)
    assert mask_personal_numbers(once) == once


@given(before=_AROUND, number=_id_numbers(), after=_AROUND)
def test_any_id_number_in_any_text_is_masked(before: str, number: str, after: str) -> None:
    masked = mask_personal_numbers(before + number + after)
    assert number[6:14] not in masked  # the birth date never survives


_LABELS = st.sampled_from(("共", "日期", "时间", "证书编号", "指纹", "第", "批次", "耗时"))
_ORDINARY_VALUES = st.one_of(
    st.dates().map(date.isoformat),
    st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)).map(
        lambda t: t.strftime("%Y-%m-%d %H:%M:%S")
    ),
    st.integers(0, 10**9).map(str),
    st.binary(min_size=32, max_size=32).map(fingerprint),
    st.from_regex(r"S20[0-9]{2}14[0-9]{7}", fullmatch=True),
    st.from_regex(r"[1-9][0-9]{15}|[0-9]{20,22}", fullmatch=True),
    st.decimals(0, 10**4, places=2).map(str),
)


@given(st.lists(st.tuples(_LABELS, _ORDINARY_VALUES), max_size=6))
def test_ordinary_text_is_left_alone(items: list[tuple[str, str]]) -> None:
    """Dates, times, counts, key fingerprints, certificate numbers (13, 16, 20–22 digits) and
    amounts, each after its label as log lines and messages write them."""
    text = "，".join(f"{label} {value}" for label, value in items)
    assert mask_personal_numbers(text) == text


# --- the log file, written through the app's own set-up --------------------------------------


def _plain(text: str) -> str:
    """``text`` without anything a number may be written with between its digits."""
    kept = (
        ch
        for ch in unicodedata.normalize("NFKC", text)
        if unicodedata.category(ch) not in ("Cf", "Cc", "Zs") and ch not in "-.‐‑‒–—―−﹣·・‧"
    )
    return "".join(kept).upper()


@pytest.fixture
def app_logging(tmp_path: Path) -> Iterator[tuple[LogFileHandler, Path]]:
    """The log file as the GUI sets it up (``core.base.logfile.log_to_file``), undone after."""
    factory, last_resort = logging.getLogRecordFactory(), logging.lastResort
    root = logging.getLogger()
    level, before = root.level, list(root.handlers)
    path = log_to_file(tmp_path / "logs")
    (handler,) = [h for h in root.handlers if h not in before]
    assert isinstance(handler, LogFileHandler)
    yield handler, path
    root.removeHandler(handler)
    handler.close()
    root.setLevel(level)
    logging.setLogRecordFactory(factory)
    logging.lastResort = last_resort


def _logged(handler: LogFileHandler, path: Path, write: Callable[[], None]) -> str:
    """What ``write()`` added to the log file."""
    start = path.stat().st_size if path.exists() else 0
    write()
    handler.flush()
    return path.read_bytes()[start:].decode("utf-8")


def _log_every_way(handler: LogFileHandler, text: str) -> None:
    log = logging.getLogger("certdesk.tests.privacy.deep.child")
    log.warning("学员 %s 已存在", text)
    log.warning(f"学员 {text} 已存在")
    log.warning("行已跳过", extra={"detail": f"（{text}）"})
    try:
        raise ValueError(f"UNIQUE constraint failed: ('{text}',)")
    except ValueError:
        log.exception("保存失败")
    handler.handle(logging.makeLogRecord({"levelno": logging.WARNING, "msg": text}))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    number=st.one_of(_id_numbers(), _legacy_id_numbers(), _MOBILES),
    data=st.data(),
    plain_factory=st.booleans(),
)
def test_the_log_file_never_holds_a_number_however_written(
    app_logging: tuple[LogFileHandler, Path], number: str, data: st.DataObject, plain_factory: bool
) -> None:
    """Message, arguments, an ``extra`` field under a formatter that shows it, an exception's
    traceback, a record made by ``makeLogRecord``: with the record factory in place or not,
    the file's text, separators and invisible characters removed, never holds the number."""
    handler, path = app_logging
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(name)s %(message)s %(detail)s", defaults={"detail": ""})
    )
    written = data.draw(_written(number))
    factory = logging.getLogRecordFactory()
    if plain_factory:  # the handler alone is the guarantee
        logging.setLogRecordFactory(logging.LogRecord)
    try:
        text = _logged(handler, path, lambda: _log_every_way(handler, written))
    finally:
        logging.setLogRecordFactory(factory)
    assert "Traceback" in text and "UNIQUE constraint failed" in text and "（" in text
    assert number not in _plain(text)


def test_setting_up_the_log_file_twice_adds_no_second_handler(
    app_logging: tuple[LogFileHandler, Path],
) -> None:
    handler, path = app_logging
    assert log_to_file(path.parent) == path
    assert [h for h in logging.getLogger().handlers if isinstance(h, LogFileHandler)] == [handler]


# --- handlers ---------------------------------------------------------------------------------


@pytest.fixture
def masked_logging() -> Iterator[io.StringIO]:
    """A plain handler on the root logger, with the masking installed; all undone afterwards."""
    factory, last_resort = logging.getLogRecordFactory(), logging.lastResort
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
    logging.lastResort = last_resort


def test_a_handler_not_made_by_certdesk_gets_masked_records(masked_logging: io.StringIO) -> None:
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


def test_a_malformed_logging_call_neither_raises_nor_leaks(
    masked_logging: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    """Arguments that do not fit the format: logging's error report on stderr is masked too,
    and the call returns as a logging call should."""
    logger = logging.getLogger("tests.privacy.malformed")
    logger.propagate = False
    logger.addHandler(MaskedStderrHandler())
    try:
        logger.warning("学员 %d", BEIJING)
    finally:
        logger.handlers.clear()
        logger.propagate = True
    err = capsys.readouterr().err
    assert "Logging error" in err and "110105********002X" in err
    assert "19491231" not in err


def test_the_command_line_has_a_masked_stderr(
    masked_logging: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run without a handler of its own (the CLI) writes warnings through logging.lastResort,
    which the installation replaces."""
    assert isinstance(logging.lastResort, MaskedStderrHandler)
    logger = logging.getLogger("tests.privacy.no_handler")
    logger.propagate = False
    try:
        logging.setLogRecordFactory(logging.LogRecord)  # the handler alone
        logger.warning("手机 %s", "１３８-１２３４-５６７８")
    finally:
        logger.propagate = True
    assert capsys.readouterr().err.strip() == "手机 138****5678"


def test_a_masked_handler_masks_whatever_its_formatter_shows() -> None:
    class Handler(MaskedOutput, logging.StreamHandler):  # type: ignore[type-arg]
        pass

    stream = io.StringIO()
    handler = Handler(stream)
    handler.setFormatter(logging.Formatter("%(message)s|%(who)s"))
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "电话", None, None)
    record.who = "+86 138 1234 5678"
    handler.handle(record)
    assert stream.getvalue().strip() == "电话|+86 138****5678"


# --- fields and notices -----------------------------------------------------------------------


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
