"""an index that lists a clinic's live exercises in name order (the builder's picker, the library)

Revision ID: 0003_exercise_order
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003_exercise_order"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exercise", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exercise_clinic_order", ["clinic_id", "is_archived", "name"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("exercise", schema=None) as batch_op:
        batch_op.drop_index("ix_exercise_clinic_order")
