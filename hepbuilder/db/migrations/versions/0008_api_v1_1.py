"""API v1.1: idempotency keys in use and expiring, rate-limit counts, therapist attribution

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.alter_column("status_code", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("response_body", existing_type=sa.Text(), nullable=True)
        batch_op.add_column(sa.Column("location", sa.String(length=500), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_idempotency_record_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "api_rate_count",
        sa.Column("api_token_id", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_token_id"],
            ["api_token.id"],
            name=op.f("fk_api_rate_count_api_token_id_api_token"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("api_token_id", "window_start", name=op.f("pk_api_rate_count")),
    )
    with op.batch_alter_table("api_rate_count", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_rate_count_window_start"), ["window_start"], unique=False
        )

    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_therapist_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_api_token_default_therapist_id_user_account"),
            "user_account",
            ["default_therapist_id"],
            ["id"],
        )

    with op.batch_alter_table("handout", schema=None) as batch_op:
        batch_op.add_column(sa.Column("program_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handout", schema=None) as batch_op:
        batch_op.drop_column("program_version")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_token_default_therapist_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("default_therapist_id")
    with op.batch_alter_table("api_rate_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_rate_count_window_start"))
    op.drop_table("api_rate_count")
    op.execute("DELETE FROM idempotency_record WHERE status_code IS NULL")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_created_at"))
        batch_op.drop_column("location")
        batch_op.alter_column("response_body", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("status_code", existing_type=sa.Integer(), nullable=False)
