"""The GB/T 9704 page: 22 lines of 28 characters, paragraphs across pages, tables by page."""

from __future__ import annotations

import io
from pathlib import Path

from reports.columns import ROSTER_COLUMNS
from reports.fonts import find_fonts
from reports.official import (
    BODY,
    TYPE_HEIGHT,
    Metadata,
    OfficialDocument,
    TableRow,
    TextBlock,
    paged_table,
)
from tests.reports.pdftools import pdftotext, words

SENTENCE = "各学校要做好培训教学资源配置和生活保障服务，规范资金使用，严格培训过程。"


def build(tmp_path: Path, story: list) -> Path:
    out = tmp_path / "doc.pdf"
    target = io.BytesIO()
    pages = OfficialDocument(find_fonts(), Metadata("标题", "某校", "测试")).build(target, story)
    out.write_bytes(target.getvalue())
    assert pages == len(pdftotext(out))
    return out


def test_a_full_page_holds_22_lines_of_28_characters(tmp_path: Path) -> None:
    fonts = find_fonts()
    text = SENTENCE * 40  # 1,440 characters: more than two pages of 616
    out = build(tmp_path, [TextBlock(text, BODY, fonts)])
    pages = words(out)
    assert len(pages) == 3
    for page in pages[:2]:
        lines = [w for w in page if w.text != "—" and not w.text.isdigit()]
        assert len(lines) == 22
        assert all(25 <= len(w.text) <= 28 for w in lines)  # a 禁则 push-back shortens one
        assert sum(len(w.text) == 28 for w in lines) >= 15
    # Nothing lost or repeated across the page breaks, and only the first line is indented.
    body = "".join(w.text for page in pages for w in page if w.text != "—" and not w.text.isdigit())
    assert body == text
    starts = sorted({round(w.x0) for page in pages for w in page if len(w.text) > 2})
    assert len(starts) == 2


def test_paged_tables_fill_pages_and_repeat_the_header(tmp_path: Path) -> None:
    fonts = find_fonts()
    rows = [
        TableRow((str(i), "张三", "男", "140105199003071226", "13900000000")) for i in range(80)
    ]
    story = paged_table(ROSTER_COLUMNS, rows, fonts, TYPE_HEIGHT / 2)
    out = build(tmp_path, [TextBlock(SENTENCE * 8, BODY, fonts), *story])
    pages = pdftotext(out)
    assert len(pages) >= 3
    for page in pages:
        assert page.count("身份证号") == 1
    numbers = [
        int(line.split()[0])
        for page in pages
        for line in page.splitlines()
        if line.strip() and line.split()[0].isdigit() and "张三" in line
    ]
    assert numbers == list(range(80))
