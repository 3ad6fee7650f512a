"""Writing the library: two admins adding the same exercise at once get one exercise and a clear
conflict, never a failed transaction."""

import threading
import time

import pytest
from sqlalchemy import func, select

from hepbuilder.db.models import AuditEvent, Exercise, ExerciseVersion
from hepbuilder.db.session import session_factory
from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.services import exercise_versions
from tests.builders import make_user

from ._data import actor_for, clinic_and_user

CLAM_SHELL = {
    "name": "Clam shell",
    "summary": "Open and close your knees while lying on your side.",
    "category": "strength",
    "body_region": "hip and buttock",
    "position": "side-lying",
    "targets": ["gluteus-medius"],
    "steps": ["Lie on your side with your knees bent.", "Lift the top knee, then lower it."],
    "defaults": {"sets": 3, "reps": 12, "side": "each"},
}


@pytest.fixture
def admin(session):
    clinic, _user = clinic_and_user(session, seeded=True)
    return actor_for(make_user(session, clinic, role="admin"))


def _clam_shells(session) -> tuple[int, int]:
    """(exercises, versions) called Clam shell, as committed."""
    session.rollback()
    exercises = session.scalar(select(func.count()).where(Exercise.name == "Clam shell"))
    versions = session.scalar(
        select(func.count())
        .select_from(ExerciseVersion)
        .join(Exercise)
        .where(Exercise.name == "Clam shell")
    )
    return exercises, versions


def test_create_exercise_two_admins_at_once_get_one_exercise_and_a_clear_refusal(
    session, admin, db_url
):
    """The first has added "Clam shell" but not committed when the second (in a thread) checks
    and adds it too. PostgreSQL: both pass the checks, and the unique slug refuses the second
    (Conflict); SQLite: the second waits for the first's write lock and sees its exercise."""
    session.commit()
    outcome: dict = {}
    with session_factory(db_url)() as first:
        exercise_versions.create_exercise(first, admin, CLAM_SHELL)

        def second():
            with session_factory(db_url)() as other:
                try:
                    exercise_versions.create_exercise(other, admin, CLAM_SHELL)
                    other.commit()
                except Exception as error:  # noqa: BLE001 - the test inspects what was raised
                    outcome["error"] = error
                    other.rollback()

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second's checks have run (or wait); its insert waits on ours
        first.commit()
        thread.join(timeout=30)
    error = outcome.get("error")
    if db_url.startswith("postgresql"):
        assert isinstance(error, Conflict), outcome
        assert "Clam shell" in error.message and "at the same moment" in error.message
    else:
        assert isinstance(error, ValidationError), outcome
        assert "already called" in error.fields["name"]
    assert _clam_shells(session) == (1, 1)


def test_create_exercise_refused_by_the_unique_slug_is_a_conflict_and_the_transaction_goes_on(
    session, admin, monkeypatch
):
    """What the race above does on PostgreSQL, on any database: the checks see nothing (as
    before the other's commit), the insert is refused, and only its savepoint is rolled back."""
    exercise_versions.create_exercise(session, admin, CLAM_SHELL)
    session.commit()
    monkeypatch.setattr(exercise_versions, "_new_slug", lambda _s, _c, _name: "clam-shell")
    monkeypatch.setattr(exercise_versions, "find_exercise", lambda *_args: None)
    monkeypatch.setattr(exercise_versions, "_refuse_name_clash", lambda *_args: None)
    with pytest.raises(Conflict) as caught:
        exercise_versions.create_exercise(session, admin, CLAM_SHELL)
    assert caught.value.code == "conflict"
    events = select(func.count()).where(AuditEvent.action == "exercise.create")
    assert session.scalar(events) == 1  # still usable, and nothing of the second recorded
    session.commit()
    assert _clam_shells(session) == (1, 1)


def test_update_exercise_takes_read_only_fields_back_unchanged_and_names_a_changed_one(
    session, admin
):
    row = exercise_versions.create_exercise(session, admin, CLAM_SHELL)
    as_read = exercise_versions.exercise_read_only(row)
    assert as_read == {"slug": "clam-shell", "url": "/exercises/clam-shell", "is_archived": False}
    entry = {**CLAM_SHELL, "summary": "Lying on your side, open and close your knees."}
    saved = exercise_versions.update_exercise(
        session, admin, "clam-shell", entry, read_only=as_read
    )
    assert saved.summary == entry["summary"]
    for field, value in (("slug", "clam"), ("url", "/exercises/clam"), ("is_archived", True)):
        with pytest.raises(ValidationError) as caught:
            exercise_versions.update_exercise(
                session,
                admin,
                "clam-shell",
                {**entry, "summary": "Lost."},
                read_only={field: value},
            )
        assert list(caught.value.fields) == [field] and "read-only" in caught.value.fields[field]
    assert (
        exercise_versions.find_exercise(session, row.clinic_id, "clam-shell").summary
        == (entry["summary"])
    )
