"""keep the library file's order of an exercise's target muscles and equipment

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("exercise_target", "exercise_equipment"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("position", sa.Integer(), nullable=False, server_default="0")
            )


def downgrade() -> None:
    for table in ("exercise_target", "exercise_equipment"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("position")
