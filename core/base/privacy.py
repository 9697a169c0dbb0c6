"""Keeping ID numbers and phone numbers out of logs, messages and audit entries.

A log file is copied to a USB stick and mailed to whoever helps when something breaks, and an
exception text may quote the very row that failed (SQLAlchemy puts the statement's parameters
in it). So masking is not left to each ``log.info`` call: every handler CertDesk creates masks
the whole text it writes (``MaskedOutput``), and the same function is available for dialogs
and command-line messages.

**What is found.** A number is found however it was typed or pasted: in groups separated by
spaces of any width (NBSP, the ideographic space), hyphens and dashes, or dots; with
zero-width, bidi and other invisible characters anywhere inside; in full-width (or any other
Unicode) digits, with ``X``, ``x``, ``Ｘ`` or ``Ⅹ`` as an ID number's check character; a mobile
with ``+86``, ``0086`` or ``86`` in front. It is masked in the usual shape
(``140105********1234``, ``138****5678``), in ASCII, its separators and invisible characters
dropped.

**What is left alone.** The patterns look for the *shape* of a number, not for a valid one: a
mistyped ID number is as personal as a correct one, so an 18- or 15-character run of digits
(invisible characters aside) is masked whatever it holds, and an 18-digit reference number of
some other kind is masked too, which costs nothing. Pieces joined by visible separators are
masked as an ID number only when they add up to one with an ID number's skeleton — a first
digit 1–9 and a birth date 19xx/20xx-MM-DD in place (15 digits: a province code and a month
and day) — so that dates, times, counts and certificate numbers that sit side by side
(``2025-06-30 14:22``, ``共 100000 条``, ``S2025140000127``) are not mangled. A mobile needs no
such test: 11 digits starting 13–19 is the whole of its shape, so a decimal such as
``13.123456789`` is masked as if it were one (privacy wins). Key fingerprints (six groups of
five digits, ``core.packages.keys``) are left alone: they are read out over the phone.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import traceback
import unicodedata
from dataclasses import dataclass, field

from core.identity.idcard import PROVINCE_PREFIXES, mask_id_number
from core.identity.phone import mask_phone

__all__ = [
    "MaskedOutput",
    "MaskedStderrHandler",
    "full_numbers_notice",
    "install_privacy_filter",
    "is_personal_number_field",
    "mask_field_value",
    "mask_personal_numbers",
    "mask_record",
]

#: Spaces of every width (Unicode category Zs) and the tab.
_SPACES = " \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
#: Hyphens and dashes of every width, the minus signs, and the dots people group digits with.
_DASHES_AND_DOTS = r"\-\u2010-\u2015\u2212\ufe63\uff0d.\u00b7\u2027\u30fb\uff0e"
#: What nobody sees: the format characters (Unicode category Cf: soft hyphen, zero-width space
#: and joiners, bidi marks, word joiner, BOM, …) and the control characters but line breaks.
#: ``tests/core/base/test_privacy.py`` checks this table against ``unicodedata``.
_INVISIBLE = (
    "\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
#: The check character X as it is typed: ASCII, full-width, the Roman numeral ten.
_CHECK_X = "XxＸｘⅩⅹ"

#: A run of digits with separators or invisible characters between them; ``\d`` is any
#: Unicode decimal digit (full-width included). It ends on a digit or X, never a separator.
_RUN = re.compile(rf"\d(?:[{_SPACES}{_DASHES_AND_DOTS}{_INVISIBLE}]*[\d{_CHECK_X}])*")
#: A run cut into groups and the gaps between them. An X ends its group, being a check
#: character only at the end of an ID number: ``3x140105…`` is 3, X and an ID number.
_PIECE = re.compile(rf"(?P<group>\d+[{_CHECK_X}]?|[{_CHECK_X}]+)|(?P<gap>[^\d{_CHECK_X}]+)")
_VISIBLE_SEPARATOR = re.compile(rf"[{_SPACES}{_DASHES_AND_DOTS}]")
#: ``core.packages.keys.fingerprint``: six groups of five digits.
_FINGERPRINT = re.compile(r"\d{5}(?: \d{5}){5}")

#: A mainland mobile, with the country code +86 / 0086 / 86 (its + is outside the run).
_MOBILE_DIGITS = re.compile(r"(?:0086|86)?(1[3-9][0-9]{9})")
_ID_LENGTH = 18
_LEGACY_ID_LENGTH = 15

#: A landline with its area code: 0351-3046505, 010-12345678, 03513046505.
_LANDLINE = re.compile(r"(?<![\d-])0\d{2,3}-?\d{7,8}(?![\d-])")

#: Column names whose values are personal numbers, however the table calls them.
_ID_FIELD_MARK = "id_number"
_PHONE_FIELD_MARK = "phone"


@dataclass
class _Group:
    """Digits (and X) written together: their ASCII values and where each one stands."""

    values: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    end: int = 0
    #: A space, dash or dot (not only invisible characters) stands before it in the run.
    after_visible_separator: bool = False


def _groups(run: re.Match[str]) -> list[_Group]:
    groups: list[_Group] = []
    visible = False
    for piece in _PIECE.finditer(run.group()):
        if piece.group("gap") is not None:
            visible = visible or bool(_VISIBLE_SEPARATOR.search(piece.group()))
            continue
        group = _Group(after_visible_separator=visible)
        for index, ch in enumerate(piece.group(), start=run.start() + piece.start()):
            group.values.append("X" if ch in _CHECK_X else str(unicodedata.decimal(ch)))
            group.offsets.append(index)
        group.end = run.start() + piece.end()
        groups.append(group)
        visible = False
    return groups


def _is_date(month: str, day: str) -> bool:
    return "01" <= month <= "12" and "01" <= day <= "31"


def _has_id_skeleton(digits: str) -> bool:
    """Pieces that add up to an ID number: a first digit 1–9, a birth date where it belongs."""
    if len(digits) == _ID_LENGTH:
        return digits[0] != "0" and digits[6:8] in ("19", "20") and _is_date(*_pairs(digits, 10))
    return digits[:2] in PROVINCE_PREFIXES and _is_date(*_pairs(digits, 8))


def _pairs(digits: str, at: int) -> tuple[str, str]:
    return digits[at : at + 2], digits[at + 2 : at + 4]


def _personal_number(digits: str, separated: bool) -> tuple[str, int] | None:
    """``("mobile", digits before it)`` or ``("id", 0)`` for these digits, else None."""
    mobile = _MOBILE_DIGITS.fullmatch(digits)
    if mobile:
        return "mobile", mobile.start(1)
    if len(digits) == _ID_LENGTH:
        shaped = digits[:17].isdigit()
    elif len(digits) == _LEGACY_ID_LENGTH:
        shaped = digits.isdigit()
    else:
        return None
    if shaped and (not separated or _has_id_skeleton(digits)):
        return "id", 0
    return None


def _mask_run(run: re.Match[str]) -> str:
    """The run with every ID number and mobile in it masked.

    A number is whole groups (a group is never split: a longer digit run is not a number),
    from the earliest group that begins one, as long as it can be.
    """
    if _FINGERPRINT.fullmatch(run.group()):
        return run.group()
    groups = _groups(run)
    out: list[str] = []
    position = run.start()
    first = 0
    while first < len(groups):
        found = _longest_number(groups, first)
        if found is None:
            first += 1
            continue
        last, end, digits, kind, prefix = found
        # A country code stays as it was typed: the number itself starts after its digits.
        offsets = [offset for group in groups[first : last + 1] for offset in group.offsets]
        out.append(run.string[position : offsets[prefix]])
        out.append(_masked(kind, digits[prefix:]))
        position = end
        first = last + 1
    out.append(run.string[position : run.end()])
    return "".join(out)


def _longest_number(groups: list[_Group], first: int) -> tuple[int, int, str, str, int] | None:
    """The longest number beginning with ``groups[first]``: its last group, where it ends,
    its digits, its kind and the digits of a country code before it; None if there is none.

    A trailing X may also be the text after a number (``13812345678x``), so the digits
    without it are tried too.
    """
    found: tuple[int, int, str, str, int] | None = None
    digits = ""
    separated = False
    for last in range(first, len(groups)):
        group = groups[last]
        separated = separated or (last > first and group.after_visible_separator)
        digits += "".join(group.values)
        if len(digits) > _ID_LENGTH + 1:
            break
        endings = [(digits, group.end)]
        if digits.endswith("X"):
            endings.append((digits[:-1], group.offsets[-1]))
        for candidate, end in endings:
            number = _personal_number(candidate, separated)
            if number is not None and (found is None or len(candidate) > len(found[2])):
                found = (last, end, candidate, *number)
                break
    return found


def _masked(kind: str, digits: str) -> str:
    if kind == "id":
        return mask_id_number(digits)
    return digits[:3] + "****" + digits[-4:]


def _mask_once(text: str) -> str:
    text = _RUN.sub(_mask_run, text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group()), text)


def mask_personal_numbers(text: str) -> str:
    """``text`` with every ID number and phone in it masked, however it is written.

    Idempotent: masking is repeated until nothing changes, because the digits a masked
    number still shows (``140105``) may complete a number with the digits before them.
    """
    while True:
        masked = _mask_once(text)
        if masked == text:
            return text
        text = masked


def is_personal_number_field(field: str) -> bool:
    """True for columns that hold an ID number or a phone number (trainees, contacts)."""
    return _ID_FIELD_MARK in field or _PHONE_FIELD_MARK in field


def mask_field_value(field: str, value: object) -> str:
    """A column's value as it may be shown or logged: personal numbers masked, empty as ''."""
    if value is None:
        return ""
    text = str(value)
    if not text:
        return ""
    if _ID_FIELD_MARK in field:
        return mask_id_number(text)
    if _PHONE_FIELD_MARK in field:
        return mask_phone(text)
    return mask_personal_numbers(text)


