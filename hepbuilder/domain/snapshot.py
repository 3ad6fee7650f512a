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
JSON_KINDS = (EXERCISE, BRAND)
PART_KINDS = (EXERCISE, BRAND, LOGO)

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


def references(value: object) -> set[str]:
    """Every part hash `value` refers to (not those inside the parts themselves)."""
    if is_reference(value):
        return {value[PART_KEY]}
    if isinstance(value, dict):
        return set().union(*(references(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(references(v) for v in value))
    return set()


def _value_of(digest: str, kind: str, body: bytes) -> object:
    if part_hash(body) != digest:
        raise SnapshotError(f"The stored part {digest} is damaged (its hash does not match).")
    if kind == LOGO:
        return data_uri(body)
    return json.loads(body)


def _substitute(value: object, loaded: Mapping[str, object]) -> object:
    if is_reference(value):
        return _substitute(loaded[value[PART_KEY]], loaded)  # a part may refer to another
    if isinstance(value, dict):
        return {key: _substitute(v, loaded) for key, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, loaded) for v in value]
    return value


def join_snapshot(snapshot: dict, fetch: PartFetcher) -> dict:
    """The full spec a snapshot stands for: every reference replaced by its part, including
    references inside parts (a brand's logo). `fetch(hashes)` gives {hash: (kind, body)} for
    those it has; one call per level of nesting (two at most today). SnapshotError when a part
    is missing or its bytes do not match its hash."""
    loaded: dict[str, object] = {}
    wanted = references(snapshot)
    while wanted:
        found = fetch(sorted(wanted))
        missing = wanted - set(found)
        if missing:
            raise SnapshotError(f"The stored part {min(missing)} is missing.")
        fresh = {digest: _value_of(digest, *found[digest]) for digest in wanted}
        loaded.update(fresh)
        wanted = references(list(fresh.values())) - set(loaded)
    return _substitute(snapshot, loaded)
