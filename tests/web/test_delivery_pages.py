"""Emailing a handout from the handout and patient pages: queued once, its status shown, sent again
when it failed; and a clear message (nothing queued) for every bad input or missing setting."""

import re

import pytest
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, OutboxMessage
from hepbuilder.services.patient_links import LinkSigner
from tests.builders import (
    make_handout,
    make_patient,
    make_user,
    see_committed,
    seeded_clinic,
    sign_in,
)
from tests.conftest import _test_app

LINK_KEY = "web-test-link-key"
MAIL_SETTINGS = {
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 2525,
    "MAIL_FROM": "handouts@riverside.example",
    "LINK_KEY": LINK_KEY,
}
SIGNER = LinkSigner(key=LINK_KEY.encode(), base_url="https://hep.example.test")


@pytest.fixture
def mail_client(db_url, tmp_path, monkeypatch):
    """A test client of an app whose email is set up (CSRF off, like `client`)."""
    return _test_app(db_url, tmp_path / "instance", monkeypatch, **MAIL_SETTINGS).test_client()


def world(session, client, *, email="zoe@example.com", role="therapist"):
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, role=role)
    patient = make_patient(session, clinic, first_name="Zoë", email=email)
    handout = make_handout(session, patient, user=user, links=SIGNER)
    session.commit()
    sign_in(client, user)
    return user, patient, handout


def form_of(page_text: str, **fields) -> dict:
    """The email form's hidden values from the page, plus `fields`."""
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', page_text).group(1)
    back = re.search(r'name="back" type="hidden" value="([^"]*)"', page_text).group(1)
    return {"recipient": "patient", "once": once, "back": back, **fields}


def outbox_rows(session):
    see_committed(session)
    return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_send_from_the_handout_page_queues_one_email_and_shows_its_status(session, mail_client):
    _user, patient, handout = world(session, mail_client)
    page = mail_client.get(f"/handouts/{handout.id}")
    assert "Send handout 1 by email" in page.text and "The patient: zoe@example.com" in page.text
    form = form_of(page.text)

    response = mail_client.post(f"/handouts/{handout.id}/email", data=form)

    assert response.status_code == 302 and response.location == f"/handouts/{handout.id}"
    with mail_client.session_transaction() as cookie_session:  # no address in the cookie
        assert "zoe@example.com" not in repr(dict(cookie_session))
    [row] = outbox_rows(session)
    assert (row.kind, row.status, row.payload["to"], row.handout_id) == (
        "email",
        "queued",
        "zoe@example.com",
        handout.id,
    )
    shown = mail_client.get(response.location).text
    assert "The email is queued; its status shows below." in shown
    assert "Waiting to be sent" in shown
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "handout.email"))
    assert (event.patient_id, event.handout_id, event.detail["delivery_id"]) == (
        patient.id,
        handout.id,
        row.id,
    )


def test_a_second_click_on_send_queues_nothing_more(session, mail_client):
    _user, _patient, handout = world(session, mail_client)
    form = form_of(mail_client.get(f"/handouts/{handout.id}").text)
    mail_client.post(f"/handouts/{handout.id}/email", data=form)
    again = mail_client.post(f"/handouts/{handout.id}/email", data=form, follow_redirects=True)
    assert "That form was already sent: its email is queued once only." in again.text
    assert len(outbox_rows(session)) == 1


def test_send_from_the_patient_page_to_another_address_typed_twice(session, mail_client):
    _user, patient, handout = world(session, mail_client)
    page = mail_client.get(f"/patients/{patient.id}")
    assert "Private link" in page.text and "https://hep.example.test/p/" in page.text
    form = form_of(
        page.text, recipient="other", address="Carer@Example.org", confirm="carer@example.org"
    )
    response = mail_client.post(f"/handouts/{handout.id}/email", data=form)
    assert response.location == f"/patients/{patient.id}"
    [row] = outbox_rows(session)
    assert row.payload["to"] == "Carer@example.org"
    assert "Carer@example.org" in mail_client.get(response.location).text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"recipient": "other", "address": "carer@example.org", "confirm": "carer@example.com"},
            "The two addresses differ",
        ),
        (
            {"recipient": "other", "address": "not an address", "confirm": "not an address"},
            "That is not an email address",
        ),
        (
            {
                "recipient": "other",
                "address": "a@b.example\r\nBcc: x@evil.example",
                "confirm": "a@b.example\r\nBcc: x@evil.example",
            },
            "That is not an email address",
        ),
        ({"recipient": "other", "address": "", "confirm": ""}, "Type the address to send it to"),
    ],
)
def test_a_bad_address_says_why_and_queues_nothing(session, mail_client, fields, message):
    _user, _patient, handout = world(session, mail_client)
    form = form_of(mail_client.get(f"/handouts/{handout.id}").text, **fields)
    shown = mail_client.post(f"/handouts/{handout.id}/email", data=form, follow_redirects=True)
    assert "The email was not sent." in shown.text and message in shown.text
    assert outbox_rows(session) == []


