"""One geometry for both pens: a posed figure, placed on the floor or a prop, as flat shapes.

`build_illustration(data, side)` runs forward kinematics from the pelvis (root orientation, then
joint angles down each chain, in 3D), rests the figure so its first contact lies on its surface,
places the props under the parts that rest on them, projects everything with an orthographic
camera and returns flat paths in millimetres (y up). Both pens (render.py) draw these paths as
they are; mirroring for the left side is `x -> -x` on the finished paths, nothing else.

Results are cached per (frozen illustration data, side): poses are plain data, so the geometry
of a handout's ten exercises is computed once per process.
"""

import json
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

from . import model as m

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]
Point = tuple[float, float]
# A path is a tuple of ops: ("M", x, y), ("L", x, y), ("C", x1, y1, x2, y2, x, y), ("Z",).
Path = tuple[tuple, ...]

BAND_ON_THIGH = 0.8  # fraction of the way down the thigh where a band sits ("just above the knee")
BAND_ON_SHIN = 0.86
ARROW_HEAD_MM = 85.0


# ---------------------------------------------------------------- vectors and rotations


def _rot(axis: str, deg: float) -> Mat:
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    if axis == "x":
        return ((1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c))
    if axis == "y":
        return ((c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c))
    return ((c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0))


def _mul(a: Mat, b: Mat) -> Mat:
    return tuple(
        tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3)
    )  # type: ignore[return-value]


def _apply(mat: Mat, v: Vec) -> Vec:
    return (
        mat[0][0] * v[0] + mat[0][1] * v[1] + mat[0][2] * v[2],
        mat[1][0] * v[0] + mat[1][1] * v[1] + mat[1][2] * v[2],
        mat[2][0] * v[0] + mat[2][1] * v[1] + mat[2][2] * v[2],
    )


def _at(origin: Vec, frame: Mat, local: Vec) -> Vec:
    d = _apply(frame, local)
    return (origin[0] + d[0], origin[1] + d[1], origin[2] + d[2])


