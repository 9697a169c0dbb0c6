"""Reading PDFs back with poppler's pdftotext, a reader independent of reportlab."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

MM = 72 / 25.4

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_PAGE = re.compile(r"<page .*?</page>", re.DOTALL)


def pdftotext(path: Path, *, layout: bool = True) -> list[str]:
    """The text of each page (pdftotext separates pages with form feeds)."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squeeze(text: str) -> str:
    """Text without any whitespace: lines of a justified paragraph joined back together."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Word:
    """A word's box in points from the page's top left, as poppler reports it."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(path: Path) -> list[list[Word]]:
    """Every page's words with their boxes (``pdftotext -bbox``)."""
    html = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [
        [
            Word(float(a), float(b), float(c), float(d), unescape(t))
            for a, b, c, d, t in _WORD.findall(page)
        ]
        for page in _PAGE.findall(html)
    ]
