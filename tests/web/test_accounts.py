"""Sign-in, sign-out, the one-time set-up, the sign-in wall, CSRF and error pages."""

import re

import pytest
from sqlalchemy import func, select

from hepbuilder.db.models import AuditEvent, Clinic, Exercise, User
from hepbuilder.web import create_app
from hepbuilder.web.accounts import BAD_SIGN_IN
from hepbuilder.web.auth import CSRF_MESSAGE, admin_required, current_actor
from tests.builders import DEFAULT_PASSWORD, make_clinic, make_user, see_committed, sign_in
from tests.pages import field_error

SETUP = {
    "clinic_name": "Riverside Physio",
    "admin_name": "Sam Rivera",
    "email": "Sam@Riverside.example",
    "password": "a long enough password",
    "password_again": "a long enough password",
}


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_first_visit_leads_to_setup(client):
    assert client.get("/").location == "/setup"
    assert client.get("/login").location == "/setup"
    page = client.get("/setup")
    assert page.status_code == 200
    for label in ("Clinic name", "Your name", "Email", "Password", "Password again"):
        assert f">{label}</label>" in page.text


def test_setup_creates_clinic_admin_and_library_then_disappears(client, session):
    response = client.post("/setup", data=SETUP)
    assert response.status_code == 302

    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert "Riverside Physio" in home.text
    assert "Sign out" in home.text

    admin = session.scalar(select(User))
    assert (admin.email, admin.role, admin.clinic.slug) == (
        "sam@riverside.example",
        "admin",
        "riverside-physio",
    )
    assert SETUP["password"] not in admin.password_hash
    assert admin.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert count(session, Exercise) > 0  # the library was loaded into the new clinic
    # signed in by the set-up: that is the admin's first sign-in (the users page says when)
    assert admin.last_login_at is not None
    actions = select(AuditEvent.action).where(AuditEvent.user_id == admin.id)
    assert session.scalars(actions.order_by(AuditEvent.id)).all()[-1] == "sign_in.success"

    assert client.get("/setup").status_code == 404
    client.post("/logout")
    assert client.post("/setup", data={**SETUP, "email": "other@example.net"}).status_code == 404
    assert client.get("/").location == "/login"
    assert count(session, Clinic) == 1
    assert count(session, User) == 1


def test_setup_form_shows_errors_beside_fields_and_keeps_input(client, session):
    data = {**SETUP, "clinic_name": "", "admin_name": "x" * 201, "password_again": "something else"}
    page = client.post("/setup", data=data)
    assert page.status_code == 422
    assert field_error(page.text, "clinic_name") == "Enter the clinic&#39;s name."
    assert field_error(page.text, "admin_name") == "Use at most 200 characters."
    assert field_error(page.text, "password_again") == "The two passwords differ."
    assert field_error(page.text, "email") == ""
    assert 'value="Sam@Riverside.example"' in page.text  # what the user typed is kept...
    assert SETUP["password"] not in page.text  # ...but never a password
    assert 'aria-invalid="true"' in page.text
    assert count(session, User) == 0


def test_setup_rejects_a_short_password_and_a_bad_email(client):
    page = client.post(
        "/setup",
        data={**SETUP, "email": "not-an-email", "password": "short", "password_again": "short"},
    )
    assert page.status_code == 422
    assert "Nothing was saved: please correct the field" in page.text
    assert "email address" in field_error(page.text, "email")
    assert field_error(page.text, "password").startswith("Use 12 to")


@pytest.fixture
def user(session):
    user = make_user(
        session, make_clinic(session, name="Northside Physio"), email="kim@example.net"
    )
    session.commit()
    return user


