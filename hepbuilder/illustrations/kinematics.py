"""Forward kinematics: a pose (pelvis orientation and joint angles) as a body in 3D millimetres.

The root is the point between the hip joints, at the origin; x points forward as the pose was
written, y up, z toward the figure's near (right) side. Each chain is posed from the root down
(hip, knee, ankle; shoulder, elbow, wrist), every segment a tapered capsule, the torso a stack of
elliptical sections.
"""

import math
from dataclasses import dataclass

from . import model as m

Vec = tuple[float, float, float]
Mat = tuple[Vec, Vec, Vec]

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


def lerp(a, b, t: float):
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
    head_forward: Vec  # unit vectors of the head: where the face looks, its up, its near side
    head_up: Vec
    head_side: Vec

    def moved(self, dx: float, dy: float, dz: float = 0.0) -> "Body":
        def move(p: Vec) -> Vec:
            return (p[0] + dx, p[1] + dy, p[2] + dz)

        return Body(
            points={k: move(p) for k, p in self.points.items()},
            limbs={k: (move(a), move(b), ra, rb) for k, (a, b, ra, rb) in self.limbs.items()},
            levels=[(move(c), a, b) for c, a, b in self.levels],
            head_forward=self.head_forward,
            head_up=self.head_up,
            head_side=self.head_side,
        )


def _dof(joints: dict, name: str, dof: str) -> float:
    value = joints.get(name)
    if value is None:
        return 0.0
    if isinstance(value, (int, float)):
        return float(value) if dof == "flex_deg" else 0.0
    return float(value.get(dof, 0.0))


def _ball_joint(parent: Mat, joints: dict, name: str, s: float) -> Mat:
    """The frame of a limb hanging from a hip or shoulder: flexion, then abduction, then
    rotation about the limb (`s` is +1 on the near side, -1 on the far side)."""
    return _mul(
        parent,
        _mul(
            _rot("z", _dof(joints, name, "flex_deg")),
            _mul(
                _rot("x", -s * _dof(joints, name, "abduct_deg")),
                _rot("y", -s * _dof(joints, name, "rotate_deg")),
            ),
        ),
    )


def _foot_turned(shin: Mat, joints: dict, name: str, s: float) -> Mat:
    """The shin's frame turned about its long axis by the ankle's `rotate_deg` (+ toe out, as
    the hip's external rotation turns it; `s` mirrors it for the far side). No turn, no change:
    every pose written before the foot could turn draws exactly as it did."""
    turn = _dof(joints, name, "rotate_deg")
    return _mul(shin, _rot("y", -s * turn)) if turn else shin


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
    for side, s in (("near", 1.0), ("far", -1.0)):
        forward, up, sideways = m.BUTTOCK_MM
        points[f"buttock_{side}"] = _at(origin, frame, (forward, up, s * sideways))
    limbs["neck"] = (neck_base, head, *radii["neck"])

    for side, s in (("near", 1.0), ("far", -1.0)):
        hip = _at(origin, frame, (0.0, 0.0, s * m.HIP_HALF_WIDTH_MM))
        thigh = _ball_joint(frame, joints, f"hip_{side}", s)
        knee = _at(hip, thigh, (0.0, -m.THIGH_MM, 0.0))
        shin = _mul(thigh, _rot("z", -_dof(joints, f"knee_{side}", "flex_deg")))
        ankle = _at(knee, shin, (0.0, -m.SHIN_MM, 0.0))
        foot = _mul(
            _foot_turned(shin, joints, f"ankle_{side}", s),
            _rot("z", _dof(joints, f"ankle_{side}", "flex_deg")),
        )
        heel = _at(ankle, foot, (m.HEEL_MM[0], m.HEEL_MM[1], 0.0))
        toe = _at(ankle, foot, (m.TOE_MM[0], m.TOE_MM[1], 0.0))
        shoulder = _at(spine, chest, (m.SHOULDER_MM[0], m.SHOULDER_MM[1], s * m.SHOULDER_MM[2]))
        upper = _ball_joint(chest, joints, f"shoulder_{side}", s)
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
        points=points,
        limbs=limbs,
        levels=levels,
        head_forward=_apply(neck, (1.0, 0.0, 0.0)),
        head_up=_apply(neck, (0.0, 1.0, 0.0)),
        head_side=_apply(neck, (0.0, 0.0, 1.0)),
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
            c, r = lerp(a, b, along), ra + (rb - ra) * along
            return (c[0], c[1] - r, c[2])
        low_a, low_b = (a[0], a[1] - ra, a[2]), (b[0], b[1] - rb, b[2])
        return low_a if low_a[1] <= low_b[1] else low_b
    if part in ("torso", "pelvis"):
        levels = body.levels if part == "torso" else body.levels[: len(m.PELVIS_LEVELS_MM)]
        return min((_ellipse_low(*lvl) for lvl in levels), key=lambda p: p[1])
    if part == "head":
        h = body.points["head"]
        return (h[0], h[1] - m.HEAD_RADIUS_MM, h[2])
    if part.startswith("buttock"):
        b = body.points[part]
        return (b[0], b[1] - m.BUTTOCK_RADIUS_MM, b[2])
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
