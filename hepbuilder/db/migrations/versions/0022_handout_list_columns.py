"""handout list columns: the therapist's name and credentials and the share link beside the snapshot

Lists of handouts (the API's `GET /handouts`) read each listed handout's snapshot for the
therapist it names and the private link it printed: one more query per handout, as the snapshot
is deferred. These three columns hold copies of those snapshot fields, written at issue; this
migration fills them for the handouts issued before, from each snapshot, a batch at a time (an
erased handout's snapshot is "{}": its columns stay ""). The snapshots themselves do not change.

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-01
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None

COLUMNS = ("therapist_name", "therapist_credentials", "share_url")
BATCH_ROWS = 500


def copied_fields(snapshot_json: str) -> dict[str, str]:
    """The three columns' values from a stored snapshot ("" where it has none)."""
    snapshot = json.loads(snapshot_json or "{}")
    therapist = snapshot.get("therapist") or {}
    return {
        "therapist_name": therapist.get("name") or "",
        "therapist_credentials": therapist.get("credentials") or "",
        "share_url": snapshot.get("share_url") or "",
    }


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("handout", sa.Column(name, sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    update = sa.text(
        "UPDATE handout SET therapist_name = :therapist_name, "
        "therapist_credentials = :therapist_credentials, share_url = :share_url WHERE id = :id"
    )
    last_id = 0
    while True:
        batch = connection.execute(
            sa.text(
                "SELECT id, snapshot_json FROM handout WHERE id > :last ORDER BY id LIMIT :rows"
            ),
            {"last": last_id, "rows": BATCH_ROWS},
        ).all()
        if not batch:
            return
        rows = [{"id": handout_id, **copied_fields(text)} for handout_id, text in batch]
        rows = [row for row in rows if any(row[name] for name in COLUMNS)]
        if rows:
            connection.execute(update, rows)  # one executemany a batch
        last_id = batch[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("handout") as table:
        for name in reversed(COLUMNS):
            table.drop_column(name)
