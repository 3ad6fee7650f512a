"""`Block`: the flowable that shows a BlockLayout. It keeps itself whole (moving to the next page) unless
it is taller than a page, and only then splits at the deepest allowed cut (or, with more than half
the page left, the deepest early cut), drawing "(continued)" on the next page; given a
`foot_mark`, it marks the page it leaves so that the page's footer says it goes on.
"""

from collections.abc import Callable

from reportlab.platypus.flowables import Flowable

from .ink.lines import wrap
from .ink.pages import mark_page, was_postponed
from .ink.paths import path_ops
from .ink.writer import TextWriter
from .layout import BlockLayout, BoxStyle, draw_layout
from .styles import TextStyle

SLICE_PAD_PT = 5.0
CONTINUED_INDENT_PT = 9.0  # the "(continued)" label's indent inside a boxed block
CONTINUED_GAP_PT = 4.0
MIN_PIECE_PT = 30.0  # the least of a block left on either side of a page cut, by default
EARLY_CUT_SHARE = 0.5  # a layout's early cuts are used where more than this share of a page is left


class Block(Flowable):
    """A laid-out block (card, box, notes) that is measured once per width.

    It never splits while it fits on an empty page (`page_height_pt`); a taller block is cut
    at the deepest allowed line and continues under `continued` on the next page.
    """

    def __init__(
        self,
        build: Callable[[float], BlockLayout],
        *,
        page_height_pt: float,
        frame: BoxStyle | None = None,
        continued: tuple[TextStyle, str] | None = None,
        foot_mark: str | None = None,
        keep_whole: bool = True,
        split_if_half_empty: bool = False,
        space_after_pt: float = 0.0,
        min_piece_pt: float = MIN_PIECE_PT,
        _layout: BlockLayout | None = None,
        _start: float = 0.0,
        _end: float | None = None,
    ):
        super().__init__()
        self._build = build
        self._page_height_pt = page_height_pt
        self._box = frame
        self._continued = continued
        self._foot_mark = foot_mark
        self._keep_whole = keep_whole
        self._split_if_half_empty = split_if_half_empty
        self._min_piece_pt = min_piece_pt
        self._layout = _layout
        self._start = _start
        self._end = _end
        self.spaceAfter = space_after_pt

    def _view(self, width: float) -> BlockLayout:
        if self._layout is None or abs(self._layout.width - width) > 0.01:
            self._layout = self._build(width)
        return self._layout

    def _lead_lines(self) -> tuple[str, ...]:
        """The "(continued)" label over a later piece, wrapped to the block's width."""
        if not (self._start > 0 and self._continued):
            return ()
        style, label = self._continued
        pad = CONTINUED_INDENT_PT if self._box is not None else 0.0
        return wrap(label, style.font_name, style.size_pt, self.width - 2 * pad)

    def _lead_pt(self) -> float:
        lines = self._lead_lines()
        return len(lines) * self._continued[0].leading_pt + CONTINUED_GAP_PT if lines else 0.0

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
            foot_mark=self._foot_mark,
            keep_whole=self._keep_whole,
            split_if_half_empty=self._split_if_half_empty,
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
        at_top = availHeight >= self._page_height_pt - 1.0 or was_postponed(self)
        if self._keep_whole and self.height <= self._page_height_pt and not at_top:
            # kept whole: moved to the next page, unless that would leave more than half of
            # this one empty (`split_if_half_empty`): then it starts here and goes on over it
            half_empty = availHeight > self._page_height_pt * EARLY_CUT_SHARE
            if not (self._split_if_half_empty and half_empty):
                return []
        room = availHeight - self._lead_pt() - SLICE_PAD_PT
        end = self._layout.height if self._end is None else self._end
        # no orphans or widows: at least min_piece_pt of the block on each side of a cut
        least = self._min_piece_pt
        cuts = self._layout.cuts
        if availHeight > self._page_height_pt * EARLY_CUT_SHARE and self._layout.early_cuts:
            # where keeping to the usual cuts would leave most of this page empty
            cuts = sorted(cuts + self._layout.early_cuts)
        cuts = [
            c for c in cuts if self._start + least <= c <= self._start + room and end - c >= least
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
            style = self._continued[0]
            pad = CONTINUED_INDENT_PT if self._box is not None else 0.0
            text = TextWriter(canvas)
            baseline = self.height - style.size_pt - CONTINUED_GAP_PT
            for line in self._lead_lines():
                text.text(pad, baseline, style, line)
                baseline -= style.leading_pt
            text.flush()
        if self._foot_mark and self._end is not None:
            mark_page(canvas, self._foot_mark)  # the page's footer says the block goes on
        sliced = self._start > 0 or self._end is not None
        if sliced:
            canvas.saveState()
            clip = canvas.beginPath()
            clip.rect(-2, self._tail_pt(), self.width + 4, self.height - lead - self._tail_pt())
            canvas.clipPath(clip, stroke=0, fill=0)
        end = layout.height if self._end is None else self._end
        between = (self._start, end) if sliced else None
        draw_layout(canvas, layout, 0.0, self.height - lead + self._start, between)
        if sliced:
            canvas.restoreState()
