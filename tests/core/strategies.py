"""Hypothesis strategies for valid ID numbers and 统一社会信用代码, and the noise copy-paste adds.

The check characters are computed here from the standards' definitions, independently of
``core``, so a bug in the code under test cannot hide behind the same bug in the generator.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

#: The day tests treat as today, so that generated birth dates do not depend on the clock.
TODAY = date(2025, 6, 30)

MAINLAND_PREFIXES = (
    *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"),
    *("41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"),
    *("61", "62", "63", "64", "65"),
)
ID_PROVINCE_PREFIXES = (*MAINLAND_PREFIXES, "71")
PERMIT_CODES = ("810000", "820000", "830000")
ID_CHARS = "0123456789X"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_KINDS = ("11", "12", "13", "19", "31", "51", "52", "53", "59", "71", "81", "91", "92", "93")

#: Characters copy-paste leaves inside a number: spaces of several widths, zero-width space
#: and joiners, word joiner, BOM, soft hyphen, bidi marks, tab.
NOISE = (
    " ",
    "\u3000",
    "\u00a0",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u200e",
    "\u200f",
    "\t",
)


def id_check(body17: str) -> str:
    """ISO 7064 MOD 11-2: the check makes sum(a_i * 2**(18-i)) ≡ 1 (mod 11), X meaning 10."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def uscc_check(body17: str) -> str:
    """GB 32100-2015: the check makes the weighted sum (weights 3**i mod 31) divisible by 31."""
    total = sum(USCC_ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(body17))
    return USCC_ALPHABET[-total % 31]


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@st.composite
def id_numbers(draw: st.DrawFn, today: date = TODAY) -> str:
    """A valid 18-character number: resident ID, HK/Macao/Taiwan permit or foreigner card."""
    kind = draw(st.sampled_from(("resident", "resident", "resident", "permit", "foreigner")))
    if kind == "resident":
        code6 = draw(st.sampled_from(ID_PROVINCE_PREFIXES)) + draw(_digits(4))
    elif kind == "permit":
        code6 = draw(st.sampled_from(PERMIT_CODES))
    else:
        code6 = "9" + draw(st.sampled_from(MAINLAND_PREFIXES)) + draw(_digits(3))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=today))
    body = code6 + born.strftime("%Y%m%d") + draw(_digits(3))
    return body + id_check(body)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    """A valid code: a realistic authority and category, any division, any body."""
    kind = draw(st.sampled_from(USCC_KINDS))
    division = draw(_digits(6))
    body = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    first17 = kind + division + body
    return first17 + uscc_check(first17)


def full_width(text: str) -> str:
    """The full-width form of ASCII digits and letters (１２３, Ｘ), as Chinese IMEs type."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@st.composite
def noisy(draw: st.DrawFn, text: str) -> str:
    """``text`` as copy-paste delivers it: some characters full-width, lower case, noise."""
    out: list[str] = []
    for ch in text:
        if draw(st.booleans()):
            out.append(draw(st.sampled_from(NOISE)))
        variant = ch
        if ch.isalpha() and draw(st.booleans()):
            variant = variant.lower()
        if draw(st.booleans()):
            variant = full_width(variant)
        out.append(variant)
    out.append(draw(st.sampled_from(("", *NOISE))))
    return "".join(out)
