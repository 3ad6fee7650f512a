"""Frame composition: one pose frame as flat shapes, drawn far to near, and the whole illustration.

`build_illustration(data, side)` places each frame in its world (world.py), projects it with the
pose's camera (paths.py), orders the body parts by depth behind the bands and arrows, and returns
flat shapes in millimetres (y up). Both pens (pdf_pen.py, svg_pen.py) draw these shapes as they
are; mirroring for the left side is `x -> -x` on the finished shapes, nothing else.

Results are cached per (frozen illustration data, side): poses are plain data, so the geometry
of a handout's ten exercises is computed once per process.
"""

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import model as m
from .cache import COMPUTED, LRUCache
from .caption import frame_label
from .kinematics import Body, Vec
from .paths import (
    Camera,
    Path,
    PathShape,
    Point,
    capsule_path,
    circle_path,
    dot_path,
    polygon_path,
    smooth_closed_path,
    torso_path,
)
from .scenery import band_shapes, box_shapes, cylinder_shapes, ground_shapes
from .world import place_frames, place_scene

ARROW_HEAD_MM = 85.0
EYE_RADIUS_MM = 17.0
HIDDEN_MARGIN_MM = 15.0  # a part this far inside the trunk's outline, outline and all, is hidden
FACING_VIEWER = 0.5  # how far the face must turn toward the viewer (cosine) to show its eyes
# A sole's outline (along the foot from the heel, across toward its inner edge), mm.
FOOTPRINT_MM = (
    (-40.0, 0.0),
    (-10.0, 36.0),
    (110.0, 36.0),
    (190.0, 44.0),
    (222.0, 0.0),
    (190.0, -44.0),
    (110.0, -36.0),
    (-10.0, -36.0),
)


def _arrow_shapes(start: Point, vector: Point, bend_deg: float, heads: int) -> list[PathShape]:
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
        PathShape("arrow", shaft, None, "arrow"),
        PathShape("arrow", head_path(end, d1), "arrow", None),
    ]
    if heads == 2:
        shapes.append(PathShape("arrow", head_path(start, (-d0[0], -d0[1])), "arrow", None))
    return shapes


@dataclass(frozen=True)
class FrameArt:
    """One drawn frame: shapes in mm (y up), its bounding box, and what tests check."""

    label: str
    shapes: tuple[PathShape, ...]
    bbox: tuple[float, float, float, float]
    joints: dict  # point name -> (x, y) on the drawing
    limbs: dict  # limb -> ((x0, y0), (x1, y1)) on the drawing
    contacts: tuple[tuple[str, str, float], ...]  # (part, surface, gap_mm) in the world
    sunk_mm: float


@dataclass(frozen=True)
class Illustration:
    """An illustration's frames on one side. One read back from stored paths (stored.py) has no
    exact paths in its shapes: it carries each shape's SVG path data (`svg_paths`, per frame),
    the PDF pen's simplified paths at the scales it was stored for (`print_paths`), and `exact`,
    which computes the real geometry for anything else."""

    frames: tuple[FrameArt, ...]
    side: str
    svg_paths: tuple[tuple[str, ...], ...] | None = field(default=None, compare=False)
    print_paths: Mapping[float, tuple[tuple[str, ...], ...]] | None = field(
        default=None, compare=False
    )
    exact: Callable[[], "Illustration"] | None = field(default=None, compare=False, repr=False)


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


def _unit(v: Vec) -> Vec:
    length = math.sqrt(sum(c * c for c in v)) or 1.0
    return (v[0] / length, v[1] / length, v[2] / length)


