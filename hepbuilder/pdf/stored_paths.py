"""Stored paths for the sizes a handout prints a picture at, so a new process need not redo them.

`paths_entry(pose)` is what the services store with an exercise's pose when it is saved or
seeded (illustrations/stored.py: the drawing on both sides, with the PDF pen's simplified paths
at every size a handout card draws that drawing at: A4 and letter, normal and large print, each
fitted to the drawing as pdf/picture.py fits it). Made once per pose and process (an LRU by
pose key), so seeding many clinics with one library draws each pose once. `paths_engine()` names the drawing engine with those sizes: a
change to the layout's picture sizes makes stored paths stale as a change to the drawing does.
"""

import hashlib
import inspect
import json
from dataclasses import dataclass
from functools import lru_cache

from hepbuilder.illustrations.cache import LRUCache
from hepbuilder.illustrations.compose import Illustration
from hepbuilder.illustrations.stored import encode_paths, engine_version, pose_key

from . import picture
from .picture import arrange_frames, frame_row_size
from .printed_sizes import picture_rooms


@dataclass(frozen=True, slots=True)
class PathsEntry:
    key: str  # the pose's key (stored.pose_key)
    engine: str  # the paths_engine() that made it
    body: bytes


def handout_picture_boxes(art: Illustration) -> list[tuple[float, float]]:
    """Every (width, height) in points a handout card draws `art` at, over both papers and
    both print sizes (distinct, in a fixed order)."""
    boxes: list[tuple[float, float]] = []
    for s, room in picture_rooms():
        box = frame_row_size(arrange_frames(art, len(art.frames), room, s))
        if box not in boxes:
            boxes.append(box)
    return boxes


@lru_cache(maxsize=1)
def paths_engine() -> str:
    """16 hex digits naming what stored paths are made by: the drawing engine and what chooses
    the boxes a handout prints pictures in (the picture module, each paper's and print size's
    room and frame), so a change to either makes stored paths stale (recomputed)."""
    rooms = [[room, s.frame_w_pt, s.frame_h_pt] for s, room in picture_rooms()]
    text = json.dumps([engine_version(), rooms, inspect.getsource(picture)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


_ENTRIES = LRUCache()  # pose key -> PathsEntry


def paths_entry(pose: dict) -> PathsEntry:
    """The stored paths of a validated, drawn pose (frames), made now or earlier in this process."""
    key = pose_key(pose)
    engine = paths_engine()
    entry = _ENTRIES.get(key)
    if entry is None or entry.engine != engine:
        entry = PathsEntry(key, engine, encode_paths(pose, handout_picture_boxes, engine))
        _ENTRIES.put(key, entry)
    return entry
