"""Stored illustration paths: made when an exercise is saved or seeded, read before drawing.

`store_illustration_paths` runs in the transaction that saves exercises (the editor, the pose
editor, the API, import, restore) or seeds them: for each drawn pose (and the pose a dose
without "each side" draws when it leaves out a frame, `domain.exercise.poses_drawn`) whose row in
`illustration_paths` is missing or was made by another drawing engine, it stores the drawing
(`hepbuilder.pdf.stored_paths.paths_entry`). `load_illustration_paths` runs before a handout is
rendered or a picture drawn: one query for the poses this process cannot draw yet, and the rows
that match this engine are kept in the process (a stale or damaged row is simply not used, and
the pose is computed as before). What is drawn always comes from the pose at hand (the exercise
row, or the handout's snapshot), so a handout re-renders byte for byte from its snapshot alone;
the rows are only a cache of how, found by the pose's own hash.

Rows hold library content only (shared by every clinic printing the same pose, like snapshot
parts), so these queries need no clinic: they are only ever reached with poses the caller read
from its own clinic. Flushes, never commits.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import IllustrationPaths
from hepbuilder.db.parts import INSERTS
from hepbuilder.domain.exercise import poses_drawn
from hepbuilder.illustrations.stored import has_paths, is_drawn, keep_paths, pose_key
from hepbuilder.pdf.stored_paths import paths_engine, paths_entry

PATHS = IllustrationPaths.__table__


def _by_key(poses: Iterable[dict | None]) -> dict[str, dict]:
    """The drawn poses by key, each with the pose a side draws it from when that differs (a
    frame drawn only for "each side" left out), so either is drawn without computing it."""
    return {
        pose_key(drawn): drawn for pose in poses if is_drawn(pose) for drawn in poses_drawn(pose)
    }


def store_illustration_paths(session: Session, poses: Iterable[dict | None]) -> int:
    """Store the paths of the drawn poses (validated) whose stored paths are missing or made by
    another engine; returns how many were written. Race-safe: two transactions storing the same
    pose at once both succeed (insert, or replace on conflict)."""
    wanted = _by_key(poses)
    if not wanted:
        return 0
    engine = paths_engine()
    held = dict(
        session.execute(
            select(PATHS.c.pose_sha256, PATHS.c.engine).where(PATHS.c.pose_sha256.in_(list(wanted)))
        ).all()
    )
    stale = sorted(key for key in wanted if held.get(key) != engine)
    if not stale:
        return 0
    rows = []
    for key in stale:
        entry = paths_entry(wanted[key])
        rows.append({"pose_sha256": key, "engine": entry.engine, "body": entry.body})
    insert = INSERTS[session.get_bind().dialect.name](PATHS)
    upsert = insert.on_conflict_do_update(
        index_elements=[PATHS.c.pose_sha256],
        set_={name: insert.excluded[name] for name in ("engine", "body", "created_at")},
    )
    session.execute(upsert, rows)
    return len(rows)


def load_illustration_paths(session: Session, poses: Iterable[dict | None]) -> int:
    """Keep in this process the stored paths of those poses it cannot draw yet (one query);
    returns how many were kept. Rows of another engine are left alone (computed on demand)."""
    wanted = [key for key, pose in _by_key(poses).items() if not has_paths(pose)]
    if not wanted:
        return 0
    current = paths_engine()
    rows = session.execute(
        select(PATHS.c.pose_sha256, PATHS.c.engine, PATHS.c.body).where(
            PATHS.c.pose_sha256.in_(wanted), PATHS.c.engine == current
        )
    )
    return sum(keep_paths(key, engine, bytes(body), current) for key, engine, body in rows)
