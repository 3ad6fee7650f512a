"""The world around a posed body: rest it on its first contact, put the props under what rests on them.

`place_scene` turns one frame of a pose into a `Scene`: the body moved so its first contact
lies on its surface, boxes (step, chair, couch, wall, a band's post), rollers, balls and bands
where the body touches them, and the measured gap of every declared contact (what the
validator and the tests check).
"""

import math
from dataclasses import dataclass, field

from . import model as m
from .kinematics import Body, Vec, body_low, lerp, part_front, part_low, pose_body

BAND_ON_THIGH = 0.8  # fraction of the way down the thigh where a band sits ("just above the knee")
BAND_ON_SHIN = 0.86


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
    kind: str = "foam-roller"  # or "towel-roll": how it is drawn


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
    if kind in (*m.ROLL_KINDS, "massage-ball"):
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
        return lerp(a, b, t), direction, ra + (rb - ra) * t  # type: ignore[return-value]

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


def _strap(body: Body, prop: dict) -> list[Band]:
    """A strap held in both hands and looped over the sole of one foot: one strand per hand."""
    side = prop["around"].rsplit("_", 1)[1]
    heel, toe = body.points[f"heel_{side}"], body.points[f"toe_{side}"]
    knee, ankle = body.points[f"knee_{side}"], body.points[f"ankle_{side}"]
    out = tuple(a - k for a, k in zip(ankle, knee, strict=True))  # the sole faces along the shin
    length = math.sqrt(sum(c * c for c in out)) or 1.0
    radius = m.LIMB_RADII_MM["foot"][0]
    sole = tuple(p + c / length * radius for p, c in zip(lerp(heel, toe, 0.55), out, strict=True))
    strands = []
    for hand in ("near", "far"):
        grip = body.points[f"hand_{hand}"]
        strands.append(Band(grip, sole, 1e-3, 1e-3, ()))  # type: ignore[arg-type]
    return strands


@dataclass
class Stick:
    """A straight stick resting along the back: its two ends and the three points it touches
    (back of the head, upper back, sacrum), as placed."""

    top: Vec
    bottom: Vec
    touches: dict[str, Vec]


def _back_point(body: Body, level: int) -> Vec:
    centre, _, half_depth = body.levels[level]
    return tuple(centre[i] - half_depth[i] for i in range(3))  # type: ignore[return-value]


STICK_LEVELS = {"sacrum": 2, "upper_back": len(m.PELVIS_LEVELS_MM) + 2}  # torso sections


def _stick(body: Body, prop: dict) -> Stick:
    """Along the back, through the back of the head and the sacrum, one stick radius behind them."""
    head = body.points["head"]
    touches = {
        "head": tuple(head[i] - body.head_forward[i] * m.HEAD_RADIUS_MM for i in range(3)),
        **{name: _back_point(body, level) for name, level in STICK_LEVELS.items()},
    }
    low, high = touches["sacrum"], touches["head"]
    axis = tuple(high[i] - low[i] for i in range(3))
    length = math.sqrt(sum(c * c for c in axis)) or 1.0
    unit = tuple(c / length for c in axis)
    back = tuple(-c for c in body.levels[2][2])
    depth = math.sqrt(sum(c * c for c in back)) or 1.0
    out = tuple(c / depth * m.STICK_RADIUS_MM for c in back)
    total = _opt(prop, "length_mm")
    above = 150.0  # past the head; the rest hangs below the sacrum
    top = tuple(high[i] + out[i] + unit[i] * above for i in range(3))
    bottom = tuple(top[i] - unit[i] * total for i in range(3))
    return Stick(top, bottom, touches)  # type: ignore[arg-type]


@dataclass
class Scene:
    body: Body
    boxes: list[Box]
    cylinders: list[Cylinder]
    balls: list[Ball]
    bands: list[Band]
    floor_y: float  # the ground line: 0, or under the mat
    contacts: list[tuple[str, str, float]]  # (part, surface, gap in mm: + floating, - sunk)
    sunk_mm: float  # how far the lowest body part is below the floor (0 when nothing sinks)
    tops: dict[str, float]  # surface kind -> its height (the wall: its x)
    sticks: tuple[Stick, ...] = ()
    placed: dict[str, tuple[Box, ...]] = field(default_factory=dict)  # prop kind -> its boxes


