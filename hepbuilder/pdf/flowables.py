"""Custom flowables: content laid out once as positioned text and shapes, drawn in one pass.

A `Layout` is what a handout block (exercise card, notes, boxes) looks like at one width:
text runs, shapes and embedded drawings at positions measured down from its top, plus the
heights at which it may be cut. `Block` is the flowable that shows a Layout; it keeps itself
whole (moving to the next page) unless it is taller than a page, and only then splits at the
deepest allowed cut, drawing "(continued)" on the next page. `DiaryGrid` is the log sheet.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from reportlab.lib.colors import Color
from reportlab.platypus.flowables import Flowable

from .fonts import string_width_pt
from .styles import MUTED, RULE, TextStyle
from .text import fit, wrap
from .textops import TextWriter, fill_op

SLICE_PAD_PT = 5.0
MIN_PIECE_PT = 30.0  # the least of a block left on either side of a page cut, by default


@dataclass(slots=True)
class Run:
    x: float
    baseline: float
    font_name: str
    size_pt: float
    leading_pt: float
    color: Color
    text: str


@dataclass(slots=True)
class Shape:
    x: float
    y: float  # top edge, measured down from the layout's top
    width: float
    height: float
    fill: Color | None = None
    stroke: Color | None = None
    line_pt: float = 0.6
    radius_pt: float = 0.0


@dataclass(slots=True)
class Drawing:
    """Anything that draws itself into a box: `draw(canvas, x, y_bottom)` in canvas coordinates."""

    x: float
    y: float
    width: float
    height: float
    draw: Callable


@dataclass(slots=True)
class Layout:
    width: float
    height: float = 0.0
    shapes: list[Shape] = field(default_factory=list)
    drawings: list[Drawing] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    cuts: list[float] = field(default_factory=list)  # ascending heights where a page may end

    def text(
        self, x: float, baseline: float, style: TextStyle, text: str, color: Color | None = None
    ):
        self.runs.append(
            Run(
                x,
                baseline,
                style.font_name,
                style.size_pt,
                style.leading_pt,
                color or style.color,
                text,
            )
        )

    def lines(
        self,
        x: float,
        y: float,
        width: float,
        style: TextStyle,
        text: str,
        *,
        lead: tuple[TextStyle, str] | None = None,
        cuttable: bool = True,
        color: Color | None = None,
    ) -> float:
        """Wrap `text` into the column at (x, y) and return the y below its last line.

        `lead` is a bold label set before the text on its first line ("Note:"). Each line
        end is a place the block may be cut when `cuttable`.
        """
        first_indent = 0.0
        if lead:
            lead_style, lead_text = lead
            first_indent = string_width_pt(
                lead_text + " ", lead_style.font_name, lead_style.size_pt
            )
            if first_indent > width * 0.6:
                self.text(x, y + style.size_pt, lead_style, lead_text)
                y += style.leading_pt
                first_indent = 0.0
            else:
                self.text(x, y + style.size_pt, lead_style, lead_text)
        descent = style.leading_pt - style.size_pt
        for index, line in enumerate(
            wrap(text, style.font_name, style.size_pt, width, width - first_indent)
        ):
            if line:
                self.text(
                    x + (first_indent if index == 0 else 0.0), y + style.size_pt, style, line, color
                )
            y += style.leading_pt
            if cuttable:
                self.cuts.append(y - descent * 0.3)
        return y

    def rule(self, x: float, y: float, width: float, color: Color, line_pt: float = 0.6):
        self.shapes.append(Shape(x, y, width, 0.0, stroke=color, line_pt=line_pt))


def _num(value: float) -> str:
    """A length to 0.1 pt (0.04 mm, finer than any printer), without a trailing ".0"."""
    text = f"{value:.1f}"
    if text[-1] == "0":
        text = text[:-2]
        if text == "-0":
            return "0"
    return text


def path_ops(x: float, y: float, width: float, height: float, radius: float = 0.0) -> str:
    """PDF path operators for a rectangle (rounded when `radius`), bottom-left at (x, y).

    Written directly (and drawn with canvas.addLiteral) because reportlab's general number
    formatting dominated the render time for the many small shapes of a handout. Straight
    edges that a full radius leaves with no length (pills, round badges) are left out.
    """
    if not radius:
        return f"{_num(x)} {_num(y)} {_num(width)} {_num(height)} re"
    r = min(radius, width / 2, height / 2)
    k = r * 0.4477  # distance of the Bezier control points from the corner (1 - 0.5523)
    x0, y0, x1, y1 = _num(x), _num(y), _num(x + width), _num(y + height)
    xr0, xr1, yr0, yr1 = _num(x + r), _num(x + width - r), _num(y + r), _num(y + height - r)
    xk0, xk1, yk0, yk1 = _num(x + k), _num(x + width - k), _num(y + k), _num(y + height - k)
    ops = [f"{xr0} {y0} m"]
    if xr1 != xr0:
        ops.append(f"{xr1} {y0} l")
    ops.append(f"{xk1} {y0} {x1} {yk0} {x1} {yr0} c")
    if yr1 != yr0:
        ops.append(f"{x1} {yr1} l")
    ops.append(f"{x1} {yk1} {xk1} {y1} {xr1} {y1} c")
    if xr1 != xr0:
        ops.append(f"{xr0} {y1} l")
    ops.append(f"{xk0} {y1} {x0} {yk1} {x0} {yr1} c")
    if yr1 != yr0:
        ops.append(f"{x0} {yr0} l")
    ops.append(f"{x0} {yk0} {xk0} {y0} {xr0} {y0} c h")
    return " ".join(ops)


def _color_op(color: Color, op: str) -> str:
    return fill_op(color)[:-2] + op


def _shape_ops(shapes: list[Shape], x: float, y_top: float) -> str:
    """All of a layout's shapes as one string of PDF operators, inside q/Q.

    Colours and widths are written only when they change. A fully rounded shape (a pill or
    a round badge) is drawn as a straight stroke with round caps, which is exactly that shape:
    two short strokes (border, then fill) instead of eight curve segments.
    """
    ops = ["q"]
    fill = stroke = width = cap = None
    for shape in shapes:
        bottom = y_top - shape.y - shape.height
        left = x + shape.x
        thickness = min(shape.width, shape.height)
        if shape.fill is not None and shape.radius_pt * 2 >= thickness - 0.01 and thickness > 0:
            if cap != 1:
                cap = 1
                ops.append("1 J")
            r = thickness / 2
            if shape.width >= shape.height:
                y_mid = _num(bottom + r)
                segment = f"{_num(left + r)} {y_mid} m {_num(left + shape.width - r)} {y_mid} l S"
            else:
                x_mid = _num(left + r)
                segment = (
                    f"{x_mid} {_num(bottom + r)} m {x_mid} {_num(bottom + shape.height - r)} l S"
                )
            layers = [(shape.fill, thickness)]
            if shape.stroke is not None:
                layers = [
                    (shape.stroke, thickness + shape.line_pt),
                    (shape.fill, thickness - shape.line_pt),
                ]
            for color, line in layers:
                op = _color_op(color, "RG")
                if op != stroke:
                    stroke = op
                    ops.append(op)
                if line != width:
                    width = line
                    ops.append(f"{_num(line)} w")
                ops.append(segment)
            continue
        if shape.fill is not None:
            op = fill_op(shape.fill)
            if op != fill:
                fill = op
                ops.append(op)
        if shape.stroke is not None:
            op = _color_op(shape.stroke, "RG")
            if op != stroke:
                stroke = op
                ops.append(op)
            if shape.line_pt != width:
                width = shape.line_pt
                ops.append(f"{_num(width)} w")
            if cap not in (None, 0):
                cap = 0
                ops.append("0 J")
        if shape.height == 0.0:
            ops.append(
                f"{_num(left)} {_num(bottom)} m {_num(left + shape.width)} {_num(bottom)} l S"
            )
            continue
        paint = "S" if shape.fill is None else "f" if shape.stroke is None else "B"
        ops.append(f"{path_ops(left, bottom, shape.width, shape.height, shape.radius_pt)} {paint}")
    ops.append("Q")
    return "\n".join(ops)


def draw_layout(canvas, layout: Layout, x: float, y_top: float) -> None:
    """Draw `layout` with its top-left corner at (x, y_top) in canvas coordinates.

    Shapes first, then pictures, then all text in a single text object (see textops).
    """
    if layout.shapes:
        canvas.addLiteral(_shape_ops(layout.shapes, x, y_top))
    for drawing in layout.drawings:
        drawing.draw(canvas, x + drawing.x, y_top - drawing.y - drawing.height)
    if not layout.runs:
        return
    writer = TextWriter(canvas)
    line = writer.line
    for run in layout.runs:
        line(
            x + run.x,
            y_top - run.baseline,
            run.font_name,
            run.size_pt,
            run.leading_pt,
            run.color,
            run.text,
        )
    writer.flush()


@dataclass(frozen=True, slots=True)
class Frame:
    """How a Block is boxed: a border (and fill) drawn around whatever part of it is on a page."""

    stroke: Color | None = RULE
    fill: Color | None = None
    line_pt: float = 0.75
    radius_pt: float = 4.0


class Block(Flowable):
    """A laid-out block (card, box, notes) that is measured once per width.

    It never splits while it fits on an empty page (`page_height_pt`); a taller block is cut
    at the deepest allowed line and continues under `continued` on the next page.
    """

    def __init__(
        self,
        build: Callable[[float], Layout],
        *,
        page_height_pt: float,
        frame: Frame | None = None,
        continued: tuple[TextStyle, str] | None = None,
        keep_whole: bool = True,
        space_after_pt: float = 0.0,
        min_piece_pt: float = MIN_PIECE_PT,
        _layout: Layout | None = None,
        _start: float = 0.0,
        _end: float | None = None,
    ):
        super().__init__()
        self._build = build
        self._page_height_pt = page_height_pt
        self._box = frame
        self._continued = continued
        self._keep_whole = keep_whole
        self._min_piece_pt = min_piece_pt
        self._layout = _layout
        self._start = _start
        self._end = _end
        self.spaceAfter = space_after_pt

    def _view(self, width: float) -> Layout:
        if self._layout is None or abs(self._layout.width - width) > 0.01:
            self._layout = self._build(width)
        return self._layout

    def _lead_pt(self) -> float:
        return self._continued[0].leading_pt + 4.0 if self._start > 0 and self._continued else 0.0

    def _tail_pt(self) -> float:
        return SLICE_PAD_PT if self._end is not None else 0.0

    def wrap(self, availWidth, availHeight):
        layout = self._view(availWidth)
        end = layout.height if self._end is None else self._end
        self.width = availWidth
        self.height = self._lead_pt() + (end - self._start) + self._tail_pt()
        return self.width, self.height

    def _piece(self, start: float, end: float | None) -> "Block":
        return Block(
            self._build,
            page_height_pt=self._page_height_pt,
            frame=self._box,
            continued=self._continued,
            keep_whole=self._keep_whole,
            space_after_pt=self.spaceAfter if end is None else 0.0,
            min_piece_pt=self._min_piece_pt,
            _layout=self._layout,
            _start=start,
            _end=end,
        )

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight:
            return [self]
        at_top = availHeight >= self._page_height_pt - 1.0 or getattr(self, "_postponed", False)
        if self._keep_whole and self.height <= self._page_height_pt and not at_top:
            return []
        room = availHeight - self._lead_pt() - SLICE_PAD_PT
        end = self._layout.height if self._end is None else self._end
        # no orphans or widows: at least min_piece_pt of the block on each side of a cut
        least = self._min_piece_pt
        cuts = [
            c
            for c in self._layout.cuts
            if self._start + least <= c <= self._start + room and end - c >= least
        ]
        if not cuts:
            if not at_top:
                return []
            cuts = [self._start + max(room, 12.0)]  # nothing fits: cut anyway rather than fail
        cut = cuts[-1]
        return [self._piece(self._start, cut), self._piece(cut, self._end)]

    def draw(self):
        canvas = self.canv
        layout = self._layout
        if self._box is not None:
            canvas.saveState()
            if self._box.fill is not None:
                canvas.setFillColor(self._box.fill)
            if self._box.stroke is not None:
                canvas.setStrokeColor(self._box.stroke)
                canvas.setLineWidth(self._box.line_pt)
            paint = {(True, True): "B", (True, False): "f", (False, True): "S"}[
                (self._box.fill is not None, self._box.stroke is not None)
            ]
            canvas.addLiteral(
                f"{path_ops(0, 0, self.width, self.height, self._box.radius_pt)} {paint}"
            )
            canvas.restoreState()
        lead = self._lead_pt()
        if lead:
            style, label = self._continued
            pad = 9.0 if self._box is not None else 0.0
            text = TextWriter(canvas)
            text.text(
                pad,
                self.height - style.size_pt - 4.0,
                style,
                fit(label, style.font_name, style.size_pt, self.width - 2 * pad),
            )
            text.flush()
        sliced = self._start > 0 or self._end is not None
        if sliced:
            canvas.saveState()
            clip = canvas.beginPath()
            clip.rect(-2, self._tail_pt(), self.width + 4, self.height - lead - self._tail_pt())
            canvas.clipPath(clip, stroke=0, fill=0)
        draw_layout(canvas, layout, 0.0, self.height - lead + self._start)
        if sliced:
            canvas.restoreState()


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
        shapes = [f"{_color_op(RULE, 'RG')} .6 w 0 {_num(y)} m {_num(self.width)} {_num(y)} l S"]
        for name, is_pain in lines:
            parts = wrap(name, style.font_name, size, name_col - 8.0)
            if len(parts) > 2:
                parts = [parts[0], fit(" ".join(parts[1:]), style.font_name, size, name_col - 8.0)]
            baseline = y - (row - len(parts) * line_pt) / 2 - size * 0.9
            for part in parts:
                text.line(0, baseline, style.font_name, size, line_pt, style.color, part)
                baseline -= line_pt
            stroke = (
                f"{_color_op(s.brand, 'RG')} 1.2 w" if is_pain else f"{_color_op(MUTED, 'RG')} .9 w"
            )
            shapes.append(f"q 1 0 0 1 0 {_num(y)} cm {stroke} {boxes} S Q")
            y -= row
            shapes.append(f"0 {_num(y)} m {_num(self.width)} {_num(y)} l S")
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
            rules.append(f"0 {_num(y)} m {_num(self.width)} {_num(y)} l")
        canvas.addLiteral(" ".join(rules) + " S")
