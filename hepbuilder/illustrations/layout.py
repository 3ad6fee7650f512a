"""Where the frames of an illustration go in a drawing box, shared by both pens."""

from dataclasses import dataclass

from .compose import Illustration

PAD_SHARE = 0.03  # the margin round the drawing, a share of the box's shorter side
GAP_SHARE = 0.14  # the gap between frames, a share of the tallest frame's height


@dataclass(frozen=True)
class FrameLayout:
    """Where each frame goes, in drawing units (points for PDF, mm for SVG)."""

    scale: float  # drawing units per figure mm
    origins: tuple[tuple[float, float], ...]  # per frame: where figure (bbox x0, y0) lands
    label_centres: tuple[tuple[float, float], ...]
    label_size: float
    line_width: float  # drawing units


def _gap_mm(art: Illustration) -> float:
    """The gap between two frames, in figure mm (none in a one-frame drawing)."""
    frames = art.frames
    return GAP_SHARE * max(f.bbox[3] - f.bbox[1] for f in frames) if len(frames) > 1 else 0.0


def extent(art: Illustration) -> tuple[float, float]:
    """(width, height) in figure mm of all the frames side by side with the gaps between them."""
    frames = art.frames
    width = sum(f.bbox[2] - f.bbox[0] for f in frames) + _gap_mm(art) * (len(frames) - 1)
    return width, max(f.bbox[3] - f.bbox[1] for f in frames)


def fitted_box(art: Illustration, scale: float) -> tuple[float, float]:
    """The smallest (width, height) box `layout` draws `art` (without labels) at `scale` in:
    the frames at that scale and the margin round them, nothing else."""
    total_w, total_h = extent(art)
    drawn_w, drawn_h = total_w * scale, total_h * scale
    if drawn_w >= drawn_h:  # the height is the shorter side, so it sets the margin
        height = drawn_h / (1.0 - 2 * PAD_SHARE)
        return drawn_w + 2 * PAD_SHARE * height, height
    width = drawn_w / (1.0 - 2 * PAD_SHARE)
    return width, drawn_h + 2 * PAD_SHARE * width


def layout(
    art: Illustration, width: float, height: float, *, label_size: float, line_width: float
) -> FrameLayout:
    frames = art.frames
    widths = [f.bbox[2] - f.bbox[0] for f in frames]
    gap_mm = _gap_mm(art)
    total_w, total_h = extent(art)
    labelled = any(f.label for f in frames)
    label_band = label_size * 1.5 if labelled else 0.0
    pad = min(width, height) * PAD_SHARE
    scale = min((width - 2 * pad) / total_w, (height - 2 * pad - label_band) / total_h)
    left = (width - total_w * scale) / 2.0
    bottom = (height - label_band - total_h * scale) / 2.0 + label_band
    origins, centres = [], []
    x = left
    for w in widths:
        origins.append((x, bottom))
        centres.append((x + w * scale / 2.0, bottom - label_size * 1.15))
        x += (w + gap_mm) * scale
    return FrameLayout(scale, tuple(origins), tuple(centres), label_size, line_width)