def _head_shapes(
    cam: Camera, body: Body, head: tuple, depth: float, roles: tuple[str, str]
) -> list[tuple[float, PathShape]]:
    """The head with a face, so front and back are never in doubt: an eye on each side of the
    face the viewer sees when the face turns toward the viewer, else a nose wherever the face is
    seen from the side (alone it says which way the figure looks, and costs one shape), else
    hair (the figure faces away)."""
    r = m.HEAD_RADIUS_MM
    fill, stroke = roles
    forward = cam.project(body.head_forward)
    reach = math.hypot(forward[0], forward[1])
    marks: list[tuple[float, PathShape]] = []
    if forward[2] > FACING_VIEWER:
        f, u, n = body.head_forward, body.head_up, body.head_side
        for s in (1.0, -1.0):
            eye = cam.project(
                _unit(tuple(0.8 * f[i] + 0.12 * u[i] + s * 0.42 * n[i] for i in range(3)))
            )
            if eye[2] > 0.25:  # on the side of the head facing the viewer
                x, y = head[0] + eye[0] * r * 0.86, head[1] + eye[1] * r * 0.86
                marks.append(
                    (depth + 0.1, PathShape("eye", dot_path(x, y, EYE_RADIUS_MM), "eye", None))
                )
    elif reach > 0.45:
        fx, fy = forward[0] / reach, forward[1] / reach
        up = cam.project(body.head_up)
        # the nose sits a little below the middle of the face, whichever way the head lies
        tip = (
            head[0] + fx * r * 1.28 - up[0] * 0.15 * r,
            head[1] + fy * r * 1.28 - up[1] * 0.15 * r,
        )
        base = (
            head[0] + fx * r * 0.75 - up[0] * 0.1 * r,
            head[1] + fy * r * 0.75 - up[1] * 0.1 * r,
        )
        # a wedge behind the head, only its tip showing: three points, the cheapest mark
        wedge = [
            (base[0] - fy * 30.0, base[1] + fx * 30.0),
            tip,
            (base[0] + fy * 30.0, base[1] - fx * 30.0),
        ]
        marks.append((depth - 0.1, PathShape("nose", polygon_path(wedge), fill, stroke)))
    head_fill = fill if marks else "hair"
    return [(depth, PathShape("head", circle_path(head[0], head[1], r), head_fill, stroke)), *marks]


def _footprint(heel: Vec, toe: Vec, floor_y: float, cam: Camera) -> Path:
    """The outline of a foot's sole on the floor, heel to toe (a step the figure has left)."""
    dx, dz = toe[0] - heel[0], toe[2] - heel[2]
    length = math.hypot(dx, dz) or 1.0
    ux, uz = dx / length, dz / length
    points = []
    for along, across in FOOTPRINT_MM:
        x = heel[0] + ux * along - uz * across
        z = heel[2] + uz * along + ux * across
        p = cam.project((x, floor_y, z))
        points.append((p[0], p[1]))
    return smooth_closed_path(points)


def _earlier_footprints(data: dict, index: int, world, cam: Camera) -> list[PathShape]:
    """Footprints where the feet stood in the frames before this one (but not where they stand now)."""
    props = list(data.get("props") or [])
    here = [world.body.points[f"heel_{side}"] for side in ("near", "far")]
    drawn: list[Vec] = []
    shapes = []
    for j in range(index):
        earlier = place_scene(data["frames"][j], props).body
        for side in ("near", "far"):
            heel, toe = earlier.points[f"heel_{side}"], earlier.points[f"toe_{side}"]
            if heel[1] > 80.0 or any(math.dist(heel, p) < 60.0 for p in here + drawn):
                continue
            drawn.append(heel)
            path = _footprint(heel, toe, world.floor_y, cam)
            shapes.append(PathShape("footprint", path, "footprint", "thin"))
    return shapes


def _on_curve(path: Path) -> list[Point]:
    return [(op[-2], op[-1]) for op in path if op[0] != "Z"]


def _inside(point: Point, polygon: list[Point], margin: float) -> bool:
    """Whether a point is inside a polygon and at least `margin` from its edges."""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / ((dx * dx + dy * dy) or 1.0)))
        if math.hypot(x - x0 - t * dx, y - y0 - t * dy) < margin:
            return False
    return inside


