"""The /admin/webhooks page: create (the secret shown once), switch off, the delivery log and
"send again", each audited; bad addresses refused beside the field."""

import re

import pytest
from sqlalchemy import select, update

from hepbuilder.db.models import AuditEvent, OutboxMessage, WebhookEndpoint
from hepbuilder.db.session import session_factory
from hepbuilder.services.outbox import send_due
from tests.builders import (
    make_endpoint,
    make_handout,
    make_patient,
    make_user,
    see_committed,
    seeded_clinic,
    sign_in,
)
from tests.pages import field_error
from tests.webhooks.conftest import settings_for, verify_signature


@pytest.fixture
def clinic(session):
    return seeded_clinic(session, name="Riverside Physio")


@pytest.fixture
def admin_client(client, session, clinic):
    admin = make_user(session, clinic, role="admin")
    session.commit()
    sign_in(client, admin)
    return client


def shown_secret(html: str) -> str | None:
    match = re.search(r'<textarea[^>]*\bid="webhook-secret"[^>]*>([^<]*)</textarea>', html)
    return match.group(1) if match else None


def actions(session) -> list[str]:
    return [
        event.action
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if event.action.startswith("webhook.")
    ]


def test_admin_creates_an_endpoint_and_sees_its_secret_once(
    admin_client, session, db_url, receiver, clinic
):
    response = admin_client.post(
        "/admin/webhooks", data={"url": receiver.url, "events": ["handout.issued"]}
    )

    assert response.status_code == 200
    secret = shown_secret(response.text)
    assert secret and secret.startswith("whsec_")
    assert response.headers["Cache-Control"] == "no-store"
    endpoint = session.scalar(select(WebhookEndpoint))
    assert (endpoint.url, endpoint.events) == (receiver.url, ["handout.issued"])
    assert secret not in repr([getattr(endpoint, c.key) for c in WebhookEndpoint.__table__.c])
    later = admin_client.get("/admin/webhooks").text
    assert secret not in later and receiver.url in later and f"{endpoint.secret_prefix}…" in later
    assert actions(session) == ["webhook.create"]

    make_handout(session, make_patient(session, clinic))  # the secret shown is the one used
    session.commit()
    send_due(session_factory(db_url), settings_for(db_url))
    [request] = receiver.requests
    assert verify_signature(secret, request.headers["Hepbuilder-Signature"], request.body)


def test_admin_switches_an_endpoint_off_and_it_gets_no_more_events(
    admin_client, session, clinic, receiver
):
    endpoint, _secret = make_endpoint(session, clinic, receiver.url)
    session.commit()

    response = admin_client.post(f"/admin/webhooks/{endpoint.id}/disable", follow_redirects=True)

    assert response.status_code == 200
    assert (
        "is switched off" in response.text and "Switched off by an administrator." in response.text
    )
    see_committed(session)
    assert session.get(WebhookEndpoint, endpoint.id).is_active is False
    make_handout(session, make_patient(session, clinic))
    assert session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook")).all() == []
    assert actions(session) == ["webhook.create", "webhook.disable"]


def test_failed_delivery_is_in_the_log_and_send_again_delivers_it(
    admin_client, session, db_url, clinic, receiver
):
    make_endpoint(session, clinic, receiver.url, ["handout.issued"])
    make_handout(session, make_patient(session, clinic))
    session.execute(update(OutboxMessage).values(attempts=5))  # the next failure is the last
    session.commit()
    receiver.answer_next(500, b"chart service unavailable")
    send_due(session_factory(db_url), settings_for(db_url))
    message = session.scalar(select(OutboxMessage))
    session.refresh(message)
    assert message.status == "failed"

    page = admin_client.get("/admin/webhooks").text
    assert "handout.issued" in page and "Failed" in page and "chart service unavailable" in page
    assert "Send again" in page

    response = admin_client.post(
        f"/admin/webhooks/deliveries/{message.id}/retry", follow_redirects=True
    )
    assert "queued again" in response.text
    send_due(session_factory(db_url), settings_for(db_url))
    see_committed(session)
    session.refresh(message)
    assert (message.status, len(receiver.requests)) == ("sent", 2)
    assert "Delivered" in admin_client.get("/admin/webhooks").text
    assert actions(session) == ["webhook.create", "webhook.retry"]

    again = admin_client.post(
        f"/admin/webhooks/deliveries/{message.id}/retry", follow_redirects=True
    )
    assert "Only a delivery that failed can be sent again." in again.text


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://pms.example/hooks", "Use an https:// address."),
        ("http://pms.example/hooks", "plain http:// is only for this computer"),
        ("https://user:secret@pms.example/hooks", "Leave the user name and password out"),
        ("https://pms.example/" + "a" * 2000, "Use at most 500 characters."),
        ("https://169.254.169.254/latest/meta-data", "That address cannot receive events."),
    ],
)
def test_bad_address_is_refused_beside_the_field(admin_client, session, url, words):
    response = admin_client.post("/admin/webhooks", data={"url": url, "events": ["handout.issued"]})

    assert response.status_code == 422
    assert words in field_error(response.text, "url")
    assert session.scalar(select(WebhookEndpoint)) is None


def test_endpoint_needs_an_event(admin_client, session):
    response = admin_client.post("/admin/webhooks", data={"url": "https://pms.example/hooks"})

    assert response.status_code == 422
    assert field_error(response.text, "events")


def test_another_clinics_endpoint_cannot_be_switched_off(admin_client, session, receiver):
    other = seeded_clinic(session)
    endpoint, _ = make_endpoint(session, other, receiver.url)
    session.commit()

    assert admin_client.post(f"/admin/webhooks/{endpoint.id}/disable").status_code == 404
    see_committed(session)
    assert session.get(WebhookEndpoint, endpoint.id).is_active is True


def test_sending_the_webhook_form_twice_creates_one_endpoint(admin_client, session):
    form = admin_client.get("/admin/webhooks").text
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', form).group(1)
    data = {"url": "https://pms.example/hooks", "events": ["handout.issued"], "once": once}

    first = admin_client.post("/admin/webhooks", data=data)
    again = admin_client.post("/admin/webhooks", data=data, follow_redirects=True)  # a reload

    assert shown_secret(first.text)
    assert "That form was already sent" in again.text and not shown_secret(again.text)
    assert len(session.scalars(select(WebhookEndpoint)).all()) == 1
