"""Each event is written by the real service call, in its transaction, and reaches the receiver:
a handout issued and a program changed through the API, a patient changed, a handout emailed
(aiosmtpd), an email that failed for good."""

import jsonschema_rs  # schemathesis' JSON Schema validator
import pytest
from sqlalchemy import select, update

from hepbuilder.api.openapi import webhooks as openapi_webhooks
from hepbuilder.db.models import Clinic, OutboxMessage
from hepbuilder.db.session import session_factory
from hepbuilder.services import outbox, webhooks
from hepbuilder.services.outbox import send_due
from tests.api.conftest import PATIENT, make_api_client
from tests.builders import (
    make_endpoint,
    make_handout,
    make_patient,
    queue_handout_email,
    see_committed,
    seeded_clinic,
)
from tests.delivery.conftest import PUBLIC_URL, free_port, signer
from tests.webhooks.conftest import settings_for, verify_signature


@pytest.fixture
def api_world(session, client, receiver):
    """An API client of a seeded clinic with an endpoint for every event, a patient, a program."""
    api = make_api_client(session, client)
    _endpoint, secret = make_endpoint(session, session.get(Clinic, api.clinic_id), receiver.url)
    session.commit()
    patient = api.post("/api/v1/patients", json=PATIENT).get_json()
    body = {"patient_id": patient["id"], "items": [{"exercise": "figure-4-stretch"}]}
    program = api.post("/api/v1/programs", json=body).get_json()
    return api, secret, patient, program


def events_received(db_url, receiver, secret, port: int = 1) -> list[dict]:
    """Deliver what is due; every body received is signed and matches its OpenAPI schema."""
    send_due(session_factory(db_url), settings_for(db_url, port))
    for request in receiver.requests:
        assert verify_signature(secret, request.headers["Hepbuilder-Signature"], request.body)
        schema = openapi_webhooks.event_schema(request.event["type"])
        jsonschema_rs.validator_for(schema).validate(request.event)
    return [request.event for request in receiver.requests]


