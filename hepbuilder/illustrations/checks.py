"""Measurements of a placed pose that say whether its picture shows what it must.

Used by the pose validator (a limb passing through another is refused) and by the tests that
check each bundled picture from its geometry rather than by eye: a prop under the part it
works on, a band's post on the side it pulls from, a foot wholly on its surface, frames that
differ. Everything is in world millimetres (x forward, y up, z toward the near side).
"""

import math

from . import model as m
from .kinematics import Body, Vec, lerp
from .world import Scene

# Limbs whose root lies inside the trunk (their first quarter is not checked against others),
# and the chains whose neighbours overlap at the joint between them by construction.
_ROOTED = ("thigh", "upper_arm")
_CHAIN = ("thigh", "shin", "foot")
_ARM = ("upper_arm", "forearm", "hand")


def closest_points(p1: Vec, q1: Vec, p2: Vec, q2: Vec) -> tuple[float, float, float]:
    """(distance, s, t): the closest points p1 + s (q1 - p1) and p2 + t (q2 - p2) of two
    segments (a point is a segment from itself to itself).

    Written out coordinate by coordinate: a library load calls it some 70,000 times, and this
    is the same arithmetic in the same order as the vector form, a third of its time."""
    p1x, p1y, p1z = p1
    p2x, p2y, p2z = p2
    d1x, d1y, d1z = q1[0] - p1x, q1[1] - p1y, q1[2] - p1z
    d2x, d2y, d2z = q2[0] - p2x, q2[1] - p2y, q2[2] - p2z
    rx, ry, rz = p1x - p2x, p1y - p2y, p1z - p2z
    a = d1x * d1x + d1y * d1y + d1z * d1z
    e = d2x * d2x + d2y * d2y + d2z * d2z
    f = d2x * rx + d2y * ry + d2z * rz
    if a < 1e-9 and e < 1e-9:
        return math.dist(p1, p2), 0.0, 0.0
    if a < 1e-9:
        s, t = 0.0, min(1.0, max(0.0, f / e))
    else:
        c = d1x * rx + d1y * ry + d1z * rz
        if e < 1e-9:
            s, t = min(1.0, max(0.0, -c / a)), 0.0
        else:
            b = d1x * d2x + d1y * d2y + d1z * d2z
            denom = a * e - b * b
            s = min(1.0, max(0.0, (b * f - c * e) / denom)) if denom > 1e-9 else 0.0
            t = (b * s + f) / e
            if t < 0.0:
                s, t = min(1.0, max(0.0, -c / a)), 0.0
            elif t > 1.0:
                s, t = min(1.0, max(0.0, (b - c) / a)), 1.0
    c1 = (p1x + d1x * s, p1y + d1y * s, p1z + d1z * s)
    c2 = (p2x + d2x * t, p2y + d2y * t, p2z + d2z * t)
    return math.dist(c1, c2), s, t


def _neighbours(a: str, b: str) -> bool:
    """Whether two limbs join at a joint (they overlap there by construction)."""
    (ka, sa), (kb, sb) = a.rsplit("_", 1), b.rsplit("_", 1)
    return any(
        ka in chain and kb in chain and sa == sb and abs(chain.index(ka) - chain.index(kb)) <= 1
        for chain in (_CHAIN, _ARM)
    )


def _outside_trunk(name: str, limb: tuple) -> tuple:
    """A thigh or upper arm from a quarter of its length on: its root is inside the trunk,
    where a hand on the hip touches the trunk, not the thigh."""
    start, end, r0, r1 = limb
    if name.rsplit("_", 1)[0] not in _ROOTED:
        return limb
    return (lerp(start, end, 0.25), end, r0 + (r1 - r0) * 0.25, r1)


