"""clinic.library_version: a number that goes up whenever the clinic's library changes

Kept by triggers, so every writer counts (the editor, import, `seed`, the API, a bulk
INSERT or DELETE, plain SQL): an insert, update or delete of an exercise or muscle adds one to
its clinic's number, and so does one of an exercise's target muscles or equipment (the clinic
found through the exercise). A worker can then keep what it derived from the library (the
filter lists) and check whether it is still right with a primary-key read of one number, not
the queries that derive it again (services/exercises.py, library_facets).
SQLite: a row trigger per table and event. PostgreSQL: a statement trigger per table and
event over its transition table, so a bulk INSERT of 3,000 targets updates the clinic row once.
The number's row is locked until the writing transaction ends, so library writes of one clinic
take turns: one-exercise saves (the editor, the API) simply wait for each other; on PostgreSQL a
transaction that writes many exercises (an import, `seed`) while another writes one it has yet
to reach can end in a deadlock, which PostgreSQL breaks by failing one of them.
A later migration that rebuilds one of these tables on SQLite (batch_alter_table copies the
table and drops the old one, triggers and all) must create its triggers again.

Revision ID: 0024
Revises: 0019
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0019"
branch_labels = None
depends_on = None

# table -> how a changed row names its clinic: its own clinic_id, or its exercise's
TABLES = {
    "exercise": "clinic_id",
    "muscle": "clinic_id",
    "exercise_target": "exercise_id",
    "exercise_equipment": "exercise_id",
}
EVENTS = ("insert", "update", "delete")
BUMP = "UPDATE clinic SET library_version = library_version + 1 WHERE id IN "


def _clinics_of(rows: str, via: str) -> str:
    """SQL for the clinic ids of `rows` (a table or NEW/OLD)."""
    if via == "clinic_id":
        return f"SELECT clinic_id FROM {rows}"
    return f"SELECT exercise.clinic_id FROM exercise WHERE exercise.id IN (SELECT exercise_id FROM {rows})"


def upgrade() -> None:
    op.add_column(
        "clinic",
        sa.Column("library_version", sa.Integer(), nullable=False, server_default="1"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for table, via in TABLES.items():
            for event in EVENTS:
                row = "old" if event == "delete" else "new"
                clinic = (
                    f"{row}.clinic_id"
                    if via == "clinic_id"
                    else (f"(SELECT clinic_id FROM exercise WHERE id = {row}.exercise_id)")
                )
                op.execute(
                    f"CREATE TRIGGER {table}_library_version_{event} AFTER {event.upper()}"
                    f" ON {table} BEGIN {BUMP}({clinic}); END"
                )
        return
    for via in ("clinic_id", "exercise_id"):
        for rows in ("new_rows", "old_rows"):
            op.execute(
                f"CREATE FUNCTION library_version_{via}_{rows}() RETURNS trigger"
                f" LANGUAGE plpgsql AS $$ BEGIN {BUMP}({_clinics_of(rows, via)}); RETURN NULL;"
                " END $$"
            )
    for table, via in TABLES.items():
        for event in EVENTS:
            rows = "old_rows" if event == "delete" else "new_rows"
            op.execute(
                f"CREATE TRIGGER {table}_library_version_{event} AFTER {event.upper()}"
                f" ON {table} REFERENCING {rows.split('_')[0].upper()} TABLE AS {rows}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION library_version_{via}_{rows}()"
            )


def downgrade() -> None:
    for table in TABLES:
        for event in EVENTS:
            if op.get_bind().dialect.name == "sqlite":
                op.execute(f"DROP TRIGGER IF EXISTS {table}_library_version_{event}")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_library_version_{event} ON {table}")
    if op.get_bind().dialect.name != "sqlite":
        for via in ("clinic_id", "exercise_id"):
            for rows in ("new_rows", "old_rows"):
                op.execute(f"DROP FUNCTION IF EXISTS library_version_{via}_{rows}()")
    with op.batch_alter_table("clinic") as batch:
        batch.drop_column("library_version")