def test_login_with_the_right_password_goes_to_the_start_page(client, user, session):
    response = client.post(
        "/login", data={"email": "KIM@example.net ", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/"
    page = client.get("/exercises")
    assert page.status_code == 200
    assert "Northside Physio" in page.text
    session.refresh(user)
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [("kim@example.net", "wrong password"), ("nobody@example.net", DEFAULT_PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_login_failure_gives_one_generic_message(client, user, email, password):
    page = client.post("/login", data={"email": email, "password": password})
    assert page.status_code == 422
    assert BAD_SIGN_IN in page.text
    assert "unknown" not in page.text.lower()
    assert f'value="{email}"' in page.text
    assert client.get("/exercises").status_code == 302  # still signed out


def test_inactive_user_cannot_sign_in(client, session):
    make_user(session, email="gone@example.net", is_active=False)
    session.commit()
    page = client.post("/login", data={"email": "gone@example.net", "password": DEFAULT_PASSWORD})
    assert page.status_code == 422
    assert BAD_SIGN_IN in page.text


def test_deactivated_user_is_signed_out_on_next_request(client, session, user):
    sign_in(client, user)
    user.is_active = False
    session.commit()
    assert client.get("/exercises").status_code == 302


def test_login_form_requires_both_fields(client, user):
    page = client.post("/login", data={"email": "", "password": ""})
    assert page.status_code == 422
    assert field_error(page.text, "email") == "Enter your email address."
    assert field_error(page.text, "password") == "Enter your password."


def test_logout_is_a_post(client, user):
    sign_in(client, user)
    assert client.get("/logout").status_code == 405
    assert client.get("/exercises").status_code == 200
    response = client.post("/logout")
    assert response.location == "/login"
    assert client.get("/exercises").status_code == 302


def test_signed_out_visitor_is_sent_to_sign_in_and_back(client, user):
    response = client.get("/exercises?q=hip&category=stretch")
    assert response.status_code == 302
    assert response.location == "/login?next=/exercises?q%3Dhip%26category%3Dstretch"
    login_page = client.get(response.location)
    assert 'action="/login?next=' in login_page.text
    back = client.post(response.location, data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert back.location == "/exercises?q=hip&category=stretch"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil",
    ],
)
def test_next_pointing_elsewhere_is_ignored(client, user, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_unknown_page_is_a_friendly_404(client, user):
    for _ in ("signed out", "signed in"):
        page = client.get("/no/such/page")
        assert page.status_code == 404
        assert "Page not found" in page.text
        assert 'href="/"' in page.text
        sign_in(client, user)


def test_api_and_private_links_are_not_sent_to_sign_in(client):
    assert client.get("/api/v1/no-such-thing").status_code in (401, 404)
    assert client.get("/p/no-such-token").status_code == 404


def test_session_cookie_is_hardened(client, user):
    response = sign_in(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the app fixture's PUBLIC_URL is https://


def test_session_cookie_not_secure_on_plain_http(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HEPBUILDER_INSTANCE_DIR", str(tmp_path))
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "k", "PUBLIC_URL": "", "TESTING": True})
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_csrf_is_enforced_on_every_form(csrf_app, user):
    client = csrf_app.test_client()
    without = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert without.status_code == 400
    assert CSRF_MESSAGE.replace("'", "&#39;") in without.text

    token = re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/login").text,
    ).group(1)
    signed_in = client.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302

    page = client.get("/exercises").text
    assert 'name="csrf_token"' in page  # the sign-out form sends it, though it is not needed
    # (tests/web/test_sessions.py: sign-out works with an expired token)


def test_csrf_is_not_asked_of_the_json_api(csrf_app):
    response = csrf_app.test_client().post("/api/v1/patients", json={})
    assert response.status_code in (401, 404)  # the bearer-token check answers, not CSRF


def test_current_actor_and_admin_required(app, client, session):
    clinic = make_clinic(session)
    therapist = make_user(session, clinic, role="therapist")
    admin = make_user(session, clinic, role="admin")
    session.commit()

    @admin_required
    def admin_only():
        actor = current_actor()
        return f"{actor.clinic_id}:{actor.user_id}:{actor.role}:{actor.remote_addr}"

    app.add_url_rule("/test-admin-only", "test_admin_only", admin_only)
    assert client.get("/test-admin-only").status_code == 302
    sign_in(client, therapist)
    assert client.get("/test-admin-only").status_code == 403
    client.post("/logout")
    sign_in(client, admin)
    assert client.get("/test-admin-only").text == f"{clinic.id}:{admin.id}:admin:127.0.0.1"


# --- passwords ---------------------------------------------------------------------------------

NEW_PASSWORD = "a brand new passphrase"


def change_password(client, current=DEFAULT_PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


def test_the_account_link_leads_to_the_password_page(app, client, session):
    user = make_user(session, name="Theo Therapist")
    session.commit()
    sign_in(client, user)
    page = client.get("/patients").text
    assert 'href="/account/password"' in page and "Theo Therapist" in page
    form = client.get("/account/password")
    assert form.status_code == 200
    for label in ("Current password", "New password", "New password again"):
        assert f">{label}</label>" in form.text


def test_change_password_needs_the_current_one_and_two_matching_new_ones(app, client, session):
    user = make_user(session)
    session.commit()
    sign_in(client, user)
    wrong = change_password(client, current="not my password")
    assert wrong.status_code == 422
    assert "Nothing was saved: please correct the field" in wrong.text
    assert field_error(wrong.text, "current_password") == "Is not your current password."
    differ = change_password(client, again="something else entirely")
    assert field_error(differ.text, "new_password_again") == "The two passwords differ."
    short = change_password(client, new="short")
    assert "Use 12 to 200 characters." in field_error(short.text, "new_password")
    same = change_password(client, new=DEFAULT_PASSWORD)
    assert "must differ" in field_error(same.text, "new_password").lower()
    see_committed(session)
    assert (
        client.application.test_client()
        .post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
        .status_code
        == 302
    )  # the old password still works: nothing changed


def test_change_password_keeps_this_session_and_signs_out_the_others(app, session):
    user = make_user(session)
    session.commit()
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    response = change_password(here)
    assert response.status_code == 302
    assert here.get("/patients").status_code == 200
    assert elsewhere.get("/patients").location.startswith("/login")
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code
        == 422
    )
    sign_in(fresh, user, NEW_PASSWORD)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user.id))
    assert "user.password_change" in set(actions)


def test_every_page_names_the_icon_and_favicon_ico_is_it(client, user):
    """/favicon.ico answered 404 on every page; pages now name static/favicon.svg and
    /favicon.ico (asked for by a PDF shown inline) gives the same icon."""
    icon = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    assert icon in client.get("/login").text
    sign_in(client, user)
    assert icon in client.get("/patients").text
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.mimetype == "image/svg+xml"
    static = client.get("/static/favicon.svg")
    assert favicon.data == static.data
    static.close()
    assert favicon.data.startswith(b"<svg")


def test_the_headers_account_link_names_the_user_also_in_its_phone_form(client, session):
    """At phone width the link showed "Password" instead of whose account it is."""
    user = make_user(session, make_clinic(session), name="Samantha Rivera")
    session.commit()
    sign_in(client, user)
    page = client.get("/patients").text
    assert '<span class="site-account__name">Samantha Rivera</span>' in page
    assert '<span class="site-account__short">Samantha</span>' in page
    assert ">Password</span>" not in page
