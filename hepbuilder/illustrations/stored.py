"""Stored paths: an illustration's drawing as both pens need it, made once and kept with the pose.

`encode_paths(pose, boxes_for)` gives the bytes to store: for each side ("right" as written,
"left" mirrored), every frame's bounding box and its shapes (fill and stroke roles, SVG path data
at the SVG pen's 0.1 mm), and the PDF pen's simplified, half-point paths at the scale each of
`boxes_for(drawing)` (width, height in points, as a handout prints that drawing) gives. JSON, zlib-compressed; it names
its format, the engine it was made by (the caller's: `engine_version()`, a hash of the source of
every module whose output it holds, with whatever chose the boxes) and the pose it was made from (`pose_key`: the SHA-256 of the pose as
canonical JSON, frame labels left out since they change no shape).

`keep_paths(key, engine, body, current_engine)` takes stored bytes back into this process
(refused when made by another engine or for another pose); from then on `illustration_for(pose, side)` draws that pose
from them instead of computing its geometry, and the output is byte for byte what computing it
gives. What is drawn always comes from the pose at hand (a handout's snapshot, an exercise row);
the stored paths are only how, found by the hash of that pose. A scale that was not stored (the
contact sheet, a new layout) is computed from the exact geometry as before.
"""

import hashlib
import json
import zlib
from functools import lru_cache
from pathlib import Path

from .cache import LRUCache
from .caption import frame_labels
from .compose import (
    _BUILT,
    FrameArt,
    Illustration,
    _build,
    build_illustration,
    canonical,
    drawn_side,
)
from .layout import layout
from .path_data import svg_path_data
from .paths import PathShape
from .pdf_pen import frame_paths

FORMAT = 1
SIDES = ("right", "left")
# Every module whose output the stored bytes hold (geometry, simplification, layout, both pens'
# number formats) and this one: a change to any of them is a new engine, and paths stored by the
# old one are recomputed (`hepbuilder seed` stores them again; until then, computed on demand).
ENGINE_MODULES = (
    "compose",
    "kinematics",
    "layout",
    "model",
    "path_data",
    "paths",
    "pdf_pen",
    "pose",
    "scenery",
    "simplify",
    "stored",
    "world",
)

_STORED = LRUCache()  # pose key -> the decoded stored sides
_STORED_ART = LRUCache()  # (pose as canonical JSON, side) -> Illustration from stored paths


@lru_cache(maxsize=1)
def engine_version() -> str:
    """16 hex digits naming the drawing engine: the format and the source of ENGINE_MODULES."""
    digest = hashlib.sha256(f"stored paths format {FORMAT}".encode())
    here = Path(__file__).resolve().parent
    for name in ENGINE_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def _unlabelled(pose: dict) -> dict:
    frames = [{k: v for k, v in frame.items() if k != "label"} for frame in pose["frames"]]
    return {**pose, "frames": frames}


def pose_key(pose: dict) -> str:
    """The SHA-256 (hex) of the pose as canonical JSON without its frame labels."""
    return hashlib.sha256(canonical(_unlabelled(pose)).encode("utf-8")).hexdigest()


def is_drawn(pose: dict | None) -> bool:
    """Whether the pose is a drawn figure (has frames), so it has paths to store."""
    return bool(pose and isinstance(pose, dict) and pose.get("frames"))


def encode_paths(pose: dict, boxes_for, engine: str) -> bytes:
    """The bytes to store for a validated pose, with the PDF paths for each (width, height) box
    `boxes_for(art)` gives for its drawing on a side, naming `engine`: `engine_version()` and
    whatever else chose the boxes (the caller's layout)."""
    bare = _unlabelled(pose)
    sides = {}
    for side in SIDES:
        art = build_illustration(bare, side)
        boxes = boxes_for(art)
        scales = sorted({layout(art, w, h, label_size=0.0, line_width=1.0).scale for w, h in boxes})
        sides[side] = {
            "frames": [
                {
                    "bbox": list(frame.bbox),
                    "shapes": [[s.fill, s.stroke, svg_path_data(s.path)] for s in frame.shapes],
                }
                for frame in art.frames
            ],
            "print": [[scale, [list(ops) for ops in frame_paths(art, scale)]] for scale in scales],
        }
    body = {"format": FORMAT, "engine": engine, "pose": pose_key(pose), "sides": sides}
    return zlib.compress(json.dumps(body, separators=(",", ":")).encode("utf-8"), 9)


def keep_paths(key: str, engine: str, body: bytes, current_engine: str) -> bool:
    """Take stored paths into this process; False (and nothing kept) when they were made by
    another engine than `current_engine` (what `encode_paths` would name now) or in another
    format, for another pose than `key`, or do not decode."""
    if engine != current_engine:
        return False
    try:
        value = json.loads(zlib.decompress(body))
    except (zlib.error, ValueError):
        return False
    if (
        not isinstance(value, dict)
        or value.get("format") != FORMAT
        or value.get("engine") != engine
        or value.get("pose") != key
    ):
        return False
    _STORED.put(key, value["sides"])
    return True


def has_paths(pose: dict) -> bool:
    """Whether this process can draw the pose without computing its geometry: stored paths
    kept, or its geometry already computed on both sides."""
    if _STORED.get(pose_key(pose)) is not None:
        return True
    key = canonical(pose)
    return all(_BUILT.get((key, side)) is not None for side in SIDES)


def _from_stored(pose: dict, key: str, side: str) -> Illustration | None:
    sides = _STORED.get(pose_key(pose))
    if sides is None:
        return None
    stored = sides[side]
    labels = frame_labels(pose)
    if len(labels) != len(stored["frames"]):
        return None
    frames = tuple(
        FrameArt(
            label=label,
            shapes=tuple(PathShape("", (), fill, stroke) for fill, stroke, _ in frame["shapes"]),
            bbox=tuple(frame["bbox"]),
            joints={},
            limbs={},
            contacts=(),
            sunk_mm=0.0,
        )
        for label, frame in zip(labels, stored["frames"], strict=True)
    )
    return Illustration(
        frames=frames,
        side=side,
        svg_paths=tuple(tuple(d for _, _, d in frame["shapes"]) for frame in stored["frames"]),
        print_paths={scale: tuple(tuple(ops) for ops in paths) for scale, paths in stored["print"]},
        exact=lambda: _build(key, side),
    )


def illustration_for(pose: dict, side: str) -> Illustration:
    """What the pens draw for a validated pose on a side: its computed geometry when this
    process has it, else the stored paths kept for it, else its geometry computed now."""
    side = drawn_side(side)
    key = canonical(pose)
    built = _BUILT.get((key, side))
    if built is not None:
        return built
    art = _STORED_ART.get((key, side))
    if art is None:
        art = _from_stored(pose, key, side)
        if art is None:
            return _build(key, side)
        _STORED_ART.put((key, side), art)
    return art


def forget_stored_paths() -> None:
    """Drop every stored path this process kept (what a new process starts with)."""
    _STORED.clear()
    _STORED_ART.clear()