def place_scene(frame: dict, props: list[dict], before: Scene | None = None) -> Scene:
    """Pose the figure, rest its first contact on its surface, move it by the frame's `shift_mm`
    (forward, toward the near side: where it stands in a walk), and put the props where it touches.

    A step, chair, couch or wall that nothing touches in this frame stays where it stood in
    `before` (the frame before): the chair a patient has just stood up from."""
    body = pose_body(frame.get("pelvis") or {}, frame.get("joints") or {})
    contacts = frame.get("contacts") or []
    by_kind = {p["kind"]: p for p in props}
    if contacts and contacts[0]["surface"] != "wall":
        first = contacts[0]
        low = part_low(body, first["part"], first.get("along"))
        target = 0.0 if first["surface"] == "floor" else _surface_top(by_kind[first["surface"]])
        body = body.moved(0.0, target - low[1])
    else:
        body = body.moved(0.0, -body_low(body))
    forward, toward_near = frame.get("shift_mm") or (0.0, 0.0)
    if forward or toward_near:
        body = body.moved(float(forward), 0.0, float(toward_near))

    boxes: list[Box] = []
    cylinders: list[Cylinder] = []
    balls: list[Ball] = []
    bands: list[Band] = []
    sticks: list[Stick] = []
    placed: dict[str, tuple[Box, ...]] = {}
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
        if kind == "strap":
            bands.extend(_strap(body, prop))
            continue
        if kind == "mat":
            floor_y = -_opt(prop, "thickness_mm")
            continue
        if kind == "stick":
            sticks.append(_stick(body, prop))
            continue
        resting = next((c for c in contacts if c["surface"] == kind), None)
        if resting is None:
            if before is not None and kind in before.placed:
                boxes.extend(before.placed[kind])
                placed[kind] = before.placed[kind]
                tops[kind] = before.tops[kind]
            continue
        first_box = len(boxes)
        low = _contact_point(body, resting, kind)
        if kind == "wall":
            x = low[0]
            boxes.append(Box((x, 0.0, -900.0), (x + 70.0, _opt(prop, "height_mm"), 900.0), "wall"))
            tops["wall"] = x
            placed[kind] = tuple(boxes[first_box:])
            continue
        fitted = contacts[0] is not resting and "height_mm" not in prop and kind in m.FITTED_KINDS
        top = low[1] if fitted else _surface_top(prop)
        tops[kind] = top
        shift = float(prop.get("shift_mm", 0.0))
        if kind == "step":
            half = _opt(prop, "depth_mm") / 2.0
            half_width = _opt(prop, "width_mm") / 2.0
            cx = low[0] + shift
            if resting["part"].startswith("foot"):  # the whole foot on the step, heel to toe
                side = resting["part"].rsplit("_", 1)[1]
                cx = (body.points[f"heel_{side}"][0] + body.points[f"toe_{side}"][0]) / 2 + shift
            boxes.append(
                Box((cx - half, 0.0, low[2] - half_width), (cx + half, top, low[2] + half_width))
            )
        elif kind in ("chair", "couch"):
            toward = 1.0 if pelvis_x >= low[0] else -1.0
            boxes.extend(_chair_boxes(low, top, toward, shift, kind == "couch"))
        elif kind in m.ROLL_KINDS:
            a, b, _, _ = body.limbs.get(
                resting["part"], (body.points["pelvis"], body.points["head"], 0, 0)
            )
            dx, dz = b[0] - a[0], b[2] - a[2]
            length = math.hypot(dx, dz)
            axis = (-dz / length, 0.0, dx / length) if length > 1e-6 else (0.0, 0.0, 1.0)
            centre = (low[0] + shift, top / 2.0, low[2])
            cylinders.append(Cylinder(centre, axis, top / 2.0, m.ROLL_LENGTH_MM[kind], kind))
        elif kind == "massage-ball":
            balls.append(Ball((low[0] + shift, top / 2.0, low[2]), top / 2.0))
        if len(boxes) > first_box:
            placed[kind] = tuple(boxes[first_box:])

    checked = []
    for contact in contacts:
        surface = contact["surface"]
        if surface == "wall":
            gap = tops.get("wall", 0.0) - part_front(body, contact["part"])
        else:
            gap = part_low(body, contact["part"], contact.get("along"))[1] - tops.get(surface, 0.0)
        checked.append((contact["part"], surface, gap))
    return Scene(
        body=body,
        boxes=boxes,
        cylinders=cylinders,
        balls=balls,
        bands=bands,
        floor_y=floor_y,
        contacts=checked,
        sunk_mm=max(0.0, -body_low(body)),
        tops=tops,
        sticks=tuple(sticks),
        placed=placed,
    )


def place_frames(data: dict) -> list[Scene]:
    """Every frame of an illustration placed in order, each after the one before it."""
    props = data.get("props") or []
    scenes: list[Scene] = []
    for frame in data["frames"]:
        scenes.append(place_scene(frame, props, scenes[-1] if scenes else None))
    return scenes