def test_handout_issued_through_the_api_sends_its_pdf_address(db_url, api_world, receiver):
    api, secret, patient, program = api_world

    response = api.post(f"/api/v1/programs/{program['id']}/handouts")
    assert response.status_code == 201
    handout = response.get_json()

    [event] = events_received(db_url, receiver, secret)
    assert event["type"] == "handout.issued"
    data = event["data"]
    assert data["handout_id"] == handout["id"]
    assert data["pdf_url"] == PUBLIC_URL + handout["pdf_url"]
    assert (data["patient_id"], data["patient_external_id"]) == (patient["id"], "PMS-1")
    assert (data["program_id"], data["program_version"]) == (program["id"], program["version"])
    pdf = api.get(handout["pdf_url"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_program_updated_through_the_api_names_its_new_version(db_url, api_world, receiver):
    api, secret, _patient, program = api_world

    response = api.put(f"/api/v1/programs/{program['id']}", json={**program, "title": "Week 2"})
    assert response.status_code == 200
    unchanged = api.put(f"/api/v1/programs/{program['id']}", json=response.get_json())
    assert unchanged.status_code == 200

    [event] = events_received(db_url, receiver, secret)  # the no-op PUT sent nothing
    assert event["type"] == "program.updated"
    assert event["data"]["program_id"] == program["id"]
    assert event["data"]["version"] == response.get_json()["version"] == program["version"] + 1


def test_patient_updated_names_the_fields_not_their_values(db_url, api_world, receiver):
    api, secret, patient, _program = api_world

    response = api.patch(f"/api/v1/patients/{patient['id']}", json={"last_name": "Nowak"})
    assert response.status_code == 200

    [event] = events_received(db_url, receiver, secret)
    assert event["type"] == "patient.updated"
    assert event["data"] == {
        "patient_id": patient["id"],
        "patient_external_id": "PMS-1",
        "fields": ["last_name"],
    }


def test_patient_archived_and_restored_is_a_patient_update(db_url, api_world, receiver):
    api, secret, patient, _program = api_world

    assert api.post(f"/api/v1/patients/{patient['id']}/archive").status_code == 200
    assert api.post(f"/api/v1/patients/{patient['id']}/restore").status_code == 200

    events = events_received(db_url, receiver, secret)
    assert [(e["type"], e["data"]["fields"]) for e in events] == [
        ("patient.updated", ["is_archived"]),
        ("patient.updated", ["is_archived"]),
    ]


def test_handout_emailed_is_sent_when_the_mail_server_took_the_email(
    session, db_url, receiver, mail_server
):
    clinic = seeded_clinic(session)
    _endpoint, secret = make_endpoint(session, clinic, receiver.url, ["handout.emailed"])
    patient = make_patient(session, clinic, email="zoe@example.com", external_id="MRN-1")
    handout = make_handout(session, patient, links=signer())
    message = queue_handout_email(session, handout)
    session.commit()

    events = events_received(db_url, receiver, secret, mail_server.port)  # email, then event

    assert len(mail_server.inbox.messages) == 1
    [event] = events
    assert event["type"] == "handout.emailed"
    assert event["data"]["delivery_id"] == message.id
    assert event["data"]["handout_id"] == handout.id
    assert event["data"]["patient_external_id"] == "MRN-1"
    assert "zoe@example.com" not in receiver.requests[0].body.decode()


def test_delivery_failed_is_sent_when_an_email_fails_for_good(session, db_url, receiver):
    clinic = seeded_clinic(session)
    _endpoint, secret = make_endpoint(session, clinic, receiver.url, ["delivery.failed"])
    patient = make_patient(session, clinic, email="zoe@example.com")
    handout = make_handout(session, patient, links=signer())
    message = queue_handout_email(session, handout)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(attempts=outbox.MAX_ATTEMPTS - 1)  # this is its last attempt
    )
    session.commit()
    smtp_down = free_port()

    [event] = events_received(db_url, receiver, secret, smtp_down)  # email fails, event sent

    see_committed(session)
    assert session.get(OutboxMessage, message.id).status == "failed"
    assert event["type"] == "delivery.failed"
    assert event["data"]["delivery_id"] == message.id
    assert event["data"]["channel"] == "email"
    assert event["data"]["handout_id"] == handout.id
    assert "zoe@example.com" not in receiver.requests[0].body.decode()


def test_event_is_queued_only_for_endpoints_subscribed_to_it(session, receiver):
    clinic = seeded_clinic(session)
    other = seeded_clinic(session)
    make_endpoint(session, clinic, receiver.url, ["program.updated"])
    wanted, _ = make_endpoint(session, clinic, receiver.url + "/b", ["handout.issued"])
    make_endpoint(session, other, receiver.url + "/c", ["handout.issued"])
    patient = make_patient(session, clinic)

    handout = make_handout(session, patient)

    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook")).all()
    assert [row.payload["endpoint_id"] for row in rows] == [wanted.id]
    assert rows[0].handout_id == handout.id


def test_emit_event_refuses_an_unknown_event_type(session):
    with pytest.raises(ValueError):
        webhooks.emit_event(session, 1, "handout.deleted", {})


def test_patient_erased_is_queued_unlinked_from_the_patient(session, db_url, receiver):
    clinic = seeded_clinic(session)
    _endpoint, secret = make_endpoint(session, clinic, receiver.url, ["patient.erased"])
    patient = make_patient(session, clinic, external_id="MRN-9")

    [row] = webhooks.emit_event(
        session, clinic.id, "patient.erased", webhooks.patient_ref(patient)
    )  # what the erase service calls, last, in its transaction
    session.commit()

    assert row.patient_id is None  # nothing ties the event to the erased patient's row
    [event] = events_received(db_url, receiver, secret)
    assert event["type"] == "patient.erased"
    assert event["data"] == {"patient_id": patient.id, "patient_external_id": "MRN-9"}
