"""Requests racing on one Idempotency-Key: one patient, one audit event, and no 500s.

Twelve threads post the same patient with the same key at once, each through its own test
client, so each request has its own session and database connection (on SQLite and, with
HEPBUILDER_TEST_DATABASE_URL, on PostgreSQL)."""

import threading

from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, IdempotencyRecord, Patient
from tests.builders import see_committed

RACERS = 12
# No external id: nothing but the Idempotency-Key keeps the racers from each storing a patient.
PATIENT = {"first_name": "Zoë", "last_name": "Łukasiewicz", "email": "zoe@example.net"}
# The API branch adds "idempotency_key_in_use" for a key whose first request is still running.
CONFLICT_CODES = {"conflict", "idempotency_key_in_use"}


def _post_at_once(api, headers: dict) -> list:
    barrier = threading.Barrier(RACERS)
    answers: list = []

    def post():
        client = api.client.application.test_client()
        barrier.wait(timeout=30)
        response = client.post(
            "/api/v1/patients",
            json=PATIENT,
            headers={"Authorization": f"Bearer {api.secret}", **headers},
        )
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=post) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_api_same_idempotency_key_at_once_stores_one_patient_with_one_audit_event(session, api):
    answers = _post_at_once(api, {"Idempotency-Key": "race-1"})
    assert len(answers) == RACERS
    statuses = sorted(status for status, _ in answers)
    assert all(status in (201, 409) for status in statuses), statuses
    created = [body for status, body in answers if status == 201]
    conflicts = [body["error"]["code"] for status, body in answers if status == 409]
    assert created, statuses
    assert set(conflicts) <= CONFLICT_CODES
    see_committed(session)
    patients = session.scalars(select(Patient)).all()
    assert len(patients) == 1
    assert {body["id"] for body in created} == {patients[0].id}
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "patient.create"))
    assert [event.patient_id for event in events] == [patients[0].id]
    assert len(session.scalars(select(IdempotencyRecord)).all()) == 1
