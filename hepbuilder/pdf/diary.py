"""The diary at the end of the handout: its introduction, the log grid (a row per exercise, a column
per day, tick boxes and a pain row) and ruled lines for the patient's own notes."""

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from reportlab.platypus.flowables import Flowable

from hepbuilder.domain.spec import HandoutSpec

from .ink.fonts import string_width_pt
from .ink.lines import fit, wrap
from .ink.paths import color_op, num, path_ops
from .ink.writer import TextWriter
from .layout import BlockLayout
from .styles import MUTED, RULE, HandoutStyles, TextStyle
from .wording import MONTHS, WEEKDAYS, long_date


def diary_intro(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], BlockLayout]:
    review = (
        f" Bring this sheet to your review on {long_date(spec.review_on)}."
        if spec.review_on
        else ""
    )
    text = (
        "Tick a box on each day you do an exercise. In the bottom row, write how much pain you had "
        f"that day, from 0 (none) to 10 (the worst you can imagine).{review}"
    )

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        y = layout.lines(0.0, 0.0, width, s.title, "Exercise diary", cuttable=False) + 2.0
        y = layout.lines(0.0, y, width, s.body, text, cuttable=False)
        layout.height = y + s.gap_pt
        return layout

    return build


def diary_days(spec: HandoutSpec) -> tuple[str, list[tuple[str, str]]]:
    """The two weeks' span ("25 Nov – 8 Dec 2026") and column headings: weekday and day of month
    from the issue date on, or ("Day", and 1..14 with no weekday) when the handout has no date."""
    if spec.issued_on is None:
        return "Day", [("", str(n)) for n in range(1, 15)]
    days = [spec.issued_on + dt.timedelta(days=n) for n in range(14)]
    first, last = days[0], days[-1]
    span = f"{first.day} {MONTHS[first.month - 1][:3]} – {last.day} {MONTHS[last.month - 1][:3]} {last.year}"
    return span, [(WEEKDAYS[d.weekday()], str(d.day)) for d in days]