def full_numbers_notice(what: str, people: int | None = None) -> str:
    """The warning shown before a file with full ID numbers or phones is written.

    The law asks that a person handling sensitive personal information be told so; a clerk
    who is about to mail a roster should know what is in it before it exists. ``people`` is
    left out where the count is known only once the file is written (an unencrypted package).
    """
    whose = f" {people} 人的" if people is not None else ""
    return (
        f"即将写出的{what}含有{whose}完整身份证号和/或手机号（敏感个人信息）。"
        "请妥善保管该文件，不要通过未加密的邮件、聊天工具传送，用完后及时删除。"
    )


# --- logging ----------------------------------------------------------------------------------


class MaskedOutput(logging.Handler):
    """A handler whose every line is masked, whatever formatter it is given.

    Mixed in before a concrete handler (``class H(MaskedOutput, logging.FileHandler)``). The
    *formatted text* is masked, not the record's parts, so nothing a format can put in a line
    escapes: the message and its arguments, ``extra`` fields, the exception traceback of
    ``exc_info`` and the stack of ``stack_info``, a record made by ``logging.makeLogRecord``.
    """

    def format(self, record: logging.LogRecord) -> str:
        text = mask_personal_numbers(super().format(record))
        if record.exc_text:
            # Formatter caches the traceback on the record, where the next handler reuses it.
            record.exc_text = mask_personal_numbers(record.exc_text)
        return text

    def handleError(self, record: logging.LogRecord) -> None:
        """logging's own report of a record that could not be written (a format string that
        does not fit its arguments) prints the message and arguments to stderr: this one says
        the same, masked."""
        if not (logging.raiseExceptions and sys.stderr):
            return
        report = (
            "--- Logging error ---\n"
            f"{traceback.format_exc()}"
            f"Logged from {record.pathname}, line {record.lineno}\n"
            f"Message: {record.msg!r}\nArguments: {record.args!r}\n"
        )
        with contextlib.suppress(OSError, ValueError):  # stderr closed: nowhere to tell
            sys.stderr.write(mask_personal_numbers(report))


