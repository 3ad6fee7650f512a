"""Warming a process before it takes traffic: what a first handout would otherwise pay for.

`hepbuilder serve` calls `warm_up()` once in gunicorn's master (the app is preloaded), so every
worker forked from it starts with the fonts registered, the bundled library read and checked,
the bundled exercises' illustrations drawn on both sides, and reportlab's own first-use work
(imports, font subsetting, page templates) done by rendering one handout of them.
"""

from dataclasses import dataclass

from hepbuilder.illustrations import build_illustration
from hepbuilder.library import load_library

from .ink.fonts import ensure_fonts

WARM_UP_PATIENT = "Warm-up"


@dataclass(frozen=True)
class WarmUp:
    exercises: int  # bundled exercises read
    illustrations: int  # (exercise, side) drawings now cached
    handout_bytes: int  # size of the throwaway handout rendered


def warm_up(library_dir=None) -> WarmUp:
    """Register the fonts, load the library (bundled by default), draw its illustrations on
    both sides and render one throwaway handout of its exercises. Touches no database."""
    from . import render_spec

    ensure_fonts(cjk=True)
    library = load_library(library_dir)
    drawn = 0
    for exercise in library.exercises.values():
        if exercise.illustration and exercise.illustration.get("frames"):
            for side in ("right", "left"):
                build_illustration(exercise.illustration, side)
                drawn += 1
    spec = {
        "patient": {"name": WARM_UP_PATIENT},
        "items": [{"exercise": slug} for slug in sorted(library.exercises)],
    }
    pdf = render_spec(spec, library_dir=library_dir)
    return WarmUp(exercises=len(library.exercises), illustrations=drawn, handout_bytes=len(pdf))
