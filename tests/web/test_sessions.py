"""Server-side sessions: a copied cookie dies with the session it belongs to, whatever ends it."""

import datetime as dt

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from hepbuilder.db.models import UserSession
from tests.builders import DEFAULT_PASSWORD, make_clinic, make_user, sign_in

COOKIE = "hepbuilder_session"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def clinic(session):
    clinic = make_clinic(session, name="Riverside Physio")
    session.commit()
    return clinic


@pytest.fixture
def admin(session, clinic):
    user = make_user(session, clinic, role="admin", name="Ada Admin")
    session.commit()
    return user


@pytest.fixture
def therapist(session, clinic):
    user = make_user(session, clinic, name="Theo Therapist")
    session.commit()
    return user


def copy_cookie(source, target) -> None:
    target.set_cookie(COOKIE, source.get_cookie(COOKIE).value, domain="localhost")


def is_signed_in(client) -> bool:
    return client.get("/exercises").status_code == 200


def signed_in_client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def test_a_copied_cookie_is_refused_after_sign_out(app, therapist):
    browser, thief = app.test_client(), app.test_client()
    sign_in(browser, therapist)
    copy_cookie(browser, thief)
    assert is_signed_in(thief)  # the copy works while the session lives
    browser.post("/logout")
    assert not is_signed_in(browser)
    assert not is_signed_in(thief)


def test_a_password_change_ends_every_other_session_of_the_user(app, therapist):
    here, elsewhere = signed_in_client(app, therapist), signed_in_client(app, therapist)
    copy = app.test_client()
    copy_cookie(elsewhere, copy)
    response = here.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)
    assert not is_signed_in(copy)


def test_deactivation_ends_sessions_and_reactivation_does_not_bring_them_back(
    app, admin, therapist
):
    admin_client = signed_in_client(app, admin)
    victim = signed_in_client(app, therapist)
    admin_client.post(f"/admin/users/{therapist.id}/deactivate")
    assert not is_signed_in(victim)
    admin_client.post(f"/admin/users/{therapist.id}/reactivate")
    assert not is_signed_in(victim)
    assert is_signed_in(signed_in_client(app, therapist))  # signing in anew works


def test_a_role_change_ends_the_users_sessions(app, admin, therapist):
    admin_client = signed_in_client(app, admin)
    promoted = signed_in_client(app, therapist)
    admin_client.post(f"/admin/users/{therapist.id}/role", data={"role": "admin"})
    assert not is_signed_in(promoted)


def test_sign_out_everywhere_ends_every_session_of_that_user_only(app, admin, therapist, session):
    admin_client = signed_in_client(app, admin)
    phone, desk = signed_in_client(app, therapist), signed_in_client(app, therapist)
    response = admin_client.post(f"/admin/users/{therapist.id}/sign-out", follow_redirects=True)
    assert "signed out on every computer and phone" in response.text
    assert not is_signed_in(phone) and not is_signed_in(desk)
    assert is_signed_in(admin_client)
    assert "Sign out everywhere" in admin_client.get("/admin/users").text


def age_sessions(session, **delta) -> None:
    """Move every session's clock back (the clock is the edge of the world here)."""
    shift = dt.timedelta(**delta)
    for row in session.scalars(select(UserSession)):
        row.created_at -= shift
        row.last_seen_at -= shift
    session.commit()


def test_an_idle_session_expires_after_the_idle_setting(app, therapist, session):
    client = signed_in_client(app, therapist)
    age_sessions(session, minutes=29)
    assert is_signed_in(client)  # seen now: idle time starts again
    age_sessions(session, minutes=31)
    assert not is_signed_in(client)
    assert session.scalar(select(UserSession.ended_at)) is not None


def test_a_busy_session_still_ends_after_its_lifetime(app, therapist, session):
    client = signed_in_client(app, therapist)
    for row in session.scalars(select(UserSession)):
        row.created_at -= dt.timedelta(hours=12, minutes=1)
    session.commit()
    assert not is_signed_in(client)


def test_session_lengths_are_settings(db_url, tmp_path, monkeypatch, therapist, session):
    from tests.conftest import _test_app

    monkeypatch.setenv("HEPBUILDER_SESSION_IDLE_MINUTES", "5")
    app = _test_app(db_url, tmp_path / "instance", monkeypatch)
    client = signed_in_client(app, therapist)
    age_sessions(session, minutes=6)
    assert not is_signed_in(client)


def test_sign_out_works_with_an_expired_form_token(csrf_app, therapist):
    client = csrf_app.test_client()
    page = client.get("/login")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"email": therapist.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert is_signed_in(client)
    response = client.post("/logout", data={"csrf_token": "expired-or-forged"})
    assert response.status_code == 302
    assert not is_signed_in(client)


def test_the_cookie_is_named_httponly_lax_and_secure_over_https(app, therapist):
    client = app.test_client()
    response = sign_in(client, therapist)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_the_cookie_carries_no_patient_name(app, therapist):
    client = signed_in_client(app, therapist)
    response = client.post("/patients/new", data={"first_name": "Zoë", "last_name": "Łukasiewicz"})
    assert response.status_code == 302
    raw = client.get_cookie(COOKIE).value
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    content = str(serializer.loads(raw))
    assert "Łukasiewicz" not in content and "Zoë" not in content
    assert "The patient was added." in client.get(response.location).text
