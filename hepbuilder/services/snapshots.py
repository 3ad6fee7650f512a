"""Handout snapshots: store a spec with its shared parts held once, and put it back together.

`store_snapshot` is how an issued handout's spec is written (the parts it needs stored if absent,
the snapshot JSON returned for the handout row); `spec_of_snapshot` is the one way back to the
full spec (the DESIGN.md snapshot form, every exercise inline, the logo a data: URI), for
rendering, the handout pages, the API, FHIR, email and the patient export. Parts are shared
library and brand content, not clinic-scoped rows: they are only ever reached through a handout
the caller has already found in its own clinic. Flushes, never commits.
"""

import json

from sqlalchemy.orm import Session

from hepbuilder.db.parts import fetch_parts, store_parts
from hepbuilder.domain.snapshot import join_snapshot, part_body, split_spec


def store_snapshot(session: Session, spec: dict) -> str:
    """The snapshot JSON to store for `spec` (its snapshot form), after writing the parts it
    refers to that the database does not hold yet."""
    snapshot, parts = split_spec(spec)
    store_parts(session, parts)
    return part_body(snapshot).decode("utf-8")


def spec_of_snapshot(session: Session, snapshot_json: str, read: dict | None = None) -> dict:
    """The full spec a stored snapshot stands for, its parts read in one or two queries.
    SnapshotError (a damaged database, not a user's mistake) when a part is missing.

    `read`, a dict kept across calls, holds the parts already read, so putting many handouts
    together (a patient's export) reads each shared part once."""
    read = {} if read is None else read

    def fetch(hashes):
        wanted = [digest for digest in hashes if digest not in read]
        read.update(fetch_parts(session, wanted))
        return {digest: read[digest] for digest in hashes if digest in read}

    return join_snapshot(json.loads(snapshot_json), fetch)


def own_fields(snapshot_json: str) -> dict:
    """The stored snapshot as it is, parts not read: enough for what a handout holds of its
    own (patient, therapist, title, dates, share link, doses and notes), at no extra query."""
    return json.loads(snapshot_json)
