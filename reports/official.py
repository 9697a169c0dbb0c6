"""The base for documents laid out after GB/T 9704-2012 (党政机关公文格式).

Geometry (standard §5.2): A4, 天头 37 mm, 订口 28 mm, a type area of 156 × 225 mm; body text
in 3号 (16 pt) 仿宋 on a grid of 22 lines of 28 characters. reportlab's paragraphs can do
neither the grid nor Chinese line-breaking rules (see ``reports.linebreak``), so body text is
set by ``TextBlock``: each line is one text object whose character spacing puts 28 full-width
characters across the type area and justifies every line but a paragraph's last. Text is
drawn as text, never parsed as markup, so a class called ``<b>`` prints as ``<b>``.

Page numbers (§7.5): "— 1 —" in 4号 (14 pt) 宋体, 7 mm below the type area, odd pages at
the right and even pages at the left, one character in from the edge. We follow the standard
rather than centring because the report is printed on both sides and stapled on the left:
that way the number is always on the outer edge.

The document's metadata holds the title, the institution and the program, never a name or
a number from the roster.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, Literal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.base.progress import ProgressFn
from core.version import VERSION
from reports.columns import Column
from reports.fonts import FontSet
from reports.linebreak import Line, balanced_lines, break_lines

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 37 * mm
MARGIN_LEFT = 28 * mm
TYPE_WIDTH = 156 * mm
TYPE_HEIGHT = 225 * mm
MARGIN_BOTTOM = PAGE_HEIGHT - MARGIN_TOP - TYPE_HEIGHT
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
#: One line of the 22-line grid (≈ 28.99 pt).
LINE_PITCH = TYPE_HEIGHT / LINES_PER_PAGE

#: Chinese type sizes (字号) in points.
SIZE_2 = 22.0
SIZE_3 = 16.0
SIZE_4 = 14.0
SIZE_SMALL_4 = 12.0
SIZE_NOTE = 9.0

#: The page number's dash lines sit 7 mm below the type area (§7.5).
PAGE_NUMBER_GAP = 7 * mm
#: Where the em dash sits above the baseline, as a share of the size (measured on SimSun and
#: AR PL UMing: the dash's stroke is about a third of an em up).
_DASH_RISE = 0.33
#: The share of an em below the baseline in CJK fonts' ideographic em box.
_EM_DESCENT = 0.12

CELL_PADDING = 4.0
CELL_LEADING = SIZE_SMALL_4 * 1.3

Align = Literal["justify", "left", "center", "right"]


@dataclass(frozen=True)
class TextStyle:
    """How a block of text is set. Indents are in characters of the block's own size."""

    role: str
    size: float
    leading: float = LINE_PITCH
    align: Align = "justify"
    first_indent: float = 0.0
    indent: float = 0.0
    right_indent: float = 0.0
    grid: bool = True
    balance: bool = False


#: The named styles of an official document.
TITLE = TextStyle("title", SIZE_2, align="center", grid=False, balance=True)
BODY = TextStyle("body", SIZE_3, first_indent=2)
FLUSH = TextStyle("body", SIZE_3, align="left")
ATTACHMENT_LABEL = TextStyle("heading", SIZE_3, align="left")
RIGHT = TextStyle("body", SIZE_3, align="right", grid=False)
CELL = TextStyle("body", SIZE_SMALL_4, leading=CELL_LEADING, align="left", grid=False)
HEADER_CELL = TextStyle(
    "heading", SIZE_SMALL_4, leading=CELL_LEADING, align="center", grid=False, balance=True
)
NOTE = TextStyle("body", SIZE_NOTE, leading=SIZE_NOTE * 1.4, align="left", grid=False)


