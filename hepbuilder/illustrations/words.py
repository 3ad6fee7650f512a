"""The pose format's names in plain words, for people: "knee_near" is the "right knee",
"flex_deg" a joint's "flex", "frames[1]" the frame labelled "Finish".

One mapping, PLAIN_WORDS, read by the pose editor for its slider labels and for the problems
the validator finds (`describe_problems`), so a message names what the admin sees on the page.
The validator itself (pose.py) keeps the format's own names: the library's YAML, the API and
the exercise editor's JSON box are written in them.

A pose describes the figure's right side as the working side: "near" is its right, "far" its
left (see pose.py).
"""

import re

from . import model as m

SIDE_WORDS = {"near": "right", "far": "left"}
# What a part, a point or a field is called where its name alone does not say it.
_BASE_WORDS = {
    "torso": "trunk",
    "upper_arm": "upper arm",
    "neck_base": "base of the neck",
    "toe": "toes",
    "thigh_near": "right thigh",
    "thigh_far": "left thigh",
    "shift_mm": "shift (mm)",
    "offset_mm": "offset (mm)",
    "vector_mm": "vector (mm)",
    "post_at_mm": "post (mm)",
    "bend_deg": "bend",
    "at": "starting point",
    "heads": "arrow heads",
    "part": "body part",
    "along": "place along it",
    "highlight": "highlighted parts",
}


def _plain(key: str) -> str:
    """A key of the format in words: a sided name gets its side first, a unit in brackets."""
    if key in _BASE_WORDS:
        return _BASE_WORDS[key]
    base, _, side = key.rpartition("_")
    if side in SIDE_WORDS and base:
        return f"{SIDE_WORDS[side]} {_plain(base)}"
    if key.endswith("_deg"):
        return key.removesuffix("_deg").replace("_", " ")
    if key.endswith("_mm"):
        return key.removesuffix("_mm").replace("_", " ") + " (mm)"
    return key.replace("_", " ").replace("-", " ")


_KEYS = {
    *m.JOINTS,
    *m.CONTACT_PARTS,
    *m.HIGHLIGHT_PARTS,
    *m.POINTS,
    *m.PELVIS_DOFS,
    *(dof for dofs in m.JOINT_DOFS.values() for dof in dofs),
    *(option for options in m.PROP_OPTIONS.values() for option in options),
    *(word for options in m.PROP_OPTIONS.values() for rule in options.values() for word in rule
      if isinstance(word, str)),
    *m.PROP_KINDS,
    "yaw_deg", "pitch_deg", "shift_mm", "offset_mm", "vector_mm", "bend_deg", "at", "heads",
    "part", "surface", "along", "label", "highlight", "footprints", "view", "camera", "image",
}  # fmt: skip
# Every name of the pose format, in the words the pose editor shows for it.
PLAIN_WORDS: dict[str, str] = {key: _plain(key) for key in sorted(_KEYS)}

# The names a sentence may hold that are not words already ("at" or "part" are, "hip_far" is not).
_NAMES_IN_TEXT = sorted(
    (key for key in PLAIN_WORDS if "_" in key or "-" in key or key == "torso"),
    key=len,
    reverse=True,
)
_NAME = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, _NAMES_IN_TEXT)) + r")(?![\w-])")
_FRAME_IN_TEXT = re.compile(r"\bframes\[(\d+)\]")
_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def plain(key: str) -> str:
    """One name of the format in words ("hip_far" -> "left hip"); an unknown one as written."""
    return PLAIN_WORDS.get(key, key)


def frame_name(pose: dict, index: int) -> str:
    """What the editor calls a frame: its label, or "Frame N"."""
    frames = pose.get("frames") if isinstance(pose, dict) else None
    frame = frames[index] if isinstance(frames, list) and 0 <= index < len(frames) else None
    label = frame.get("label") if isinstance(frame, dict) else None
    return label.strip() if isinstance(label, str) and label.strip() else f"Frame {index + 1}"


def _first_movement(joint: str) -> str | None:
    family = m.JOINTS.get(joint)
    return next(iter(m.JOINT_DOFS[family])) if family else None


def field_words(path: str, pose: dict) -> str:
    """A validator's field path in words: "illustration.frames[1].joints.knee_near" is
    "Finish, right knee, flex" (a bare number is the joint's first movement), and
    "illustration.props[0].height_mm" is "Step, height (mm)"."""
    words: list[str] = []
    steps = _STEP.findall(path.removeprefix("illustration."))
    for position, (key, index) in enumerate(steps):
        number = int(index) if index else None
        if key == "frames" and number is not None:
            words.append(frame_name(pose, number))
        elif key == "props" and number is not None:
            props = pose.get("props") if isinstance(pose, dict) else None
            prop = props[number] if isinstance(props, list) and number < len(props) else None
            kind = prop.get("kind") if isinstance(prop, dict) else None
            words.append(plain(kind) if isinstance(kind, str) else f"prop {number + 1}")
        elif key in ("arrows", "contacts") and number is not None:
            words.append(f"{key[:-1]} {number + 1}")
        elif key == "joints" and position > 0:
            continue  # a frame's joints: the joint's name (or the sentence) says which
        else:
            words.append(plain(key))
            if position == len(steps) - 1 and key in m.JOINTS and steps[0][0] == "frames":
                first = _first_movement(key)
                words.append(plain(first) if first else "")
    text = ", ".join(word for word in words if word)
    return text[:1].upper() + text[1:]


def message_words(text: str, pose: dict) -> str:
    """A validator's sentence with the format's names in it put in words."""
    text = _FRAME_IN_TEXT.sub(lambda match: f'"{frame_name(pose, int(match.group(1)))}"', text)
    return _NAME.sub(lambda match: PLAIN_WORDS[match.group(1)], text)


def describe_problems(errors: dict[str, str], pose: dict) -> list[str]:
    """The validator's problems ({field path: sentence}) as lines for the pose editor, e.g.
    "Start, right knee, flex: must be from 0 to 160"."""
    return [
        f"{field_words(path, pose)}: {message_words(text, pose)}" for path, text in errors.items()
    ]
