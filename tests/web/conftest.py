"""Fixtures for the library pages' tests: a clinic with the bundled library, and a client
signed in as one of its administrators."""

import pytest

from tests.builders import make_user, seeded_clinic, sign_in


@pytest.fixture
def clinic(session):
    """A clinic with the bundled library, committed (web requests see it)."""
    clinic = seeded_clinic(session)
    session.commit()
    return clinic


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
