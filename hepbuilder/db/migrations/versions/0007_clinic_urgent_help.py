"""the clinic's country, emergency number and out-of-hours advice (the handout's red-flags box)

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("country", sa.String(length=2), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("emergency_number", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("out_of_hours", sa.String(length=300), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.drop_column("out_of_hours")
        batch_op.drop_column("emergency_number")
        batch_op.drop_column("country")
