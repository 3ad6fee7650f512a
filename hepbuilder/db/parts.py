"""Snapshot parts in the database: write each once, read them back by hash.

Works on a Session or a Connection (the migration that splits old snapshots uses one), on SQLite
and PostgreSQL. Writing is insert-if-absent and race-safe: two transactions storing the same part
at once both succeed (`INSERT ... ON CONFLICT DO NOTHING`; on PostgreSQL the second waits for the
first to end), and parts are written in hash order, so two writers never wait on each other in
a circle.
"""

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .models import SnapshotPart

PARTS = SnapshotPart.__table__
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _dialect_name(executor: Session | Connection) -> str:
    if isinstance(executor, Session):
        return executor.get_bind().dialect.name
    return executor.dialect.name


def store_parts(executor: Session | Connection, parts: Mapping[str, tuple[str, bytes]]) -> int:
    """Write the parts ({hash: (kind, body)}) that are not stored yet; returns how many were new
    to this transaction's view. The caller vouches that each hash is its body's SHA-256."""
    if not parts:
        return 0
    held = set(executor.scalars(select(PARTS.c.sha256).where(PARTS.c.sha256.in_(list(parts)))))
    missing = sorted(digest for digest in parts if digest not in held)
    if not missing:
        return 0
    insert = INSERTS[_dialect_name(executor)](PARTS).on_conflict_do_nothing(
        index_elements=[PARTS.c.sha256]
    )
    executor.execute(
        insert,
        [{"sha256": d, "kind": parts[d][0], "body": parts[d][1]} for d in missing],
    )
    return len(missing)


def fetch_parts(
    executor: Session | Connection, hashes: Iterable[str]
) -> dict[str, tuple[str, bytes]]:
    """{hash: (kind, body)} of those of `hashes` that are stored, in one query."""
    wanted = sorted(set(hashes))
    if not wanted:
        return {}
    rows = executor.execute(
        select(PARTS.c.sha256, PARTS.c.kind, PARTS.c.body).where(PARTS.c.sha256.in_(wanted))
    )
    return {digest: (kind, bytes(body)) for digest, kind, body in rows}
