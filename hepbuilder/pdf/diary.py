"""The diary at the end of the handout: its introduction, the log grid (a row per exercise, a column
per day, tick boxes and a pain row) and ruled lines for the patient's own notes."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from reportlab.platypus.flowables import Flowable

from hepbuilder.domain.spec import HandoutSpec
from hepbuilder.domain.text import MONTHS, long_date

from .ink.fonts import string_width_pt
from .ink.lines import clean, wrap
from .ink.pages import was_postponed
from .ink.paths import color_op, num, path_ops
from .ink.writer import TextWriter
from .layout import BlockLayout
from .styles import MUTED, RULE, HandoutStyles, TextStyle
from .wording import WEEKDAYS

DIARY_MIN_DAYS = 14
DIARY_MAX_DAYS = 42  # six weeks
DAYS_A_WEEK = 7
NAME_COLUMN_SHARE = (0.28, 0.3)  # normal, large print
NAME_PAD_PT = 8.0
BOX_GAP_PT = 3.0
CELL_PAD_PT = 5.0
HEAD_GAP_PT = 6.0
REST_MARK = "–"
CONTINUED = " (continued)"  # after a week's span over its rows on a later page


@dataclass(frozen=True, slots=True)
class DiaryRow:
    """One exercise's row: its name, boxes per session (2 with "each side": left and right),
    sessions a day, and which of the week's days (0 = the first column) are planned."""

    name: str
    sides: tuple[str, ...]  # ("",) or ("L", "R")
    sessions: int
    planned: frozenset[int]


def planned_days(days_per_week: int | None) -> frozenset[int]:
    """The days of a week (0-6 from the week's first day) an exercise is planned for: spread
    out, e.g. 3 days a week -> days 0, 2 and 4; 5 days -> 0, 1, 2, 4 and 5."""
    count = days_per_week or DAYS_A_WEEK
    return frozenset((index * DAYS_A_WEEK) // count for index in range(count))


def diary_rows(spec: HandoutSpec) -> list[DiaryRow]:
    rows = []
    for number, item in enumerate(spec.items, start=1):
        dose = item.dose
        rows.append(
            DiaryRow(
                name=f"{number}. {clean(item.exercise.name)}",
                sides=("L", "R") if dose.side == "each" else ("",),
                sessions=dose.times_per_day or 1,
                planned=planned_days(dose.days_per_week),
            )
        )
    return rows


def diary_span_days(spec: HandoutSpec) -> int:
    """How many days the diary covers: up to the review date (at least two weeks, at most six)."""
    if spec.issued_on is None or spec.review_on is None:
        return DIARY_MIN_DAYS
    days = (spec.review_on - spec.issued_on).days  # up to the day before the review
    return max(DIARY_MIN_DAYS, min(DIARY_MAX_DAYS, days))


def diary_intro(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], BlockLayout]:
    review = (
        f" Bring this diary to your review on {long_date(spec.review_on)}."
        if spec.review_on
        else ""
    )
    rows = diary_rows(spec)
    how = ["Tick one box each time you do an exercise: there is a box for every session."]
    if any(len(row.sides) > 1 for row in rows):
        how.append("L and R are your left and right side.")
    if any(len(row.planned) < DAYS_A_WEEK for row in rows):
        how.append(f"A dash ({REST_MARK}) marks a day off for that exercise.")
    how.append(
        "In the bottom row, write how much pain you had that day, from 0 (none) to 10 "
        f"(the worst you can imagine).{review}"
    )
    text = " ".join(how)

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        y = layout.lines(0.0, 0.0, width, s.title, "Exercise diary", cuttable=False) + 2.0
        y = layout.lines(0.0, y, width, s.body, text, cuttable=False)
        layout.height = y + s.gap_pt
        return layout

    return build


def _short(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]}"


