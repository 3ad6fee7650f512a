"""A handout's stored snapshot: its spec with the shared parts held once, by content hash.

A spec in its snapshot form (`HandoutSpec.to_dict()`) repeats, in every handout, the same inline
exercises, the same brand and the same logo. `split_spec` takes them out as parts, each named by
the SHA-256 of its bytes, and leaves `{"$part": "<hash>"}` in their place: each inline exercise
object whole (whatever it holds, photos as data: URIs included), the clinic's brand (with its
logo as one more reference) and the logo's image bytes. What stays in the snapshot is the
handout's own: patient, therapist, title, dates, doses, notes, changes, share link.
`join_snapshot` puts the parts back and gives the spec exactly as it was split, key order and
all, so an issued handout still renders byte for byte.

Parts are bytes: a JSON part is `part_body(value)` (compact, key order kept, UTF-8); an image
part is the image itself. The hash is of exactly those bytes, so a part checks itself.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping

from .spec import data_uri

PART_KEY = "$part"
EXERCISE, BRAND, LOGO = "exercise", "brand", "logo"

# (kind, body) by hash
Parts = dict[str, tuple[str, bytes]]
PartFetcher = Callable[[Iterable[str]], Mapping[str, tuple[str, bytes]]]


class SnapshotError(Exception):
    """A stored snapshot that cannot be put back together (a part missing or damaged): a fault
    of the stored data, never of a user's input."""


def part_body(value: object) -> bytes:
    """The one byte form of a JSON part: compact, keys in their order, UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def part_hash(body: bytes) -> str:
    """A part's name: the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(body).hexdigest()


def is_reference(value: object) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(PART_KEY), str)


def _add(parts: Parts, kind: str, body: bytes) -> dict:
    digest = part_hash(body)
    parts[digest] = (kind, body)
    return {PART_KEY: digest}


def _image_of(value: str) -> bytes | None:
    """The image a data: URI holds, when `data_uri` gives that very URI back (else None: it
    stays inline, so a snapshot never changes by being split)."""
    header, _, encoded = value.partition(",")
    if not header.startswith("data:"):
        return None
    try:
        image = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error):
        return None
    return image if data_uri(image) == value else None


def split_spec(spec: dict) -> tuple[dict, Parts]:
    """(the snapshot with references, the parts by hash) of a spec in its snapshot form.

    Only inline exercise objects, the clinic's brand and a logo given as a data: URI become parts;
    anything else (a slug, a logo file name, an erased `{}`) stays as it is. Splitting a snapshot
    that already holds references leaves them.
    """
    parts: Parts = {}
    snapshot = dict(spec)
    clinic = spec.get("clinic")
    if isinstance(clinic, dict) and clinic and not is_reference(clinic):
        brand = dict(clinic)
        logo = brand.get("logo")
        image = _image_of(logo) if isinstance(logo, str) else None
        if image is not None:
            brand["logo"] = _add(parts, LOGO, image)
        snapshot["clinic"] = _add(parts, BRAND, part_body(brand))
    items = spec.get("items")
    if isinstance(items, list):
        snapshot["items"] = []
        for item in items:
            exercise = item.get("exercise") if isinstance(item, dict) else None
            if isinstance(exercise, dict) and not is_reference(exercise):
                item = {**item, "exercise": _add(parts, EXERCISE, part_body(exercise))}
            snapshot["items"].append(item)
    return snapshot, parts


def _item_exercises(snapshot: dict) -> list:
    items = snapshot.get("items")
    if not isinstance(items, list):
        return []
    return [item.get("exercise") if isinstance(item, dict) else None for item in items]


def references(snapshot: dict) -> set[str]:
    """The part hashes a snapshot refers to directly: its brand and its items' exercises (a
    brand's logo is referred to from the brand part)."""
    found = [snapshot.get("clinic"), *_item_exercises(snapshot)]
    return {value[PART_KEY] for value in found if is_reference(value)}


def _value_of(digest: str, found: Mapping[str, tuple[str, bytes]]) -> object:
    if digest not in found:
        raise SnapshotError(f"The stored part {digest} is missing.")
    kind, body = found[digest]
    if part_hash(body) != digest:
        raise SnapshotError(f"The stored part {digest} is damaged (its hash does not match).")
    if kind == LOGO:
        return data_uri(body)
    return json.loads(body)


def part_value(digest: str, found: Mapping[str, tuple[str, bytes]]) -> object:
    """The value of part `digest` among `found` (a logo as its data: URI); SnapshotError when it
    is missing or its bytes do not match its hash."""
    return _value_of(digest, found)


def join_snapshot(snapshot: dict, fetch: PartFetcher) -> dict:
    """The full spec a snapshot stands for: its brand (and the brand's logo) and its exercises
    put back where their references are. `fetch(hashes)` gives {hash: (kind, body)} for those it
    has: called once, and once more for a logo. SnapshotError when a part is missing or its
    bytes do not match its hash. A snapshot with no references comes back as it is."""
    spec = dict(snapshot)
    wanted = references(snapshot)
    if not wanted:
        return spec
    found = fetch(sorted(wanted))
    clinic = snapshot.get("clinic")
    if is_reference(clinic):
        brand = _value_of(clinic[PART_KEY], found)
        logo = brand.get("logo")
        if is_reference(logo):
            brand["logo"] = _value_of(logo[PART_KEY], fetch([logo[PART_KEY]]))
        spec["clinic"] = brand
    exercises = {}
    for exercise in _item_exercises(snapshot):
        if is_reference(exercise) and exercise[PART_KEY] not in exercises:
            exercises[exercise[PART_KEY]] = _value_of(exercise[PART_KEY], found)
    if exercises:
        spec["items"] = [
            {**item, "exercise": exercises[item["exercise"][PART_KEY]]}
            if isinstance(item, dict) and is_reference(item.get("exercise"))
            else item
            for item in snapshot["items"]
        ]
    return spec
