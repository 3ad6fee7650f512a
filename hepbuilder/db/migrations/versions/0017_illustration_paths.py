"""illustration paths: each pose's drawing stored once, by the pose's hash

A new table only. Existing exercises get no row here: a missing row means "compute on demand",
exactly what every process did before, and the next save of an exercise or `hepbuilder seed`
(which stores the paths of every exercise of every clinic that lacks them) fills it. The
migration does not draw anything itself, so it never depends on the drawing engine of the
version that runs it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "illustration_paths",
        sa.Column("pose_sha256", sa.String(length=64), nullable=False),
        sa.Column("engine", sa.String(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pose_sha256", name=op.f("pk_illustration_paths")),
    )


def downgrade() -> None:
    op.drop_table("illustration_paths")