def _without_hidden(parts: list[tuple[float, PathShape]]) -> list[tuple[float, PathShape]]:
    """The body parts less those wholly behind the trunk and head (a far arm in a side view, a
    neck under the head): they cannot be seen, so they cost the printed file nothing. Every
    point of a part's path, control points included (they lie outside its outline), must be
    well inside the trunk or the head, both drawn after it."""
    names = [shape.name for _, shape in parts]
    if "torso" not in names or "head" not in names:
        return parts
    at = names.index("torso")
    trunk = _on_curve(parts[at][1].path)
    head = parts[names.index("head")][1].path
    cx, cy = (head[0][1] + _on_curve(head)[2][0]) / 2, head[0][2]  # from ("M", cx + r, cy)
    reach = m.HEAD_RADIUS_MM - HIDDEN_MARGIN_MM

    def covered(x: float, y: float) -> bool:
        return math.hypot(x - cx, y - cy) < reach or _inside((x, y), trunk, HIDDEN_MARGIN_MM)

    def hidden(shape: PathShape) -> bool:
        return all(
            covered(op[i], op[i + 1])
            for op in shape.path
            if op[0] != "Z"
            for i in range(1, len(op), 2)
        )

    return [item for k, item in enumerate(parts) if k >= at or not hidden(item[1])]


_NOT_COVERING = ("arrow", "prop", "floor", "mat", "eye", "nose", "band", "footprint")


def hidden_share(art: "FrameArt", limb: str, samples: int = 10) -> float:
    """How much of a limb's axis (0 to 1) lies under body parts drawn after it in a frame: a
    key part (the hands holding a thigh, a leg on a roller) must show, so tests and pose
    authors can measure what the viewer sees rather than guess. A limb not drawn at all
    (wholly behind the trunk) counts as hidden."""
    names = [shape.name for shape in art.shapes]
    if limb not in names:
        return 1.0
    later = [
        _on_curve(shape.path)
        for shape in art.shapes[names.index(limb) + 1 :]
        if not shape.name.startswith(_NOT_COVERING)
    ]
    (x0, y0), (x1, y1) = art.limbs[limb]
    points = [
        (x0 + (x1 - x0) * k / samples, y0 + (y1 - y0) * k / samples) for k in range(samples + 1)
    ]
    return sum(any(_inside(p, outline, 0.0) for outline in later) for p in points) / len(points)


def camera_for(data: dict) -> Camera:
    yaw, pitch = m.VIEWS[data.get("view", "side")]
    camera = data.get("camera") or {}
    yaw += float(camera.get("yaw_deg", 0.0))
    pitch = min(90.0, max(0.0, pitch + float(camera.get("pitch_deg", 0.0))))
    return Camera(yaw, pitch)


