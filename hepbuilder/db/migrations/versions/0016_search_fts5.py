"""FTS5 trigram indexes for patient and exercise search, on SQLite only

A contentless FTS5 table per searched table (`patient_fts`, `exercise_fts`) over its folded
`search_text`, with `tokenize='trigram'`, kept in step by triggers on insert, on an update of
search_text (or clinic_id) and on delete, and filled here for the rows already there. Its row id
is clinic_id * 2^32 + the row's id, so a search reads only its clinic's part of each trigram's
list (db/like.py, CLINIC_ROWID_SPAN). The index holds no text of its own (content=''): only
trigrams and row ids.
A later migration that rebuilds patient or exercise on SQLite (batch_alter_table copies the
table and drops the old one, triggers and all) must create these triggers again.
PostgreSQL has pg_trgm GIN indexes instead (migration 0012): nothing to do there.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = ("patient", "exercise")
SPAN = 2**32  # db/like.py CLINIC_ROWID_SPAN, frozen here as this migration made it


def rowid(row: str) -> str:
    return f"{row}.clinic_id * {SPAN} + {row}.id"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL: pg_trgm GIN indexes (migration 0012)
    for table in TABLES:
        fts = f"{table}_fts"
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='', tokenize='trigram')"
        )
        remove_old = (
            f"INSERT INTO {fts}({fts}, rowid, search_text)"
            f" VALUES ('delete', {rowid('old')}, old.search_text);"
        )
        add_new = f"INSERT INTO {fts}(rowid, search_text) VALUES ({rowid('new')}, new.search_text);"
        op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add_new} END")
        op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove_old} END")
        op.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text, clinic_id ON {table}"
            f" BEGIN {remove_old} {add_new} END"
        )
        op.execute(
            f"INSERT INTO {fts}(rowid, search_text)"
            f" SELECT {rowid(table)}, search_text FROM {table} ORDER BY 1"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        fts = f"{table}_fts"
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
