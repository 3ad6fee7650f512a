"""Delivering webhooks to a real local receiver: signed, retried after a 500 and delivered once,
switched off by 410, never following a redirect, keeping only a short excerpt of an answer."""

from sqlalchemy import select

from hepbuilder.db.models import OutboxMessage, WebhookEndpoint
from hepbuilder.db.session import get_engine, session_factory
from hepbuilder.services.outbox import send_due
from hepbuilder.services.webhook_delivery import EXCERPT_CHARS
from tests.builders import make_endpoint, make_handout, make_patient, see_committed, seeded_clinic
from tests.delivery.conftest import PUBLIC_URL, free_port
from tests.webhooks.conftest import settings_for, verify_signature


def issued(session, url, events=("handout.issued",)):
    clinic = seeded_clinic(session, name="Riverside Physio")
    endpoint, secret = make_endpoint(session, clinic, url, events)
    patient = make_patient(
        session, clinic, first_name="Zoë", last_name="Łukasiewicz", external_id="MRN-884422"
    )
    handout = make_handout(session, patient)
    session.commit()
    return endpoint, secret, handout


def webhook_rows(session) -> list[OutboxMessage]:
    see_committed(session)
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "webhook").order_by(OutboxMessage.id)
        )
    )


def test_webhook_delivery_is_signed_so_the_receiver_verifies_it(session, db_url, receiver):
    endpoint, secret, handout = issued(session, receiver.url)

    result = send_due(session_factory(db_url), settings_for(db_url))

    assert result.counts == {"sent": 1}
    [request] = receiver.requests
    assert request.path == "/hooks/hepbuilder"
    assert request.headers["Content-Type"] == "application/json"
    assert verify_signature(secret, request.headers["Hepbuilder-Signature"], request.body)
    assert not verify_signature(
        secret, request.headers["Hepbuilder-Signature"], request.body + b" "
    )
    event = request.event
    assert set(event) == {"id", "type", "created_at", "data"}
    assert event["type"] == "handout.issued"
    assert event["data"]["handout_id"] == handout.id
    assert event["data"]["pdf_url"] == f"{PUBLIC_URL}/api/v1/handouts/{handout.id}.pdf"
    assert event["data"]["url"] == f"{PUBLIC_URL}/api/v1/handouts/{handout.id}"
    assert event["data"]["patient_external_id"] == "MRN-884422"
    assert "Zoë" not in request.body.decode() and "Łukasiewicz" not in request.body.decode()
    assert webhook_rows(session)[0].status == "sent"


def test_no_database_connection_is_held_while_the_receiver_answers(session, db_url, receiver):
    # A receiver may take 10 s to answer: the sender has ended its reads before it connects.
    issued(session, receiver.url)
    engine = get_engine(db_url)
    held = []
    receiver.on_request = lambda: held.append(engine.pool.checkedout())
    assert send_due(session_factory(db_url), settings_for(db_url)).counts == {"sent": 1}
    assert held == [0]


def test_webhook_after_a_500_is_retried_then_delivered_exactly_once(session, db_url, receiver):
    issued(session, receiver.url)
    receiver.answer_next(500, b"database is down")
    sessions = session_factory(db_url)

    first = send_due(sessions, settings_for(db_url))
    [waiting] = webhook_rows(session)
    assert first.counts == {"queued": 1}
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert "answered 500" in waiting.last_error and "database is down" in waiting.last_error
    assert send_due(sessions, settings_for(db_url)).total == 0  # the back-off holds

    again = send_due(sessions, settings_for(db_url), ignore_backoff=True)
    once_more = send_due(sessions, settings_for(db_url), ignore_backoff=True)

    assert again.counts == {"sent": 1} and once_more.total == 0
    assert len(receiver.requests) == 2
    assert receiver.requests[0].event["id"] == receiver.requests[1].event["id"]
    assert webhook_rows(session)[0].status == "sent"


def test_webhook_receiver_answering_410_switches_the_endpoint_off(session, db_url, receiver):
    endpoint, _secret, handout = issued(session, receiver.url)
    receiver.answer_next(410)

    send_due(session_factory(db_url), settings_for(db_url))

    [message] = webhook_rows(session)
    assert message.status == "failed" and "410" in message.last_error
    off = session.get(WebhookEndpoint, endpoint.id)
    assert off.is_active is False and "410" in off.disabled_reason
    make_handout(session, handout.patient)  # a later event is not queued for it
    session.commit()
    assert len(webhook_rows(session)) == 1
    assert len(receiver.requests) == 1


def test_webhook_redirect_is_not_followed(session, db_url, receiver):
    issued(session, receiver.url)
    receiver.answer_next(307, headers={"Location": receiver.url + "/elsewhere"})

    send_due(session_factory(db_url), settings_for(db_url))

    assert [request.path for request in receiver.requests] == ["/hooks/hepbuilder"]
    [message] = webhook_rows(session)
    assert message.status == "queued" and "redirect" in message.last_error


def test_webhook_answer_is_kept_only_as_a_short_excerpt(session, db_url, receiver):
    issued(session, receiver.url)
    receiver.answer_next(503, b"x" * 10_000)

    send_due(session_factory(db_url), settings_for(db_url))

    [message] = webhook_rows(session)
    assert message.last_error.count("x") == EXCERPT_CHARS
    assert len(message.last_error) < EXCERPT_CHARS + 100


def test_webhook_to_an_unreachable_receiver_waits_for_a_retry(session, db_url):
    issued(session, f"http://127.0.0.1:{free_port()}/hook")

    send_due(session_factory(db_url), settings_for(db_url))

    [message] = webhook_rows(session)
    assert (message.status, message.attempts) == ("queued", 1)
    assert "Cannot reach 127.0.0.1" in message.last_error


def test_webhook_with_relative_addresses_waits_for_a_public_url(session, db_url, receiver):
    issued(session, receiver.url)

    send_due(session_factory(db_url), settings_for(db_url, public_url=""))

    [message] = webhook_rows(session)
    assert message.status == "queued" and "HEPBUILDER_PUBLIC_URL" in message.last_error
    assert receiver.requests == []


def test_webhook_without_a_webhook_key_waits_and_says_why(session, db_url, receiver):
    issued(session, receiver.url)

    send_due(session_factory(db_url), settings_for(db_url, webhook_key=""))

    [message] = webhook_rows(session)
    assert message.status == "queued" and "HEPBUILDER_WEBHOOK_KEY" in message.last_error
    assert receiver.requests == []
