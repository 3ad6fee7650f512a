"""The layout model: a block of the handout laid out once at one width as positioned text runs,
shapes and pictures, plus the heights at which it may be cut; and the one function that draws it.

`BoxStyle` is how a Block is boxed. Nothing here knows the handout's parts (see first_page, card,
diary) or the page flow (see blocks).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.colors import Color

from .ink.fonts import string_width_pt
from .ink.lines import wrap
from .ink.paths import shape_ops
from .ink.writer import TextWriter
from .styles import RULE, TextStyle

LEAD_INLINE_SHARE = 0.6  # a lead wider than this share of the column goes on lines of its own
WIDOW_LINES = 2  # the fewest lines of a paragraph on either side of a page cut inside it


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
class Rectangle:
    """A box filled or outlined (a rule when its height is 0), its corners rounded by `radius_pt`."""

    x: float
    y: float  # top edge, measured down from the layout's top
    width: float
    height: float
    fill: Color | None = None
    stroke: Color | None = None
    line_pt: float = 0.6
    radius_pt: float = 0.0


@dataclass(slots=True)
class Picture:
    """Anything that draws itself into a box: `draw(canvas, x, y_bottom)` in canvas coordinates."""

    x: float
    y: float
    width: float
    height: float
    draw: Callable


@dataclass(slots=True)
class BlockLayout:
    width: float
    height: float = 0.0
    shapes: list[Rectangle] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    cuts: list[float] = field(default_factory=list)  # ascending heights where a page may end
    # heights where a page may end only when the block would otherwise leave most of that page
    # empty (a large-print card after its name and "What it is for", see blocks.Block.split)
    early_cuts: list[float] = field(default_factory=list)

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

        `lead` is a bold label set before the text on its first line ("Note:"). When
        `cuttable`, the block may be cut after the text, and inside it where at least two of
        its lines stay on each side of the cut: never one line alone at a page's foot or top.
        """
        first_indent = 0.0
        if lead:
            lead_style, lead_text = lead
            first_indent = string_width_pt(
                lead_text + " ", lead_style.font_name, lead_style.size_pt
            )
            if first_indent > width * LEAD_INLINE_SHARE:
                # a long lead ("Stop and call <a long clinic name> on <phone>:") wraps on its
                # own lines, and the text starts below it
                for part in wrap(lead_text, lead_style.font_name, lead_style.size_pt, width):
                    self.text(x, y + style.size_pt, lead_style, part)
                    y += style.leading_pt
                first_indent = 0.0
            else:
                self.text(x, y + style.size_pt, lead_style, lead_text)
        descent = style.leading_pt - style.size_pt
        wrapped = wrap(text, style.font_name, style.size_pt, width, width - first_indent)
        last = len(wrapped) - 1
        for index, line in enumerate(wrapped):
            if line:
                self.text(
                    x + (first_indent if index == 0 else 0.0), y + style.size_pt, style, line, color
                )
            y += style.leading_pt
            if cuttable and (index == last or WIDOW_LINES <= index + 1 <= last + 1 - WIDOW_LINES):
                self.cuts.append(y - descent * 0.3)
        return y

    def rule(self, x: float, y: float, width: float, color: Color, line_pt: float = 0.6):
        self.shapes.append(Rectangle(x, y, width, 0.0, stroke=color, line_pt=line_pt))


def draw_layout(
    canvas, layout: BlockLayout, x: float, y_top: float, between: tuple[float, float] | None = None
) -> None:
    """Draw `layout` with its top-left corner at (x, y_top) in canvas coordinates.

    Shapes first, then pictures, then all text in a single text object (see ink/writer).
    `between` (top, bottom), measured down from the layout's top, draws only the pictures and
    text lines of that slice (a page's piece of a Block): the caller clips the shapes to it.
    """
    if layout.shapes:
        canvas.addLiteral(shape_ops(layout.shapes, x, y_top))
    top, bottom = between or (float("-inf"), float("inf"))
    for picture in layout.pictures:
        if picture.y < bottom and picture.y + picture.height > top:
            picture.draw(canvas, x + picture.x, y_top - picture.y - picture.height)
    runs = [run for run in layout.runs if top < run.baseline <= bottom]
    if not runs:
        return
    writer = TextWriter(canvas)
    line = writer.line
    for run in runs:
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
class BoxStyle:
    """How a Block is boxed: a border (and fill) drawn around whatever part of it is on a page."""

    stroke: Color | None = RULE
    fill: Color | None = None
    line_pt: float = 0.75
    radius_pt: float = 4.0