class _Measure:
    """Glyph advances for one role and size, with the fonts' fallbacks applied per character."""

    def __init__(self, fonts: FontSet, style: TextStyle) -> None:
        self.fonts = fonts
        self.style = style
        self.spacing = TYPE_WIDTH / CHARS_PER_LINE - style.size if style.grid else 0.0
        self._advances: dict[str, float] = {}

    def advance(self, ch: str) -> float:
        width = self._advances.get(ch)
        if width is None:
            face = self.fonts.font_for(ch, self.style.role) or self.fonts.face(self.style.role)
            width = stringWidth(ch, face.name, self.style.size) + self.spacing
            self._advances[ch] = width
        return width

    def width(self, text: str) -> float:
        return sum(self.advance(ch) for ch in text)


def measure(text: str, style: TextStyle, fonts: FontSet) -> float:
    """The width ``text`` takes in ``style`` (on the grid, if the style is on it)."""
    return _Measure(fonts, style).width(text)


class TextBlock(Flowable):
    """A paragraph set on the document's grid with Chinese line-breaking; splits across pages."""

    def __init__(
        self, text: str, style: TextStyle, fonts: FontSet, lines: Sequence[Line] | None = None
    ) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.fonts = fonts
        self._measure = _Measure(fonts, style)
        self._lines: list[Line] | None = list(lines) if lines is not None else None
        # None once split: a piece keeps the lines it was given at whatever width it is drawn.
        self._laid_for: float | None = 0.0 if lines is None else None
        self.width = 0.0
        self.height = 0.0

    def _char(self) -> float:
        return self.style.size + self._measure.spacing

    def lines(self, width: float) -> list[Line]:
        """The block's lines at ``width`` (fixed for a piece split off across a page break)."""
        if self._lines is None or (self._laid_for is not None and self._laid_for != width):
            style = self.style
            char = self._char()
            available = width - (style.indent + style.right_indent) * char
            if style.balance:
                self._lines = balanced_lines(self.text, self._measure.width, available)
            else:
                first = available - style.first_indent * char
                self._lines = break_lines(self.text, self._measure.width, available, first)
            self._laid_for = width
        return self._lines

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = len(self.lines(available_width)) * self.style.leading
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        lines = self.lines(available_width)
        fit = math.floor((available_height + 1e-6) / self.style.leading)
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        # The continuation's first line is indented only if it starts a paragraph.
        rest = self.style if lines[fit - 1].last else replace(self.style, first_indent=0.0)
        return [
            TextBlock(self.text, self.style, self.fonts, lines[:fit]),
            TextBlock(self.text, rest, self.fonts, lines[fit:]),
        ]

    def draw(self) -> None:
        style = self.style
        char = self._char()
        spacing = self._measure.spacing
        lines = self.lines(self.width)
        baseline_in_line = (style.leading - style.size) / 2 + _EM_DESCENT * style.size
        for index, line in enumerate(lines):
            if not line.text:
                continue
            y = self.height - (index + 1) * style.leading + baseline_in_line
            visible = line.width - spacing
            left = style.indent * char
            first_of_paragraph = index == 0 or lines[index - 1].last
            if first_of_paragraph:
                left += style.first_indent * char
            right_edge = self.width - style.right_indent * char
            line_spacing = spacing
            if style.align == "center":
                x = left + (right_edge - left - visible) / 2
            elif style.align == "right":
                x = right_edge - visible
            else:
                x = left
                if style.align == "justify" and not line.last and len(line.text) > 1:
                    line_spacing += (right_edge - left - visible) / (len(line.text) - 1)
            text = self.canv.beginText(x, y)
            text.setCharSpace(line_spacing)
            for font, segment in self.fonts.runs(line.text, style.role):
                text.setFont(font, style.size)
                text.textOut(segment)
            self.canv.drawText(text)


def blank_lines(count: int = 1) -> Spacer:
    """Empty lines of the grid, as the standard counts its spacing (空一行, 空二行)."""
    return Spacer(TYPE_WIDTH, count * LINE_PITCH)


@dataclass(frozen=True)
class TableRow:
    """A table row; ``span`` merges the first cells (the label of a total row)."""

    cells: tuple[str, ...]
    span: int = 1
    emphasis: bool = False


