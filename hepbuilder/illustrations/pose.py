"""The pose format (an exercise's `illustration:` block) and its validation.

A pose illustration is plain data. Angles are degrees, lengths millimetres of a 1,700 mm adult.
The pose always describes the RIGHT side as the working side: "near" limbs are the figure's
right limbs (nearest the viewer in the side view, on the viewer's left in the front view), "far"
limbs its left. Drawing for side "left" mirrors the finished picture; "right", "each" and "none"
draw it as written.

    view: side                 # side | front | top (default side)
    camera: {yaw_deg: 35, pitch_deg: 15}   # optional: turn toward the front (+) / look from above
    frames:                    # 1 to 4 frames, drawn side by side (two: label them Start, Finish)
      - label: Start
        pelvis: {lean_deg: 10, turn_deg: 0, roll_deg: 0}
        shift_mm: [0, 150]     # optional: where the figure stands (forward, toward the near side)
        joints:
          hip_near: 70                                  # a bare number is the joint's flex_deg
          hip_far: {flex_deg: 90, abduct_deg: 45, rotate_deg: -90}
          knee_near: 95
          ankle_far: {flex_deg: 10, rotate_deg: -15}   # the foot turned 15 degrees toe in
        contacts:              # parts resting on a surface; the first one places the figure
          - {part: foot_far, surface: floor}
          - {part: foot_near, surface: step}
          - {part: thigh_near, surface: foam-roller, along: 0.25}   # along: 0 = hip .. 1 = knee
    props:
      - {kind: step, height_mm: 220, shift_mm: 30}   # width_mm (across the body): narrow for a foot hanging beside it
      - {kind: band, around: thigh_near, post_at_mm: [0, -650]}
      - {kind: strap, around: foot_near}   # a strap or towel from both hands over that sole
      - {kind: towel-roll, diameter_mm: 90}   # a rolled towel under a part (foam-roller: a roller)
    arrows:                    # in the drawing's plane, mm, from a body point
      - {frame: 0, at: pelvis, offset_mm: [-230, -60], vector_mm: [60, 330], bend_deg: -12, heads: 1}
    highlight: [thigh_near, shin_near]   # the limbs that move or stretch, drawn in the accent
    footprints: true           # optional: each frame shows where the feet stood in the frames before

The root is the point between the hip joints. `pelvis.lean_deg` tips the whole body forward
(+) or back (-90 lies supine, head to the left); `turn_deg` turns it about the vertical toward
the near side (+); `roll_deg` rolls it onto the near side (+90 is side-lying on the right).
Joints (see model.JOINT_DOFS for ranges): spine {flex_deg, side_bend_deg (+ toward the near
side), rotate_deg (+ chest toward the near side)}, neck {flex_deg, rotate_deg}, hip_*
{flex_deg, abduct_deg, rotate_deg (+ external)}, knee_* (flexion), ankle_* {flex_deg
(+ dorsiflexion), rotate_deg (+ toe out: the foot turned about the shin's long axis, so a foot
can point forward under a hip turned out, as in a lateral lunge)}, shoulder_* {flex_deg,
abduct_deg, rotate_deg (+ external)}, elbow_*, wrist_*. Every angle is 0 in the standing
anatomical position; a bare number is the joint's first movement (an ankle's flex_deg). A contact names a body part (model.CONTACT_PARTS) and
the surface it rests on: `floor` or a prop's kind. Props are placed under the part resting on
them in each frame; a step, chair or couch without `height_mm` that is not the first contact is
fitted to the part resting on it. A step, chair, couch or wall that nothing touches in a later
frame stays where it was in the frame before (standing up from a chair). A `{kind: stick}` (a
broom handle held along the back, for a hip hinge) needs no contact: it is laid through the back
of the head and the sacrum, and the pose decides whether the upper back touches it too.
`surface:` is used instead of `on:` because YAML reads a bare
`on` as true. `buttock_near` / `buttock_far` are contact parts (a ball under one buttock, not
the sacrum) and can be highlighted (drawn as a patch over the pelvis).

Besides each angle's range, the validator refuses what a body cannot do or a picture must not
show: a hip opened wide sideways while straight (model.HIP_WIDE_ABDUCTION_DEG), a limb passing
through another limb or into the trunk (checks.py), a contact floating or sunk more than
model.CONTACT_TOLERANCE_MM, and any part of the body below the floor.

The image form `{image: images/foo.png}` (a file in the library's images/) is accepted too;
the pens draw a placeholder for it.
"""

