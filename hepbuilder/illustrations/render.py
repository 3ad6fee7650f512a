"""Two pens for one geometry: a reportlab Flowable that paints straight onto the canvas, and SVG.

Both take the cached shapes from geometry.build_illustration and lay the frames out side by
side (with "Start"/"Finish"-style labels when there are several), scaled to fit. Colours are
resolved here from roles, so a clinic's accent colour never invalidates the cached geometry.
The line weight is one per drawing size: every outline is the same width in points, the
highlighted limb's outline heavier (so it reads in black and white too).
"""

import io
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from hepbuilder.domain.exercise import Exercise

from .geometry import FrameArt, Illustration, _num, build_illustration
from .simplify import simplify_path

OUTLINE_HEX = "#2e3338"
LABEL_HEX = "#4a5056"
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"

# Stroke role -> (width as a multiple of the drawing's line weight, colour or None for the accent).
STROKES: dict[str, tuple[float, str | None]] = {
    "line": (1.0, OUTLINE_HEX),
    "heavy": (2.0, OUTLINE_HEX),
    "thin": (0.7, "#6f767c"),
    "floor": (1.0, "#7d848a"),
    "arrow": (2.6, None),
    "band_edge": (3.8, "#6b3d10"),
    "band": (2.4, "#e38b2c"),
}


