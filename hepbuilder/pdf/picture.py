"""An exercise card's picture: its photos when the exercise has any, else its drawn frames (start,
finish, and sometimes a middle one), arranged in rows at a readable size, each one's label under
it (the caption's words under a drawing are the illustrations layer's `illustration_caption`).

Photos (1-4) keep their shape: each as wide as a frame (about 60 mm, 1.5 times that in large
print) unless it is taller than PHOTO_MAX_TALL times that, when it is drawn narrower; side by side
when they fit, else in rows, bottoms aligned in a row so their labels line up.

Drawn frames go in one row fitted to the drawing when the figures fit across the card at the size
a row of frames (about 60 x 44 mm each, 1.5 times that in large print) would draw them: the row
is as wide as the figures are, not as the frames, so text goes beside two standing figures, and a
lying figure, which fills a frame's width long before its height, is drawn larger (up to
FITTED_GROWTH times, as tall as a frame and as wide as the card) in a row no taller than it. Frames
that do not fit in one row stack in rows of frame-sized cells. All frames of one exercise share
one scale: the whole illustration is drawn once per row as the illustrations layer lays it out,
and a frame moved to a row of its own is the same drawing shifted and clipped to its cell.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from reportlab.lib.units import mm

from hepbuilder.domain.exercise import LibraryExercise
from hepbuilder.illustrations import (
    frame_labels,
    illustration_art,
    illustration_caption,
    illustration_flowable,
)
from hepbuilder.illustrations.compose import Illustration
from hepbuilder.illustrations.layout import fitted_box
from hepbuilder.illustrations.layout import layout as frame_layout

from .ink.fonts import REGULAR, string_width_pt
from .ink.images import draw_jpeg
from .ink.lines import clean, wrap
from .layout import BlockLayout, Picture
from .photos import PrintReady, print_photo
from .styles import FRAME_MM, PAD_PT, RULE, HandoutStyles

FRAME_GAP_PT = 4 * mm  # between frames in a row, and between rows
FRAME_MIN_SHARE = 1.0  # frames keep their whole size (about 60 mm wide in normal print): a row that
# cannot hold them all at that size wraps, so a three-frame picture is two rows on A4
LARGE_PRINT_FACTOR = 1.5  # a large-print frame is at least this many times its normal size
LABEL_GAP_PT = 2.0  # between a frame and its label
PHOTO_MAX_TALL = 1.6  # a photo is at most this many times as tall as its cell is wide
PHOTO_LINE_PT = 0.5  # the hairline round a photo, so a white background keeps its edge
FITTED_GROWTH = 1.5  # a fitted row draws its figures at most this many times as big as frames do


class _Cells:
    """Rows of `columns` cells `cell_w` wide (a grid's `count`, `columns` and `cell_w`)."""

    __slots__ = ()

    @property
    def rows(self) -> int:
        return -(-self.count // self.columns)

    @property
    def width(self) -> float:
        return self.columns * self.cell_w + (self.columns - 1) * FRAME_GAP_PT

    @property
    def last_row_width(self) -> float:
        """The width of the cells in the last row (less than `width` when it is not full)."""
        cells = self.count - (self.rows - 1) * self.columns
        return cells * self.cell_w + (cells - 1) * FRAME_GAP_PT


@dataclass(frozen=True, slots=True)
class FrameGrid(_Cells):
    count: int
    columns: int
    cell_w: float
    cell_h: float


def _columns_for(count: int, room_pt: float, frame_w_pt: float, least_w_pt: float):
    columns = count
    while columns > 1 and columns * least_w_pt + (columns - 1) * FRAME_GAP_PT > room_pt:
        columns -= 1
    cell_w = min(frame_w_pt, (room_pt - (columns - 1) * FRAME_GAP_PT) / columns)
    return columns, cell_w


@dataclass(frozen=True, slots=True)
class FittedRow:
    """All the frames in one row `width` wide: one drawing `drawing_w` x `cell_h` centred in it
    (`width` is at least a frame's, so the caption under it and the text beside it keep room)."""

    count: int
    width: float
    drawing_w: float
    cell_h: float
    rows = 1

    @property
    def columns(self) -> int:
        return self.count

    @property
    def last_row_width(self) -> float:
        return self.width


def arrange_frames(
    art: Illustration | None,
    count: int,
    room_pt: float,
    s: HandoutStyles,
    labels: Sequence[str] = (),
) -> FittedRow | FrameGrid:
    """Where `count` frames of `art` (None: a placeholder) go in a column `room_pt` wide: one
    row fitted to the drawing when the figures fit in it at a frame's size, else rows of cells."""
    if art is not None:
        row = fitted_row(art, count, room_pt, s, labels)
        if row is not None:
            return row
    return frame_cells(count, room_pt, s)


def fitted_row(
    art: Illustration, count: int, room_pt: float, s: HandoutStyles, labels: Sequence[str] = ()
) -> FittedRow | None:
    """The one row fitted to `art`'s figures at the scale a row of `count` frames draws them (a
    drawing that fills the row's width first grows, up to FITTED_GROWTH times, as tall as a
    frame and `room_pt` wide), or None when the figures at that scale are wider than `room_pt`.
    The row is at least a frame wide, and wide enough for each of `labels` (in `s.small`)
    centred under its frame."""
    frames_w = count * s.frame_w_pt + (count - 1) * FRAME_GAP_PT
    scale = frame_layout(art, frames_w, s.frame_h_pt, label_size=0.0, line_width=1.0).scale
    width, height = fitted_box(art, scale)
    if width > room_pt:
        return None
    growth = min(FITTED_GROWTH, room_pt / width, s.frame_h_pt / height)
    if growth > 1.0:
        width, height = fitted_box(art, scale * growth)
    # each label is centred under its frame: the row is wide enough for the widest past an end
    spans = _frame_spans(art, width, height, count)
    style = s.small
    wanted = max(
        (
            string_width_pt(label, style.font_name, style.size_pt) + abs(left + right - width)
            for label, (left, right) in zip(labels, spans, strict=False)
            if label
        ),
        default=0.0,
    )
    return FittedRow(count, min(max(width, s.frame_w_pt, wanted), room_pt), width, height)


def frame_cells(count: int, room_pt: float, s: HandoutStyles) -> FrameGrid:
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


def frame_row_size(grid: FittedRow | FrameGrid) -> tuple[float, float]:
    """(width, height) in points of the one drawing of all the grid's frames in a row, as the
    illustrations layer draws it (a frame in a row of its own is that drawing shifted)."""
    if isinstance(grid, FittedRow):
        return grid.drawing_w, grid.cell_h
    count = grid.count
    return count * grid.cell_w + (count - 1) * FRAME_GAP_PT, grid.cell_h


@dataclass(frozen=True, slots=True)
class PhotoGrid(_Cells):
    """Where an exercise's photos go: `sizes` (width, height) in points as each is drawn, in
    cells `cell_w` wide, `columns` to a row; `labels` wrapped to a cell's width."""

    columns: int
    cell_w: float
    sizes: tuple[tuple[float, float], ...]
    labels: tuple[tuple[str, ...], ...]
    label_leading_pt: float

    @property
    def count(self) -> int:
        return len(self.sizes)

    def row(self, row: int) -> range:
        return range(row * self.columns, min(self.count, (row + 1) * self.columns))

    def row_height(self, row: int) -> float:
        """The tallest photo of the row."""
        return max(self.sizes[index][1] for index in self.row(row))

    def label_height(self, row: int) -> float:
        lines = max(len(self.labels[index]) for index in self.row(row))
        return lines * self.label_leading_pt + LABEL_GAP_PT if lines else 0.0


def arrange_picture(
    exercise: LibraryExercise, side: str, room_pt: float, s: HandoutStyles
) -> FittedRow | FrameGrid | PhotoGrid:
    """The grid of the card's picture: its photos when it has any, else its drawn frames (of
    the drawing on `side`)."""
    if exercise.printed_photos:
        return arrange_photos(exercise, room_pt, s)
    bare, labels = _unlabelled(exercise)  # drawn as place_picture draws it: one geometry
    return arrange_frames(illustration_art(bare, side), frame_count(exercise), room_pt, s, labels)


def arrange_photos(exercise: LibraryExercise, room_pt: float, s: HandoutStyles) -> PhotoGrid:
    """Cells as wide as a frame (as many to a row as fit in `room_pt`), each photo its own shape
    in its cell: the cell's width, or narrower when that would make it taller than
    PHOTO_MAX_TALL times the cell's width."""
    photos = exercise.printed_photos
    cell_w = min(s.frame_w_pt, room_pt)
    columns = len(photos)
    while columns > 1 and columns * cell_w + (columns - 1) * FRAME_GAP_PT > room_pt:
        columns -= 1
    sizes = []
    for photo in photos:
        ready = print_photo(photo.data, s.large_print)
        tall = ready.height_px / ready.width_px
        width = min(cell_w, PHOTO_MAX_TALL * cell_w / tall)
        sizes.append((width, width * tall))
    style = s.small
    labels = tuple(
        tuple(wrap(clean(photo.label), style.font_name, style.size_pt, cell_w))
        if photo.label
        else ()
        for photo in photos
    )
    return PhotoGrid(columns, cell_w, tuple(sizes), labels, style.leading_pt)


def picture_caption(exercise: LibraryExercise, side: str) -> str:
    """The line under the picture: what the drawing shows ("Shown: right leg. Arrow: ..."); none
    under photos, which are printed as taken (never mirrored, no arrows)."""
    if exercise.printed_photos:
        return ""
    return illustration_caption(exercise.illustration, side)


def frame_count(exercise: LibraryExercise) -> int:
    data = exercise.illustration or {}
    return max(1, len(data.get("frames") or ()))


def _unlabelled(exercise: LibraryExercise) -> tuple[LibraryExercise, list[str]]:
    """The exercise with its frame labels taken out (the card sets them at its own type size)."""
    data = exercise.illustration or {}
    frames = data.get("frames") or []
    labels = frame_labels(data)
    if not any(labels):
        return exercise, labels
    bare = [{key: value for key, value in frame.items() if key != "label"} for frame in frames]
    return replace(exercise, illustration={**data, "frames": bare}), labels


def place_picture(
    layout: BlockLayout,
    exercise: LibraryExercise,
    side: str,
    x: float,
    y: float,
    grid: FittedRow | FrameGrid | PhotoGrid,
    accent_hex: str,
    s: HandoutStyles,
) -> list[float]:
    """Add the picture's photos or frames and labels to `layout` at (x, y); returns the y below
    each row (with its labels), the last being the y below the whole picture."""
    if isinstance(grid, PhotoGrid):
        return place_photos(layout, exercise, x, y, grid, s)
    bare, labels = _unlabelled(exercise)
    count = grid.count
    labels = (labels + [""] * count)[:count]
    row_w, _ = frame_row_size(grid)
    flowable = illustration_flowable(bare, side, row_w, grid.cell_h, accent_hex, font_name=REGULAR)
    flowable.wrap(row_w, grid.cell_h)
    spans = _frame_spans(flowable.art, row_w, grid.cell_h, count)
    centres = [(left + right) / 2 for left, right in spans]
    label_style = s.small
    label_h = label_style.leading_pt + LABEL_GAP_PT if any(labels) else 0.0
    if grid.rows == 1:
        offset = (grid.width - row_w) / 2

        def draw_row(canvas, left, bottom):
            flowable.draw_at(canvas, left, bottom)

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
            flowable.draw_at(canvas, left + _shift, bottom)
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


def place_photos(
    layout: BlockLayout,
    exercise: LibraryExercise,
    x: float,
    y: float,
    grid: PhotoGrid,
    s: HandoutStyles,
) -> list[float]:
    """Add the photos, each with a hairline round it and its label under it, row by row; returns
    the y below each row (with its labels)."""
    bottoms = []
    top = y
    for row in range(grid.rows):
        row_h = grid.row_height(row)
        for column, index in enumerate(grid.row(row)):
            width, height = grid.sizes[index]
            cell_x = x + column * (grid.cell_w + FRAME_GAP_PT)
            left = cell_x + (grid.cell_w - width) / 2
            ready = print_photo(exercise.printed_photos[index].data, s.large_print)
            layout.pictures.append(
                Picture(
                    left,
                    top + row_h - height,
                    width,
                    height,
                    _photo_drawing(ready, width, height),
                )
            )
            style = s.small
            for line_number, line in enumerate(grid.labels[index]):
                line_w = string_width_pt(line, style.font_name, style.size_pt)
                baseline = top + row_h + LABEL_GAP_PT + style.size_pt
                layout.text(
                    cell_x + (grid.cell_w - line_w) / 2,
                    baseline + line_number * style.leading_pt,
                    style,
                    line,
                )
        top += row_h + grid.label_height(row)
        bottoms.append(top)
        top += FRAME_GAP_PT
    return bottoms


def _photo_drawing(ready: PrintReady, width: float, height: float):
    size_px = (ready.width_px, ready.height_px)

    def draw(canvas, left, bottom):
        draw_jpeg(canvas, ready.jpeg, size_px, ready.is_grey, left, bottom, width, height)
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(PHOTO_LINE_PT)
        canvas.rect(left, bottom, width, height, stroke=1, fill=0)
        canvas.restoreState()

    return draw


def _label(layout: BlockLayout, text: str, centre_x: float, top: float, s: HandoutStyles) -> None:
    if not text:
        return
    style = s.small
    width = string_width_pt(text, style.font_name, style.size_pt)
    layout.text(centre_x - width / 2, top + LABEL_GAP_PT + style.size_pt, style, text)


def _frame_spans(
    art: Illustration | None, width: float, height: float, count: int
) -> list[tuple[float, float]]:
    """Where each frame starts and ends across a row `width` wide (even shares without poses)."""
    if art is None or len(art.frames) != count:
        share = width / count
        return [(index * share, (index + 1) * share) for index in range(count)]
    lay = frame_layout(art, width, height, label_size=1.0, line_width=1.0)
    return [
        (origin[0], origin[0] + (frame.bbox[2] - frame.bbox[0]) * lay.scale)
        for origin, frame in zip(lay.origins, art.frames, strict=True)
    ]
