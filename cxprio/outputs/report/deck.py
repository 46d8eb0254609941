"""The slides' layout: a designed 16:9 deck drawn in code on python-pptx's plain template.

:class:`Deck` places titles, text, tables and charts at sizes a projector's back row can
read; what each slide says is :mod:`.slides`'. python-pptx is imported when a deck is
written.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Mapping, Sequence
from typing import Any, cast

import pandas as pd

from cxprio.outputs.report.figures import PNG_SCALE
from cxprio.outputs.report.files import plain_value
from cxprio.outputs.report.pack import Workshop

SLIDE_WIDTH, SLIDE_HEIGHT = 13.333, 7.5
"""Inches: a 16:9 deck."""
MARGIN = 0.5
BODY_TOP, BODY_BOTTOM = 1.3, 6.95
"""Inches: where a slide's table or chart may sit, under its title and above its footer."""
TITLE_PT, TEXT_PT, TABLE_PT, FOOTER_PT = 28, 20, 16, 14
"""Point sizes on the slides: none under 14, the size a projector's back row can read."""
FONT = "Arial"
CHAR_EM = 0.6
"""A generous width of one character of :data:`FONT`, as a share of its size: column
widths from it fit the longest word without breaking it."""
CELL_MARGIN = 0.1
"""Inches of padding either side of a table cell's text (python-pptx's default)."""
CELL_SLACK = 0.15
"""Inches more than the estimate in every column: renderers differ in how they wrap."""
PX_PER_INCH = 96
"""A chart's CSS pixel at its own size on a slide: a chart never shrinks below it, so its
14-pixel text stays 14 pixels (and the slide's 14 points) at any projector's size."""
SLIDE_NAMED = 5
"""Experiences named on a slide's ambition chart when the top 10 would not fit at its size."""
SLIDE_HEAT_TEAMS = 15
"""Teams on a slide's seam heatmap when the full one would not fit at its size."""
ACCENT, INK, MUTED, BAND, WHITE = "1F4E79", "1F2937", "475569", "EEF3F8", "FFFFFF"


def slide_date(day: _dt.date) -> str:
    """A date as people write it: ``12 May 2026``."""
    return f"{day.day} {day:%B %Y}"


def _text_width(text: str, points: float) -> float:
    """An upper estimate of ``text``'s width in inches at ``points`` in :data:`FONT`."""
    return len(text) * CHAR_EM * points / 72


def column_widths(rows: Sequence[Sequence[str]], total: float, points: float) -> list[float]:
    """Widths (inches) for a table's columns that add up to ``total``: each at least wide
    enough for its longest word (never broken mid-word), the rest shared out by how long
    each column's longest text is (so the longest texts wrap least)."""
    columns = list(zip(*rows, strict=True))
    least = [
        max(_text_width(word, points) for cell in column for word in (cell.split() or [""]))
        + 2 * CELL_MARGIN
        + CELL_SLACK
        for column in columns
    ]
    wants = [
        max(_text_width(cell, points) for cell in column) + 2 * CELL_MARGIN + CELL_SLACK for column in columns
    ]
    spare = total - sum(least)
    if spare <= 0:
        return least
    extra = [max(w - m, 0.0) for w, m in zip(wants, least, strict=True)]
    wanted = sum(extra)
    if wanted <= spare:  # every text fits on one line: the spare room goes to the last column
        widths = [m + e for m, e in zip(least, extra, strict=True)]
        widths[-1] += spare - wanted
        return widths
    return [m + spare * e / wanted for m, e in zip(least, extra, strict=True)]


