"""An exercise card's picture: its frames (start, finish, and sometimes a middle one) arranged in
rows at a readable size, each frame's label under it (the caption's words are the illustrations
layer's `illustration_caption`).

Frames sit side by side when they fit at their size (at least about 60 mm wide in normal print,
1.5 times that in large print), else they stack in rows. All frames of one exercise share one
scale: the whole illustration is drawn once per row as the illustrations layer lays it out, and a
frame moved to a row of its own is the same drawing shifted and clipped to its cell.
"""

from dataclasses import dataclass, replace

from reportlab.lib.units import mm

from hepbuilder.domain.exercise import Exercise
from hepbuilder.illustrations import illustration_flowable
from hepbuilder.illustrations.layout import layout as frame_layout

from .ink.fonts import REGULAR, string_width_pt
from .layout import BlockLayout, Picture
from .styles import FRAME_MM, PAD_PT, HandoutStyles

FRAME_GAP_PT = 4 * mm  # between frames in a row, and between rows
FRAME_MIN_SHARE = 1.0  # frames keep their whole size (about 60 mm wide in normal print): a row that
# cannot hold them all at that size wraps, so a three-frame picture is two rows on A4
LARGE_PRINT_FACTOR = 1.5  # a large-print frame is at least this many times its normal size
LABEL_GAP_PT = 2.0  # between a frame and its label
_ARM_PARTS = ("arm", "hand", "forearm", "shoulder", "elbow", "wrist")