def draw_frame(data: dict, index: int) -> FrameArt:
    """Shapes for one frame of a (validated) illustration, as the pose describes it (right side)."""
    frame = data["frames"][index]
    props = list(data.get("props") or [])
    world = place_frames({"frames": data["frames"][: index + 1], "props": props})[index]
    cam = camera_for(data)
    body = world.body
    highlight = set(data.get("highlight") or ())
    proj = {name: cam.project(p) for name, p in body.points.items()}

    # The body: every part with its depth, drawn far to near.
    parts: list[tuple[float, PathShape]] = []
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
    parts.append((torso_depth, PathShape("torso", torso_path(levels2d), fill, stroke)))
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
        parts.append((depth, PathShape(name, capsule_path(pa[:2], ra, pb[:2], rb), fill, stroke)))
        if name.startswith("foot"):
            side = name.rsplit("_", 1)[1]
            limbs2d[name] = (proj[f"ankle_{side}"][:2], pb[:2])
        else:
            limbs2d[name] = (pa[:2], pb[:2])
    for name in ("buttock_near", "buttock_far"):
        if name in highlight:  # a patch drawn only to show where the exercise works
            c = proj[name]
            thigh = next(d for d, s in parts if s.name == f"thigh_{name.rsplit('_', 1)[1]}")
            # facing the viewer, it shows over the trunk and its own thigh's root
            depth = max(c[2], torso_depth + 1.0, thigh + 1.0) if c[2] >= torso_depth else c[2]
            patch = circle_path(c[0], c[1], m.BUTTOCK_RADIUS_MM * 0.95)
            parts.append((depth, PathShape(name, patch, *fill_for(name, c[2]))))
    parts.extend(
        _head_shapes(
            cam,
            body,
            proj["head"],
            max(proj["head"][2], torso_depth) + 30.0,
            fill_for("head", proj["head"][2]),
        )
    )
    parts.sort(key=lambda item: item[0])
    parts = _without_hidden(parts)

    # Props behind the body (they carry it), bands and arrows in front of it.
    prop_shapes: list[tuple[float, PathShape]] = []
    for box in world.boxes:
        prop_shapes.extend(box_shapes(cam, box))
    for cyl in world.cylinders:
        prop_shapes.extend(cylinder_shapes(cam, cyl))
    for ball in world.balls:
        c = cam.project(ball.centre)
        prop_shapes.append(
            (
                c[2],
                PathShape(
                    "prop:massage-ball", circle_path(c[0], c[1], ball.radius), "ball", "thin"
                ),
            )
        )
    for stick in world.sticks:
        top, bottom = cam.project(stick.top), cam.project(stick.bottom)
        outline = capsule_path(top[:2], m.STICK_RADIUS_MM, bottom[:2], m.STICK_RADIUS_MM)
        prop_shapes.append(
            (min(top[2], bottom[2]), PathShape("prop:stick", outline, "prop_dark", "thin"))
        )
    prop_shapes.sort(key=lambda item: item[0])

    front: list[PathShape] = []
    for band in world.bands:
        front.extend(band_shapes(cam, band))
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
    if data.get("footprints"):
        body_and_props[:0] = _earlier_footprints(data, index, world, cam)
    x0, y0, x1, y1 = shapes_bbox(body_and_props)
    ground = ground_shapes(cam, world, x0, x1, props)
    shapes = tuple(ground + body_and_props)
    bbox = shapes_bbox(list(shapes))
    joints2d = {name: p[:2] for name, p in proj.items()}
    return FrameArt(
        label=frame_label(frame),
        shapes=shapes,
        bbox=bbox,
        joints=joints2d,
        limbs=limbs2d,
        contacts=tuple(world.contacts),
        sunk_mm=world.sunk_mm,
    )


def shapes_bbox(shapes: list[PathShape]) -> tuple[float, float, float, float]:
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
        shapes=tuple(PathShape(s.name, _mirror_path(s.path), s.fill, s.stroke) for s in art.shapes),
        bbox=(-x1, y0, -x0, y1),
        joints={k: (-x, y) for k, (x, y) in art.joints.items()},
        limbs={k: ((-a[0], a[1]), (-b[0], b[1])) for k, (a, b) in art.limbs.items()},
        contacts=art.contacts,
        sunk_mm=art.sunk_mm,
    )


_BUILT = LRUCache()  # (pose data as canonical JSON, side) -> Illustration


def _build(key: str, side: str) -> Illustration:
    return _BUILT.get_or_make((key, side), lambda: _draw(key, side))


def _draw(key: str, side: str) -> Illustration:
    COMPUTED["geometry"] += 1
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
    return _build(canonical(data), drawn_side(side))


def canonical(data: dict) -> str:
    """Pose data as canonical JSON: the cache key (a hashable copy of plain data)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def drawn_side(side: str) -> str:
    """The side the geometry is made for: "left" is mirrored, everything else drawn as written."""
    return "left" if side == "left" else "right"
