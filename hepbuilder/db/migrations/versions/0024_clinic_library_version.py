"""clinic.library_version: a number that goes up whenever the clinic's library changes

Kept by triggers, so every writer counts (the editor, import, `seed`, the API, a bulk
INSERT or DELETE, plain SQL): an insert, update or delete of an exercise or muscle adds one to
its clinic's number, and so does one of an exercise's target muscles or equipment (the clinic
found through the exercise). A worker can then keep what it derived from the library (the
filter lists) and check whether it is still right with a primary-key read of one number, not
the queries that derive it again (services/exercises.py, library_facets).
SQLite: a row trigger per table and event (SQLite has one writer at a time, so the clinic
row's update waits for nothing). PostgreSQL: a row constraint trigger per table and event,
deferred to the commit, that raises each clinic's number once per transaction: the clinic's
row is locked only while the transaction commits, so library writes wait for each other no
more than they did before (an import and an editor's save of an exercise it has yet to reach
still just take turns on that exercise's row), and the number still changes in the same
commit as the library.
A later migration that rebuilds one of these tables on SQLite (batch_alter_table copies the
table and drops the old one, triggers and all) must create its triggers again.

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0022"
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
BUMP = "UPDATE clinic SET library_version = library_version + 1 WHERE id = "


# PostgreSQL: the clinic of the changed row (TG_ARGV[0] says how), raised once per transaction
PG_FUNCTION = """
CREATE FUNCTION library_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
    changed_clinic integer;
    done text;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    IF TG_ARGV[0] = 'clinic_id' THEN
        changed_clinic := changed.clinic_id;
    ELSE
        SELECT exercise.clinic_id INTO changed_clinic FROM exercise
        WHERE exercise.id = changed.exercise_id;
    END IF;
    IF changed_clinic IS NULL THEN
        RETURN NULL;  -- its exercise is gone too, and that delete counts
    END IF;
    done := 'hepbuilder.library_version_' || changed_clinic;
    IF coalesce(current_setting(done, true), '') <> txid_current()::text THEN
        UPDATE clinic SET library_version = library_version + 1 WHERE id = changed_clinic;
        PERFORM set_config(done, txid_current()::text, true);
    END IF;
    RETURN NULL;
END $$
"""


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
                    f" ON {table} BEGIN {BUMP}{clinic}; END"
                )
        return
    op.execute(PG_FUNCTION)
    for table, via in TABLES.items():
        for event in EVENTS:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_library_version_{event}"
                f" AFTER {event.upper()} ON {table} DEFERRABLE INITIALLY DEFERRED"
                f" FOR EACH ROW EXECUTE FUNCTION library_version_bump('{via}')"
            )


def downgrade() -> None:
    for table in TABLES:
        for event in EVENTS:
            if op.get_bind().dialect.name == "sqlite":
                op.execute(f"DROP TRIGGER IF EXISTS {table}_library_version_{event}")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_library_version_{event} ON {table}")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS library_version_bump()")
    with op.batch_alter_table("clinic") as batch:
        batch.drop_column("library_version")
