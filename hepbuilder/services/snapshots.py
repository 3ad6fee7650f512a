"""Handout snapshots: store a spec with its shared parts held once, and put it back together.

`store_snapshot` is how an issued handout's spec is written (the parts it needs stored if absent,
the snapshot JSON returned for the handout row); `spec_of_snapshot` is the one way back to the
full spec (the DESIGN.md snapshot form, every exercise inline, the logo a data: URI), for
rendering, the handout pages, the API, FHIR, email and the patient export. Parts are shared
library and brand content, not clinic-scoped rows: they are only ever reached through a handout
the caller has already found in its own clinic. Flushes, never commits.
"""

import json
import threading
from collections import OrderedDict

from sqlalchemy.orm import Session

from hepbuilder.db.parts import fetch_parts, store_parts
from hepbuilder.domain.snapshot import (
    PART_KEY,
    is_reference,
    join_snapshot,
    part_body,
    part_value,
    split_spec,
)
from hepbuilder.illustrations.cache import LRUCache

PART_CACHE_BYTES = 32 * 1024 * 1024  # a 2,000-exercise library's parts, several times over


class PartCache:
    """Parts already read, by hash, least recently used first out past `max_bytes` of bodies.

    Safe to share by every session and database of a process: a part never changes, and
    `join_snapshot` checks every body against its hash."""

    def __init__(self, max_bytes: int = PART_CACHE_BYTES):
        self.max_bytes = max_bytes
        self._parts: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def pick(self, hashes) -> dict[str, tuple[str, bytes]]:
        with self._lock:
            held = {digest: self._parts[digest] for digest in hashes if digest in self._parts}
            for digest in held:
                self._parts.move_to_end(digest)
        return held

    def keep(self, parts: dict[str, tuple[str, bytes]]) -> None:
        with self._lock:
            for digest, part in parts.items():
                if digest not in self._parts:
                    self._parts[digest] = part
                    self._bytes += len(part[1])
            while self._bytes > self.max_bytes and self._parts:
                _digest, (_kind, body) = self._parts.popitem(last=False)
                self._bytes -= len(body)

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()
            self._bytes = 0


PARTS_READ = PartCache()


def store_snapshot(session: Session, spec: dict) -> str:
    """The snapshot JSON to store for `spec` (its snapshot form), after writing the parts it
    refers to that the database does not hold yet."""
    snapshot, parts = split_spec(spec)
    store_parts(session, parts)
    return part_body(snapshot).decode("utf-8")


def _fetcher(session: Session):
    def fetch(hashes):
        found = PARTS_READ.pick(hashes)
        missing = [digest for digest in hashes if digest not in found]
        if missing:
            fresh = fetch_parts(session, missing)
            PARTS_READ.keep(fresh)
            found.update(fresh)
        return found

    return fetch


def spec_of_snapshot(session: Session, snapshot_json: str) -> dict:
    """The full spec a stored snapshot stands for. Its parts come from the process's cache of
    parts read before (PARTS_READ), else from the database in one query (and one more for a
    logo). SnapshotError (a damaged database, not a user's mistake) when a part is missing."""
    return join_snapshot(json.loads(snapshot_json), _fetcher(session))


# The (slug, name) of exercise parts read before, by part hash (a part never changes).
_EXERCISE_NAMES = LRUCache()


def snapshot_items(session: Session, snapshot_json: str) -> list:
    """The stored snapshot's items as `spec_of_snapshot` gives them, but with each exercise as
    only {"slug", "name"} when it is a part: what comparing with a later program needs, without
    reading (or parsing) the brand, the logo or the exercises' whole text once their names are
    known to this process. SnapshotError like spec_of_snapshot."""
    items = json.loads(snapshot_json).get("items")
    if not isinstance(items, list):
        return []
    wanted = {
        item["exercise"][PART_KEY]
        for item in items
        if isinstance(item, dict) and is_reference(item.get("exercise"))
    }
    names = {digest: _EXERCISE_NAMES.get(digest) for digest in wanted}
    missing = sorted(digest for digest, name in names.items() if name is None)
    if missing:
        found = _fetcher(session)(missing)
        for digest in missing:
            exercise = part_value(digest, found)
            name = {"slug": exercise.get("slug", ""), "name": exercise.get("name", "")}
            _EXERCISE_NAMES.put(digest, name)
            names[digest] = name
    return [
        {**item, "exercise": names[item["exercise"][PART_KEY]]}
        if isinstance(item, dict) and is_reference(item.get("exercise"))
        else item
        for item in items
    ]


def own_fields(snapshot_json: str) -> dict:
    """The stored snapshot as it is, parts not read: enough for what a handout holds of its
    own (patient, therapist, title, dates, share link, doses and notes), at no extra query."""
    return json.loads(snapshot_json)
