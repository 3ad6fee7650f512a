"""Paths made as light as the printed size allows: merged curves, merged lines, whole units.

The geometry is built in millimetres of a life-size figure with generous detail (a curve every
quarter circle, a torso point every 4 mm). Printed at a few points per 100 mm, much of that
detail is thinner than a printer's dot. `simplify_path` takes a path already scaled into the
units it will be written in and merges neighbouring curves (and straight runs) wherever the
merged path stays within `tolerance` of the original, then rounds to whole units, so a
handout's pictures cost about half the bytes while looking the same on paper.
"""

import math

Point = tuple[float, float]

_SAMPLES = (1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1.0)


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, t: float) -> Point:
    s = 1.0 - t
    a, b, c, d = s * s * s, 3.0 * s * s * t, 3.0 * s * t * t, t * t * t
    return (
        a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    )


def _unit(dx: float, dy: float) -> Point | None:
    length = math.hypot(dx, dy)
    return (dx / length, dy / length) if length > 1e-9 else None


def _start_tangent(p0: Point, p1: Point, p2: Point, p3: Point) -> Point | None:
    return (
        _unit(p1[0] - p0[0], p1[1] - p0[1])
        or _unit(p2[0] - p0[0], p2[1] - p0[1])
        or _unit(p3[0] - p0[0], p3[1] - p0[1])
    )


def _end_tangent(p0: Point, p1: Point, p2: Point, p3: Point) -> Point | None:
    """Unit vector from the end point back along the curve."""
    return (
        _unit(p2[0] - p3[0], p2[1] - p3[1])
        or _unit(p1[0] - p3[0], p1[1] - p3[1])
        or _unit(p0[0] - p3[0], p0[1] - p3[1])
    )


def _fit(points: list[Point], start: Point, end: Point, t0: Point, t1: Point, tolerance: float):
    """One cubic from `start` to `end` leaving along t0 and arriving along -t1 through `points`
    (samples of the original, in order), or None if it strays more than `tolerance` from them.
    Least squares for the two handle lengths (Schneider's method), chord-length parameters
    refined once by a Newton step.
    """
    sx, sy = start
    ex, ey = end
    params = []
    length = 0.0
    px, py = sx, sy
    for x, y in points:
        length += math.hypot(x - px, y - py)
        params.append(length)
        px, py = x, y
    if length < 1e-9:
        return None
    params = [at / length for at in params]
    limit = tolerance * tolerance
    for attempt in range(2):
        c11 = c12 = c22 = x1 = x2 = 0.0
        for (x, y), u in zip(points, params, strict=True):
            s = 1.0 - u
            b1, b2 = 3.0 * s * s * u, 3.0 * s * u * u
            w0, w1 = s * s * s + b1, b2 + u * u * u
            a1x, a1y, a2x, a2y = t0[0] * b1, t0[1] * b1, t1[0] * b2, t1[1] * b2
            c11 += a1x * a1x + a1y * a1y
            c12 += a1x * a2x + a1y * a2y
            c22 += a2x * a2x + a2y * a2y
            rx = x - (sx * w0 + ex * w1)
            ry = y - (sy * w0 + ey * w1)
            x1 += rx * a1x + ry * a1y
            x2 += rx * a2x + ry * a2y
        det = c11 * c22 - c12 * c12
        alpha = beta = -1.0
        if abs(det) > 1e-12:
            alpha, beta = (x1 * c22 - x2 * c12) / det, (c11 * x2 - c12 * x1) / det
        if alpha <= 1e-6 or beta <= 1e-6 or alpha > 2 * length or beta > 2 * length:
            alpha = beta = math.hypot(ex - sx, ey - sy) / 3.0
        c1x, c1y = sx + t0[0] * alpha, sy + t0[1] * alpha
        c2x, c2y = ex + t1[0] * beta, ey + t1[1] * beta
        worst = 0.0
        for (x, y), u in zip(points, params, strict=True):
            s = 1.0 - u
            w0, w1, w2, w3 = s * s * s, 3.0 * s * s * u, 3.0 * s * u * u, u * u * u
            dx = w0 * sx + w1 * c1x + w2 * c2x + w3 * ex - x
            dy = w0 * sy + w1 * c1y + w2 * c2y + w3 * ey - y
            distance = dx * dx + dy * dy
            if distance > worst:
                worst = distance
                if worst > 16 * limit:
                    return None  # far off: no reparametrisation will save it
        if worst <= limit:
            return (c1x, c1y), (c2x, c2y)
        if attempt:
            return None
        c1, c2 = (c1x, c1y), (c2x, c2y)
        params = [_newton(start, c1, c2, end, p, u) for p, u in zip(points, params, strict=True)]
    return None