import ast
import math
from functools import lru_cache

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.steps import EACH_SIDE_MARK, each_side_only

from . import model as m
from .checks import limb_collisions, torso_intrusions
from .world import place_frames

TOP_KEYS = ("view", "camera", "frames", "props", "arrows", "highlight", "footprints")
FRAME_KEYS = ("label", "pelvis", "shift_mm", "joints", "contacts")
CONTACT_KEYS = ("part", "surface", "along")
ARROW_KEYS = ("frame", "at", "offset_mm", "vector_mm", "bend_deg", "heads")
MAX_FRAMES = 4
MAX_LABEL_CHARS = 24
MAX_SHIFT_MM = 1500.0


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: object, low: float, high: float, where: str, errors: dict) -> bool:
    if not _is_number(value):
        errors[where] = "must be a number"
        return False
    if not low <= value <= high:  # type: ignore[operator]
        errors[where] = f"must be from {low:g} to {high:g}"
        return False
    return True


def _keys(data: dict, allowed: tuple, where: str, errors: dict) -> None:
    for key in data:
        if key is True:
            errors[f"{where}on"] = 'write "surface:" here (YAML reads a bare "on" as true)'
        elif key not in allowed:
            errors[f"{where}{key}"] = "unknown field (known: " + ", ".join(allowed) + ")"


def _pair(value: object, limit: float, where: str, errors: dict) -> bool:
    if not (
        isinstance(value, (list, tuple)) and len(value) == 2 and all(_is_number(v) for v in value)
    ):
        errors[where] = "must be two numbers [x, y]"
        return False
    if any(abs(v) > limit for v in value):
        errors[where] = f"must be within ±{limit:g}"
        return False
    return True


def _check_joints(joints: object, where: str, errors: dict) -> None:
    if not isinstance(joints, dict):
        errors[where] = "must be a mapping of joint angles"
        return
    for name, value in joints.items():
        family = m.JOINTS.get(name) if isinstance(name, str) else None
        here = f"{where}.{name}"
        if family is None:
            errors[here] = "unknown joint (known: " + ", ".join(m.JOINTS) + ")"
            continue
        dofs = m.JOINT_DOFS[family]
        if isinstance(value, dict):
            for dof, angle in value.items():
                if dof not in dofs:
                    errors[f"{here}.{dof}"] = (
                        f"unknown movement for {family} (known: " + ", ".join(dofs) + ")"
                    )
                else:
                    _number(angle, *dofs[dof], f"{here}.{dof}", errors)
        else:
            low, high = next(iter(dofs.values()))
            _number(value, low, high, here, errors)
        if family == "hip" and isinstance(value, dict):
            _check_wide_hip(value, here, errors)


def _check_wide_hip(hip: dict, where: str, errors: dict) -> None:
    abduct, flex = hip.get("abduct_deg", 0.0), hip.get("flex_deg", 0.0)
    if not (_is_number(abduct) and _is_number(flex)) or f"{where}.abduct_deg" in errors:
        return
    if abduct > m.HIP_WIDE_ABDUCTION_DEG and flex < m.HIP_FLEX_FOR_WIDE_ABDUCTION_DEG:
        errors[f"{where}.abduct_deg"] = (
            f"a straight hip opens at most {m.HIP_WIDE_ABDUCTION_DEG:g} degrees sideways: bend it "
            f"(flex_deg {m.HIP_FLEX_FOR_WIDE_ABDUCTION_DEG:g} or more) or open it less"
        )


