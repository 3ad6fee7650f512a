"""A PMS retrying after a timeout does not create duplicates."""

from sqlalchemy import func, select

from hepbuilder.db.models import Handout, Patient, Program
from tests.api.conftest import PATIENT, make_api_client
from tests.builders import see_committed


def _count(session, model) -> int:
    see_committed(session)
    return session.scalar(select(func.count()).select_from(model))


def test_api_post_patient_with_taken_external_id_is_409_with_existing_id(api, patient):
    response = api.post("/api/v1/patients", json={**PATIENT, "first_name": "Other"})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "external_id_taken"
    assert error["existing_id"] == patient["id"]


def test_api_idempotency_key_replays_the_first_answer(session, api):
    headers = {"Idempotency-Key": "7c0e-retry-1"}
    first = api.post("/api/v1/patients", json=PATIENT, headers=headers)
    second = api.post("/api/v1/patients", json=dict(reversed(PATIENT.items())), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(session, Patient) == 1


def test_api_idempotency_key_with_a_different_body_is_409(session, api):
    headers = {"Idempotency-Key": "same-key"}
    assert api.post("/api/v1/patients", json=PATIENT, headers=headers).status_code == 201
    other = api.post("/api/v1/patients", json={**PATIENT, "external_id": "PMS-2"}, headers=headers)
    assert other.status_code == 409
    assert "Idempotency-Key" in other.get_json()["error"]["message"]
    assert _count(session, Patient) == 1


def test_api_idempotency_key_is_per_token(session, client, api):
    headers = {"Idempotency-Key": "shared"}
    other = make_api_client(session, client)
    assert api.post("/api/v1/patients", json=PATIENT, headers=headers).status_code == 201
    assert other.post("/api/v1/patients", json=PATIENT, headers=headers).status_code == 201
    assert _count(session, Patient) == 2


def test_api_idempotency_key_for_programs_and_handouts(session, api, patient):
    headers = {"Idempotency-Key": "program-1"}
    body = {"patient_id": patient["id"], "items": [{"exercise": "step-up"}]}
    first = api.post("/api/v1/programs", json=body, headers=headers)
    again = api.post("/api/v1/programs", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert _count(session, Program) == 1
    path = f"/api/v1/programs/{first.get_json()['id']}/handouts"
    issue_headers = {"Idempotency-Key": "issue-1"}
    issued = api.post(path, headers=issue_headers)
    reissued = api.post(path, headers=issue_headers)
    assert issued.get_json() == reissued.get_json()
    assert _count(session, Handout) == 1


def test_api_failed_request_is_not_stored_under_its_key(session, api):
    headers = {"Idempotency-Key": "fix-and-retry"}
    bad = api.post("/api/v1/patients", json={"first_name": "A"}, headers=headers)
    assert bad.status_code == 422
    good = api.post("/api/v1/patients", json=PATIENT, headers=headers)
    assert good.status_code == 201


def test_api_malformed_idempotency_key_is_422(api):
    for key in ["", "x" * 201, "has space"]:
        response = api.post("/api/v1/patients", json=PATIENT, headers={"Idempotency-Key": key})
        assert response.status_code == 422, key
        assert "Idempotency-Key" in response.get_json()["error"]["fields"]


def test_api_external_id_taken_at_the_same_moment_is_409_not_500(session, api, monkeypatch):
    from hepbuilder.services import patients

    first = api.post("/api/v1/patients", json=PATIENT).get_json()
    real = patients.find_patient_by_external_id
    calls = []

    def miss_once(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(patients, "find_patient_by_external_id", miss_once)
    response = api.post("/api/v1/patients", json={**PATIENT, "first_name": "Twin"})
    assert response.status_code == 409
    assert response.get_json()["error"]["existing_id"] == first["id"]
    assert response.get_json()["error"]["fields"] == {
        "external_id": f"is already used by patient {first['id']}"
    }
    assert _count(session, Patient) == 1