def _hex_rgb(hex_color: str) -> tuple[float, float, float]:
    h = hex_color.lstrip("#")
    if len(h) != 6 or any(c not in "0123456789abcdefABCDEF" for c in h):
        h = "1f6f8b"
    return tuple(int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


def _mix(rgb: tuple[float, float, float], other: tuple[float, float, float], t: float):
    return tuple(a + (b - a) * t for a, b in zip(rgb, other, strict=True))


def _to_hex(rgb) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def palette(accent_hex: str) -> dict[str, str]:
    """Fill role -> colour for one accent colour (the clinic's brand colour)."""
    accent = _hex_rgb(accent_hex)
    white, black = (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)
    fills = {
        "body": "#dce2e7",
        "body_far": "#eef1f3",
        "accent": _to_hex(accent),
        "accent_far": _to_hex(_mix(accent, white, 0.4)),
        "arrow": _to_hex(_mix(accent, black, 0.15)),
        "ground": "#f1f3f4",
        "mat": _to_hex(_mix(accent, white, 0.78)),
        "mat_side": _to_hex(_mix(accent, white, 0.6)),
        "roller": "#8fa5b0",
        "roller_end": "#b9c8cf",
        "ball": "#c7d0d5",
    }
    for role, base in (
        ("prop", "#ebe3d6"),
        ("prop_dark", "#a99d8b"),
        ("cushion", "#d9dfe3"),
        ("post", "#9a8f80"),
        ("wall", "#eeeeee"),
    ):
        rgb = _hex_rgb(base)
        fills[role] = base
        fills[f"{role}_side"] = _to_hex(_mix(rgb, black, 0.1))
        fills[f"{role}_top"] = _to_hex(_mix(rgb, white, 0.45))
    return fills


@dataclass(frozen=True)
class Layout:
    """Where each frame goes, in drawing units (points for PDF, mm for SVG)."""

    scale: float  # drawing units per figure mm
    origins: tuple[tuple[float, float], ...]  # per frame: where figure (bbox x0, y0) lands
    label_centres: tuple[tuple[float, float], ...]
    label_size: float
    line_width: float  # drawing units


def layout(
    art: Illustration, width: float, height: float, *, label_size: float, line_width: float
) -> Layout:
    frames = art.frames
    heights = [f.bbox[3] - f.bbox[1] for f in frames]
    widths = [f.bbox[2] - f.bbox[0] for f in frames]
    gap_mm = 0.14 * max(heights) if len(frames) > 1 else 0.0
    total_w = sum(widths) + gap_mm * (len(frames) - 1)
    total_h = max(heights)
    labelled = any(f.label for f in frames)
    label_band = label_size * 1.5 if labelled else 0.0
    pad = min(width, height) * 0.03
    scale = min((width - 2 * pad) / total_w, (height - 2 * pad - label_band) / total_h)
    left = (width - total_w * scale) / 2.0
    bottom = (height - label_band - total_h * scale) / 2.0 + label_band
    origins, centres = [], []
    x = left
    for w in widths:
        origins.append((x, bottom))
        centres.append((x + w * scale / 2.0, bottom - label_size * 1.15))
        x += (w + gap_mm) * scale
    return Layout(scale, tuple(origins), tuple(centres), label_size, line_width)


# ---------------------------------------------------------------- the reportlab pen

# A printed illustration's paths are written in whole multiples of PDF_UNIT_PT (half points),
# simplified within PDF_TOLERANCE_PT of the exact geometry. Only the large smooth shapes (the
# torso, arrows) have curves left to merge: a limb is already one line and one curve per end.
# Rendered at 600 dpi beside the exact paths, no difference shows; the ten drawings of the
# benchmark handout cost 8.7 KB instead of 11.4 KB at 0.2 pt / 0.15 pt (the PDF size budget).
PDF_UNIT_PT = 0.5
PDF_TOLERANCE_PT = 0.6

_COLORS: dict[str, Color] = {}


def _color(hex_color: str) -> Color:
    color = _COLORS.get(hex_color)
    if color is None:
        r, g, b = _hex_rgb(hex_color)
        color = _COLORS[hex_color] = Color(r, g, b)
    return color


def _component(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text[1:] if text.startswith("0.") else text or "0"


def _rgb_op(hex_color: str, op: str) -> str:
    return " ".join(_component(c) for c in _hex_rgb(hex_color)) + " " + op


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


# (id(art), width, height) -> (art, per-frame lists of path operator strings). The art itself
# is kept in the entry so its id cannot be reused while the entry lives.
_PATHS: dict[tuple, tuple[Illustration, tuple[tuple[str, ...], ...]]] = {}
_OPS: dict[tuple, tuple[Illustration, str]] = {}
_CACHE_MAX = 256


def _cached(cache: dict, key: tuple, art: Illustration, make):
    hit = cache.get(key)
    if hit is not None and hit[0] is art:
        return hit[1]
    value = make()
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = (art, value)
    return value


def _frame_paths(art: Illustration, lay: Layout) -> tuple[tuple[str, ...], ...]:
    """Each frame's shapes as path operators in PDF_UNIT_PT units from the frame's own origin
    (small numbers, so fewer bytes; `_drawing_ops` moves the origin from frame to frame)."""
    frames = []
    unit = PDF_UNIT_PT
    tolerance = PDF_TOLERANCE_PT / unit
    for frame in art.frames:
        scale, x0, y0 = lay.scale / unit, frame.bbox[0], frame.bbox[1]

        def place(x, y, scale=scale, x0=x0, y0=y0):
            return ((x - x0) * scale, (y - y0) * scale)

        frames.append(
            tuple(_path_ops(simplify_path(shape.path, place, tolerance)) for shape in frame.shapes)
        )
    return tuple(frames)


def _drawing_ops(art: Illustration, lay: Layout, width: float, height: float, accent_hex: str):
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
                ops.append(path + (" B" if shape.stroke else " f") if shape.fill else path + " S")
        ops.append("Q")
        return "\n".join(ops)

    return _cached(_OPS, (id(art), width, height, accent_hex), art, make)


def _paint_frames(canv, art: Illustration, lay: Layout, width, height, accent_hex, font_name):
    canv.addLiteral(_drawing_ops(art, lay, width, height, accent_hex))
    if len(art.frames) > 1 or any(f.label for f in art.frames):
        canv.setFillColor(_color(LABEL_HEX))
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
        paint(
            self.canv,
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
    canv.setFillColor(_color("#f2f4f5"))
    canv.setStrokeColor(_color("#c9ced2"))
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
    canv.setFillColor(_color("#7d848a"))
    canv.setFont(font_name, size)
    canv.drawCentredString(width_pt / 2.0, height_pt / 2.0 - size * 0.35, word)


# ---------------------------------------------------------------- the SVG pen


def svg_document(
    art: Illustration | None,
    title: str,
    fills: dict[str, str],
    placeholder: str,
    width_px: int | None,
) -> str:
    """A standalone SVG of the illustration (y flipped into SVG's downward axis)."""
    safe_title = escape(title)
    if art is None:
        w, h = 300.0, 200.0
        size_attrs = f' width="{width_px}" height="{round(width_px * h / w)}"' if width_px else ""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(w)} {_num(h)}"{size_attrs} role="img">'
            f"<title>{safe_title}</title>"
            f'<rect x="6" y="6" width="288" height="188" rx="16" fill="#f2f4f5" stroke="#c9ced2" stroke-width="1.5"/>'
            f'<text x="150" y="108" font-family="Helvetica, Arial, sans-serif" font-size="22" '
            f'text-anchor="middle" fill="#7d848a">{escape(placeholder)}</text></svg>'
        )
    heights = [f.bbox[3] - f.bbox[1] for f in art.frames]
    line_mm = 12.0
    label_mm = 0.075 * max(heights) if len(art.frames) > 1 else 0.0
    total_w = sum(f.bbox[2] - f.bbox[0] for f in art.frames) + 0.14 * max(heights) * (
        len(art.frames) - 1
    )
    total_h = max(heights) + label_mm * 1.6
    pad = 0.03 * max(total_w, total_h)
    lay = layout(art, total_w + 2 * pad, total_h + 2 * pad, label_size=label_mm, line_width=line_mm)
    view_w, view_h = total_w + 2 * pad, total_h + 2 * pad
    size_attrs = (
        f' width="{width_px}" height="{round(width_px * view_h / view_w)}"' if width_px else ""
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(view_w)} {_num(view_h)}"{size_attrs} '
        f'role="img" stroke-linejoin="round" stroke-linecap="round">',
        f"<title>{safe_title}</title>",
    ]
    accent = fills["arrow"]
    for frame, (ox, oy) in zip(art.frames, lay.origins, strict=True):
        tx = ox - frame.bbox[0] * lay.scale
        ty = view_h - (oy - frame.bbox[1] * lay.scale)
        out.append(
            f'<g transform="translate({_num(tx)} {_num(ty)}) scale({_num(lay.scale)} {_num(-lay.scale)})">'
        )
        for shape in frame.shapes:
            attrs = [f'd="{shape.svg_path}"']
            attrs.append(f'fill="{fills[shape.fill]}"' if shape.fill else 'fill="none"')
            if shape.stroke:
                factor, hex_color = STROKES[shape.stroke]
                attrs.append(
                    f'stroke="{hex_color or accent}" stroke-width="{_num(factor * line_mm)}"'
                )
            out.append(f"<path {' '.join(attrs)}/>")
        out.append("</g>")
    if len(art.frames) > 1:
        for frame, (cx, cy) in zip(art.frames, lay.label_centres, strict=True):
            if frame.label:
                out.append(
                    f'<text x="{_num(cx)}" y="{_num(view_h - cy)}" font-family="Helvetica, Arial, sans-serif" '
                    f'font-size="{_num(label_mm)}" text-anchor="middle" fill="{LABEL_HEX}">{escape(frame.label)}</text>'
                )
    out.append("</svg>")
    return "".join(out)