class Deck:
    """The deck being written: a designed 16:9 layout drawn in code on python-pptx's
    plain template, every run's font and size set explicitly."""

    def __init__(self, workshop: Workshop, pngs: Mapping[str, bytes]) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.workshop = workshop
        self.pngs = dict(pngs)
        self.deck = Presentation()
        self.deck.slide_width, self.deck.slide_height = Inches(SLIDE_WIDTH), Inches(SLIDE_HEIGHT)
        self.deck.core_properties.title = workshop.title
        self.deck.core_properties.author = "cxprio"
        self.footer = f"{workshop.catalogue.organisation.name} · {slide_date(workshop.date)}"

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.deck.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def write(frame: Any, lines: Sequence[str], points: float, *, bold: bool = False, colour: str = INK,
              align: Any = None) -> None:  # fmt: skip
        """``lines`` as the paragraphs of a text frame, each one run in :data:`FONT` at ``points``."""
        from pptx.util import Pt

        frame.clear()
        frame.word_wrap = True
        for number, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
            if align is not None:
                paragraph.alignment = align
            run = paragraph.add_run()
            run.text = line
            run.font.size = Pt(points)
            run.font.name = FONT
            run.font.bold = bold
            run.font.color.rgb = _rgb(colour)

    def box(self, page: Any, left: float, top: float, width: float, height: float) -> Any:
        from pptx.util import Inches

        return page.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame

    def rectangle(self, page: Any, left: float, top: float, width: float, height: float, colour: str) -> None:
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Inches

        shape = page.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(width), Inches(height)
        )
        shape.fill.solid()
        shape.fill.fore_color.rgb = _rgb(colour)
        shape.line.fill.background()

    def title_slide(self, lines: Sequence[str]) -> None:
        from pptx.util import Inches

        page = self.deck.slides.add_slide(self.deck.slide_layouts[0])
        self.rectangle(page, 0, 0, 0.35, SLIDE_HEIGHT, ACCENT)
        heading, subtitle = page.shapes.title, page.placeholders[1]
        heading.left, heading.top, heading.width, heading.height = (
            Inches(1.0),
            Inches(1.7),
            Inches(11.3),
            Inches(1.8),
        )
        self.write(heading.text_frame, [self.workshop.catalogue.organisation.name], 44, bold=True, colour=ACCENT,
                   align=_left())  # fmt: skip
        heading.text_frame.vertical_anchor = _bottom()
        subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
            Inches(1.0),
            Inches(3.6),
            Inches(11.3),
            Inches(1.2),
        )
        self.write(subtitle.text_frame, ["Workshop pack", slide_date(self.workshop.date)], 28, align=_left())
        self.write(self.box(page, 1.0, 5.2, 11.3, 1.6), lines, FOOTER_PT + 2, colour=MUTED)

    def slide(self, title: str) -> Any:
        """A new slide with ``title`` (its message), the footer and its number."""
        from pptx.util import Inches

        page = self.deck.slides.add_slide(self.deck.slide_layouts[5])
        heading = page.shapes.title
        heading.left, heading.top, heading.width, heading.height = (
            Inches(MARGIN), Inches(0.15), Inches(SLIDE_WIDTH - 2 * MARGIN), Inches(0.95)
        )  # fmt: skip
        # A long message a size or two smaller, so two lines still fit above the rule.
        size = TITLE_PT if len(title) <= 80 else TITLE_PT - 4 if len(title) <= 110 else TITLE_PT - 8
        self.write(heading.text_frame, [title], size, bold=True, colour=ACCENT, align=_left())
        heading.text_frame.vertical_anchor = _middle()
        self.rectangle(page, MARGIN, 1.13, SLIDE_WIDTH - 2 * MARGIN, 0.03, ACCENT)
        self.write(self.box(page, MARGIN, 7.0, 9.0, 0.4), [self.footer], FOOTER_PT, colour=MUTED)
        number = self.box(page, SLIDE_WIDTH - MARGIN - 1.5, 7.0, 1.5, 0.4)
        self.write(number, [str(len(self.deck.slides))], FOOTER_PT, colour=MUTED, align=_right())
        page.shapes[-1].name = "Slide number"
        return page

    def note(self, page: Any, lines: Sequence[str], top: float = BODY_TOP + 0.1) -> None:
        self.write(self.box(page, MARGIN + 0.1, top, SLIDE_WIDTH - 2 * MARGIN - 0.2, 1.0), lines, TEXT_PT)

    def table(self, page: Any, frame: pd.DataFrame, columns: Mapping[str, str], *, top: float = BODY_TOP,
              numbers: Sequence[str] = ()) -> None:  # fmt: skip
        """``frame``'s ``columns`` as a table under the title, headed by the columns' plain
        names, at :data:`TABLE_PT` with no word broken (see :func:`column_widths`)."""
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Inches

        header = list(columns.values())
        body = [
            [_slide_value(v) for v in row] for row in frame[list(columns)].itertuples(index=False, name=None)
        ]
        total = SLIDE_WIDTH - 2 * MARGIN
        widths = column_widths([header, *body], total, TABLE_PT)
        shape = page.shapes.add_table(
            len(body) + 1, len(columns), Inches(MARGIN), Inches(top), Inches(sum(widths)), Inches(0.4 * (len(body) + 1))
        )  # fmt: skip
        grid = shape.table
        for position, width in enumerate(widths):
            grid.columns[position].width = Inches(width)
        for row, values in enumerate([header, *body]):
            grid.rows[row].height = Inches(0.4)
            for position, (column, value) in enumerate(zip(columns, values, strict=True)):
                cell = grid.cell(row, position)
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(ACCENT if row == 0 else BAND if row % 2 == 0 else WHITE)
                align = PP_ALIGN.RIGHT if column in numbers else PP_ALIGN.LEFT
                self.write(cell.text_frame, [value], TABLE_PT, bold=row == 0, colour=WHITE if row == 0 else INK,
                           align=align)  # fmt: skip

    def picture(self, page: Any, name: str, *, left: float = MARGIN, width: float = SLIDE_WIDTH - 2 * MARGIN,
                top: float = BODY_TOP) -> bool:  # fmt: skip
        """The chart ``name`` centred in the box given, at its own size or larger (never
        smaller, so its text stays readable); ``False``, and nothing placed, when it does
        not fit."""
        from PIL import Image
        from pptx.util import Inches

        data = self.pngs[name]
        with Image.open(io.BytesIO(data)) as image:
            natural_w, natural_h = (side / PNG_SCALE / PX_PER_INCH for side in image.size)
        height = BODY_BOTTOM - top
        scale = min(width / natural_w, height / natural_h, 1.5)
        if scale < 1:
            return False
        shown_w, shown_h = natural_w * scale, natural_h * scale
        page.shapes.add_picture(
            io.BytesIO(data), Inches(left + (width - shown_w) / 2), Inches(top), Inches(shown_w), Inches(shown_h)
        )  # fmt: skip
        return True


def _rgb(hex_colour: str) -> Any:
    from pptx.dml.color import RGBColor

    return cast(Any, RGBColor)(*bytes.fromhex(hex_colour))


def _left() -> Any:
    from pptx.enum.text import PP_ALIGN

    return PP_ALIGN.LEFT


def _right() -> Any:
    from pptx.enum.text import PP_ALIGN

    return PP_ALIGN.RIGHT


def _middle() -> Any:
    from pptx.enum.text import MSO_ANCHOR

    return MSO_ANCHOR.MIDDLE


def _bottom() -> Any:
    from pptx.enum.text import MSO_ANCHOR

    return MSO_ANCHOR.BOTTOM


def _slide_value(value: Any) -> str:
    """A table value as people write it: ``73``, ``320,000``, ``Distinct``; blank for nothing."""
    plain = plain_value(value)
    if plain is None:
        return ""
    if isinstance(plain, bool):
        return "Yes" if plain else "No"
    if isinstance(plain, float):
        return f"{plain:,.0f}"
    if isinstance(plain, int):
        return f"{plain:,}"
    return str(plain)
