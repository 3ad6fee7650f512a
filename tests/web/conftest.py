"""Fixtures for the library pages' tests: a clinic with the bundled library, and a client
signed in as one of its administrators."""

import pytest

from hepbuilder.db.models import Clinic
from tests.builders import make_user, seeded_clinic, sign_in
from tests.conftest import WorldOnce


def _seeded_world(app, session, clients) -> dict:
    clinic = seeded_clinic(session)
    session.commit()
    return {"clinic_id": clinic.id}


SEEDED = WorldOnce(_seeded_world)


@pytest.fixture
def clinic(app, session):
    """A clinic with the bundled library, committed (web requests see it); made once per worker
    on SQLite and put back for each test (tests/conftest.py WorldOnce)."""
    return session.get(Clinic, SEEDED(app, session, {})["clinic_id"])


@pytest.fixture
def admin(session, clinic):
    user = make_user(session, clinic, role="admin", name="Ada Admin")
    session.commit()
    return user


@pytest.fixture
def signed_in(client, admin):
    """The test client, signed in as `admin`."""
    sign_in(client, admin)
    return client
