"""The reportlab pen: an illustration painted straight onto a canvas as PDF path operators.

Paths are simplified for the printed size (simplify.py) and written in half points; colours and
line widths are set only when they change. The line weight is one per drawing size: every outline
is the same width in points, the highlighted limb's outline heavier (so it reads in black and
white too).
"""

from functools import lru_cache

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from .cache import COMPUTED, LRUCache
from .compose import Illustration
from .layout import FrameLayout, layout
from .palette import FONT, LABEL_HEX, STROKES, hex_rgb, palette
from .simplify import simplify_path

# A printed illustration's paths are written in whole multiples of PDF_UNIT_PT (half points),
# simplified within PDF_TOLERANCE_PT of the exact geometry. Only the large smooth shapes (the
# torso, arrows) have curves left to merge: a limb is already one line and one curve per end.
# Rendered at 600 dpi beside the exact paths, no difference shows; the ten drawings of the
# benchmark handout cost 8.7 KB instead of 11.4 KB at 0.2 pt / 0.15 pt (the PDF size budget).
PDF_UNIT_PT = 0.5
PDF_TOLERANCE_PT = 0.6

_COLORS: dict[str, Color] = {}


def color(hex_color: str) -> Color:
    color = _COLORS.get(hex_color)
    if color is None:
        r, g, b = hex_rgb(hex_color)
        color = _COLORS[hex_color] = Color(r, g, b)
    return color


