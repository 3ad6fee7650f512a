"""Sign-in that resists guessing: throttling per account and per address, the client address
behind a trusted proxy, the password rules, and one email at several clinics."""

import datetime as dt

import pytest
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, SignInFailure, User
from hepbuilder.services import passwords
from hepbuilder.services.passwords import hash_password, password_problem
from hepbuilder.web.accounts import BAD_SIGN_IN
from tests.builders import DEFAULT_PASSWORD, make_clinic, make_user, sign_in
from tests.conftest import _test_app


@pytest.fixture
def user(session):
    user = make_user(session, make_clinic(session, name="Riverside Physio"), name="Sam Rivera")
    session.commit()
    return user


def attempt(client, email, password="wrong password!", **environ):
    data = {"email": email, "password": password}
    return client.post("/login", data=data, environ_overrides=environ)


def age_failures(session, **delta) -> None:
    for row in session.scalars(select(SignInFailure)):
        row.created_at -= dt.timedelta(**delta)
    session.commit()


def test_five_failures_throttle_the_account_with_429_and_retry_after(client, user, session):
    for _ in range(5):
        assert attempt(client, user.email).status_code == 422
    refused = attempt(client, user.email, DEFAULT_PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many failed sign-ins. Please wait 1 minute and try again." in refused.text


def test_the_account_limit_relaxes_after_a_minute(client, user, session):
    for _ in range(5):
        attempt(client, user.email, REMOTE_ADDR="203.0.113.9")
    age_failures(session, seconds=61)
    assert sign_in(client, user).status_code == 302


def test_the_address_limit_holds_for_the_window(app, user, session):
    client = app.test_client()
    for number in range(10):
        attempt(client, f"guess{number}@example.net")
    assert attempt(client, user.email, DEFAULT_PASSWORD).status_code == 429
    age_failures(session, minutes=5)
    assert attempt(client, user.email, DEFAULT_PASSWORD).status_code == 429
    age_failures(session, minutes=11)
    assert attempt(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_every_app_server_shares_the_counts(db_url, tmp_path, monkeypatch, user):
    first = _test_app(db_url, tmp_path / "a", monkeypatch).test_client()
    second = _test_app(db_url, tmp_path / "b", monkeypatch).test_client()
    for client in (first, second, first, second, first):
        attempt(client, user.email)
    assert attempt(second, user.email, DEFAULT_PASSWORD).status_code == 429


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, user, session):
    client.post(
        "/login",
        data={"email": user.email, "password": "wrong password!"},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in.failure"))
    assert event.remote_addr == "127.0.0.1"


def test_a_trusted_proxy_passes_on_the_clients_address(
    db_url, tmp_path, monkeypatch, user, session
):
    monkeypatch.setenv("HEPBUILDER_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    client = _test_app(db_url, tmp_path / "i", monkeypatch).test_client()
    client.post(
        "/login",
        data={"email": user.email, "password": "wrong password!"},
        headers={"X-Forwarded-For": "192.0.2.1, 198.51.100.7, 10.1.2.3"},
    )
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in.failure"))
    assert event.remote_addr == "198.51.100.7"  # the first hop our proxies did not add


def test_unknown_email_and_wrong_password_get_the_same_answer_and_hash_work(
    client, user, monkeypatch
):
    checks = []
    real = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash", lambda *a: checks.append(1) or real(*a))
    unknown = attempt(client, "nobody@example.net")
    unknown_checks, checks[:] = len(checks), []
    wrong = attempt(client, user.email)
    assert unknown.status_code == wrong.status_code == 422
    assert BAD_SIGN_IN in unknown.text and BAD_SIGN_IN in wrong.text
    assert unknown.text.replace("nobody@example.net", user.email) == wrong.text
    assert unknown_checks == len(checks) == 1


def test_sign_ins_are_audited_with_the_address(client, user, session):
    attempt(client, user.email)
    sign_in(client, user)
    rows = session.execute(
        select(AuditEvent.action, AuditEvent.remote_addr, AuditEvent.user_id).order_by(
            AuditEvent.id
        )
    ).all()
    assert rows == [
        ("sign_in.failure", "127.0.0.1", user.id),
        ("sign_in.success", "127.0.0.1", user.id),
    ]


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("eleven char", "at least 12"),
        ("password1234", "too common"),
        ("Baseball2024!!", "too common"),  # a listed word with digits and symbols after it
        ("sam.rivera@example.net", "email address"),
        ("SamRivera2026", "email address"),
        ("Riverside Physio!", "clinic's name"),
    ],
)
def test_new_passwords_follow_the_rules(password, problem):
    found = password_problem(
        password, email="samrivera@example.net", clinic_name="Riverside Physio"
    )
    assert found is not None and problem.split()[-1] in found


def test_a_good_passphrase_passes_the_rules():
    assert (
        password_problem(
            "rivers bend past the old mill", email="sam@x.test", clinic_name="Riverside Physio"
        )
        is None
    )
    assert len(passwords.common_passwords()) > 40_000


def test_a_user_whose_password_fails_the_rules_must_choose_a_new_one(client, session, user):
    user.password_hash = hash_password("short pw")  # set before the rules grew stricter
    session.commit()
    response = client.post("/login", data={"email": user.email, "password": "short pw"})
    assert response.location == "/account/password"
    assert client.get("/patients").location == "/account/password"
    page = client.get("/account/password")
    assert "no longer meets the clinic" in page.text
    changed = client.post(
        "/account/password",
        data={
            "current_password": "short pw",
            "new_password": "rivers bend past the old mill",
            "new_password_again": "rivers bend past the old mill",
        },
    )
    assert changed.status_code == 302
    assert client.get("/patients").status_code == 200


def test_an_admin_cannot_learn_that_an_email_has_an_account_at_another_clinic(app, session):
    other = make_user(
        session, make_clinic(session, name="Elsewhere Clinic"), email="kim@example.net"
    )
    admin = make_user(session, make_clinic(session, name="Riverside Physio"), role="admin")
    session.commit()
    client = app.test_client()
    sign_in(client, admin)
    new = {
        "name": "Kim",
        "email": "kim@example.net",
        "role": "therapist",
        "password": "rivers bend past the mill",
    }
    created = client.post("/admin/users", data=new)
    assert created.status_code == 302  # taken elsewhere: none of this clinic's business
    again = client.post("/admin/users", data=new)
    assert again.status_code == 422
    assert "Someone in this clinic already signs in with this email address." in again.text
    assert session.scalar(select(User.clinic_id).where(User.id == other.id)) == other.clinic_id


def test_one_password_at_two_clinics_asks_which_clinic(app, session):
    first = make_user(session, make_clinic(session, name="Alder Clinic"), email="kim@example.net")
    second = make_user(session, make_clinic(session, name="Birch Clinic"), email="kim@example.net")
    session.commit()
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "kim@example.net", "password": DEFAULT_PASSWORD}
    )
    assert response.location == "/login/clinic"
    page = client.get("/login/clinic").text
    assert page.index("Alder Clinic") < page.index("Birch Clinic")
    chosen = client.post("/login/clinic", data={"user_id": str(second.id)})
    assert chosen.status_code == 302
    assert "Birch Clinic" in client.get("/exercises").text
    assert first.id != second.id
    refused = app.test_client().post("/login/clinic", data={"user_id": str(second.id)})
    assert refused.location == "/login"  # nothing pending: no way in without the password


def test_adding_a_user_says_the_email_is_taken_with_the_other_fields_errors(app, session):
    admin = make_user(session, make_clinic(session, name="Riverside Physio"), role="admin")
    make_user(session, admin.clinic, email="sam@riverside.example")
    session.commit()
    client = app.test_client()
    sign_in(client, admin)
    data = {"name": "", "email": "SAM@riverside.example", "role": "therapist", "password": "x"}
    shown = client.post("/admin/users", data=data)
    assert shown.status_code == 422
    assert "Someone in this clinic already signs in with this email address." in shown.text
    assert "Enter the person's name." in shown.text or "Enter the person&#39;s name." in shown.text
