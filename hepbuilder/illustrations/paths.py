"""The camera and flat paths: orthographic projection, and the closed outlines both pens draw.

A path is a tuple of ops in millimetres, y up: ("M", x, y), ("L", x, y),
("C", x1, y1, x2, y2, x, y), ("Z",). A `PathShape` is one such path with the roles (not the
colours) it is filled and stroked with; the pens resolve roles to colours and widths.
"""

import math
from dataclasses import dataclass

from .kinematics import Vec

Point = tuple[float, float]
Path = tuple[tuple, ...]


class Camera:
    """Orthographic: yaw turns the viewer around the figure, pitch raises the viewer above it."""

    def __init__(self, yaw_deg: float, pitch_deg: float):
        y, p = math.radians(yaw_deg), math.radians(pitch_deg)
        self.cy, self.sy, self.cp, self.sp = math.cos(y), math.sin(y), math.cos(p), math.sin(p)

    def project(self, v: Vec) -> tuple[float, float, float]:
        """(screen x, screen y, depth toward the viewer), all in mm."""
        d0 = v[0] * self.sy + v[2] * self.cy
        return (
            v[0] * self.cy - v[2] * self.sy,
            v[1] * self.cp - d0 * self.sp,
            v[1] * self.sp + d0 * self.cp,
        )

    def facing(self, normal: Vec) -> float:
        return self.project(normal)[2]


@dataclass(frozen=True)
class PathShape:
    """One filled and/or stroked path. Roles are resolved to colours and widths by the pens."""

    name: str
    path: Path
    fill: str | None  # body, body_far, accent, accent_far, prop..., ground, mat, band, arrow, None
    stroke: str | None  # line, heavy, thin, arrow, band, None


def _arc(cx: float, cy: float, r: float, a0: float, sweep: float) -> list[tuple]:
    """Cubic Bézier ops for a circular arc (angles in radians), without the initial move."""
    pieces = max(1, math.ceil(abs(sweep) / (math.pi / 2) - 1e-9))
    step = sweep / pieces
    k = 4.0 / 3.0 * math.tan(step / 4.0)
    ops = []
    a = a0
    for _ in range(pieces):
        b = a + step
        ca, sa, cb, sb = math.cos(a), math.sin(a), math.cos(b), math.sin(b)
        ops.append(
            (
                "C",
                cx + r * (ca - k * sa),
                cy + r * (sa + k * ca),
                cx + r * (cb + k * sb),
                cy + r * (sb - k * cb),
                cx + r * cb,
                cy + r * sb,
            )
        )
        a = b
    return ops


def circle_path(cx: float, cy: float, r: float) -> Path:
    return (("M", cx + r, cy), *_arc(cx, cy, r, 0.0, 2 * math.pi), ("Z",))


def dot_path(cx: float, cy: float, r: float) -> Path:
    """A small round mark (an eye) as two half-circle curves: half the bytes of circle_path,
    and no difference at the size it prints."""
    k = 4.0 / 3.0 * r
    return (
        ("M", cx + r, cy),
        ("C", cx + r, cy + k, cx - r, cy + k, cx - r, cy),
        ("C", cx - r, cy - k, cx + r, cy - k, cx + r, cy),
        ("Z",),
    )


def capsule_path(p0: Point, r0: float, p1: Point, r1: float) -> Path:
    """A tapered limb: two end circles joined by their outer tangents, as one closed path."""
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    d = math.hypot(dx, dy)
    if d <= abs(r0 - r1) + 1e-6:
        c, r = (p0, r0) if r0 >= r1 else (p1, r1)
        return circle_path(c[0], c[1], r)
    theta = math.atan2(dy, dx)
    beta = math.acos((r0 - r1) / d)
    left, right = theta + beta, theta - beta
    ops: list[tuple] = [("M", p0[0] + r0 * math.cos(left), p0[1] + r0 * math.sin(left))]
    ops.append(("L", p1[0] + r1 * math.cos(left), p1[1] + r1 * math.sin(left)))
    ops.extend(_arc(p1[0], p1[1], r1, left, -2 * beta))
    ops.append(("L", p0[0] + r0 * math.cos(right), p0[1] + r0 * math.sin(right)))
    ops.extend(_arc(p0[0], p0[1], r0, right, -(2 * math.pi - 2 * beta)))
    ops.append(("Z",))
    return tuple(ops)


def smooth_closed_path(points: list[Point]) -> Path:
    """A closed Catmull-Rom curve through the points, as cubic Béziers."""
    n = len(points)
    ops: list[tuple] = [("M", *points[0])]
    for i in range(n):
        p0, p1, p2, p3 = points[i - 1], points[i], points[(i + 1) % n], points[(i + 2) % n]
        ops.append(
            (
                "C",
                p1[0] + (p2[0] - p0[0]) / 6.0,
                p1[1] + (p2[1] - p0[1]) / 6.0,
                p2[0] - (p3[0] - p1[0]) / 6.0,
                p2[1] - (p3[1] - p1[1]) / 6.0,
                p2[0],
                p2[1],
            )
        )
    ops.append(("Z",))
    return tuple(ops)


def polygon_path(points: list[Point]) -> Path:
    return (("M", *points[0]), *(("L", *p) for p in points[1:]), ("Z",))


def convex_hull(points: list[Point]) -> list[Point]:
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def torso_path(levels2d: list[tuple[Point, Point, Point]]) -> Path:
    """The torso's silhouette: each section's extreme points either side of the spine, capped."""
    n = len(levels2d)
    centres = [c for c, _, _ in levels2d]

    def support(i: int, v: Point) -> Point:
        c, a, b = levels2d[i]
        da, db = a[0] * v[0] + a[1] * v[1], b[0] * v[0] + b[1] * v[1]
        length = math.hypot(da, db)
        if length < 1e-9:
            return c
        return (c[0] + (a[0] * da + b[0] * db) / length, c[1] + (a[1] * da + b[1] * db) / length)

    def axis(i: int) -> Point:
        p, q = centres[max(i - 1, 0)], centres[min(i + 1, n - 1)]
        dx, dy = q[0] - p[0], q[1] - p[1]
        d = math.hypot(dx, dy)
        return (dx / d, dy / d) if d > 1e-6 else (0.0, 1.0)

    axes = [axis(i) for i in range(n)]
    normals = [(t[1], -t[0]) for t in axes]
    r = math.sqrt(0.5)
    t, nn = axes[-1], normals[-1]
    b, nb = axes[0], normals[0]
    pts = [support(i, normals[i]) for i in range(n)]
    pts += [support(n - 1, ((nn[0] + t[0]) * r, (nn[1] + t[1]) * r)), support(n - 1, t)]
    pts += [support(n - 1, ((t[0] - nn[0]) * r, (t[1] - nn[1]) * r))]
    pts += [support(i, (-normals[i][0], -normals[i][1])) for i in reversed(range(n))]
    pts += [support(0, ((-nb[0] - b[0]) * r, (-nb[1] - b[1]) * r)), support(0, (-b[0], -b[1]))]
    pts += [support(0, ((nb[0] - b[0]) * r, (nb[1] - b[1]) * r))]
    cleaned = [pts[0]]
    for p in pts[1:]:
        if math.hypot(p[0] - cleaned[-1][0], p[1] - cleaned[-1][1]) > 4.0:
            cleaned.append(p)
    return smooth_closed_path(cleaned)