def _check_frame(frame: object, where: str, surfaces: set[str], errors: dict) -> None:
    if not isinstance(frame, dict):
        errors[where] = "must be a mapping (label, pelvis, joints, contacts)"
        return
    _keys(frame, FRAME_KEYS, f"{where}.", errors)
    label = frame.get("label")
    if label is not None and (
        not isinstance(label, str) or len(each_side_only(label)[1]) > MAX_LABEL_CHARS
    ):
        errors[f"{where}.label"] = (
            f"must be text of at most {MAX_LABEL_CHARS} characters"
            f' (after "{EACH_SIDE_MARK}", which draws the frame for an each-side dose only)'
        )
    pelvis = frame.get("pelvis")
    if pelvis is not None:
        if not isinstance(pelvis, dict):
            errors[f"{where}.pelvis"] = "must be a mapping (lean_deg, turn_deg, roll_deg)"
        else:
            _keys(pelvis, tuple(m.PELVIS_DOFS), f"{where}.pelvis.", errors)
            for key, (low, high) in m.PELVIS_DOFS.items():
                if key in pelvis:
                    _number(pelvis[key], low, high, f"{where}.pelvis.{key}", errors)
    if "shift_mm" in frame:
        _pair(frame["shift_mm"], MAX_SHIFT_MM, f"{where}.shift_mm", errors)
    if frame.get("joints") is not None:
        _check_joints(frame["joints"], f"{where}.joints", errors)
    contacts = frame.get("contacts")
    if contacts is None:
        return
    if not isinstance(contacts, list):
        errors[f"{where}.contacts"] = "must be a list of {part, surface}"
        return
    for j, contact in enumerate(contacts):
        here = f"{where}.contacts[{j}]"
        if not isinstance(contact, dict):
            errors[here] = "must be a mapping {part, surface}"
            continue
        _keys(contact, CONTACT_KEYS, f"{here}.", errors)
        if contact.get("part") not in m.CONTACT_PARTS:
            errors[f"{here}.part"] = "unknown body part (known: " + ", ".join(m.CONTACT_PARTS) + ")"
        surface = contact.get("surface")
        if surface not in surfaces:
            errors[f"{here}.surface"] = "must be one of: " + ", ".join(sorted(surfaces))
        elif j == 0 and surface == "wall":
            errors[f"{here}.surface"] = "the first contact carries the body: it cannot be the wall"
        if "along" in contact:
            if contact.get("part") not in m.LIMBS:
                errors[f"{here}.along"] = "only a limb (thigh, shin, ...) has a place along it"
            else:
                _number(contact["along"], 0.0, 1.0, f"{here}.along", errors)


def _check_prop(prop: object, where: str, errors: dict) -> str | None:
    if not isinstance(prop, dict):
        errors[where] = "must be a mapping with a kind"
        return None
    kind = prop.get("kind")
    if kind not in m.PROP_KINDS:
        errors[f"{where}.kind"] = "unknown prop (known: " + ", ".join(m.PROP_KINDS) + ")"
        return None
    options = m.PROP_OPTIONS[kind]
    _keys(prop, ("kind", *options), f"{where}.", errors)
    for key, rule in options.items():
        if key not in prop:
            continue
        if key == "around":
            if prop[key] not in rule:
                errors[f"{where}.around"] = "must be one of: " + ", ".join(rule)
        elif key == "post_at_mm":
            _pair(prop[key], rule[1], f"{where}.post_at_mm", errors)
        else:
            _number(prop[key], *rule, f"{where}.{key}", errors)
    if kind == "band" and "around" not in prop:
        errors[f"{where}.around"] = "is required (knees, ankles, thigh_near or thigh_far)"
    if kind == "strap" and "around" not in prop:
        errors[f"{where}.around"] = "is required (foot_near or foot_far)"
    if (
        kind == "band"
        and "post_at_mm" in prop
        and not str(prop.get("around", "")).startswith("thigh")
    ):
        errors[f"{where}.post_at_mm"] = "only a band around one thigh is tied to a post"
    return kind


