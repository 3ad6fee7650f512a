"""snapshot parts: each exercise, brand and logo a handout prints held once, by content hash

handout.spec_json becomes handout.snapshot_json, and every stored snapshot is split into its
shared parts (table snapshot_part) and what is the handout's own. Nothing else of a handout row
changes: not its PDF, not its SHA-256. A snapshot that would not put itself back together exactly
is left inline (readers take both forms). Downgrade puts every snapshot back inline, as it was.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

import json

import sqlalchemy as sa
from alembic import op

from hepbuilder.db.parts import fetch_parts, store_parts
from hepbuilder.domain.snapshot import join_snapshot, part_body, references, split_spec

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH_ROWS = 200


def _rows(connection, column: str):
    """(id, text) of every handout, a batch at a time (the PDFs are never read)."""
    last_id = 0
    while True:
        batch = connection.execute(
            sa.text(f"SELECT id, {column} FROM handout WHERE id > :last ORDER BY id LIMIT :rows"),
            {"last": last_id, "rows": BATCH_ROWS},
        ).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1][0]


def _set(connection, column: str, handout_id: int, value: str) -> None:
    connection.execute(
        sa.text(f"UPDATE handout SET {column} = :value WHERE id = :id"),
        {"value": value, "id": handout_id},
    )


def upgrade() -> None:
    op.create_table(
        "snapshot_part",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_snapshot_part")),
    )
    # A rename in place (SQLite 3.25+, PostgreSQL): the table, and so its PDFs, is not copied.
    op.execute("ALTER TABLE handout RENAME COLUMN spec_json TO snapshot_json")
    connection = op.get_bind()
    for handout_id, text in _rows(connection, "snapshot_json"):
        spec = json.loads(text)
        snapshot, parts = split_spec(spec)
        if not parts:
            continue  # an erased handout ("{}"), or nothing shared
        if join_snapshot(snapshot, lambda hashes, parts=parts: parts) != spec:
            continue  # kept inline rather than changed
        store_parts(connection, parts)
        _set(connection, "snapshot_json", handout_id, part_body(snapshot).decode("utf-8"))


def downgrade() -> None:
    connection = op.get_bind()
    for handout_id, text in _rows(connection, "snapshot_json"):
        snapshot = json.loads(text)
        if references(snapshot):
            spec = join_snapshot(snapshot, lambda hashes: fetch_parts(connection, hashes))
            _set(connection, "snapshot_json", handout_id, json.dumps(spec, ensure_ascii=False))
    op.execute("ALTER TABLE handout RENAME COLUMN snapshot_json TO spec_json")
    op.drop_table("snapshot_part")
