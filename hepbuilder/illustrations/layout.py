"""Where the frames of an illustration go in a drawing box, shared by both pens."""

from dataclasses import dataclass

from .compose import Illustration


@dataclass(frozen=True)
class FrameLayout:
    """Where each frame goes, in drawing units (points for PDF, mm for SVG)."""

    scale: float  # drawing units per figure mm
    origins: tuple[tuple[float, float], ...]  # per frame: where figure (bbox x0, y0) lands
    label_centres: tuple[tuple[float, float], ...]
    label_size: float
    line_width: float  # drawing units


def layout(
    art: Illustration, width: float, height: float, *, label_size: float, line_width: float
) -> FrameLayout:
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
    return FrameLayout(scale, tuple(origins), tuple(centres), label_size, line_width)