def _component(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text[1:] if text.startswith("0.") else text or "0"


def _rgb_op(hex_color: str, op: str) -> str:
    return " ".join(_component(c) for c in hex_rgb(hex_color)) + " " + op


@lru_cache(maxsize=64)
def _fill_ops(accent_hex: str) -> dict[str, str]:
    return {role: _rgb_op(color, "rg") for role, color in palette(accent_hex).items()}


@lru_cache(maxsize=64)
def _stroke_ops(accent_hex: str) -> dict[str, tuple[str, float]]:
    accent = palette(accent_hex)["arrow"]
    return {
        role: (_rgb_op(color or accent, "RG"), factor) for role, (factor, color) in STROKES.items()
    }


@lru_cache(maxsize=1024)
def _label_width(text: str, font_name: str, size: float) -> float:
    return stringWidth(text, font_name, size)


def _path_ops(ops: list[tuple]) -> str:
    return " ".join(
        "h" if op[0] == "Z" else " ".join(map(str, op[1:])) + (" " + op[0].lower()) for op in ops
    )


# (id(art), width, height) -> (art, per-frame lists of path operator strings), and with the
# accent -> (art, the drawing's operators). The art itself is kept in the entry so its id cannot
# be reused while the entry lives. Least recently used entries go first (cache.py).
_PATHS = LRUCache()
_OPS = LRUCache()


def _cached(cache: LRUCache, key: tuple, art: Illustration, make):
    hit = cache.get(key)
    if hit is not None and hit[0] is art:
        return hit[1]
    value = make()
    cache.put(key, (art, value))
    return value


def _frame_paths(art: Illustration, lay: FrameLayout) -> tuple[tuple[str, ...], ...]:
    """Each frame's shapes as path operators at the layout's scale: the stored ones when the
    illustration was read back from stored paths at this scale, else simplified now."""
    if art.print_paths is not None:
        stored = art.print_paths.get(lay.scale)
        if stored is not None:
            return stored
        return frame_paths(art.exact(), lay.scale)
    return frame_paths(art, lay.scale)


def frame_paths(art: Illustration, scale: float) -> tuple[tuple[str, ...], ...]:
    """Each frame's shapes as path operators in PDF_UNIT_PT units from the frame's own origin
    (small numbers, so fewer bytes; `_drawing_ops` moves the origin from frame to frame), for a
    drawing of `scale` points per figure mm."""
    COMPUTED["simplified"] += 1
    frames = []
    unit = PDF_UNIT_PT
    tolerance = PDF_TOLERANCE_PT / unit
    for frame in art.frames:
        scale_units, x0, y0 = scale / unit, frame.bbox[0], frame.bbox[1]

        def place(x, y, scale=scale_units, x0=x0, y0=y0):
            return ((x - x0) * scale, (y - y0) * scale)

        frames.append(
            tuple(_path_ops(simplify_path(shape.path, place, tolerance)) for shape in frame.shapes)
        )
    return tuple(frames)


def _painted(path: str, shape) -> str:
    """`path` painted as `shape` says; a closed path filled (and stroked) with the operators
    that close it themselves ("b" is "h B"; "f" closes any open path)."""
    if not shape.fill:
        return path + " S"
    if path.endswith(" h"):
        return path[:-2] + (" b" if shape.stroke else " f")
    return path + (" B" if shape.stroke else " f")


def _drawing_ops(art: Illustration, lay: FrameLayout, width: float, height: float, accent_hex: str):
    """The whole drawing as one string of PDF operators, cached per (art, box, accent).

    Written straight as operators (and painted with the canvas's public addLiteral): paths
    simplified for the printed size, colours and line widths set only when they change.
    """
    paths = _cached(_PATHS, (id(art), width, height), art, lambda: _frame_paths(art, lay))

    def make() -> str:
        fills = _fill_ops(accent_hex)
        stroke_colors = _stroke_ops(accent_hex)
        unit_width = lay.line_width / PDF_UNIT_PT
        unit = _component(PDF_UNIT_PT)
        ops = [f"q 1 j 1 J {unit} 0 0 {unit} 0 0 cm"]
        fill = stroke = width_op = None
        at = (0.0, 0.0)
        for frame, frame_paths, origin in zip(art.frames, paths, lay.origins, strict=True):
            dx, dy = ((origin[k] - at[k]) / PDF_UNIT_PT for k in (0, 1))
            ops.append(f"1 0 0 1 {_component(dx)} {_component(dy)} cm")
            at = origin
            for shape, path in zip(frame.shapes, frame_paths, strict=True):
                if not path:
                    continue
                if shape.fill and fills[shape.fill] != fill:
                    fill = fills[shape.fill]
                    ops.append(fill)
                if shape.stroke:
                    color, factor = stroke_colors[shape.stroke]
                    if color != stroke:
                        stroke = color
                        ops.append(color)
                    line = f"{factor * unit_width:.2f}".rstrip("0").rstrip(".") + " w"
                    if line != width_op:
                        width_op = line
                        ops.append(line)
                ops.append(_painted(path, shape))
        ops.append("Q")
        return "\n".join(ops)

    return _cached(_OPS, (id(art), width, height, accent_hex), art, make)


def _paint_frames(canv, art: Illustration, lay: FrameLayout, width, height, accent_hex, font_name):
    canv.addLiteral(_drawing_ops(art, lay, width, height, accent_hex))
    if len(art.frames) > 1 or any(f.label for f in art.frames):
        canv.setFillColor(color(LABEL_HEX))
        canv.setFont(font_name, lay.label_size)
        for frame, (cx, cy) in zip(art.frames, lay.label_centres, strict=True):
            if frame.label:
                width = _label_width(frame.label, font_name, lay.label_size)
                canv.drawString(cx - width / 2.0, cy, frame.label)


def _line_pt(scale_pt_per_mm: float) -> float:
    return max(0.3, min(1.4, scale_pt_per_mm * 11.0))


class IllustrationFlowable(Flowable):
    """An exercise's illustration (or a placeholder), exactly width x height points."""

    def __init__(
        self,
        art: Illustration | None,
        width_pt: float,
        height_pt: float,
        accent_hex: str,
        placeholder: str,
        font_name: str = FONT,
    ):
        super().__init__()
        self.art = art
        self.width_pt = float(width_pt)
        self.height_pt = float(height_pt)
        self.accent_hex = accent_hex
        self.placeholder = placeholder
        self.font_name = font_name

    def wrap(self, available_width, available_height):
        return self.width_pt, self.height_pt

    def draw(self):
        self._paint(self.canv)

    def draw_at(self, canv, x: float, y: float) -> None:
        """What `drawOn(canv, x, y)` draws, operator for operator, without setting `self.canv`:
        one flowable may then be drawn by several renders at once (a cached card layout)."""
        canv.saveState()
        canv.translate(x, y)
        self._paint(canv)
        canv.restoreState()

    def _paint(self, canv) -> None:
        paint(
            canv,
            self.art,
            0.0,
            0.0,
            self.width_pt,
            self.height_pt,
            self.accent_hex,
            self.placeholder,
            self.font_name,
        )


def paint(
    canv,
    art,
    x: float,
    y: float,
    width_pt: float,
    height_pt: float,
    accent_hex: str,
    placeholder: str,
    font_name: str = FONT,
) -> None:
    """Paint an illustration into the box (x, y, width, height) of a reportlab canvas.

    Labels and the placeholder word are set in `font_name`, a font registered with reportlab
    by the caller (the handout passes its embedded font; the default is a standard PDF font).
    """
    canv.saveState()
    canv.translate(x, y)
    if art is None:
        _paint_placeholder(canv, width_pt, height_pt, placeholder, font_name)
    else:
        label_size = max(4.5, min(10.0, height_pt * 0.075))
        probe = layout(art, width_pt, height_pt, label_size=label_size, line_width=1.0)
        lay = layout(
            art, width_pt, height_pt, label_size=label_size, line_width=_line_pt(probe.scale)
        )
        _paint_frames(canv, art, lay, width_pt, height_pt, accent_hex, font_name)
    canv.restoreState()


def _paint_placeholder(canv, width_pt: float, height_pt: float, word: str, font_name: str) -> None:
    inset = min(width_pt, height_pt) * 0.04
    canv.setFillColor(color("#f2f4f5"))
    canv.setStrokeColor(color("#c9ced2"))
    canv.setLineWidth(0.6)
    canv.roundRect(
        inset,
        inset,
        width_pt - 2 * inset,
        height_pt - 2 * inset,
        min(width_pt, height_pt) * 0.08,
        stroke=1,
        fill=1,
    )
    size = max(4.5, min(11.0, height_pt * 0.12, width_pt / max(len(word), 1) * 1.4))
    canv.setFillColor(color("#7d848a"))
    canv.setFont(font_name, size)
    canv.drawCentredString(width_pt / 2.0, height_pt / 2.0 - size * 0.35, word)
