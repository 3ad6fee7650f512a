"""Props, bands and the ground as flat shapes seen by the camera (the body is composed in compose.py)."""

import math

from .kinematics import Vec
from .paths import Camera, Path, PathShape, Point, capsule_path, convex_hull, polygon_path
from .world import Band, Box, Cylinder, Scene

# Seen from less than about 12 degrees above, a floor plane is a sliver that reads as a bench:
# draw it edge-on as a strip instead.
EDGE_ON_BELOW = math.sin(math.radians(12.0))
MAT_MIN_WIDTH_MM = 650.0
MAT_EDGE_BELOW = math.sin(math.radians(30.0))


def box_shapes(cam: Camera, box: Box) -> list[tuple[float, PathShape]]:
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
        out.append((depth, PathShape(f"prop:{box.role}", polygon_path(pts), fill, "thin")))
    return out


def cylinder_shapes(cam: Camera, cyl: Cylinder) -> list[tuple[float, PathShape]]:
    """A foam roller (its end with the core's ring) or a rolled towel (its end a spiral)."""
    towel = cyl.kind == "towel-roll"
    name, body_fill = f"prop:{cyl.kind}", "towel" if towel else "roller"
    ax = cyl.axis
    u: Vec = (0.0, 1.0, 0.0)
    v: Vec = (ax[1] * u[2] - ax[2] * u[1], ax[2] * u[0] - ax[0] * u[2], ax[0] * u[1] - ax[1] * u[0])

    def end_point(end: Vec, radius: float, a: float) -> Point:
        ca, sa = math.cos(a), math.sin(a)
        q = cam.project(tuple(end[i] + radius * (ca * u[i] + sa * v[i]) for i in range(3)))  # type: ignore[arg-type]
        return (q[0], q[1])

    ends = {
        sign: tuple(cyl.centre[i] + sign * ax[i] * cyl.length / 2.0 for i in range(3))
        for sign in (-1.0, 1.0)
    }
    rings = {
        sign: [end_point(end, cyl.radius, 2 * math.pi * k / 32) for k in range(32)]  # type: ignore[arg-type]
        for sign, end in ends.items()
    }
    depth = cam.project(cyl.centre)[2]
    outline = convex_hull([p for ring in rings.values() for p in ring])
    shapes = [(depth, PathShape(name, polygon_path(outline), body_fill, "thin"))]
    facing = cam.facing(ax)
    if abs(facing) <= 0.05:
        return shapes
    sign = 1.0 if facing >= 0 else -1.0
    end = ends[sign]
    shapes.append((depth, PathShape(name, polygon_path(rings[sign]), f"{body_fill}_end", "thin")))
    if towel:  # the towel's layers: a spiral from near the middle out to the rim, open
        turns, points = 1.75, 48
        spiral = [
            end_point(end, cyl.radius * (0.2 + 0.65 * k / points), 2 * math.pi * turns * k / points)  # type: ignore[arg-type]
            for k in range(points + 1)
        ]
        path = (("M", *spiral[0]), *(("L", *p) for p in spiral[1:]))
        shapes.append((depth, PathShape(name, path, None, "thin")))
    else:
        inner = [end_point(end, 0.38 * cyl.radius, 2 * math.pi * k / 24) for k in range(24)]  # type: ignore[arg-type]
        shapes.append((depth, PathShape(name, polygon_path(inner), None, "thin")))
    return shapes


def _flat(cam: Camera, v: Vec) -> Point:
    p = cam.project(v)
    return (p[0], p[1])


def band_shapes(cam: Camera, band: Band) -> list[PathShape]:
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
        shapes.append(PathShape("band", path, None, "band_edge"))
        shapes.append(PathShape("band", path, None, "band"))
        return shapes
    for point, direction, radius in band.wraps:
        p = cam.project(point)
        q = cam.project(tuple(point[i] + direction[i] for i in range(3)))  # type: ignore[arg-type]
        lx, ly = q[0] - p[0], q[1] - p[1]
        ll = math.hypot(lx, ly) or 1.0
        nx, ny = -ly / ll * radius, lx / ll * radius
        loop: Path = (("M", p[0] - nx, p[1] - ny), ("L", p[0] + nx, p[1] + ny))
        shapes.append(PathShape("band", loop, None, "band_edge"))
        shapes.append(PathShape("band", loop, None, "band"))
    path = (("M", a[0], a[1]), ("L", b[0], b[1]))
    shapes.insert(0, PathShape("band", path, None, "band"))
    shapes.insert(0, PathShape("band", path, None, "band_edge"))
    return shapes


def ground_shapes(
    cam: Camera, world: Scene, x0: float, x1: float, props: list[dict]
) -> list[PathShape]:
    """The floor (a strip seen edge-on, or a plane seen from above) and the mat on it."""
    margin = 160.0
    has_mat = any(p["kind"] == "mat" for p in props)
    floor_y = world.floor_y
    shapes: list[PathShape] = []
    if cam.sp < EDGE_ON_BELOW:
        top = cam.project((0.0, floor_y, 0.0))[1]
        strip = polygon_path(
            [
                (x0 - margin, top),
                (x1 + margin, top),
                (x1 + margin, top - 45.0),
                (x0 - margin, top - 45.0),
            ]
        )
        shapes.append(PathShape("floor", strip, "ground", None))
        shapes.append(
            PathShape("floor", (("M", x0 - margin, top), ("L", x1 + margin, top)), None, "floor")
        )
        if has_mat:
            mat_x0, mat_x1 = _near_floor_extent(cam, world)
            mat = capsule_path(
                (mat_x0, top - floor_y / 2), -floor_y / 2, (mat_x1, top - floor_y / 2), -floor_y / 2
            )
            shapes.append(PathShape("mat", mat, "mat", "thin"))
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
        shapes.append(PathShape("floor", polygon_path(convex_hull(quad)), "ground", None))
    else:
        # under every part near the floor and the pelvis (sitting or lying on it), and at
        # least a real mat's width across, so it reads as a mat and not a wall or a bench
        near = [p for p in pts if p[1] < 260.0] + [world.body.points["pelvis"]]
        mx0, mx1 = _span([p[0] for p in near], 130.0)
        mz0, mz1 = _span([p[2] for p in near], 150.0)
        top = [_flat(cam, (x, 0.0, z)) for x, z in ((mx0, mz0), (mx1, mz0), (mx1, mz1), (mx0, mz1))]
        bottom = [
            _flat(cam, (x, floor_y, z)) for x, z in ((mx0, mz0), (mx1, mz0), (mx1, mz1), (mx0, mz1))
        ]
        if cam.sp < MAT_EDGE_BELOW:  # from higher up the mat's edge is a hairline: leave it out
            edge = polygon_path(convex_hull(top + bottom))
            shapes.append(PathShape("mat", edge, "mat_side", "thin"))
        shapes.append(PathShape("mat", polygon_path(top), "mat", "thin"))
    return shapes


def _span(values: list[float], margin: float) -> tuple[float, float]:
    low, high = min(values) - margin, max(values) + margin
    grow = max(0.0, MAT_MIN_WIDTH_MM - (high - low)) / 2.0
    return low - grow, high + grow


def _near_floor_extent(cam: Camera, world: Scene) -> tuple[float, float]:
    body = world.body
    near = [p for p in body.points.values() if p[1] < 260.0] or list(body.points.values())
    xs = [cam.project(p)[0] for p in near]
    return min(xs) - 170.0, max(xs) + 170.0