def limb_collisions(body: Body) -> list[tuple[str, str, float]]:
    """Pairs of limbs whose capsules pass through each other: (limb, limb, depth in mm).

    A pair counts only when the axis of one limb comes inside the other limb (the distance
    between their axes is less than the thicker one's radius there): two limbs resting on each
    other (an ankle on a knee, hands on a thigh) touch, they do not pass through.
    """
    names = [n for n in m.LIMBS if n in body.limbs]
    found = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if _neighbours(a, b):
                continue
            pa, qa, ra0, ra1 = _outside_trunk(a, body.limbs[a])
            pb, qb, rb0, rb1 = _outside_trunk(b, body.limbs[b])
            distance, s, t = closest_points(pa, qa, pb, qb)
            ra, rb = ra0 + (ra1 - ra0) * s, rb0 + (rb1 - rb0) * t
            if distance < max(ra, rb):
                found.append((a, b, ra + rb - distance))
    return found


def torso_intrusions(body: Body) -> list[tuple[str, float]]:
    """Limbs whose far end passes into the trunk: (limb, depth in mm).

    The trunk is taken as capsules between its sections (a little inside its outline); the
    thighs and upper arms start inside it, so only their far halves are checked.
    """
    centres = [c for c, _, _ in body.levels]
    radii = [
        0.8 * min(math.sqrt(sum(x * x for x in w)), math.sqrt(sum(x * x for x in d)))
        for _, w, d in body.levels
    ]
    found = []
    for name in m.LIMBS:
        kind = name.rsplit("_", 1)[0]
        start, end, _, _ = body.limbs[name]
        first = 0.5 if kind in _ROOTED else 0.0
        if kind == "shin" or kind == "forearm":
            first = 0.15  # the knee or elbow may rest against the trunk
        worst = 0.0
        for k in range(6):
            point = lerp(start, end, first + (1.0 - first) * k / 5)
            for i in range(len(centres) - 1):
                distance, s, _ = closest_points(point, point, centres[i], centres[i + 1])
                radius = radii[i] + (radii[i + 1] - radii[i]) * s
                worst = max(worst, radius - distance)
        if worst > 0.0:
            found.append((name, worst))
    return found


def horizontal_offset(a: Vec, b: Vec) -> float:
    """How far apart two points are on the floor plan (x and z), in mm."""
    return math.hypot(a[0] - b[0], a[2] - b[2])


def prop_under(scene: Scene, point: Vec) -> float:
    """Distance on the floor plan from a body point to the roller's axis or the ball's centre."""
    for ball in scene.balls:
        return horizontal_offset(ball.centre, point)
    for cyl in scene.cylinders:
        # distance from the point to the roller's axis, in the floor plane
        ax, az = cyl.axis[0], cyl.axis[2]
        dx, dz = point[0] - cyl.centre[0], point[2] - cyl.centre[2]
        along = dx * ax + dz * az
        if abs(along) > cyl.length / 2:
            return math.inf
        return abs(dx * az - dz * ax)
    return math.inf


def foot_on(scene: Scene, side: str, surface_top: float) -> float:
    """The larger of the heel's and the toe's gap to a surface at `surface_top` (mm): a foot
    flat on it has both near zero, a heel hanging off a step does not."""
    body = scene.body
    heel, toe = body.points[f"heel_{side}"], body.points[f"toe_{side}"]
    r_heel, r_toe = m.LIMB_RADII_MM["foot"]
    return max(abs(heel[1] - r_heel - surface_top), abs(toe[1] - r_toe - surface_top))


def _anchor(scene: Scene) -> Vec:
    """What the body moves against: the roller, the ball, the step or chair, else the floor."""
    if scene.cylinders:
        return scene.cylinders[0].centre
    if scene.balls:
        return scene.balls[0].centre
    boxes = [box for box in scene.boxes if box.role in ("prop", "post", "wall")]
    return boxes[0].lo if boxes else (0.0, 0.0, 0.0)


def frames_differ(a: Scene, b: Scene) -> float:
    """The largest move of any joint between two placed frames, against the prop the body
    moves on (rolling over a roller moves the body, not the roller), in mm."""
    da, db = _anchor(a), _anchor(b)
    return max(
        math.dist(
            tuple(a.body.points[k][i] - da[i] for i in range(3)),
            tuple(b.body.points[k][i] - db[i] for i in range(3)),
        )
        for k in a.body.points
    )