class DiaryGrid(Flowable):
    """The exercise diary: a row per exercise, a column per day, tick boxes and a pain row.

    Splits between rows when the grid is longer than a page, repeating the day headings.
    """

    def __init__(self, names, days, styles, *, span: str = "", rows=None, with_pain=True):
        super().__init__()
        self._names = names
        self._days = days
        self._span = span
        self._styles = styles
        self._rows = list(range(len(names))) if rows is None else rows
        self._with_pain = with_pain

    def _head_pt(self) -> float:
        return self._styles.label.leading_pt * 2 + 6.0

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        rows = len(self._rows) + (1 if self._with_pain else 0)
        self.height = self._head_pt() + rows * self._styles.diary_row_pt
        return self.width, self.height

    def split(self, availWidth, availHeight):
        fits = int((availHeight - self._head_pt()) // self._styles.diary_row_pt)
        if fits >= len(self._rows) + (1 if self._with_pain else 0):
            return [self]
        if fits < 2:
            return []
        fits = min(fits, len(self._rows))
        return [
            DiaryGrid(
                self._names,
                self._days,
                self._styles,
                span=self._span,
                rows=self._rows[:fits],
                with_pain=False,
            ),
            DiaryGrid(
                self._names,
                self._days,
                self._styles,
                span=self._span,
                rows=self._rows[fits:],
                with_pain=self._with_pain,
            ),
        ]

    def draw(self):
        canvas = self.canv
        s = self._styles
        name_col = self.width * (0.3 if s.large_print else 0.28)
        day_col = (self.width - name_col) / len(self._days)
        row = s.diary_row_pt
        box = min(s.diary_box_pt, day_col - 4.0, row - 5.0)
        label = s.label
        first_base = self.height - label.size_pt - 1.0
        second_base = first_base - label.leading_pt
        text = TextWriter(canvas)
        for index, words in enumerate(_day_headings(self._days, label, day_col - 3.0)):
            centre = name_col + day_col * (index + 0.5)
            for (word, style), baseline in zip(words, (first_base, second_base), strict=True):
                width = string_width_pt(word, style.font_name, style.size_pt)
                text.text(centre - width / 2, baseline, style, word)
        if self._span:
            text.text(0, first_base, label, self._span.upper())
        text.text(0, second_base, label, "EXERCISE")
        y = self.height - self._head_pt()
        lines = [(self._names[i], False) for i in self._rows]
        if self._with_pain:
            lines.append(("Pain today (0 to 10)", True))
        style = s.body_bold if s.large_print else s.small_bold
        size = style.size_pt
        line_pt = size * 1.15
        # every row's boxes are the same path, moved down a row at a time (one string, reused)
        boxes = " ".join(
            path_ops(name_col + day_col * index + (day_col - box) / 2, -(row + box) / 2, box, box)
            for index in range(len(self._days))
        )
        shapes = [f"{color_op(RULE, 'RG')} .6 w 0 {num(y)} m {num(self.width)} {num(y)} l S"]
        for name, is_pain in lines:
            parts = wrap(name, style.font_name, size, name_col - 8.0)
            if len(parts) > 2:
                parts = [parts[0], fit(" ".join(parts[1:]), style.font_name, size, name_col - 8.0)]
            baseline = y - (row - len(parts) * line_pt) / 2 - size * 0.9
            for part in parts:
                text.line(0, baseline, style.font_name, size, line_pt, style.color, part)
                baseline -= line_pt
            stroke = (
                f"{color_op(s.brand, 'RG')} 1.2 w" if is_pain else f"{color_op(MUTED, 'RG')} .9 w"
            )
            shapes.append(f"q 1 0 0 1 0 {num(y)} cm {stroke} {boxes} S Q")
            y -= row
            shapes.append(f"0 {num(y)} m {num(self.width)} {num(y)} l S")
        canvas.saveState()
        canvas.addLiteral("\n".join(shapes))
        canvas.restoreState()
        text.flush()


def _day_headings(days, style: TextStyle, column_pt: float):
    """Each diary column's (weekday, date) as (word, style) pairs that fit `column_pt`: weekdays
    cut to their usual two-letter form ("Mo", "Tu") when three letters are too wide, and set
    smaller only when even that does not fit (never overlapping the next column)."""

    def widest(words, size_pt: float) -> float:
        return max(string_width_pt(word, style.font_name, size_pt) for word in words)

    weekdays = [weekday for weekday, _ in days]
    if widest(weekdays, style.size_pt) > column_pt:
        weekdays = [weekday[:2] for weekday in weekdays]
    headings = []
    for row in (weekdays, [date for _, date in days]):
        size_pt = style.size_pt
        while size_pt > 5.0 and widest(row, size_pt) > column_pt:
            size_pt -= 0.5
        row_style = style if size_pt == style.size_pt else replace(style, size_pt=size_pt)
        headings.append([(word, row_style) for word in row])
    return list(zip(*headings, strict=True))


class RuledNotes(Flowable):
    """Ruled lines under a heading for the patient's own notes, as many as fit (at most
    `max_lines`); nothing at all when fewer than three fit, so it never adds a page."""

    def __init__(self, heading: str, styles, max_lines: int = 5):
        super().__init__()
        self._heading = heading
        self._styles = styles
        self._max_lines = max_lines
        self._lines = 0

    def _head_pt(self) -> float:
        return self._styles.gap_pt * 1.5 + self._styles.heading.leading_pt + 4.0

    def wrap(self, availWidth, availHeight):
        line_pt = self._styles.diary_row_pt
        self._lines = min(self._max_lines, int((availHeight - self._head_pt() - 2.0) // line_pt))
        if self._lines < 3:
            self._lines = 0
        self.width = availWidth
        self.height = self._head_pt() + self._lines * line_pt + 2.0 if self._lines else 0.0
        return self.width, self.height

    def split(self, availWidth, availHeight):
        return [self]

    def draw(self):
        if not self._lines:
            return
        s = self._styles
        canvas = self.canv
        top = self.height - s.gap_pt * 1.5
        text = TextWriter(canvas)
        text.text(0, top - s.heading.size_pt, s.heading, self._heading)
        text.flush()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        y = top - s.heading.leading_pt - 4.0
        rules = []
        for _ in range(self._lines):
            y -= s.diary_row_pt
            rules.append(f"0 {num(y)} m {num(self.width)} {num(y)} l")
        canvas.addLiteral(" ".join(rules) + " S")
