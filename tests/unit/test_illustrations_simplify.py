"""Printed illustrations are simplified for their size, and stay within the stated tolerance."""

import math

import pytest
import yaml

from hepbuilder.illustrations import build_illustration
from hepbuilder.illustrations.paths import circle_path
from hepbuilder.illustrations.simplify import simplify_path
from hepbuilder.paths import LIBRARY_DIR

EXERCISES = sorted((LIBRARY_DIR / "exercises").glob("*.yaml"))[:4]


def _points(path, steps: int = 24) -> list[tuple[float, float]]:
    """Points along a path (M/L/C/Z ops), dense enough to stand for the outline."""
    points, at, first = [], (0.0, 0.0), (0.0, 0.0)
    for op in path:
        if op[0] == "M":
            at = first = (op[1], op[2])
            points.append(at)
        elif op[0] in ("L", "Z"):
            end = (op[1], op[2]) if op[0] == "L" else first
            points += [
                (at[0] + (end[0] - at[0]) * t / steps, at[1] + (end[1] - at[1]) * t / steps)
                for t in range(1, steps + 1)
            ]
            at = end
        else:
            p1, p2, p3 = (op[1], op[2]), (op[3], op[4]), (op[5], op[6])
            for step in range(1, steps + 1):
                t = step / steps
                s = 1 - t
                points.append(
                    tuple(
                        s**3 * a + 3 * s * s * t * b + 3 * s * t * t * c + t**3 * d
                        for a, b, c, d in zip(at, p1, p2, p3, strict=True)
                    )
                )
            at = p3
    return points


def _to_segment(p, a, b) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = (
        0.0
        if not length
        else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    )
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))


def _farthest(points, polyline) -> float:
    """How far the farthest of `points` lies from the polyline through `polyline`."""
    pairs = list(zip(polyline, polyline[1:], strict=False))
    return max(min(_to_segment(p, a, b) for a, b in pairs) for p in points)


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_simplified_outlines_stay_within_tolerance_and_lose_curves(path):
    pose = yaml.safe_load(path.read_text(encoding="utf-8"))["illustration"]
    art = build_illustration(pose, "right")
    scale = 0.6  # printed units per mm: a handout picture (0.12 pt/mm) in 0.2 pt units
    tolerance = 0.75  # 0.15 pt in 0.2 pt units
    before = after = 0
    for shape in art.frames[0].shapes:
        original = [(op[0], *(v * scale for v in op[1:])) for op in shape.path]
        simple = simplify_path(shape.path, lambda x, y: (x * scale, y * scale), tolerance)
        before += sum(op[0] == "C" for op in original)
        after += sum(op[0] == "C" for op in simple)
        # within the tolerance, plus rounding to whole units (half a unit each way)
        assert _farthest(_points(original, 6), _points(simple, 16)) < tolerance + 0.71 + 0.05
        assert all(isinstance(v, int) for op in simple for v in op[1:])
    assert after <= 0.7 * before


def test_simplify_merges_a_circles_quarter_arcs_and_keeps_it_round():
    # a head as printed in a handout: radius 5 pt in 0.2 pt units, tolerance 0.15 pt
    circle = circle_path(0.0, 0.0, 25.0)
    simple = simplify_path(circle, lambda x, y: (x, y), 0.75)
    assert sum(op[0] == "C" for op in simple) < 4
    for x, y in _points(simple, 64):
        assert abs(math.hypot(x, y) - 25.0) < 0.75 + 0.71