class MaskedStderrHandler(MaskedOutput, logging.StreamHandler):  # type: ignore[type-arg]
    """Writes masked lines to whatever ``sys.stderr`` is at the time, as ``logging.lastResort``
    does (a reconfigured or captured stream is followed, a missing one is skipped)."""

    def __init__(self, level: int = logging.NOTSET) -> None:
        logging.Handler.__init__(self, level)

    @property
    def stream(self) -> object:  # type: ignore[override]
        return sys.stderr


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask the record's message, exception text and stack in place; returns the record.

    The message is formatted once here (``args`` emptied) so that a number passed as an
    argument is masked as surely as one written into the format string. A message that
    cannot be formatted is left for the handler, whose error report masks it: a logging call
    must never raise into the code that made it.
    """
    if getattr(record, "_certdesk_masked", False):
        return record
    try:
        message = record.getMessage()
    except Exception:
        return record
    record.msg = mask_personal_numbers(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_personal_numbers(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_personal_numbers(record.stack_info)
    record._certdesk_masked = True  # type: ignore[attr-defined]
    return record


_FACTORY_MARK = "_certdesk_masks_personal_numbers"


def install_privacy_filter() -> None:
    """Mask what every log handler writes from now on (idempotent; every face calls it first).

    The guarantee is at the handler: the log file (``core.base.logfile``) masks every line it
    writes, and so does ``logging.lastResort`` — the stderr handler of a run with no handler
    of its own (the command line), replaced here by a ``MaskedStderrHandler``. For handlers
    CertDesk does not create (a library's, a test harness's), the log record factory masks
    each record's message, exception text and stack as it is made, on every logger; it
    cannot reach ``extra`` fields (set after the factory runs), which is why it is not the
    guarantee.
    """
    if logging.lastResort is not None and not isinstance(logging.lastResort, MaskedStderrHandler):
        logging.lastResort = MaskedStderrHandler(logging.WARNING)  # None: silenced on purpose
    previous = logging.getLogRecordFactory()
    if getattr(previous, _FACTORY_MARK, False):
        return

    def masked_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs))

    setattr(masked_factory, _FACTORY_MARK, True)
    logging.setLogRecordFactory(masked_factory)