@dataclass(frozen=True, slots=True)
class FrameGrid:
    count: int
    columns: int
    cell_w: float
    cell_h: float

    @property
    def rows(self) -> int:
        return -(-self.count // self.columns)

    @property
    def width(self) -> float:
        return self.columns * self.cell_w + (self.columns - 1) * FRAME_GAP_PT

    @property
    def last_row_width(self) -> float:
        """The width of the frames in the last row (less than `width` when it is not full)."""
        frames = self.count - (self.rows - 1) * self.columns
        return frames * self.cell_w + (frames - 1) * FRAME_GAP_PT


def _columns_for(count: int, room_pt: float, frame_w_pt: float, least_w_pt: float):
    columns = count
    while columns > 1 and columns * least_w_pt + (columns - 1) * FRAME_GAP_PT > room_pt:
        columns -= 1
    cell_w = min(frame_w_pt, (room_pt - (columns - 1) * FRAME_GAP_PT) / columns)
    return columns, cell_w


def arrange_frames(count: int, room_pt: float, s: HandoutStyles) -> FrameGrid:
    """Rows and cell size for `count` frames in a column `room_pt` wide.

    Large print keeps every frame at least 1.5 times as wide as the same frame in normal print
    (in a card of the same paper), stacking frames that would otherwise have to shrink.
    """
    normal_w = FRAME_MM[0][0] * mm
    _, normal_cell = _columns_for(
        count, room_pt + 2 * (PAD_PT[1] - PAD_PT[0]), normal_w, normal_w * FRAME_MIN_SHARE
    )
    least = LARGE_PRINT_FACTOR * normal_cell if s.large_print else s.frame_w_pt * FRAME_MIN_SHARE
    columns, cell_w = _columns_for(count, room_pt, s.frame_w_pt, min(least, room_pt))
    return FrameGrid(count, columns, cell_w, cell_w * s.frame_h_pt / s.frame_w_pt)


def frame_count(exercise: Exercise) -> int:
    data = exercise.illustration or {}
    return max(1, len(data.get("frames") or ()))


def limb_word(exercise: Exercise) -> str:
    """ "leg" or "arm": what the highlighted part of the picture is (else "side")."""
    parts = (exercise.illustration or {}).get("highlight") or ()
    if not parts:
        return "side"
    return "arm" if any(p.startswith(_ARM_PARTS) for p in parts) else "leg"


def _unlabelled(exercise: Exercise) -> tuple[Exercise, list[str]]:
    """The exercise with its frame labels taken out (the card sets them at its own type size)."""
    data = exercise.illustration or {}
    frames = data.get("frames") or []
    labels = [str(frame.get("label") or "") for frame in frames]
    if not any(labels):
        return exercise, labels
    bare = [{key: value for key, value in frame.items() if key != "label"} for frame in frames]
    return replace(exercise, illustration={**data, "frames": bare}), labels


def place_picture(
    layout: BlockLayout,
    exercise: Exercise,
    side: str,
    x: float,
    y: float,
    grid: FrameGrid,
    accent_hex: str,
    s: HandoutStyles,
) -> list[float]:
    """Add the picture's frames and labels to `layout` at (x, y); returns the y below each row
    of frames (with its labels), the last being the y below the whole picture."""
    bare, labels = _unlabelled(exercise)
    count = grid.count
    labels = (labels + [""] * count)[:count]
    row_w = count * grid.cell_w + (count - 1) * FRAME_GAP_PT  # every frame in one row
    flowable = illustration_flowable(bare, side, row_w, grid.cell_h, accent_hex, font_name=REGULAR)
    flowable.wrap(row_w, grid.cell_h)
    spans = _frame_spans(flowable, row_w, grid.cell_h, count)
    centres = [(left + right) / 2 for left, right in spans]
    label_style = s.small
    label_h = label_style.leading_pt + LABEL_GAP_PT if any(labels) else 0.0
    if grid.rows == 1:
        offset = (grid.width - row_w) / 2

        def draw_row(canvas, left, bottom):
            flowable.drawOn(canvas, left, bottom)

        layout.pictures.append(Picture(x + offset, y, row_w, grid.cell_h, draw_row))
        for label, centre in zip(labels, centres, strict=True):
            _label(layout, label, x + offset + centre, y + grid.cell_h, s)
        return [y + grid.cell_h + label_h]
    for index, centre in enumerate(centres):
        row, column = divmod(index, grid.columns)
        cell_x = x + column * (grid.cell_w + FRAME_GAP_PT)
        cell_y = y + row * (grid.cell_h + label_h + FRAME_GAP_PT)
        shift = grid.cell_w / 2 - centre
        # only this frame's share of the row: up to half way to each neighbour
        share_left = (spans[index - 1][1] + spans[index][0]) / 2 if index else 0.0
        share_right = (spans[index][1] + spans[index + 1][0]) / 2 if index + 1 < count else row_w
        clip_left = max(0.0, share_left + shift)
        clip_w = min(grid.cell_w, share_right + shift) - clip_left

        def draw_cell(canvas, left, bottom, _shift=shift, _clip=(clip_left, clip_w)):
            canvas.saveState()
            clip = canvas.beginPath()
            clip.rect(left + _clip[0], bottom, _clip[1], grid.cell_h)
            canvas.clipPath(clip, stroke=0, fill=0)
            flowable.drawOn(canvas, left + _shift, bottom)
            canvas.restoreState()

        layout.pictures.append(Picture(cell_x, cell_y, grid.cell_w, grid.cell_h, draw_cell))
        _label(
            layout,
            labels[index] if labels else "",
            cell_x + grid.cell_w / 2,
            cell_y + grid.cell_h,
            s,
        )
    row_pitch = grid.cell_h + label_h + FRAME_GAP_PT
    return [y + row * row_pitch + grid.cell_h + label_h for row in range(grid.rows)]


def _label(layout: BlockLayout, text: str, centre_x: float, top: float, s: HandoutStyles) -> None:
    if not text:
        return
    style = s.small
    width = string_width_pt(text, style.font_name, style.size_pt)
    layout.text(centre_x - width / 2, top + LABEL_GAP_PT + style.size_pt, style, text)


def _frame_spans(flowable, width: float, height: float, count: int) -> list[tuple[float, float]]:
    """Where each frame starts and ends across a row `width` wide (even shares without poses)."""
    art = getattr(flowable, "art", None)
    if art is None or len(art.frames) != count:
        share = width / count
        return [(index * share, (index + 1) * share) for index in range(count)]
    lay = frame_layout(art, width, height, label_size=1.0, line_width=1.0)
    return [
        (origin[0], origin[0] + (frame.bbox[2] - frame.bbox[0]) * lay.scale)
        for origin, frame in zip(lay.origins, art.frames, strict=True)
    ]
