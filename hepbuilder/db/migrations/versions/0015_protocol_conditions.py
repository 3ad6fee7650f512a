"""protocol.conditions and protocol.progression: whom a protocol is for, and when to move on

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("protocol") as batch:
        batch.add_column(sa.Column("conditions", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("progression", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("protocol") as batch:
        batch.drop_column("progression")
        batch.drop_column("conditions")