def validate_illustration(data: dict) -> None:
    """Check an `illustration:` block; raise ValidationError with field paths relative to it.

    Checks the shape (known joints, angles within each joint's range, known props and parts),
    then poses the figure and checks that every contact rests on its surface within
    model.CONTACT_TOLERANCE_MM and that nothing sinks through the floor, so a valid pose always
    draws.
    """
    if not isinstance(data, dict):
        raise ValidationError(
            {"illustration": "must be a mapping (frames of poses, or an image file)"}
        )
    if "image" in data:
        _check_image(data)
        return
    errors: dict[str, str] = {}
    _keys(data, TOP_KEYS, "", errors)
    if data.get("view", "side") not in m.VIEWS:
        errors["view"] = "must be one of: " + ", ".join(m.VIEWS)
    camera = data.get("camera")
    if camera is not None:
        if not isinstance(camera, dict):
            errors["camera"] = "must be a mapping (yaw_deg, pitch_deg)"
        else:
            _keys(camera, ("yaw_deg", "pitch_deg"), "camera.", errors)
            if "yaw_deg" in camera:
                _number(camera["yaw_deg"], -90.0, 90.0, "camera.yaw_deg", errors)
            if "pitch_deg" in camera:
                _number(camera["pitch_deg"], -30.0, 60.0, "camera.pitch_deg", errors)

    kinds: list[str] = []
    props = data.get("props") or []
    if not isinstance(props, list):
        errors["props"] = "must be a list of props"
        props = []
    for i, prop in enumerate(props):
        kind = _check_prop(prop, f"props[{i}]", errors)
        if kind is not None:
            if kind in kinds:
                errors[f"props[{i}].kind"] = f"only one {kind} per illustration"
            kinds.append(kind)
    surfaces = {"floor", *(k for k in kinds if k in m.SURFACE_KINDS)}

    frames = data.get("frames")
    if not isinstance(frames, list) or not 1 <= len(frames) <= MAX_FRAMES:
        errors["frames"] = f"must be a list of 1 to {MAX_FRAMES} poses"
        frames = []
    for i, frame in enumerate(frames):
        _check_frame(frame, f"frames[{i}]", surfaces, errors)

    arrows = data.get("arrows") or []
    if not isinstance(arrows, list):
        errors["arrows"] = "must be a list of arrows"
        arrows = []
    for i, arrow in enumerate(arrows):
        _check_arrow(arrow, f"arrows[{i}]", len(frames), errors)

    highlight = data.get("highlight") or []
    if not isinstance(highlight, list) or any(h not in m.HIGHLIGHT_PARTS for h in highlight):
        errors["highlight"] = "must be a list of body parts (" + ", ".join(m.HIGHLIGHT_PARTS) + ")"
    if not isinstance(data.get("footprints", False), bool):
        errors["footprints"] = "must be true or false"
    if errors:
        raise ValidationError(errors)
    errors.update(_geometry_problems(data))
    if errors:
        raise ValidationError(errors)


def _geometry_problems(data: dict) -> dict[str, str]:
    """`_check_geometry`'s findings for a pose whose shape is valid, remembered by the pose's
    content: posing and the collision checks are most of a library load's time, and a library
    loaded again (a file changed, a clinic's own copy, an editor's preview) repeats most poses."""
    key = _content_key(data)
    if key is None:
        errors: dict[str, str] = {}
        _check_geometry(data, data.get("props") or [], errors)
        return errors
    return dict(_remembered_geometry_problems(key))


@lru_cache(maxsize=1024)
def _remembered_geometry_problems(key: str) -> tuple[tuple[str, str], ...]:
    data = ast.literal_eval(key)
    errors: dict[str, str] = {}
    _check_geometry(data, data.get("props") or [], errors)
    return tuple(errors.items())


def _content_key(value) -> str | None:
    """`repr(value)` when that is its exact content (plain dicts, lists, strings, numbers, as
    YAML and JSON give): `ast.literal_eval` gives the same value back. Otherwise None."""

    def plain(item) -> bool:
        if item is None or type(item) in (bool, int, str):
            return True
        if type(item) is float:
            return math.isfinite(item)
        if type(item) in (list, tuple):
            return all(plain(element) for element in item)
        if type(item) is dict:
            return all(type(k) is str and plain(v) for k, v in item.items())
        return False

    return repr(value) if type(value) is dict and plain(value) else None