def _cell(text: str, style: TextStyle, width: float, fonts: FontSet) -> tuple[object, int]:
    """A cell's content and its line count: a plain string when one line of one face will do."""
    inner = width - 2 * CELL_PADDING
    if (
        "\n" not in text
        and fonts.single_face(text, style.role)
        and stringWidth(text, fonts.face(style.role).name, style.size) <= inner
    ):
        return text, 1
    block = TextBlock(text, style, fonts)
    return block, max(1, len(block.lines(inner)))


def _row_cells(
    row: TableRow, columns: Sequence[Column], fonts: FontSet, header: bool
) -> tuple[list[object], float]:
    cells: list[object] = []
    most = 1
    for index, (column, text) in enumerate(zip(columns, row.cells, strict=True)):
        width = column.width_mm * mm
        if index == 0 and row.span > 1:
            width = sum(c.width_mm for c in columns[: row.span]) * mm
        label = header or (row.emphasis and index < row.span)
        style = HEADER_CELL if label else replace(CELL, align=column.align)
        content, lines = _cell(text, style, width, fonts)
        cells.append(content)
        most = max(most, lines)
    return cells, most * CELL_LEADING + 2 * CELL_PADDING


def _table_style(
    columns: Sequence[Column], rows: Sequence[TableRow], fonts: FontSet, header: bool
) -> TableStyle:
    first = 1 if header else 0
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("FONTNAME", (0, 0), (-1, -1), fonts.face("body").name),
        ("FONTSIZE", (0, 0), (-1, -1), SIZE_SMALL_4),
        ("LEADING", (0, 0), (-1, -1), CELL_LEADING),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    if header:
        commands.append(("FONTNAME", (0, 0), (-1, 0), fonts.face("heading").name))
        commands.append(("ALIGN", (0, 0), (-1, 0), "CENTER"))
    for index, column in enumerate(columns):
        commands.append(("ALIGN", (index, first), (index, -1), column.align.upper()))
    for index, row in enumerate(rows, start=first):
        if row.span > 1:
            commands.append(("SPAN", (0, index), (row.span - 1, index)))
        if row.emphasis:
            label = (0, index), (row.span - 1, index)
            commands.append(("FONTNAME", *label, fonts.face("heading").name))
            commands.append(("ALIGN", *label, "CENTER"))
    return TableStyle(commands)


def paged_table(
    columns: Sequence[Column],
    rows: Sequence[TableRow],
    fonts: FontSet,
    first_page_height: float,
    page_height: float = TYPE_HEIGHT,
    *,
    header: bool = True,
) -> list[Flowable]:
    """A table cut into one ``Table`` per page, each with the header row.

    reportlab can split a long table itself (``repeatRows``) but re-measures the remainder at
    every page, which makes a 10,000-row roster take seconds per thousand rows. Here every
    row's height is known before layout (all cells are measured once), so the rows are dealt
    out to pages directly; ``first_page_height`` is what is left on the page the table
    starts on. Without ``header`` the table is a plain grid (a form's label/value pairs).
    """
    widths = [c.width_mm * mm for c in columns]
    head, head_height = _row_cells(
        TableRow(tuple(c.header for c in columns)), columns, fonts, header=True
    )
    heading = [head] if header else []
    heading_heights = [head_height] if header else []
    measured = [_row_cells(row, columns, fonts, header=False) for row in rows]
    flowables: list[Flowable] = []
    available = first_page_height
    start = 0
    while start < len(rows) or not flowables:
        used = sum(heading_heights)
        end = start
        while end < len(rows) and used + measured[end][1] <= available + 1e-6:
            used += measured[end][1]
            end += 1
        if end == start and start < len(rows):
            if available < page_height:
                flowables.append(PageBreak())
                available = page_height
                continue
            raise ValueError("表格中有一行高于整页，无法排版")
        chunk = rows[start:end]
        table = Table(
            [*heading, *(measured[i][0] for i in range(start, end))],
            colWidths=widths,
            rowHeights=[*heading_heights, *(measured[i][1] for i in range(start, end))],
        )
        table.setStyle(_table_style(columns, chunk, fonts, header))
        if flowables:
            flowables.append(PageBreak())
        flowables.append(table)
        start = end
        available = page_height
    return flowables


