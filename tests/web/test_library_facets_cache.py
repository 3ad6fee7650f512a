"""The library's filter lists are kept per worker (services/exercises.py, library_facets) and
still follow every change to the library, whichever app server or writer makes it: each
request checks the clinic's library_version, which database triggers raise (migration 0024)."""

import re

import pytest
from sqlalchemy import text, update

from hepbuilder.db.models import Muscle
from hepbuilder.db.session import get_engine
from tests.builders import make_patient, make_program, make_user, seeded_clinic, sign_in
from tests.conftest import _test_app
from tests.web.test_hot_paths import statements
from tests.web.test_library_editor import NEW_EXERCISE


@pytest.fixture
def other_server(db_url, tmp_path, monkeypatch):
    """A second app on the same database, as a second gunicorn worker or host would run it."""
    return _test_app(db_url, tmp_path / "other-instance", monkeypatch)


def options(page: str, name: str) -> list[str]:
    """The values of the builder's `name` filter, "Any" left out."""
    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [value for value in re.findall(r'<option value="([^"]*)"', block) if value]


@pytest.fixture
def builder(client, other_server, session):
    """A therapist's builder page on the first app; an admin signed in on the other."""
    clinic = seeded_clinic(session, name="Riverside Physio")
    therapist = make_user(session, clinic, name="Sam Rivera")
    admin = make_user(session, clinic, name="Alex Admin", role="admin")
    program = make_program(
        session, make_patient(session, clinic), items=[{"exercise": "clamshell", "sets": 2}]
    )
    session.commit()
    sign_in(client, therapist)
    admin_client = other_server.test_client()
    sign_in(admin_client, admin)
    return client, admin_client, f"/programs/{program.id}"


def test_equipment_an_admin_adds_on_another_server_shows_in_the_builders_filter(builder):
    client, admin_client, path = builder
    assert "zorb-ball" not in options(client.get(path).text, "equipment")  # cached now
    new = NEW_EXERCISE | {"name": "Zorb roll", "equipment": "Zorb ball"}
    assert admin_client.post("/admin/library/new", data=new).status_code == 302
    assert "zorb-ball" in options(client.get(path).text, "equipment")

    assert admin_client.post("/admin/library/zorb-roll/archive").status_code == 302
    assert "zorb-ball" not in options(client.get(path).text, "equipment")


def test_a_muscle_renamed_in_plain_sql_shows_renamed_in_the_target_filter(builder, db_url):
    client, _admin, path = builder
    assert "Gluteus medius" in client.get(path).text
    with get_engine(db_url).begin() as connection:  # plain SQL: no app code at all
        connection.execute(
            update(Muscle).where(Muscle.slug == "gluteus-medius").values(name="Glute med (renamed)")
        )
    page = client.get(path).text
    assert "Glute med (renamed)" in page and ">Gluteus medius<" not in page


def test_the_builder_reads_the_filter_lists_once_until_the_library_changes(
    builder, db_url, session
):
    client, _admin, path = builder
    client.get(path)
    with statements(db_url) as seen:
        assert client.get(path).status_code == 200
    assert not [s for s in seen if s.startswith("SELECT DISTINCT")]
    assert [s for s in seen if "library_version" in s]  # the one check instead

    session.execute(
        text("UPDATE exercise SET is_archived = :yes WHERE slug = 'step-up'"), {"yes": True}
    )
    session.commit()
    with statements(db_url) as seen:
        assert client.get(path).status_code == 200
    assert len([s for s in seen if s.startswith("SELECT DISTINCT")]) == 3  # read again, once


def test_filter_lists_read_in_a_transaction_that_changed_the_library_are_not_kept(session):
    from hepbuilder.services.exercises import library_facets

    clinic = seeded_clinic(session, name="Riverside Physio")
    session.commit()
    session.execute(text("UPDATE exercise SET name = name || ' (new)' WHERE slug = 'step-up'"))
    session.commit()  # a library version no worker has seen yet
    add_equipment = (
        "INSERT INTO exercise_equipment (exercise_id, equipment, position)"
        " SELECT id, 'zorb-ball', 9 FROM exercise WHERE clinic_id = :clinic AND slug = 'step-up'"
    )
    session.execute(text(add_equipment), {"clinic": clinic.id})
    assert "zorb-ball" in library_facets(session, clinic.id).equipment  # its own change
    session.rollback()
    assert "zorb-ball" not in library_facets(session, clinic.id).equipment