def _check_image(data: dict) -> None:
    errors: dict[str, str] = {}
    _keys(data, ("image",), "", errors)
    image = data.get("image")
    if (
        not isinstance(image, str)
        or not image.startswith("images/")
        or ".." in image
        or "\\" in image
        or not image.lower().endswith((".png", ".jpg", ".jpeg"))
    ):
        errors["image"] = "must name a PNG or JPEG file under images/, e.g. images/step-up.png"
    if errors:
        raise ValidationError(errors)


def _check_arrow(arrow: object, where: str, frame_count: int, errors: dict) -> None:
    if not isinstance(arrow, dict):
        errors[where] = "must be a mapping (frame, at, vector_mm, ...)"
        return
    _keys(arrow, ARROW_KEYS, f"{where}.", errors)
    frame = arrow.get("frame", 0)
    if (
        not isinstance(frame, int)
        or isinstance(frame, bool)
        or not 0 <= frame < max(frame_count, 1)
    ):
        errors[f"{where}.frame"] = f"must be a frame number from 0 to {max(frame_count - 1, 0)}"
    if arrow.get("at") not in m.POINTS:
        errors[f"{where}.at"] = "unknown body point (known: " + ", ".join(m.POINTS) + ")"
    if "offset_mm" in arrow:
        _pair(arrow["offset_mm"], 2000.0, f"{where}.offset_mm", errors)
    if "vector_mm" not in arrow:
        errors[f"{where}.vector_mm"] = "is required: [dx, dy] in mm"
    elif _pair(arrow["vector_mm"], 2000.0, f"{where}.vector_mm", errors):
        if abs(arrow["vector_mm"][0]) + abs(arrow["vector_mm"][1]) < 20.0:
            errors[f"{where}.vector_mm"] = "must be at least 20 mm long"
    if "bend_deg" in arrow:
        _number(arrow["bend_deg"], -120.0, 120.0, f"{where}.bend_deg", errors)
    if arrow.get("heads", 1) not in (1, 2):
        errors[f"{where}.heads"] = "must be 1 or 2"


def _check_geometry(data: dict, props: list[dict], errors: dict) -> None:
    tolerance = m.CONTACT_TOLERANCE_MM
    for i, (frame, world) in enumerate(zip(data["frames"], place_frames(data), strict=True)):
        crossing = [f"{a} passes through {b}" for a, b, _ in limb_collisions(world.body)]
        crossing += [f"{limb} passes into the trunk" for limb, _ in torso_intrusions(world.body)]
        if crossing:
            errors[f"frames[{i}].joints"] = "; ".join(crossing) + ": change the joint angles"
        contacts = frame.get("contacts") or []
        for j, (part, surface, gap) in enumerate(world.contacts):
            if abs(gap) > tolerance:
                how = "above" if gap > 0 else "into"
                errors[f"frames[{i}].contacts[{j}]"] = (
                    f"{part} is {abs(gap):.0f} mm {how} the {surface} (at most {tolerance:.0f} mm): adjust the joints"
                )
        if world.sunk_mm > tolerance:
            errors[f"frames[{i}]"] = (
                f"part of the body sinks {world.sunk_mm:.0f} mm below the floor"
            )
        for p, prop in enumerate(props):
            kind = prop["kind"]
            if kind in ("band", "mat", "stick", "strap"):
                continue
            if kind not in world.placed and not any(c.get("surface") == kind for c in contacts):
                errors[f"props[{p}]"] = (
                    f"nothing rests on the {kind} in frames[{i}] (add a contact on it)"
                )
                continue
            top = world.tops.get(kind)
            rule = m.PROP_OPTIONS[kind].get("height_mm")
            if (
                top is not None
                and rule is not None
                and kind != "wall"
                and not rule[0] <= top <= rule[1]
            ):
                errors[f"props[{p}].height_mm"] = (
                    f"the {kind} would have to be {top:.0f} mm high in frames[{i}] ({rule[0]:g} to {rule[1]:g})"
                )
