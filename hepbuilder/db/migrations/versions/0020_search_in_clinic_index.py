"""search indexes that know the clinic, on PostgreSQL: GIN over (clinic_id, search_text)

The pg_trgm GIN indexes of migration 0012 covered every clinic, so a trigram common in the group
(`pms` of every external id, `194` and `-05` of dates of birth) meant a list of most of the
group's rows to read before the clinic was filtered (20-30 ms at 1,000,000 patients over 50
clinics). btree_gin puts clinic_id into the same GIN index: the search intersects each trigram's
list with the clinic's, reading only the clinic's part of it (1 ms). The indexes keep their names
and still serve a LIKE without a clinic.
`ix_patient_clinic_search` (the name-ordered list) leaves out erased patients, whom nothing lists:
every query it serves says `erased_at IS NULL`, so a count of a clinic's matches (a two-letter
term's, which no trigram index can serve) reads that index alone, not the rows.
`ix_patient_clinic_id` goes on PostgreSQL: ix_patient_clinic_search and the (clinic_id,
external_id) constraint begin with clinic_id, and with it the planner counted a search's matches
by walking all of the clinic's rows. SQLite keeps it (its by-id listing of a clinic walks it) and
has FTS5 instead (migration 0016): nothing to do there (its count of a clinic's matches reads
the rows with a partial index too).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None

INDEXES = (("ix_patient_search_trgm", "patient"), ("ix_exercise_search_trgm", "exercise"))


def _trigram_indexes(columns: list[str]) -> None:
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(
            name,
            table,
            columns,
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )


def _name_order_index(where: str | None) -> None:
    op.drop_index("ix_patient_clinic_search", table_name="patient")
    op.create_index(
        "ix_patient_clinic_search",
        "patient",
        ["clinic_id", "is_archived", "search_text"],
        postgresql_where=None if where is None else sa.text(where),
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")  # GIN operator classes for integers
    _trigram_indexes(["clinic_id", "search_text"])
    _name_order_index("erased_at IS NULL")
    op.drop_index("ix_patient_clinic_id", table_name="patient")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index("ix_patient_clinic_id", "patient", ["clinic_id"])
    _name_order_index(None)
    _trigram_indexes(["search_text"])