def _newton(p0: Point, p1: Point, p2: Point, p3: Point, p: Point, u: float) -> float:
    """One Newton step moving parameter u toward the point of the curve nearest to p."""
    s = 1.0 - u
    q = _bezier(p0, p1, p2, p3, u)
    d1 = (
        3 * (s * s * (p1[0] - p0[0]) + 2 * s * u * (p2[0] - p1[0]) + u * u * (p3[0] - p2[0])),
        3 * (s * s * (p1[1] - p0[1]) + 2 * s * u * (p2[1] - p1[1]) + u * u * (p3[1] - p2[1])),
    )
    d2 = (
        6 * (s * (p2[0] - 2 * p1[0] + p0[0]) + u * (p3[0] - 2 * p2[0] + p1[0])),
        6 * (s * (p2[1] - 2 * p1[1] + p0[1]) + u * (p3[1] - 2 * p2[1] + p1[1])),
    )
    dx, dy = q[0] - p[0], q[1] - p[1]
    numerator = dx * d1[0] + dy * d1[1]
    denominator = d1[0] * d1[0] + d1[1] * d1[1] + dx * d2[0] + dy * d2[1]
    if abs(denominator) < 1e-12:
        return u
    return min(1.0, max(0.0, u - numerator / denominator))


def _smooth_join(t_in: Point | None, t_out: Point | None) -> bool:
    """Whether a curve arriving along -t_in continues smoothly along t_out (within ~8 degrees)."""
    if t_in is None or t_out is None:
        return False
    return -(t_in[0] * t_out[0] + t_in[1] * t_out[1]) > 0.99


def _line_distance(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length < 1e-9:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (length * length)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


Curve = tuple[Point, Point, Point, Point]


def _merge_curves(curves: list[Curve], tolerance: float) -> list[Curve]:
    """Merge a run of consecutive cubics greedily, wherever they join smoothly and one cubic
    stays within `tolerance` of the pieces it replaces."""
    out: list[Curve] = []
    i = 0
    while i < len(curves):
        best = curves[i]
        start = best[0]
        t0 = _start_tangent(*best)
        samples = [_bezier(*best, t) for t in _SAMPLES]
        j = i + 1
        while j < len(curves) and t0 is not None:
            nxt = curves[j]
            if not _smooth_join(_end_tangent(*curves[j - 1]), _start_tangent(*nxt)):
                break
            t1 = _end_tangent(*nxt)
            if t1 is None:
                break
            more = samples + [_bezier(*nxt, t) for t in _SAMPLES]
            fitted = _fit(more, start, nxt[3], t0, t1, tolerance)
            if fitted is None:
                break
            best = (start, fitted[0], fitted[1], nxt[3])
            samples = more
            j += 1
        out.append(best)
        i = j
    return out


def _merge_lines(points: list[Point], tolerance: float) -> list[Point]:
    """The end points of a run of straight segments from points[0], dropping every corner that
    lies within `tolerance` of the straight line that would replace it."""
    out = [points[0]]
    anchor = 0
    k = 1
    while k < len(points):
        # extend the line from points[anchor] as far as every skipped point stays close to it
        end = k
        while end + 1 < len(points) and all(
            _line_distance(points[m], points[anchor], points[end + 1]) <= tolerance
            for m in range(anchor + 1, end + 1)
        ):
            end += 1
        out.append(points[end])
        anchor = end
        k = end + 1
    return out


def simplify_path(path, transform, tolerance: float) -> list[tuple]:
    """`path` (ops "M", "L", "C", "Z" as in paths.py) mapped by `transform` (x, y) -> (x, y),
    simplified within `tolerance` (in the transformed units) and rounded to whole units.

    Returns ops in the same form with integer coordinates; segments that round to nothing are
    dropped.
    """
    out: list[tuple] = []
    current: Point = (0.0, 0.0)
    curves: list[Curve] = []
    lines: list[Point] = []

    def flush():
        nonlocal curves, lines
        if curves:
            for _, c1, c2, end in _merge_curves(curves, tolerance):
                out.append(("C", *c1, *c2, *end))
            curves = []
        if len(lines) > 1:
            for end in _merge_lines(lines, tolerance)[1:]:
                out.append(("L", *end))
        lines = []

    for op in path:
        kind = op[0]
        if kind == "M":
            flush()
            current = transform(op[1], op[2])
            out.append(("M", *current))
        elif kind == "L":
            if curves:
                flush()
            end = transform(op[1], op[2])
            if not lines:
                lines = [current]
            lines.append(end)
            current = end
        elif kind == "C":
            if lines:
                flush()
            c1, c2, end = transform(op[1], op[2]), transform(op[3], op[4]), transform(op[5], op[6])
            curves.append((current, c1, c2, end))
            current = end
        else:
            flush()
            out.append(("Z",))
    flush()
    return _rounded(out)


def _rounded(ops: list[tuple]) -> list[tuple]:
    rounded: list[tuple] = []
    at = None
    for op in ops:
        if op[0] == "Z":
            rounded.append(op)
            continue
        values = tuple(round(v) for v in op[1:])
        if op[0] != "M" and all(values[k : k + 2] == at for k in range(0, len(values), 2)):
            continue  # a segment that rounds to a point
        rounded.append((op[0], *values))
        at = values[-2:]
    return rounded