def test_a_bad_address_is_shown_again_as_typed_with_another_address_still_chosen(
    session, mail_client
):
    """Not reset to the patient's address: pressing Send again must not email the patient."""
    _user, _patient, handout = world(session, mail_client)
    fields = {"recipient": "other", "address": "carer@family.example"}
    form = form_of(
        mail_client.get(f"/handouts/{handout.id}").text, **fields, confirm="carer@family.exmaple"
    )
    shown = mail_client.post(f"/handouts/{handout.id}/email", data=form)
    assert shown.status_code == 422
    assert 'value="other" checked' in shown.text and 'value="patient" checked' not in shown.text
    for name, typed in (("address", "carer@family.example"), ("confirm", "carer@family.exmaple")):
        [tag] = re.findall(rf'<input[^>]*name="{name}"[^>]*>', shown.text)
        assert f'value="{typed}"' in tag
    [confirm] = re.findall(r'<input[^>]*name="confirm"[^>]*>', shown.text)
    assert 'aria-invalid="true"' in confirm and "The two addresses differ" in shown.text
    assert form_of(shown.text)["once"] == form["once"]
    assert outbox_rows(session) == []


def test_a_patient_without_an_email_address_needs_one_typed(session, mail_client):
    _user, _patient, handout = world(session, mail_client, email="")
    page = mail_client.get(f"/handouts/{handout.id}")
    assert "The patient (no email address on file)" in page.text
    form = form_of(page.text)
    shown = mail_client.post(f"/handouts/{handout.id}/email", data=form, follow_redirects=True)
    assert "This patient has no email address: type the address to send it to." in shown.text
    assert outbox_rows(session) == []


@pytest.mark.parametrize("role", ["admin", "therapist"])
def test_without_smtp_the_page_explains_and_nothing_is_queued(session, client, role):
    _user, _patient, handout = world(session, client, role=role)
    page = client.get(f"/handouts/{handout.id}").text
    assert "Email is not set up on this server" in page
    assert ("HEPBUILDER_SMTP_HOST" in page) is (role == "admin")
    assert "Send by email" not in page
    shown = client.post(
        f"/handouts/{handout.id}/email", data={"recipient": "patient"}, follow_redirects=True
    )
    assert "Email is not set up on this server, so nothing was sent." in shown.text
    assert outbox_rows(session) == []


def test_a_failed_email_shows_its_reason_and_can_be_sent_again(session, mail_client):
    _user, _patient, handout = world(session, mail_client)
    mail_client.post(
        f"/handouts/{handout.id}/email",
        data=form_of(mail_client.get(f"/handouts/{handout.id}").text),
    )
    [row] = outbox_rows(session)
    row.status, row.attempts, row.last_error = (
        "failed",
        6,
        "Cannot reach the mail server 127.0.0.1:2525.",
    )
    session.commit()
    page = mail_client.get(f"/handouts/{handout.id}").text
    assert (
        "Failed" in page
        and "Cannot reach the mail server 127.0.0.1:2525." in page
        and "6 attempts" in page
    )
    response = mail_client.post(
        f"/deliveries/{row.id}/retry", data={"back": f"/handouts/{handout.id}"}
    )
    assert response.location == f"/handouts/{handout.id}"
    [again] = outbox_rows(session)
    assert (again.status, again.attempts) == ("queued", 0)
    assert mail_client.post(f"/deliveries/{row.id}/retry").status_code == 409  # not failed now


def test_renewing_the_link_stops_the_old_one_and_shows_the_new(session, mail_client):
    _user, patient, handout = world(session, mail_client)
    old_url = re.search(
        r"https://hep\.example\.test/p/[A-Za-z0-9_-]+",
        mail_client.get(f"/patients/{patient.id}").text,
    ).group(0)
    old_path = old_url.removeprefix("https://hep.example.test")
    assert mail_client.get(old_path).status_code == 200

    shown = mail_client.post(f"/patients/{patient.id}/link/renew", follow_redirects=True).text

    assert "The old private link no longer works." in shown
    new_url = re.search(r"https://hep\.example\.test/p/[A-Za-z0-9_-]+", shown).group(0)
    assert new_url != old_url
    assert mail_client.get(old_path).status_code == 404
    assert mail_client.get(new_url.removeprefix("https://hep.example.test")).status_code == 200
    assert "Replaced since" in mail_client.get(f"/handouts/{handout.id}").text
