"""clinic.library_version goes up on every change to the clinic's library, whoever writes it
(database triggers, migration 0024), and only that clinic's."""

from sqlalchemy import text

from hepbuilder.db.session import get_engine
from tests.builders import seeded_clinic


def version(connection, clinic_id: int) -> int:
    return connection.scalar(
        text("SELECT library_version FROM clinic WHERE id = :id"), {"id": clinic_id}
    )


def committed(db_url, clinic_id: int) -> int:
    """The clinic's number as a new connection sees it."""
    with get_engine(db_url).connect() as connection:
        return version(connection, clinic_id)


def test_every_library_table_raises_its_clinics_library_version(db_url, session):
    ours = seeded_clinic(session, name="Riverside Physio")
    theirs = seeded_clinic(session, name="Harbour Physio")
    session.commit()
    exercise = {"clinic": ours.id, "slug": "step-up"}
    of_exercise = "(SELECT id FROM exercise WHERE clinic_id = :clinic AND slug = :slug)"
    changes = [
        (
            "UPDATE exercise SET name = 'Step up (low)' WHERE clinic_id = :clinic AND slug = :slug",
            exercise,
        ),
        (
            f"INSERT INTO exercise_equipment (exercise_id, equipment, position) VALUES ({of_exercise}, 'zorb ball', 9)",
            exercise,
        ),
        (
            f"UPDATE exercise_equipment SET position = 8 WHERE exercise_id = {of_exercise} AND equipment = 'zorb ball'",
            exercise,
        ),
        (
            f"DELETE FROM exercise_equipment WHERE exercise_id = {of_exercise} AND equipment = 'zorb ball'",
            exercise,
        ),
        (
            f"UPDATE exercise_target SET position = position WHERE exercise_id = {of_exercise}",
            exercise,
        ),
        (f"DELETE FROM exercise_target WHERE exercise_id = {of_exercise}", exercise),
        (
            "UPDATE muscle SET name = name || ' (renamed)' WHERE clinic_id = :clinic AND slug = 'gluteus-medius'",
            {"clinic": ours.id},
        ),
        (
            "DELETE FROM muscle WHERE clinic_id = :clinic AND id NOT IN (SELECT muscle_id FROM exercise_target)",
            {"clinic": ours.id},
        ),
        ("DELETE FROM exercise WHERE clinic_id = :clinic AND slug = :slug", exercise),
    ]
    before_theirs = committed(db_url, theirs.id)
    for statement, values in changes:
        before = committed(db_url, ours.id)
        with get_engine(db_url).begin() as connection:  # the number counts it at commit
            connection.execute(text(statement), values)
        assert committed(db_url, ours.id) > before, statement
    assert committed(db_url, theirs.id) == before_theirs


def test_a_transaction_raises_the_version_once_and_a_rolled_back_one_not_at_all(db_url, session):
    clinic = seeded_clinic(session)
    session.commit()
    engine = get_engine(db_url)
    before = committed(db_url, clinic.id)
    with engine.connect() as connection:
        connection.execute(text("UPDATE exercise SET name = name || ' (new)'"))
        connection.rollback()
        assert version(connection, clinic.id) == before
        connection.execute(text("UPDATE exercise SET name = name || ' (new)'"))
        connection.execute(text("UPDATE muscle SET name = name || ' (new)'"))
        connection.commit()
        after = version(connection, clinic.id)
    assert after > before
    if engine.dialect.name == "postgresql":  # once per transaction, at its commit
        assert after == before + 1


def test_a_statement_that_changes_nothing_leaves_the_version_alone(db_url, session):
    clinic = seeded_clinic(session)
    session.commit()
    before = committed(db_url, clinic.id)
    with get_engine(db_url).begin() as connection:
        connection.execute(text("UPDATE exercise SET name = 'x' WHERE slug = 'no-such-exercise'"))
        connection.execute(text("DELETE FROM exercise_equipment WHERE equipment = 'no-such-thing'"))
    assert committed(db_url, clinic.id) == before
