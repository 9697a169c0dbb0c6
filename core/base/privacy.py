"""Keeping ID numbers and phone numbers out of logs, messages and audit entries.

A log file is copied to a USB stick and mailed to whoever helps when something breaks, and an
exception text may quote the very row that failed (SQLAlchemy puts the statement's parameters
in it). So masking is not left to each ``log.info`` call: one record factory masks every log
record of every logger before any handler sees it, and the same function is available for
dialogs and command-line messages.

The patterns look for the *shape* of a number, not for a valid one: a mistyped ID number is as
personal as a correct one. They err on the side of masking: an 18-digit reference number of
some other kind is masked too, which costs nothing.
"""

from __future__ import annotations

import logging
import re

from core.identity.idcard import mask_id_number
from core.identity.phone import mask_phone

__all__ = [
    "PrivacyFilter",
    "full_numbers_notice",
    "install_privacy_filter",
    "is_personal_number_field",
    "mask_field_value",
    "mask_personal_numbers",
    "mask_record",
]

#: 18 characters (17 digits and a digit or X) or the 15 digits of a first-generation card,
#: not part of a longer digit run; a certificate number such as ``T140105…`` is caught too.
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?!\d)")

#: A mainland mobile, optionally with +86 / 0086 / 86 in front and written in groups
#: (``138 1234 5678``, ``138-1234-5678``).
_MOBILE = re.compile(
    r"""
    (?<!\d)
    (?P<prefix>(?:\+|00)?86[ -]?)?
    (?P<number>1[3-9]\d(?:\d{8}|(?P<sep>[ -])\d{4}(?P=sep)\d{4}))
    (?!\d)
    """,
    re.VERBOSE,
)

#: A landline with its area code: 0351-3046505, 010-12345678, 03513046505.
_LANDLINE = re.compile(r"(?<![\d-])0\d{2,3}-?\d{7,8}(?![\d-])")

#: Column names whose values are personal numbers, however the table calls them.
_ID_FIELD_MARK = "id_number"
_PHONE_FIELD_MARK = "phone"


def mask_personal_numbers(text: str) -> str:
    """``text`` with every ID-number-like and phone-like digit run masked.

    Idempotent: a masked number no longer has the shape of a number.
    """
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    text = _MOBILE.sub(_mask_mobile, text)
    return _LANDLINE.sub(lambda m: mask_phone(m.group()), text)


def _mask_mobile(match: re.Match[str]) -> str:
    digits = match.group("number").replace(" ", "").replace("-", "")
    return (match.group("prefix") or "") + digits[:3] + "****" + digits[-4:]


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


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask the record's message, exception text and stack in place; returns the record.

    The message is formatted once here (``args`` emptied) so that a number passed as an
    argument is masked as surely as one written into the format string.
    """
    if getattr(record, "_certdesk_masked", False):
        return record
    record.msg = mask_personal_numbers(record.getMessage())
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_personal_numbers(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_personal_numbers(record.stack_info)
    record._certdesk_masked = True  # type: ignore[attr-defined]
    return record


class PrivacyFilter(logging.Filter):
    """A handler filter that masks personal numbers; for handlers set up outside CertDesk."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_FACTORY_MARK = "_certdesk_masks_personal_numbers"


def install_privacy_filter() -> None:
    """Mask every log record of every logger from now on (idempotent).

    A filter on the root *logger* would miss records propagated from child loggers (Python
    applies logger filters only where a record is created), so masking happens in the log
    record factory instead, before any handler, including ones added later, can see it.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, _FACTORY_MARK, False):
        return

    def masked_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        return mask_record(previous(*args, **kwargs))

    setattr(masked_factory, _FACTORY_MARK, True)
    logging.setLogRecordFactory(masked_factory)