def diary_weeks(spec: HandoutSpec) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each week's span ("Week 1: 25 Nov – 1 Dec 2026") and its columns' (weekday, day of month),
    from the issue date on; ("Days 1 – 7", and ("", "1") ...) when the handout has no date."""
    total = diary_span_days(spec)
    weeks = []
    for start in range(0, total, DAYS_A_WEEK):
        count = min(DAYS_A_WEEK, total - start)
        number = start // DAYS_A_WEEK + 1
        if spec.issued_on is None:
            span = f"Days {start + 1} – {start + count}"
            weeks.append((span, [("", str(start + n + 1)) for n in range(count)]))
            continue
        days = [spec.issued_on + dt.timedelta(days=start + n) for n in range(count)]
        span = f"Week {number}: {_short(days[0])} – {_short(days[-1])} {days[-1].year}"
        weeks.append((span, [(WEEKDAYS[d.weekday()], str(d.day)) for d in days]))
    return weeks


def diary_grids(
    spec: HandoutSpec, s: HandoutStyles, page_height_pt: float | None = None
) -> list[Flowable]:
    """A DiaryGrid per week; given `page_height_pt`, each week that fits on a page is kept
    whole (moved to the next page rather than split)."""
    rows = diary_rows(spec)
    grids = []
    for span, days in diary_weeks(spec):
        grid = DiaryGrid(rows, days, s, span=span, page_height_pt=page_height_pt)
        grid.spaceAfter = s.gap_pt
        grids.append(grid)
    return grids


class DiaryGrid(Flowable):
    """One week of the diary: a row per exercise, a column per day, a box per session (left and
    right boxes for "each side") on its planned days, and the pain row.

    A week is never split across pages while it fits on one (`page_height_pt`): it moves to
    the next page whole. Only a week longer than a page splits between rows, repeating the day
    headings under its span marked "(continued)".
    """

    def __init__(
        self,
        rows,
        days,
        styles,
        *,
        span: str = "",
        first=0,
        last=None,
        with_pain=True,
        page_height_pt: float | None = None,
    ):
        super().__init__()
        self._page_height_pt = page_height_pt
        self._rows = rows
        self._days = days
        self._span = span
        self._styles = styles
        self._first = first
        self._last = len(rows) if last is None else last
        self._with_pain = with_pain
        self._heights: list[float] = []

    def _head_pt(self) -> float:
        return self._styles.label.leading_pt * 3 + HEAD_GAP_PT

    def _name_style(self) -> TextStyle:
        s = self._styles
        return s.body_bold if s.large_print else s.small_bold

    def _columns(self, width: float) -> tuple[float, float]:
        name_col = width * NAME_COLUMN_SHARE[1 if self._styles.large_print else 0]
        return name_col, (width - name_col) / DAYS_A_WEEK

    def _box_pt(self, day_col: float) -> float:
        return min(self._styles.diary_box_pt, day_col - 2 * BOX_GAP_PT)

    def _per_line(self, day_col: float, box: float) -> int:
        return max(1, int((day_col - BOX_GAP_PT) // (box + BOX_GAP_PT)))

    def _row_heights(self, width: float) -> list[float]:
        name_col, day_col = self._columns(width)
        box = self._box_pt(day_col)
        per_line = self._per_line(day_col, box)
        style = self._name_style()
        line_pt = style.size_pt * 1.15
        heights = []
        for row in self._rows[self._first : self._last]:
            names = wrap(row.name, style.font_name, style.size_pt, name_col - NAME_PAD_PT)
            boxes = row.sessions * len(row.sides)
            box_lines = -(-boxes // per_line)
            needed = max(len(names) * line_pt, box_lines * box + (box_lines - 1) * BOX_GAP_PT)
            heights.append(max(self._styles.diary_row_pt, needed + 2 * CELL_PAD_PT))
        if self._with_pain:
            heights.append(self._styles.diary_row_pt)
        return heights

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self._heights = self._row_heights(availWidth)
        self.height = self._head_pt() + sum(self._heights)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        heights = self._row_heights(availWidth)
        room = availHeight - self._head_pt()
        if sum(heights) <= room:
            return [self]
        whole = self._head_pt() + sum(heights)
        at_top = was_postponed(self) or (
            self._page_height_pt is not None and availHeight >= self._page_height_pt - 1.0
        )
        if self._page_height_pt is not None and whole <= self._page_height_pt and not at_top:
            return []  # the whole week on the next page
        fits, used = 0, 0.0
        for height in heights[: self._last - self._first]:
            if used + height > room:
                break
            fits, used = fits + 1, used + height
        rest = len(heights) - fits  # rows left for the next page, the pain row included
        if rest < 2:  # never a lone row (the pain row) over the page
            fits -= 2 - rest
        if fits < 2:
            return []
        middle = self._first + fits
        head = DiaryGrid(
            self._rows,
            self._days,
            self._styles,
            span=self._span,
            first=self._first,
            last=middle,
            with_pain=False,
            page_height_pt=self._page_height_pt,
        )
        rest = DiaryGrid(
            self._rows,
            self._days,
            self._styles,
            span=self._span if self._span.endswith(CONTINUED) else self._span + CONTINUED,
            first=middle,
            last=self._last,
            with_pain=self._with_pain,
            page_height_pt=self._page_height_pt,
        )
        rest.spaceAfter = self.spaceAfter  # the gap before the next week stays
        return [head, rest]

    def draw(self):
        canvas = self.canv
        s = self._styles
        name_col, day_col = self._columns(self.width)
        box = self._box_pt(day_col)
        per_line = self._per_line(day_col, box)
        label = s.label
        span_base = self.height - label.size_pt - 1.0
        first_base = span_base - label.leading_pt
        second_base = first_base - label.leading_pt
        text = TextWriter(canvas)
        if self._span:
            text.text(0, span_base, label, self._span.upper(), s.brand_ink)
        for index, words in enumerate(_day_headings(self._days, label, day_col - 3.0)):
            centre = name_col + day_col * (index + 0.5)
            for (word, style), baseline in zip(words, (first_base, second_base), strict=True):
                width = string_width_pt(word, style.font_name, style.size_pt)
                text.text(centre - width / 2, baseline, style, word)
        text.text(0, second_base, label, "EXERCISE")
        y = self.height - self._head_pt()
        style = self._name_style()
        size = style.size_pt
        line_pt = size * 1.15
        # One path per look (rules, session boxes, pain boxes): its colour and width set once.
        rules = [f"0 {num(y)} m {num(self.width)} {num(y)} l"]
        boxes: list[str] = []
        pain_boxes: list[str] = []
        rows = list(self._rows[self._first : self._last])
        lines = [(row.name, row) for row in rows]
        if self._with_pain:
            lines.append(("Pain today (0 to 10)", None))
        for (name, row), row_h in zip(lines, self._heights, strict=True):
            parts = wrap(name, style.font_name, size, name_col - NAME_PAD_PT)
            baseline = y - (row_h - len(parts) * line_pt) / 2 - size * 0.9
            for part in parts:
                text.line(0, baseline, style.font_name, size, line_pt, style.color, part)
                baseline -= line_pt
            for day in range(len(self._days)):
                left = name_col + day_col * day
                if row is None:
                    pain_boxes.append(_pain_box(left, y, day_col, row_h, box))
                    continue
                if day % DAYS_A_WEEK not in row.planned:
                    mark_w = string_width_pt(REST_MARK, label.font_name, label.size_pt)
                    text.text(
                        left + (day_col - mark_w) / 2,
                        y - row_h / 2 - label.size_pt * 0.35,
                        label,
                        REST_MARK,
                    )
                    continue
                boxes.extend(_session_boxes(left, y, day_col, row_h, box, per_line, row, s, text))
            y -= row_h
            rules.append(f"0 {num(y)} m {num(self.width)} {num(y)} l")
        shapes = [f"{color_op(RULE, 'RG')} .6 w", *rules, "S"]
        if boxes:
            shapes += [f"{color_op(MUTED, 'RG')} .9 w", *boxes, "S"]
        if pain_boxes:
            shapes += [f"{color_op(s.brand, 'RG')} 1.2 w", *pain_boxes, "S"]
        canvas.saveState()
        canvas.addLiteral("\n".join(shapes))
        canvas.restoreState()
        text.flush()


def _pain_box(left, top, day_col, row_h, box) -> str:
    x = left + (day_col - box) / 2
    y = top - (row_h + box) / 2
    return path_ops(x, y, box, box)


def _session_boxes(left, top, day_col, row_h, box, per_line, row, s, text) -> list[str]:
    """A day's boxes for one exercise (paths to stroke): sessions x sides, in lines of
    `per_line`, centred; the side letters in them go to `text`."""
    labels = [side for _ in range(row.sessions) for side in row.sides]
    box_lines = [labels[k : k + per_line] for k in range(0, len(labels), per_line)]
    block_h = len(box_lines) * box + (len(box_lines) - 1) * BOX_GAP_PT
    y = top - (row_h - block_h) / 2 - box
    ops = []
    letter = s.label
    for line in box_lines:
        line_w = len(line) * box + (len(line) - 1) * BOX_GAP_PT
        x = left + (day_col - line_w) / 2
        for side in line:
            ops.append(path_ops(x, y, box, box))
            if side:
                side_w = string_width_pt(side, letter.font_name, letter.size_pt)
                text.text(
                    x + (box - side_w) / 2, y + (box - letter.size_pt * 0.72) / 2, letter, side
                )
            x += box + BOX_GAP_PT
        y -= box + BOX_GAP_PT
    return ops


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
