"""SVG path data at 0.1 mm: how the stored paths hold a shape and how the SVG pen writes it.

Kept apart from the SVG pen's markup (svg_pen.py) so a change to the markup is not a new drawing
engine: only this module's output is in the stored bytes (stored.ENGINE_MODULES).
"""

from functools import lru_cache

from .paths import Path


def number(v: float) -> str:
    """A coordinate in mm to 0.1 mm, without a trailing ".0" or a "-0"."""
    text = f"{v:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


@lru_cache(maxsize=4096)
def svg_path_data(path: Path) -> str:
    """A path as SVG path data in mm (y up: the document's transform flips it)."""
    return "".join(op[0] + " ".join(number(v) for v in op[1:]) for op in path)