def stack_height(flowables: Sequence[Flowable]) -> float:
    """The height a run of flowables takes at the top of a page of the type area."""
    return sum(f.wrap(TYPE_WIDTH, TYPE_HEIGHT)[1] for f in flowables)


@dataclass(frozen=True)
class Metadata:
    """What the PDF says about itself: never personal data."""

    title: str
    author: str
    subject: str


class _LastPage(Flowable):
    """Marks the page it lands on as the last, for the note at its foot."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        self.canv.certdesk_last_page = True  # type: ignore[attr-defined]


class OfficialDocument:
    """An A4 document with the GB/T 9704 type area, page numbers and an optional foot note.

    ``foot_note`` is printed small at the foot of the last page (the key fingerprint);
    ``expected_pages`` only sizes the progress bar.
    """

    def __init__(
        self,
        fonts: FontSet,
        metadata: Metadata,
        foot_note: str | None = None,
        progress: ProgressFn | None = None,
        expected_pages: int = 0,
    ) -> None:
        self.fonts = fonts
        self.metadata = metadata
        self.foot_note = foot_note
        self.progress = progress
        self.expected_pages = expected_pages
        self.pages = 0

    def _page_number(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        number = canvas.getPageNumber()
        text = f"— {number} —"
        font = self.fonts.face("song").name
        width = stringWidth(text, font, SIZE_4)
        baseline = MARGIN_BOTTOM - PAGE_NUMBER_GAP - _DASH_RISE * SIZE_4
        # Odd pages at the right, even at the left, one character in from the edge.
        odd = number % 2 == 1
        x = MARGIN_LEFT + TYPE_WIDTH - SIZE_4 - width if odd else MARGIN_LEFT + SIZE_4
        canvas.saveState()
        canvas.setFont(font, SIZE_4)
        canvas.drawString(x, baseline, text)
        canvas.restoreState()

    def _page_end(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        if self.foot_note and getattr(canvas, "certdesk_last_page", False):
            note = TextBlock(self.foot_note, NOTE, self.fonts)
            note.wrap(TYPE_WIDTH, TYPE_HEIGHT)
            note.drawOn(canvas, MARGIN_LEFT, 12 * mm)
        self.pages += 1
        if self.progress is not None:
            self.progress(self.pages, max(self.expected_pages, self.pages), "正在排版…")

    def build(self, target: BinaryIO, story: list[Flowable]) -> int:
        """Render ``story`` into ``target``; returns the number of pages."""
        doc = BaseDocTemplate(
            target,
            pagesize=A4,
            leftMargin=MARGIN_LEFT,
            rightMargin=PAGE_WIDTH - MARGIN_LEFT - TYPE_WIDTH,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=self.metadata.title,
            author=self.metadata.author,
            subject=self.metadata.subject,
            creator=f"持证通 CertDesk {VERSION}",
            keywords="",
            # Otherwise every page starts in Helvetica, a font neither used nor embedded.
            initialFontName=self.fonts.face("body").name,
        )
        frame = Frame(
            MARGIN_LEFT,
            MARGIN_BOTTOM,
            TYPE_WIDTH,
            TYPE_HEIGHT,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="type-area",
        )
        doc.addPageTemplates(
            [PageTemplate("official", [frame], onPage=self._page_number, onPageEnd=self._page_end)]
        )
        self.pages = 0
        doc.build([*story, _LastPage()])
        return self.pages


def page_count_hint(flowables: Sequence[Flowable]) -> int:
    """Pages a story will take, counting its page breaks (for the progress bar)."""
    return 1 + sum(isinstance(f, PageBreak) for f in flowables)
