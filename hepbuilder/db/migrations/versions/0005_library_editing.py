"""the library kept on the web: exercise versions, conditions and photos, favourites, proposed
protocols, API token scopes

Revision ID: 0005
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exercise", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conditions", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("photos", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("protocol", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_pending", sa.Boolean(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_protocol_created_by_id_user_account", "user_account", ["created_by_id"], ["id"]
        )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=100), nullable=False, server_default="programs")
        )
    op.create_table(
        "exercise_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("api_token_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_token_id"], ["api_token.id"], name="fk_exercise_version_api_token_id_api_token"
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name="fk_exercise_version_clinic_id_clinic"
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercise.id"], name="fk_exercise_version_exercise_id_exercise"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_exercise_version_user_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_exercise_version"),
        sa.UniqueConstraint("exercise_id", "number", name="uq_exercise_version_exercise_id"),
    )
    with op.batch_alter_table("exercise_version", schema=None) as batch_op:
        batch_op.create_index("ix_exercise_version_clinic_id", ["clinic_id"], unique=False)
        batch_op.create_index("ix_exercise_version_exercise_id", ["exercise_id"], unique=False)
    op.create_table(
        "exercise_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("width_px", sa.Integer(), nullable=False),
        sa.Column("height_px", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name="fk_exercise_photo_clinic_id_clinic"
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercise.id"], name="fk_exercise_photo_exercise_id_exercise"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_exercise_photo"),
        sa.UniqueConstraint("clinic_id", "path", name="uq_exercise_photo_clinic_id"),
    )
    with op.batch_alter_table("exercise_photo", schema=None) as batch_op:
        batch_op.create_index("ix_exercise_photo_clinic_id", ["clinic_id"], unique=False)
        batch_op.create_index("ix_exercise_photo_exercise_id", ["exercise_id"], unique=False)
    for table, target in (("favourite_exercise", "exercise"), ("favourite_protocol", "protocol")):
        op.create_table(
            table,
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column(f"{target}_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(
                [f"{target}_id"],
                [f"{target}.id"],
                name=f"fk_{table}_{target}_id_{target}",
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["user_id"],
                ["user_account.id"],
                name=f"fk_{table}_user_id_user_account",
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("user_id", f"{target}_id", name=f"pk_{table}"),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_{target}_id", [f"{target}_id"], unique=False)


def downgrade() -> None:
    op.drop_table("favourite_protocol")
    op.drop_table("favourite_exercise")
    op.drop_table("exercise_photo")
    op.drop_table("exercise_version")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("scopes")
    with op.batch_alter_table("protocol", schema=None) as batch_op:
        batch_op.drop_constraint("fk_protocol_created_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("is_pending")
    with op.batch_alter_table("exercise", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("photos")
        batch_op.drop_column("conditions")