def _lerp(a, b, t: float):
    return tuple(x + (y - x) * t for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------- the posed body (3D)


@dataclass
class Body:
    """A posed figure in world millimetres: x forward (as the pose was written), y up, z near side."""

    points: dict[str, Vec]
    limbs: dict[
        str, tuple[Vec, Vec, float, float]
    ]  # name -> (start, end, start radius, end radius)
    levels: list[
        tuple[Vec, Vec, Vec]
    ]  # torso sections bottom to top: (centre, half width, half depth)
    head_forward: Vec

    def moved(self, dy: float) -> "Body":
        def up(p: Vec) -> Vec:
            return (p[0], p[1] + dy, p[2])

        return Body(
            points={k: up(p) for k, p in self.points.items()},
            limbs={k: (up(a), up(b), ra, rb) for k, (a, b, ra, rb) in self.limbs.items()},
            levels=[(up(c), a, b) for c, a, b in self.levels],
            head_forward=self.head_forward,
        )


def _dof(joints: dict, name: str, dof: str) -> float:
    value = joints.get(name)
    if value is None:
        return 0.0
    if isinstance(value, (int, float)):
        return float(value) if dof == "flex_deg" else 0.0
    return float(value.get(dof, 0.0))


def pose_body(pelvis: dict, joints: dict) -> Body:
    """Forward kinematics: the root (between the hip joints) at the origin, then down each chain."""
    frame = _mul(
        _rot("y", -pelvis.get("turn_deg", 0.0)),
        _mul(_rot("z", -pelvis.get("lean_deg", 0.0)), _rot("x", pelvis.get("roll_deg", 0.0))),
    )
    origin: Vec = (0.0, 0.0, 0.0)
    points: dict[str, Vec] = {"pelvis": origin}
    limbs: dict[str, tuple[Vec, Vec, float, float]] = {}
    radii = m.LIMB_RADII_MM

    spine = _at(origin, frame, (m.SPINE_FROM_HIPS_MM[0], m.SPINE_FROM_HIPS_MM[1], 0.0))
    chest = _mul(
        frame,
        _mul(
            _rot("z", -_dof(joints, "spine", "flex_deg")),
            _mul(
                _rot("x", _dof(joints, "spine", "side_bend_deg")),
                _rot("y", -_dof(joints, "spine", "rotate_deg")),
            ),
        ),
    )
    neck_base = _at(spine, chest, (0.0, m.NECK_BASE_MM, 0.0))
    neck = _mul(
        chest,
        _mul(
            _rot("z", -_dof(joints, "neck", "flex_deg")),
            _rot("y", -_dof(joints, "neck", "rotate_deg")),
        ),
    )
    head = _at(neck_base, neck, (m.HEAD_FROM_NECK_MM[0], m.HEAD_FROM_NECK_MM[1], 0.0))
    points.update(spine=spine, neck_base=neck_base, head=head)
    points["chest"] = _at(spine, chest, (0.0, 250.0, 0.0))
    limbs["neck"] = (neck_base, head, *radii["neck"])

    for side, s in (("near", 1.0), ("far", -1.0)):
        hip = _at(origin, frame, (0.0, 0.0, s * m.HIP_HALF_WIDTH_MM))
        thigh = _mul(
            frame,
            _mul(
                _rot("z", _dof(joints, f"hip_{side}", "flex_deg")),
                _mul(
                    _rot("x", -s * _dof(joints, f"hip_{side}", "abduct_deg")),
                    _rot("y", -s * _dof(joints, f"hip_{side}", "rotate_deg")),
                ),
            ),
        )
        knee = _at(hip, thigh, (0.0, -m.THIGH_MM, 0.0))
        shin = _mul(thigh, _rot("z", -_dof(joints, f"knee_{side}", "flex_deg")))
        ankle = _at(knee, shin, (0.0, -m.SHIN_MM, 0.0))
        foot = _mul(shin, _rot("z", _dof(joints, f"ankle_{side}", "flex_deg")))
        heel = _at(ankle, foot, (m.HEEL_MM[0], m.HEEL_MM[1], 0.0))
        toe = _at(ankle, foot, (m.TOE_MM[0], m.TOE_MM[1], 0.0))
        shoulder = _at(spine, chest, (m.SHOULDER_MM[0], m.SHOULDER_MM[1], s * m.SHOULDER_MM[2]))
        upper = _mul(
            chest,
            _mul(
                _rot("z", _dof(joints, f"shoulder_{side}", "flex_deg")),
                _mul(
                    _rot("x", -s * _dof(joints, f"shoulder_{side}", "abduct_deg")),
                    _rot("y", -s * _dof(joints, f"shoulder_{side}", "rotate_deg")),
                ),
            ),
        )
        elbow = _at(shoulder, upper, (0.0, -m.UPPER_ARM_MM, 0.0))
        fore = _mul(upper, _rot("z", _dof(joints, f"elbow_{side}", "flex_deg")))
        wrist = _at(elbow, fore, (0.0, -m.FOREARM_MM, 0.0))
        hand_frame = _mul(fore, _rot("z", _dof(joints, f"wrist_{side}", "flex_deg")))
        hand = _at(wrist, hand_frame, (0.0, -m.HAND_MM, 0.0))
        points.update(
            {
                f"hip_{side}": hip,
                f"knee_{side}": knee,
                f"ankle_{side}": ankle,
                f"heel_{side}": heel,
                f"toe_{side}": toe,
                f"shoulder_{side}": shoulder,
                f"elbow_{side}": elbow,
                f"wrist_{side}": wrist,
                f"hand_{side}": hand,
            }
        )
        limbs[f"thigh_{side}"] = (hip, knee, *radii["thigh"])
        limbs[f"shin_{side}"] = (knee, ankle, *radii["shin"])
        limbs[f"foot_{side}"] = (heel, toe, *radii["foot"])
        limbs[f"upper_arm_{side}"] = (shoulder, elbow, *radii["upper_arm"])
        limbs[f"forearm_{side}"] = (elbow, wrist, *radii["forearm"])
        limbs[f"hand_{side}"] = (wrist, hand, *radii["hand"])

    levels = []
    for base, fr, table in ((origin, frame, m.PELVIS_LEVELS_MM), (spine, chest, m.CHEST_LEVELS_MM)):
        for up, forward, half_width, half_depth in table:
            levels.append(
                (
                    _at(base, fr, (forward, up, 0.0)),
                    _apply(fr, (0.0, 0.0, half_width)),
                    _apply(fr, (half_depth, 0.0, 0.0)),
                )
            )
    return Body(
        points=points, limbs=limbs, levels=levels, head_forward=_apply(neck, (1.0, 0.0, 0.0))
    )


def _ellipse_low(centre: Vec, a: Vec, b: Vec) -> Vec:
    length = math.hypot(a[1], b[1])
    if length < 1e-9:
        return centre
    ca, cb = -a[1] / length, -b[1] / length
    return tuple(centre[i] + a[i] * ca + b[i] * cb for i in range(3))  # type: ignore[return-value]


def part_low(body: Body, part: str, along: float | None = None) -> Vec:
    """The lowest surface point of a body part (where it would touch a surface below it)."""
    if part in body.limbs:
        a, b, ra, rb = body.limbs[part]
        if along is not None:
            c, r = _lerp(a, b, along), ra + (rb - ra) * along
            return (c[0], c[1] - r, c[2])
        low_a, low_b = (a[0], a[1] - ra, a[2]), (b[0], b[1] - rb, b[2])
        return low_a if low_a[1] <= low_b[1] else low_b
    if part in ("torso", "pelvis"):
        levels = body.levels if part == "torso" else body.levels[: len(m.PELVIS_LEVELS_MM)]
        return min((_ellipse_low(*lvl) for lvl in levels), key=lambda p: p[1])
    if part == "head":
        h = body.points["head"]
        return (h[0], h[1] - m.HEAD_RADIUS_MM, h[2])
    joint, radius = {
        "knee_near": ("knee_near", m.LIMB_RADII_MM["thigh"][1]),
        "knee_far": ("knee_far", m.LIMB_RADII_MM["thigh"][1]),
        "elbow_near": ("elbow_near", m.LIMB_RADII_MM["forearm"][0]),
        "elbow_far": ("elbow_far", m.LIMB_RADII_MM["forearm"][0]),
    }[part]
    p = body.points[joint]
    return (p[0], p[1] - radius, p[2])


def part_front(body: Body, part: str) -> float:
    """The forward-most x of a body part (where it would touch a wall in front of it)."""
    if part in body.limbs:
        a, b, ra, rb = body.limbs[part]
        return max(a[0] + ra, b[0] + rb)
    if part == "head":
        return body.points["head"][0] + m.HEAD_RADIUS_MM
    if part in ("torso", "pelvis"):
        return max(c[0] + math.hypot(a[0], b[0]) for c, a, b in body.levels)
    return body.points[part][0] + 50.0


def body_low(body: Body) -> float:
    parts = ("torso", "head", *m.LIMBS)
    return min(part_low(body, p)[1] for p in parts)


# ---------------------------------------------------------------- props in the world


@dataclass
class Box:
    lo: Vec
    hi: Vec
    role: str = "prop"


@dataclass
class Cylinder:
    centre: Vec
    axis: Vec
    radius: float
    length: float


@dataclass
class Ball:
    centre: Vec
    radius: float


@dataclass
class Band:
    start: Vec
    end: Vec
    start_radius: float
    end_radius: float
    wraps: tuple[tuple[Vec, Vec, float], ...]  # (point on a limb, limb direction, limb radius)


def _surface_top(prop: dict) -> float:
    kind = prop["kind"]
    if kind in ("foam-roller", "massage-ball"):
        return float(prop.get("diameter_mm", m.PROP_DEFAULTS[kind]["diameter_mm"]))
    return float(prop.get("height_mm", m.PROP_DEFAULTS[kind]["height_mm"]))


def _contact_point(body: Body, contact: dict, surface: str) -> Vec:
    if surface == "wall":
        return (part_front(body, contact["part"]), 0.0, 0.0)
    return part_low(body, contact["part"], contact.get("along"))


def _opt(prop: dict, key: str) -> float:
    return float(prop.get(key, m.PROP_DEFAULTS[prop["kind"]][key]))


def _chair_boxes(low: Vec, height: float, toward: float, shift: float, couch: bool) -> list[Box]:
    """A chair or couch whose seat front edge is just in front of the resting point."""
    half_width = 450.0 if couch else 230.0
    seat_depth = 620.0 if couch else 440.0
    front = low[0] + toward * (120.0 - shift)
    back = front - toward * seat_depth
    x0, x1 = sorted((front, back))
    z0, z1 = low[2] - half_width, low[2] + half_width
    boxes: list[Box] = []
    if couch:
        boxes.append(Box((x0, 60.0, z0), (x1, height - 110.0, z1)))
        boxes.append(Box((x0, height - 110.0, z0), (x1, height, z1), "cushion"))
        bx0, bx1 = sorted((back, back + toward * 190.0))
        boxes.append(Box((bx0, height, z0), (bx1, height + 380.0, z1), "cushion"))
        for x in (x0 + 40.0, x1 - 40.0):
            for z in (z0 + 40.0, z1 - 40.0):
                boxes.append(
                    Box((x - 20.0, 0.0, z - 20.0), (x + 20.0, 60.0, z + 20.0), "prop_dark")
                )
        return boxes
    for x in (x0 + 30.0, x1 - 30.0):
        for z in (z0 + 25.0, z1 - 25.0):
            boxes.append(
                Box((x - 15.0, 0.0, z - 15.0), (x + 15.0, height - 40.0, z + 15.0), "prop_dark")
            )
    boxes.append(Box((x0, height - 40.0, z0), (x1, height, z1)))
    bx0, bx1 = sorted((back, back + toward * 36.0))
    boxes.append(Box((bx0, height, z0), (bx1, height + 430.0, z1)))
    return boxes


def _band(body: Body, prop: dict) -> tuple[Band, list[Box]]:
    around = prop["around"]
    s = {"near": 1.0, "far": -1.0}

    def on_limb(limb: str, t: float) -> tuple[Vec, Vec, float]:
        a, b, ra, rb = body.limbs[limb]
        direction = tuple(y - x for x, y in zip(a, b, strict=True))
        return _lerp(a, b, t), direction, ra + (rb - ra) * t  # type: ignore[return-value]

    if around in ("knees", "ankles"):
        limb, t = ("thigh", BAND_ON_THIGH) if around == "knees" else ("shin", BAND_ON_SHIN)
        near, far = on_limb(f"{limb}_near", t), on_limb(f"{limb}_far", t)
        return Band(near[0], far[0], near[2], far[2], (near, far)), []
    side = around.rsplit("_", 1)[1]
    at = on_limb(around, BAND_ON_THIGH)
    forward, lateral = prop.get("post_at_mm", (0.0, -700.0))
    post = (at[0][0] + forward, at[0][1], at[0][2] + s[side] * lateral)
    top = post[1] + 220.0
    box = Box((post[0] - 30.0, 0.0, post[2] - 30.0), (post[0] + 30.0, top, post[2] + 30.0), "post")
    return Band(at[0], post, at[2], 0.0, (at,)), [box]


@dataclass
class WorldFrame:
    body: Body
    boxes: list[Box]
    cylinders: list[Cylinder]
    balls: list[Ball]
    bands: list[Band]
    floor_y: float  # the ground line: 0, or under the mat
    contacts: list[tuple[str, str, float]]  # (part, surface, gap in mm: + floating, - sunk)
    sunk_mm: float  # how far the lowest body part is below the floor (0 when nothing sinks)
    tops: dict[str, float]  # surface kind -> its height (the wall: its x)


def place_frame(frame: dict, props: list[dict]) -> WorldFrame:
    """Pose the figure, rest its first contact on its surface, and put the props where it touches."""
    body = pose_body(frame.get("pelvis") or {}, frame.get("joints") or {})
    contacts = frame.get("contacts") or []
    by_kind = {p["kind"]: p for p in props}
    if contacts and contacts[0]["surface"] != "wall":
        first = contacts[0]
        low = part_low(body, first["part"], first.get("along"))
        target = 0.0 if first["surface"] == "floor" else _surface_top(by_kind[first["surface"]])
        body = body.moved(target - low[1])
    else:
        body = body.moved(-body_low(body))

    boxes: list[Box] = []
    cylinders: list[Cylinder] = []
    balls: list[Ball] = []
    bands: list[Band] = []
    tops: dict[str, float] = {"floor": 0.0}
    floor_y = 0.0
    pelvis_x = body.points["pelvis"][0]
    for prop in props:
        kind = prop["kind"]
        if kind == "band":
            band, posts = _band(body, prop)
            bands.append(band)
            boxes.extend(posts)
            continue
        if kind == "mat":
            floor_y = -_opt(prop, "thickness_mm")
            continue
        resting = next((c for c in contacts if c["surface"] == kind), None)
        if resting is None:
            continue
        low = _contact_point(body, resting, kind)
        if kind == "wall":
            x = low[0]
            boxes.append(Box((x, 0.0, -900.0), (x + 70.0, _opt(prop, "height_mm"), 900.0), "wall"))
            tops["wall"] = x
            continue
        fitted = (
            contacts[0] is not resting
            and "height_mm" not in prop
            and kind in ("step", "chair", "couch")
        )
        top = low[1] if fitted else _surface_top(prop)
        tops[kind] = top
        shift = float(prop.get("shift_mm", 0.0))
        if kind == "step":
            half = _opt(prop, "depth_mm") / 2.0
            cx = low[0] + shift
            boxes.append(Box((cx - half, 0.0, low[2] - 300.0), (cx + half, top, low[2] + 300.0)))
        elif kind in ("chair", "couch"):
            toward = 1.0 if pelvis_x >= low[0] else -1.0
            boxes.extend(_chair_boxes(low, top, toward, shift, kind == "couch"))
        elif kind == "foam-roller":
            a, b, _, _ = body.limbs.get(
                resting["part"], (body.points["pelvis"], body.points["head"], 0, 0)
            )
            dx, dz = b[0] - a[0], b[2] - a[2]
            length = math.hypot(dx, dz)
            axis = (-dz / length, 0.0, dx / length) if length > 1e-6 else (0.0, 0.0, 1.0)
            cylinders.append(Cylinder((low[0] + shift, top / 2.0, low[2]), axis, top / 2.0, 600.0))
        elif kind == "massage-ball":
            balls.append(Ball((low[0] + shift, top / 2.0, low[2]), top / 2.0))

    checked = []
    for contact in contacts:
        surface = contact["surface"]
        if surface == "wall":
            gap = tops.get("wall", 0.0) - part_front(body, contact["part"])
        else:
            gap = part_low(body, contact["part"], contact.get("along"))[1] - tops.get(surface, 0.0)
        checked.append((contact["part"], surface, gap))
    return WorldFrame(
        body=body,
        boxes=boxes,
        cylinders=cylinders,
        balls=balls,
        bands=bands,
        floor_y=floor_y,
        contacts=checked,
        sunk_mm=max(0.0, -body_low(body)),
        tops=tops,
    )


# ---------------------------------------------------------------- the camera and flat shapes


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
class Shape:
    """One filled and/or stroked path. Roles are resolved to colours and widths by the pens."""

    name: str
    path: Path
    fill: str | None  # body, body_far, accent, accent_far, prop..., ground, mat, band, arrow, None
    stroke: str | None  # line, heavy, thin, arrow, band, None

    @cached_property
    def pdf_path(self) -> str:
        """The path as PDF path operators (m, l, c, h) in mm, formatted once per shape."""
        return " ".join(_PDF_OPS[op[0]](op) for op in self.path)

    @cached_property
    def svg_path(self) -> str:
        """The path as SVG path data in mm (y up: the SVG pen flips it)."""
        return "".join(op[0] + " ".join(_num(v) for v in op[1:]) for op in self.path)


def _num(v: float) -> str:
    text = f"{v:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _int(v: float) -> str:
    return str(round(v))


# Whole millimetres are plenty for print (a figure is drawn at under 0.4 pt per mm) and keep
# the content stream, which reportlab compresses and encodes, small.
_PDF_OPS = {
    "M": lambda op: f"{_int(op[1])} {_int(op[2])} m",
    "L": lambda op: f"{_int(op[1])} {_int(op[2])} l",
    "C": lambda op: " ".join(_int(v) for v in op[1:]) + " c",
    "Z": lambda op: "h",
}


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


def _hull(points: list[Point]) -> list[Point]:
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


def _torso_path(levels2d: list[tuple[Point, Point, Point]]) -> Path:
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


def _box_shapes(cam: Camera, box: Box) -> list[tuple[float, Shape]]:
    (x0, y0, z0), (x1, y1, z1) = box.lo, box.hi
    corners = {
        (i, j, k): cam.project(((x0, x1)[i], (y0, y1)[j], (z0, z1)[k]))
        for i in (0, 1)
        for j in (0, 1)
        for k in (0, 1)
    }
    faces = [
        ((1.0, 0.0, 0.0), [(1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1)], "side"),
        ((-1.0, 0.0, 0.0), [(0, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 0)], "side"),
        ((0.0, 1.0, 0.0), [(0, 1, 0), (0, 1, 1), (1, 1, 1), (1, 1, 0)], "top"),
        ((0.0, 0.0, 1.0), [(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)], "front"),
        ((0.0, 0.0, -1.0), [(0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 0, 0)], "front"),
        ((0.0, -1.0, 0.0), [(0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1)], "top"),
    ]
    depth = sum(c[2] for c in corners.values()) / 8.0
    out = []
    for normal, keys, shade in faces:
        if cam.facing(normal) <= 1e-6:
            continue
        pts = [(corners[k][0], corners[k][1]) for k in keys]
        fill = box.role if shade == "front" else f"{box.role}_{shade}"
        out.append((depth, Shape(f"prop:{box.role}", polygon_path(pts), fill, "thin")))
    return out


def _cylinder_shapes(cam: Camera, cyl: Cylinder) -> list[tuple[float, Shape]]:
    ax = cyl.axis
    u: Vec = (0.0, 1.0, 0.0)
    v: Vec = (ax[1] * u[2] - ax[2] * u[1], ax[2] * u[0] - ax[0] * u[2], ax[0] * u[1] - ax[1] * u[0])
    rings = []
    for sign in (-1.0, 1.0):
        end = tuple(cyl.centre[i] + sign * ax[i] * cyl.length / 2.0 for i in range(3))
        ring = []
        for k in range(32):
            a = 2 * math.pi * k / 32
            ca, sa = math.cos(a), math.sin(a)
            p = tuple(end[i] + cyl.radius * (ca * u[i] + sa * v[i]) for i in range(3))
            ring.append(cam.project(p))  # type: ignore[arg-type]
        rings.append((sign, ring))
    depth = cam.project(cyl.centre)[2]
    outline = _hull([(p[0], p[1]) for _, ring in rings for p in ring])
    shapes = [(depth, Shape("prop:foam-roller", polygon_path(outline), "roller", "thin"))]
    facing = cam.facing(ax)
    sign = 1.0 if facing >= 0 else -1.0
    if abs(facing) > 0.05:
        ring = next(r for s, r in rings if s == sign)
        shapes.append(
            (
                depth,
                Shape(
                    "prop:foam-roller",
                    polygon_path([(p[0], p[1]) for p in ring]),
                    "roller_end",
                    "thin",
                ),
            )
        )
        end = tuple(cyl.centre[i] + sign * ax[i] * cyl.length / 2.0 for i in range(3))
        inner = []
        for k in range(24):
            a = 2 * math.pi * k / 24
            p = tuple(
                end[i] + 0.38 * cyl.radius * (math.cos(a) * u[i] + math.sin(a) * v[i])
                for i in range(3)
            )
            q = cam.project(p)  # type: ignore[arg-type]
            inner.append((q[0], q[1]))
        shapes.append((depth, Shape("prop:foam-roller", polygon_path(inner), None, "thin")))
    return shapes


def _flat(cam: Camera, v: Vec) -> Point:
    p = cam.project(v)
    return (p[0], p[1])


def _arrow_shapes(start: Point, vector: Point, bend_deg: float, heads: int) -> list[Shape]:
    """A straight or curved arrow from `start` along `vector`, with one or two heads."""
    end = (start[0] + vector[0], start[1] + vector[1])
    length = math.hypot(*vector)
    if length < 1e-6:
        return []
    b = math.radians(bend_deg)
    handle = length / 3.0 / max(math.cos(b), 0.35)

    def turned(angle: float) -> Point:
        c, s = math.cos(angle), math.sin(angle)
        return ((vector[0] * c - vector[1] * s) / length, (vector[0] * s + vector[1] * c) / length)

    d0, d1 = turned(b), turned(-b)
    c1 = (start[0] + d0[0] * handle, start[1] + d0[1] * handle)
    c2 = (end[0] - d1[0] * handle, end[1] - d1[1] * handle)
    head = min(ARROW_HEAD_MM, length * 0.45)

    def head_path(tip: Point, direction: Point) -> Path:
        dx, dy = direction
        back = (tip[0] - dx * head, tip[1] - dy * head)
        w = head * 0.55
        return polygon_path(
            [tip, (back[0] - dy * w, back[1] + dx * w), (back[0] + dy * w, back[1] - dx * w)]
        )

    # Trim the shaft under each head so its round cap does not poke through the tip.
    s0 = (start[0] + d0[0] * head * 0.7, start[1] + d0[1] * head * 0.7) if heads == 2 else start
    e0 = (end[0] - d1[0] * head * 0.7, end[1] - d1[1] * head * 0.7)
    if bend_deg:
        shaft: Path = (("M", *s0), ("C", *c1, *c2, *e0))
    else:
        shaft = (("M", *s0), ("L", *e0))
    shapes = [
        Shape("arrow", shaft, None, "arrow"),
        Shape("arrow", head_path(end, d1), "arrow", None),
    ]
    if heads == 2:
        shapes.append(Shape("arrow", head_path(start, (-d0[0], -d0[1])), "arrow", None))
    return shapes


@dataclass(frozen=True)
class FrameArt:
    """One drawn frame: shapes in mm (y up), its bounding box, and what tests check."""

    label: str
    shapes: tuple[Shape, ...]
    bbox: tuple[float, float, float, float]
    joints: dict  # point name -> (x, y) on the drawing
    limbs: dict  # limb -> ((x0, y0), (x1, y1)) on the drawing
    contacts: tuple[tuple[str, str, float], ...]  # (part, surface, gap_mm) in the world
    sunk_mm: float


@dataclass(frozen=True)
class Illustration:
    frames: tuple[FrameArt, ...]
    side: str


LIMB_PARENTS = {
    **{f"shin_{s}": f"thigh_{s}" for s in ("near", "far")},
    **{f"forearm_{s}": f"upper_arm_{s}" for s in ("near", "far")},
    **{f"hand_{s}": f"forearm_{s}" for s in ("near", "far")},
}
LIMB_JOINTS = {  # limb -> the joints it runs between (for the foot: the ankle it hangs from)
    **{f"thigh_{s}": (f"hip_{s}", f"knee_{s}") for s in ("near", "far")},
    **{f"shin_{s}": (f"knee_{s}", f"ankle_{s}") for s in ("near", "far")},
    **{f"upper_arm_{s}": (f"shoulder_{s}", f"elbow_{s}") for s in ("near", "far")},
    **{f"forearm_{s}": (f"elbow_{s}", f"wrist_{s}") for s in ("near", "far")},
    **{f"hand_{s}": (f"wrist_{s}", f"hand_{s}") for s in ("near", "far")},
    "neck": ("neck_base", "head"),
}


def _camera(data: dict) -> Camera:
    yaw, pitch = m.VIEWS[data.get("view", "side")]
    camera = data.get("camera") or {}
    yaw += float(camera.get("yaw_deg", 0.0))
    pitch = min(90.0, max(0.0, pitch + float(camera.get("pitch_deg", 0.0))))
    return Camera(yaw, pitch)


def draw_frame(data: dict, index: int) -> FrameArt:
    """Shapes for one frame of a (validated) illustration, as the pose describes it (right side)."""
    frame = data["frames"][index]
    props = list(data.get("props") or [])
    world = place_frame(frame, props)
    cam = _camera(data)
    body = world.body
    highlight = set(data.get("highlight") or ())
    proj = {name: cam.project(p) for name, p in body.points.items()}

    # The body: every part with its depth, drawn far to near.
    parts: list[tuple[float, Shape]] = []
    levels2d = []
    depth_sum = 0.0
    for c, a, b in body.levels:
        pc = cam.project(c)
        pa, pb = (
            cam.project((c[0] + a[0], c[1] + a[1], c[2] + a[2])),
            cam.project((c[0] + b[0], c[1] + b[1], c[2] + b[2])),
        )
        levels2d.append(
            ((pc[0], pc[1]), (pa[0] - pc[0], pa[1] - pc[1]), (pb[0] - pc[0], pb[1] - pc[1]))
        )
        depth_sum += pc[2]
    torso_depth = depth_sum / len(body.levels)

    def fill_for(name: str, depth: float) -> tuple[str, str]:
        far = depth < torso_depth - 40.0
        if name in highlight:
            return ("accent_far" if far else "accent"), "heavy"
        return ("body_far" if far else "body"), "line"

    fill, stroke = fill_for("torso", torso_depth)
    parts.append((torso_depth, Shape("torso", _torso_path(levels2d), fill, stroke)))
    limbs2d = {}
    for name, (a, b, ra, rb) in body.limbs.items():
        pa, pb = cam.project(a), cam.project(b)
        depth = (pa[2] + pb[2]) / 2.0
        if name.startswith(("thigh", "shin", "foot")):
            depth -= 10.0
        elif name.startswith(("upper_arm", "forearm", "hand")):
            depth += 10.0
        elif name == "neck":
            depth = min(depth, torso_depth) - 30.0
        fill, stroke = fill_for(name, depth)
        parts.append((depth, Shape(name, capsule_path(pa[:2], ra, pb[:2], rb), fill, stroke)))
        if name.startswith("foot"):
            side = name.rsplit("_", 1)[1]
            limbs2d[name] = (proj[f"ankle_{side}"][:2], pb[:2])
        else:
            limbs2d[name] = (pa[:2], pb[:2])
    head = proj["head"]
    head_depth = max(head[2], torso_depth) + 30.0
    fill, stroke = fill_for("head", head[2])
    forward = cam.project(body.head_forward)
    reach = math.hypot(forward[0], forward[1])
    if reach > 0.45:
        fx, fy = forward[0] / reach, forward[1] / reach
        r = m.HEAD_RADIUS_MM
        tip = (head[0] + fx * r * 1.1, head[1] + fy * r * 1.1 - 0.18 * r)
        base = (head[0] + fx * r * 0.75, head[1] + fy * r * 0.75 - 0.1 * r)
        nose = capsule_path(base, 22.0, tip, 13.0)
        parts.append((head_depth - 0.1, Shape("nose", nose, fill, stroke)))
    parts.append(
        (head_depth, Shape("head", circle_path(head[0], head[1], m.HEAD_RADIUS_MM), fill, stroke))
    )
    parts.sort(key=lambda item: item[0])

    # Props behind the body (they carry it), bands and arrows in front of it.
    prop_shapes: list[tuple[float, Shape]] = []
    for box in world.boxes:
        prop_shapes.extend(_box_shapes(cam, box))
    for cyl in world.cylinders:
        prop_shapes.extend(_cylinder_shapes(cam, cyl))
    for ball in world.balls:
        c = cam.project(ball.centre)
        prop_shapes.append(
            (c[2], Shape("prop:massage-ball", circle_path(c[0], c[1], ball.radius), "ball", "thin"))
        )
    prop_shapes.sort(key=lambda item: item[0])

    front: list[Shape] = []
    for band in world.bands:
        front.extend(_band_shapes(cam, band))
    for arrow in data.get("arrows") or ():
        if arrow.get("frame", 0) != index:
            continue
        at = proj[arrow["at"]]
        ox, oy = arrow.get("offset_mm", (0.0, 0.0))
        front.extend(
            _arrow_shapes(
                (at[0] + ox, at[1] + oy),
                tuple(arrow["vector_mm"]),  # type: ignore[arg-type]
                float(arrow.get("bend_deg", 0.0)),
                int(arrow.get("heads", 1)),
            )
        )

    body_and_props = [s for _, s in prop_shapes] + [s for _, s in parts] + front
    x0, y0, x1, y1 = _bbox(body_and_props)
    ground = _ground_shapes(cam, world, x0, x1, props)
    shapes = tuple(ground + body_and_props)
    bbox = _bbox(list(shapes))
    joints2d = {name: p[:2] for name, p in proj.items()}
    return FrameArt(
        label=str(frame.get("label") or ""),
        shapes=shapes,
        bbox=bbox,
        joints=joints2d,
        limbs=limbs2d,
        contacts=tuple(world.contacts),
        sunk_mm=world.sunk_mm,
    )


def _band_shapes(cam: Camera, band: Band) -> list[Shape]:
    shapes = []
    a, b = cam.project(band.start), cam.project(band.end)
    dx, dy = b[0] - a[0], b[1] - a[1]
    d = math.hypot(dx, dy)
    if band.end_radius > 0 and d > 1e-6:
        # Around two limbs: the front strand, from the outer edge of one to the outer edge of the other.
        ux, uy = dx / d, dy / d
        start = (a[0] - ux * band.start_radius * 0.9, a[1] - uy * band.start_radius * 0.9)
        end = (b[0] + ux * band.end_radius * 0.9, b[1] + uy * band.end_radius * 0.9)
        path: Path = (("M", *start), ("L", *end))
        shapes.append(Shape("band", path, None, "band_edge"))
        shapes.append(Shape("band", path, None, "band"))
        return shapes
    for point, direction, radius in band.wraps:
        p = cam.project(point)
        q = cam.project(tuple(point[i] + direction[i] for i in range(3)))  # type: ignore[arg-type]
        lx, ly = q[0] - p[0], q[1] - p[1]
        ll = math.hypot(lx, ly) or 1.0
        nx, ny = -ly / ll * radius, lx / ll * radius
        loop: Path = (("M", p[0] - nx, p[1] - ny), ("L", p[0] + nx, p[1] + ny))
        shapes.append(Shape("band", loop, None, "band_edge"))
        shapes.append(Shape("band", loop, None, "band"))
    path = (("M", a[0], a[1]), ("L", b[0], b[1]))
    shapes.insert(0, Shape("band", path, None, "band"))
    shapes.insert(0, Shape("band", path, None, "band_edge"))
    return shapes


def _ground_shapes(
    cam: Camera, world: WorldFrame, x0: float, x1: float, props: list[dict]
) -> list[Shape]:
    """The floor (a strip seen edge-on, or a plane seen from above) and the mat on it."""
    margin = 160.0
    has_mat = any(p["kind"] == "mat" for p in props)
    floor_y = world.floor_y
    shapes: list[Shape] = []
    if cam.sp < 0.05:
        top = cam.project((0.0, floor_y, 0.0))[1]
        strip = polygon_path(
            [
                (x0 - margin, top),
                (x1 + margin, top),
                (x1 + margin, top - 45.0),
                (x0 - margin, top - 45.0),
            ]
        )
        shapes.append(Shape("floor", strip, "ground", None))
        shapes.append(
            Shape("floor", (("M", x0 - margin, top), ("L", x1 + margin, top)), None, "floor")
        )
        if has_mat:
            mat_x0, mat_x1 = _near_floor_extent(cam, world)
            mat = capsule_path(
                (mat_x0, top - floor_y / 2), -floor_y / 2, (mat_x1, top - floor_y / 2), -floor_y / 2
            )
            shapes.append(Shape("mat", mat, "mat", "thin"))
        return shapes
    pts = [p for p in world.body.points.values()]
    xs = [p[0] for p in pts] + [b.lo[0] for b in world.boxes] + [b.hi[0] for b in world.boxes]
    zs = [p[2] for p in pts] + [b.lo[2] for b in world.boxes] + [b.hi[2] for b in world.boxes]
    for cyl in world.cylinders:
        xs += [cyl.centre[0] - cyl.length / 2, cyl.centre[0] + cyl.length / 2]
        zs += [cyl.centre[2] - cyl.length / 2, cyl.centre[2] + cyl.length / 2]
    wx0, wx1, wz0, wz1 = min(xs) - 180, max(xs) + 180, min(zs) - 180, max(zs) + 180
    quad = [
        _flat(cam, (x, floor_y, z)) for x, z in ((wx0, wz0), (wx1, wz0), (wx1, wz1), (wx0, wz1))
    ]
    if not has_mat:
        shapes.append(Shape("floor", polygon_path(_hull(quad)), "ground", None))
    else:
        near = [p for p in pts if p[1] < 260.0] or pts
        mx0, mx1 = min(p[0] for p in near) - 130, max(p[0] for p in near) + 130
        mz0, mz1 = min(p[2] for p in near) - 150, max(p[2] for p in near) + 150
        top = [_flat(cam, (x, 0.0, z)) for x, z in ((mx0, mz0), (mx1, mz0), (mx1, mz1), (mx0, mz1))]
        bottom = [
            _flat(cam, (x, floor_y, z)) for x, z in ((mx0, mz0), (mx1, mz0), (mx1, mz1), (mx0, mz1))
        ]
        shapes.append(Shape("mat", polygon_path(_hull(top + bottom)), "mat_side", "thin"))
        shapes.append(Shape("mat", polygon_path(top), "mat", "thin"))
    return shapes


def _near_floor_extent(cam: Camera, world: WorldFrame) -> tuple[float, float]:
    body = world.body
    near = [p for p in body.points.values() if p[1] < 260.0] or list(body.points.values())
    xs = [cam.project(p)[0] for p in near]
    return min(xs) - 170.0, max(xs) + 170.0


def _bbox(shapes: list[Shape]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for shape in shapes:
        for op in shape.path:
            xs.extend(op[1::2])
            ys.extend(op[2::2])
    if not xs:
        return (0.0, 0.0, 1.0, 1.0)
    return (min(xs), min(ys), max(xs), max(ys))


def _mirror_path(path: Path) -> Path:
    out = []
    for op in path:
        if op[0] == "Z":
            out.append(op)
        else:
            coords = list(op[1:])
            coords[0::2] = [-x for x in coords[0::2]]
            out.append((op[0], *coords))
    return tuple(out)


def mirror_frame(art: FrameArt) -> FrameArt:
    """The exact reflection (x -> -x) of a frame: the pose's right side becomes the left."""
    x0, y0, x1, y1 = art.bbox
    return FrameArt(
        label=art.label,
        shapes=tuple(Shape(s.name, _mirror_path(s.path), s.fill, s.stroke) for s in art.shapes),
        bbox=(-x1, y0, -x0, y1),
        joints={k: (-x, y) for k, (x, y) in art.joints.items()},
        limbs={k: ((-a[0], a[1]), (-b[0], b[1])) for k, (a, b) in art.limbs.items()},
        contacts=art.contacts,
        sunk_mm=art.sunk_mm,
    )


@lru_cache(maxsize=256)
def _build(key: str, side: str) -> Illustration:
    data = json.loads(key)
    frames = tuple(draw_frame(data, i) for i in range(len(data["frames"])))
    if side == "left":
        frames = tuple(mirror_frame(f) for f in frames)
    return Illustration(frames=frames, side=side)


def build_illustration(data: dict, side: str = "none") -> Illustration:
    """The drawn geometry of a validated pose illustration, cached per (data, side).

    The pose data describes the right side as the working ("near") side; side "left" is its
    mirror image, and "right", "each" and "none" draw the pose as written.
    """
    key = json.dumps(data, sort_keys=True, separators=(",", ":"))  # a hashable copy of plain data
    return _build(key, "left" if side == "left" else "right")
