"""What the illustrations of a 10-exercise handout cost (not a test; `make bench` runs it).

Draws the ten illustrations of bench/spec-10.json onto a bare canvas: once with the geometry
cache cleared before every run (a process's first handout), and once warm (every handout after),
and prints the medians in CPU milliseconds beside the whole handout's render time.
"""

import io
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from hepbuilder.illustrations import illustration_flowable  # noqa: E402
from hepbuilder.library import load_library  # noqa: E402
from hepbuilder.pdf import render_spec  # noqa: E402

RUNS = 40
WIDTH_PT, HEIGHT_PT = 176, 118  # about the picture box of a handout card


def cpu_ms(function) -> float:
    started = time.process_time()
    function()
    return (time.process_time() - started) * 1000


def draw_all(exercises, sides) -> None:
    canvas = Canvas(io.BytesIO(), pagesize=A4)
    for exercise, side in zip(exercises, sides, strict=True):
        illustration_flowable(exercise, side, WIDTH_PT, HEIGHT_PT).drawOn(canvas, 0, 0)


def clear_caches() -> None:
    from hepbuilder.illustrations import compose, pdf_pen, svg_pen

    for module in (compose, pdf_pen, svg_pen):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def main() -> None:
    spec = json.loads((HERE / "spec-10.json").read_text(encoding="utf-8"))
    library = load_library()
    exercises = [library.exercises[item["exercise"]] for item in spec["items"]]
    sides = [item.get("side") or "none" for item in spec["items"]]

    def cold():
        clear_caches()
        draw_all(exercises, sides)

    for _ in range(3):
        draw_all(exercises, sides)
        render_spec(spec, base_dir=HERE)
    cold_ms = statistics.median(cpu_ms(cold) for _ in range(RUNS))
    warm_ms = statistics.median(cpu_ms(lambda: draw_all(exercises, sides)) for _ in range(RUNS))
    handout_ms = statistics.median(
        cpu_ms(lambda: render_spec(spec, base_dir=HERE)) for _ in range(RUNS)
    )
    print(f"10 illustrations, geometry cold: median {cold_ms:6.1f} ms CPU")
    print(f"10 illustrations, cached:        median {warm_ms:6.1f} ms CPU")
    print(
        f"whole 10-exercise handout:       median {handout_ms:6.1f} ms CPU "
        f"(cached illustrations are {100 * warm_ms / handout_ms:.0f} % of it)"
    )


if __name__ == "__main__":
    main()