# ---------------------------------------------------------------- the public API


def _art(exercise: Exercise, side: str) -> Illustration | None:
    data = exercise.illustration
    if not data or not data.get("frames"):
        return None
    return build_illustration(data, side)


def _position_word(exercise: Exercise) -> str:
    return (exercise.position or "exercise").replace("-", " ").capitalize()


def illustration_flowable(
    exercise: Exercise,
    side: str,
    width_pt: float,
    height_pt: float,
    accent_hex: str = "#1f6f8b",
    font_name: str = FONT,
) -> Flowable:
    """A Flowable exactly `width_pt` x `height_pt` drawing the exercise's frames side by side.

    `side` "left" mirrors the pose (written for the right side). An exercise with no pose
    illustration gets a light rounded placeholder with its position word; this never raises.
    Labels ("Start", "Finish") are set in `font_name`, which the caller has registered with
    reportlab (a handout passes its embedded font, so every word in it is embedded).
    """
    return IllustrationFlowable(
        _art(exercise, side), width_pt, height_pt, accent_hex, _position_word(exercise), font_name
    )


def illustration_svg(
    exercise: Exercise, side: str = "none", accent_hex: str = "#1f6f8b", width_px: int | None = None
) -> str:
    """A standalone `<svg role="img">` with a `<title>` naming the exercise (escaped), same geometry as the PDF."""
    return svg_document(
        _art(exercise, side), exercise.name, palette(accent_hex), _position_word(exercise), width_px
    )


def render_contact_sheet(exercises: list[Exercise], accent_hex: str = "#1f6f8b") -> bytes:
    """A4 PDF pages with every exercise's illustration in a grid, each under its name."""
    buffer = io.BytesIO()
    canv = Canvas(buffer, pagesize=A4, invariant=1)
    canv.setTitle("Exercise illustrations")
    page_w, page_h = A4
    margin, columns, rows = 36.0, 2, 4
    cell_w = (page_w - 2 * margin) / columns
    cell_h = (page_h - 2 * margin - 20.0) / rows
    per_page = columns * rows
    ordered = sorted(exercises, key=lambda e: e.name.lower())
    for page_start in range(0, max(len(ordered), 1), per_page):
        canv.setFont(FONT_BOLD, 12)
        canv.setFillColor(_color(OUTLINE_HEX))
        canv.drawString(margin, page_h - margin, "Exercise illustrations")
        for i, exercise in enumerate(ordered[page_start : page_start + per_page]):
            col, row = i % columns, i // columns
            x = margin + col * cell_w
            top = page_h - margin - 20.0 - row * cell_h
            canv.setFont(FONT_BOLD, 9)
            canv.setFillColor(_color(OUTLINE_HEX))
            canv.drawString(x + 6, top - 12, exercise.name[:60])
            canv.setFont(FONT, 7)
            canv.setFillColor(_color(LABEL_HEX))
            canv.drawString(x + 6, top - 22, f"{exercise.slug} · {exercise.position}")
            canv.setStrokeColor(_color("#d5dadd"))
            canv.setLineWidth(0.5)
            canv.rect(x + 2, top - cell_h + 4, cell_w - 4, cell_h - 4, stroke=1, fill=0)
            paint(
                canv,
                _art(exercise, "right"),
                x + 6,
                top - cell_h + 8,
                cell_w - 12,
                cell_h - 34,
                accent_hex,
                _position_word(exercise),
            )
        canv.showPage()
    canv.save()
    return buffer.getvalue()


__all__ = ["FrameArt", "illustration_flowable", "illustration_svg", "render_contact_sheet"]
