"""trigram (pg_trgm GIN) indexes for patient and exercise search, on PostgreSQL only

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-01
"""

from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = (("ix_patient_search_trgm", "patient"), ("ix_exercise_search_trgm", "exercise"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite: substring search scans the clinic's rows (models.trigram_index)
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES:
        op.create_index(
            name,
            table,
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
