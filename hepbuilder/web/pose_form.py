"""The pose editor's form: one control per joint movement of each frame, the pelvis, the camera,
each prop's sizes and each arrow, read back into the pose format (an exercise's `illustration`).

The page posts the pose it was opened with (`base`, JSON) beside the controls, so what has no
control (contacts, highlight, a band's post) is kept as it was; the controls overwrite the rest.
Each joint keeps the form it was written in (a bare number, or the movements it spelled out); a
new one is written as a bare number when only its first movement is used, as people write YAML,
so a pose sent back unchanged is the same pose.
"""

import json
import math
from dataclasses import dataclass

from hepbuilder.illustrations import model
from hepbuilder.illustrations.words import plain
from hepbuilder.illustrations.world import place_frames

MAX_BASE_CHARS = 100_000
CAMERA_RANGES = {"yaw_deg": (-90.0, 90.0), "pitch_deg": (-30.0, 60.0)}
ARROW_NUMBERS = {
    "offset_mm": ((-1500.0, 1500.0), (-1500.0, 1500.0)),
    "vector_mm": ((-1500.0, 1500.0), (-1500.0, 1500.0)),
}
ARROW_BEND = (-90.0, 90.0)
STARTING_POSE = {"view": "side", "frames": [{"label": "Start", "joints": {}}]}


@dataclass(frozen=True, slots=True)
class Control:
    """One slider: its form name, label, range and current value."""

    name: str
    label: str
    low: float
    high: float
    value: float
    step: float = 0.1  # a tenth of a degree or mm: what the library writes (a whole-degree slider
    # made a browser send -36 for a stored -36.1, so saving an unchanged pose changed it)


def _words(name: str) -> str:
    """A control's label: the name in words (illustrations.words), capitalised."""
    return plain(name).capitalize()


def joint_angles(value, family: str) -> dict[str, float]:
    """A joint's movements as {dof: angle} (a bare number is its first movement)."""
    dofs = model.JOINT_DOFS[family]
    if isinstance(value, dict):
        return {dof: float(value.get(dof, 0) or 0) for dof in dofs}
    first = next(iter(dofs))
    return {dof: (float(value or 0) if dof == first else 0.0) for dof in dofs}


def frame_controls(pose: dict) -> list[tuple[str, list[Control], list[tuple[str, list[Control]]]]]:
    """Per frame: (its label, pelvis controls, [(joint, controls)])."""
    frames = []
    for index, frame in enumerate(pose.get("frames") or []):
        prefix = f"f{index}"
        pelvis = frame.get("pelvis") or {}
        pelvis_controls = [
            Control(f"{prefix}-pelvis-{dof}", _words(dof), low, high, float(pelvis.get(dof, 0)))
            for dof, (low, high) in model.PELVIS_DOFS.items()
        ]
        joints = frame.get("joints") or {}
        joint_controls = []
        for joint, family in model.JOINTS.items():
            angles = joint_angles(joints.get(joint, 0), family)
            controls = [
                Control(f"{prefix}-{joint}-{dof}", _words(dof), low, high, angles[dof])
                for dof, (low, high) in model.JOINT_DOFS[family].items()
            ]
            joint_controls.append((plain(joint).capitalize(), controls))
        frames.append((frame.get("label") or f"Frame {index + 1}", pelvis_controls, joint_controls))
    return frames


def camera_controls(pose: dict) -> list[Control]:
    camera = pose.get("camera") or {}
    return [
        Control(f"camera-{key}", _words(key), low, high, float(camera.get(key, 0)))
        for key, (low, high) in CAMERA_RANGES.items()
    ]


def _fitted_tops(pose: dict) -> dict[str, float]:
    """The first frame's surface heights as drawn (a step fitted to the foot on it), or none
    when no prop can be fitted or the pose cannot be placed."""
    props = pose.get("props") or []
    if not any(
        isinstance(prop, dict)
        and prop.get("kind") in model.FITTED_KINDS
        and "height_mm" not in prop
        for prop in props
    ):
        return {}  # nothing is fitted: the first frame need not be placed
    try:
        return place_frames(pose)[0].tops
    except Exception:  # a pose posted back may be anything: the validator will say what
        return {}


def unset_option(prop: dict, key: str, tops: dict[str, float]) -> float:
    """What a prop's option the pose leaves unset is drawn with (its slider starts there): the
    default, or for a step, chair or couch fitted to the part on it, the height it was fitted to;
    to 0.1 as the slider shows it."""
    kind = prop.get("kind")
    rule = model.PROP_OPTIONS[kind][key]
    value = model.PROP_DEFAULTS.get(kind, {}).get(key, rule[0])
    if key == "height_mm" and kind in tops:
        value = tops[kind]
    return round(min(max(float(value), rule[0]), rule[1]), 1)


