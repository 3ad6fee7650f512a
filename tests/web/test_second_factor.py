"""The second factor: TOTP codes as RFC 6238 computes them, set-up with a QR code and a confirming
code, sign-in that asks for the code (or a one-time recovery code), no replay, and a clinic that
requires it of its administrators."""

import base64
import re

import pytest
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, RecoveryCode, User
from hepbuilder.services import second_factor
from tests.builders import DEFAULT_PASSWORD, make_user, see_committed, seeded_clinic, sign_in

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_totp_codes_are_rfc_6238s(unix_time, code):
    assert second_factor.totp(RFC_SECRET, second_factor.current_step(unix_time)) == code


@pytest.fixture
def admin(client, session):
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, role="admin", name="Sam Rivera")
    session.commit()
    sign_in(client, user)
    return user


def _set_up(client) -> tuple[str, list[str]]:
    page = client.post("/account/second-factor", data={"action": "start"})
    assert page.status_code == 200 and "<svg" in page.text and '<path d="M' in page.text
    secret = re.search(r"by hand: <code>([A-Z2-7]+)</code>", page.text).group(1)
    step = second_factor.current_step()
    wrong = client.post("/account/second-factor", data={"action": "confirm", "code": "000000"})
    assert wrong.status_code == 422 and "not right" in wrong.text
    done = client.post(
        "/account/second-factor",
        data={"action": "confirm", "code": second_factor.totp(secret, step)},
    )
    assert done.status_code == 200 and "recovery codes" in done.text
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.text)
    return secret, codes


def _sign_in_again(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response.location == "/login/code"
    return response


def test_second_factor_set_up_then_sign_in_asks_for_the_code(client, session, admin):
    secret, codes = _set_up(client)
    assert len(codes) == 10
    see_committed(session)
    stored = session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    _sign_in_again(client, admin)
    assert client.get("/patients").location.startswith("/login")  # not signed in yet
    assert client.post("/login/code", data={"code": "123456"}).status_code == 422
    next_code = second_factor.totp(secret, second_factor.current_step() + 1)
    signed_in = client.post("/login/code", data={"code": next_code})
    assert signed_in.status_code == 302 and signed_in.location == "/"
    assert client.get("/patients").status_code == 200
    _sign_in_again(client, admin)
    replayed = client.post("/login/code", data={"code": next_code})
    assert replayed.status_code == 422  # the same code never opens twice
    see_committed(session)
    events = session.scalars(select(AuditEvent).where(AuditEvent.user_id == admin.id)).all()
    actions = [event.action for event in events]
    assert "user.second_factor_on" in actions
    assert (actions.count("sign_in.code"), actions.count("sign_in.code_failure")) == (1, 2)
    failure = next(event for event in events if event.action == "sign_in.code_failure")
    assert failure.remote_addr == "127.0.0.1"


def test_a_recovery_code_signs_in_once(client, session, admin):
    _secret, codes = _set_up(client)
    _sign_in_again(client, admin)
    assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == 302
    _sign_in_again(client, admin)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 422


def test_five_wrong_codes_go_back_to_the_password(client, session, admin):
    _set_up(client)
    _sign_in_again(client, admin)
    for _ in range(4):
        assert client.post("/login/code", data={"code": "999999"}).status_code == 422
    last = client.post("/login/code", data={"code": "999999"})
    assert last.status_code == 302 and last.location == "/login"
    assert client.get("/login/code").location == "/login"


def test_turning_the_second_factor_off_needs_a_current_code(client, session, admin):
    secret, _codes = _set_up(client)
    assert (
        client.post("/account/second-factor", data={"action": "off", "code": "1"}).status_code
        == 422
    )
    code = second_factor.totp(secret, second_factor.current_step() + 1)
    off = client.post("/account/second-factor", data={"action": "off", "code": code})
    assert off.status_code == 302
    see_committed(session)
    assert session.get(User, admin.id).totp_enabled_at is None
    client.post("/logout")
    response = client.post("/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    assert response.location == "/"


def test_a_clinic_can_require_a_second_factor_of_its_administrators(client, session, admin):
    therapist = make_user(session, admin.clinic, role="therapist")
    session.commit()
    assert client.post("/admin/second-factor", data={"required": "y"}).status_code == 302
    assert client.get("/patients").location == "/account/second-factor"  # set it up first
    assert "requires administrators" in client.get("/account/second-factor").text
    other = client.application.test_client()
    sign_in(other, therapist)
    assert other.get("/patients").status_code == 200  # therapists are not asked
    secret, _codes = _set_up(client)
    assert client.get("/patients").status_code == 200
    code = second_factor.totp(secret, second_factor.current_step() + 1)
    kept = client.post("/account/second-factor", data={"action": "off", "code": code})
    assert kept.status_code == 422 and "requires administrators" in kept.text
    see_committed(session)
    assert session.get(User, admin.id).totp_enabled_at is not None
    assert "clinic.second_factor" in session.scalars(select(AuditEvent.action)).all()


def test_only_admins_set_the_clinics_rule(client, session, admin):
    therapist = make_user(session, admin.clinic, role="therapist")
    session.commit()
    other = client.application.test_client()
    sign_in(other, therapist)
    assert other.post("/admin/second-factor", data={"required": "y"}).status_code == 403
    see_committed(session)
    assert not session.get(User, admin.id).clinic.admins_need_second_factor