def prop_controls(pose: dict) -> list[tuple[str, list[Control]]]:
    """Per prop: (its kind, one control per numeric size it has a range for)."""
    found = []
    tops = _fitted_tops(pose)
    for index, prop in enumerate(pose.get("props") or []):
        options = model.PROP_OPTIONS.get(prop.get("kind"), {})
        controls = [
            Control(
                f"prop{index}-{key}",
                _words(key),
                *rule,
                float(prop[key]) if key in prop else unset_option(prop, key, tops),
            )
            for key, rule in options.items()
            if key != "post_at_mm"
            and len(rule) == 2
            and all(isinstance(v, (int, float)) for v in rule)
            and isinstance(prop.get(key, 0), (int, float))
        ]
        found.append((plain(str(prop.get("kind", ""))), controls))
    return found


def arrow_controls(pose: dict) -> list[tuple[str, list[Control]]]:
    found = []
    for index, arrow in enumerate(pose.get("arrows") or []):
        controls = []
        for key, ranges in ARROW_NUMBERS.items():
            pair = arrow.get(key) or [0, 0]
            for axis, (low, high), value in zip(("x", "y"), ranges, pair, strict=False):
                controls.append(
                    Control(f"arrow{index}-{key}-{axis}", f"{_words(key)} {axis}", low, high, value)
                )
        controls.append(
            Control(f"arrow{index}-bend_deg", "Bend", *ARROW_BEND, float(arrow.get("bend_deg", 0)))
        )
        found.append(
            (f"Arrow {index + 1} (from the {plain(str(arrow.get('at', 'pelvis')))})", controls)
        )
    return found


def _number(form, name: str) -> float | None:
    """The control's number, or None when absent or not a finite number."""
    text = (form.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value == int(value) else round(value, 1)


def read_base(form) -> dict:
    """The pose the page was opened with (the starting figure when there was none)."""
    text = (form.get("base") or "")[:MAX_BASE_CHARS]
    try:
        base = json.loads(text) if text else None
    except ValueError:
        base = None
    if not isinstance(base, dict) or not isinstance(base.get("frames"), list):
        return json.loads(json.dumps(STARTING_POSE))
    return base


def pose_from_form(form) -> dict:
    """The pose: the base with every control's value written over it (values out of range are
    kept as typed, so the validator names them)."""
    pose = read_base(form)
    tops = _fitted_tops(pose)  # as opened: where the sliders started
    view = form.get("view")
    if view in model.VIEWS:
        pose["view"] = view
    written = pose.get("camera") or {}
    camera = {key: _number(form, f"camera-{key}") for key in CAMERA_RANGES}
    camera = {key: value for key, value in camera.items() if value or key in written}
    if camera:
        pose["camera"] = camera
    else:
        pose.pop("camera", None)
    for index, frame in enumerate(pose["frames"]):
        if not isinstance(frame, dict):
            continue
        prefix = f"f{index}"
        pelvis = {dof: _number(form, f"{prefix}-pelvis-{dof}") for dof in model.PELVIS_DOFS}
        pelvis = {dof: value for dof, value in pelvis.items() if value}
        if pelvis:
            frame["pelvis"] = pelvis
        else:
            frame.pop("pelvis", None)
        joints = {}
        for joint, family in model.JOINTS.items():
            dofs = list(model.JOINT_DOFS[family])
            angles = {dof: _number(form, f"{prefix}-{joint}-{dof}") for dof in dofs}
            if all(value is None for value in angles.values()):
                if joint in (frame.get("joints") or {}):
                    joints[joint] = frame["joints"][joint]  # no control sent: keep it
                continue
            written = (frame.get("joints") or {}).get(joint)
            if isinstance(written, dict):  # keep the movements it spelled out, even at 0
                joints[joint] = {
                    dof: value or 0 for dof, value in angles.items() if value or dof in written
                }
                continue
            moved = {dof: value for dof, value in angles.items() if value}
            if not moved:
                if written is not None:
                    joints[joint] = 0  # written as 0 in the pose: keep it written
                continue
            joints[joint] = moved[dofs[0]] if list(moved) == [dofs[0]] else moved
        frame["joints"] = joints
    for index, prop in enumerate(pose.get("props") or []):
        for key, rule in model.PROP_OPTIONS.get(prop.get("kind"), {}).items():
            if key == "post_at_mm" or not all(isinstance(v, (int, float)) for v in rule):
                continue
            value = _number(form, f"prop{index}-{key}")
            if value is not None and (key in prop or value != unset_option(prop, key, tops)):
                prop[key] = value  # a slider left where an unset option starts leaves it unset
    for index, arrow in enumerate(pose.get("arrows") or []):
        for key in ARROW_NUMBERS:
            pair = [_number(form, f"arrow{index}-{key}-{axis}") for axis in ("x", "y")]
            if None not in pair:
                arrow[key] = pair
        bend = _number(form, f"arrow{index}-bend_deg")
        if bend is not None:
            if bend:
                arrow["bend_deg"] = bend
            else:
                arrow.pop("bend_deg", None)
    return pose
