"""v1.1 round trips: GET-modify-PUT, empty lookups, no-op PUTs, Idempotency-Key retries."""

import datetime as dt
import threading

from sqlalchemy import func, select, update

from hepbuilder.db.models import IdempotencyRecord, Patient
from hepbuilder.services import handouts
from hepbuilder.services.idempotency import purge_expired_records
from tests.api.conftest import PATIENT
from tests.builders import see_committed


def test_put_program_accepts_what_get_returned_with_one_field_changed(api, program):
    current = api.get(f"/api/v1/programs/{program['id']}").get_json()
    response = api.put(f"/api/v1/programs/{program['id']}", json={**current, "title": "Week 2"})
    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert saved["title"] == "Week 2"
    assert saved["version"] == current["version"] + 1
    assert saved["items"] == current["items"]


def test_put_program_refuses_a_changed_read_only_field_naming_it(api, program, patient):
    current = api.get(f"/api/v1/programs/{program['id']}").get_json()
    for field, value in [
        ("patient_id", patient["id"] + 1),
        ("id", program["id"] + 1),
        ("url", "/programs/999"),
        ("created_at", "2001-01-01T00:00:00Z"),
    ]:
        response = api.put(f"/api/v1/programs/{program['id']}", json={**current, field: value})
        assert response.status_code == 422, field
        assert list(response.get_json()["error"]["fields"]) == [field]
    assert api.get(f"/api/v1/programs/{program['id']}").get_json()["version"] == current["version"]


def test_put_program_accepts_the_same_time_written_another_way(api, program):
    current = api.get(f"/api/v1/programs/{program['id']}").get_json()
    created = dt.datetime.fromisoformat(current["created_at"]).isoformat()  # +00:00, not Z
    response = api.put(f"/api/v1/programs/{program['id']}", json={**current, "created_at": created})
    assert response.status_code == 200, response.get_json()


def test_put_program_still_refuses_unknown_fields(api, program):
    current = api.get(f"/api/v1/programs/{program['id']}").get_json()
    response = api.put(f"/api/v1/programs/{program['id']}", json={**current, "colour": "red"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"colour": "is not a field here"}


def test_put_program_that_changes_nothing_keeps_the_version(api, program):
    current = api.get(f"/api/v1/programs/{program['id']}").get_json()
    for body in (current, {"version": current["version"]}):
        response = api.put(f"/api/v1/programs/{program['id']}", json=body)
        assert response.status_code == 200
        assert response.get_json()["version"] == current["version"]
        assert response.get_json()["updated_at"] == current["updated_at"]


def test_patch_patient_accepts_what_get_returned_and_names_a_changed_read_only_field(api, patient):
    current = api.get(f"/api/v1/patients/{patient['id']}").get_json()
    ok = api.patch(f"/api/v1/patients/{patient['id']}", json={**current, "phone": "0161 496 0000"})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["phone"] == "0161 496 0000"
    current = ok.get_json()  # what the PATCH returned: its updated_at may be a second later
    refused = api.patch(f"/api/v1/patients/{patient['id']}", json={**current, "is_archived": True})
    assert refused.status_code == 422
    assert list(refused.get_json()["error"]["fields"]) == ["is_archived"]


def test_list_patients_with_empty_or_blank_external_id_is_422_naming_it(api, patient):
    for value in ["", "   ", "\t"]:
        response = api.get("/api/v1/patients", query_string={"external_id": value})
        assert response.status_code == 422, repr(value)
        assert list(response.get_json()["error"]["fields"]) == ["external_id"]


def test_retry_while_the_first_request_runs_is_409_in_use_with_retry_after(
    session, api, program, monkeypatch
):
    """PostgreSQL: a retry while the first request runs gets 409 idempotency_key_in_use. SQLite
    has one writer at a time, so there the retry waits for the first and gets its answer."""
    started, release = threading.Event(), threading.Event()
    real_render = handouts.render_pdf

    def slow_render(spec):
        started.set()
        assert release.wait(20)
        return real_render(spec)

    monkeypatch.setattr(handouts, "render_pdf", slow_render)
    path = f"/api/v1/programs/{program['id']}/handouts"
    headers = {"Idempotency-Key": "issue-once"}
    first, retry = {}, {}
    worker = threading.Thread(target=lambda: first.update(response=api.post(path, headers=headers)))
    worker.start()
    try:
        assert started.wait(10)
        retrying = threading.Thread(
            target=lambda: retry.update(response=api.post(path, headers=headers))
        )
        retrying.start()
        retrying.join(2)  # answered at once where the database lets two requests run
    finally:
        release.set()
        worker.join(30)
        retrying.join(30)
    assert first["response"].status_code == 201
    answer = retry["response"]
    if session.bind.dialect.name == "postgresql":
        assert answer.status_code == 409
        assert answer.get_json()["error"]["code"] == "idempotency_key_in_use"
        assert "existing_id" not in answer.get_json()["error"]
        assert int(answer.headers["Retry-After"]) >= 1
    else:
        assert answer.status_code == 201 and answer.headers["Idempotent-Replayed"] == "true"
        assert answer.get_json() == first["response"].get_json()
    again = api.post(path, headers=headers)
    assert again.status_code == 201
    assert again.get_json() == first["response"].get_json()


def test_replayed_201_carries_the_original_location(api):
    headers = {"Idempotency-Key": "patient-once"}
    first = api.post("/api/v1/patients", json=PATIENT, headers=headers)
    again = api.post("/api/v1/patients", json=PATIENT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.headers["Location"].endswith(f"/api/v1/patients/{first.get_json()['id']}")
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"


def test_same_key_with_another_body_is_409_idempotency_key_reused(api):
    headers = {"Idempotency-Key": "k-1"}
    assert api.post("/api/v1/patients", json=PATIENT, headers=headers).status_code == 201
    other = api.post("/api/v1/patients", json={**PATIENT, "external_id": "X"}, headers=headers)
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"


def _age_records(session, hours: int) -> None:
    session.execute(
        update(IdempotencyRecord).values(
            created_at=IdempotencyRecord.created_at - dt.timedelta(hours=hours)
        )
    )
    session.commit()


def test_idempotency_records_expire_and_keep_no_patient_data(session, api):
    headers = {"Idempotency-Key": "expiring"}
    api.post("/api/v1/patients", json=PATIENT, headers=headers)
    record = session.scalar(select(IdempotencyRecord))
    assert "Łukasiewicz" in record.response_body
    _age_records(session, 25)
    assert purge_expired_records(session, ttl_hours=24) == 1
    session.commit()
    assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


def test_expired_key_is_not_replayed_even_before_a_purge(session, api):
    headers = {"Idempotency-Key": "old"}
    api.post("/api/v1/patients", json=PATIENT, headers=headers)
    _age_records(session, 25)
    again = api.post("/api/v1/patients", json={**PATIENT, "external_id": "new"}, headers=headers)
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    see_committed(session)
    assert session.scalar(select(func.count()).select_from(Patient)) == 2


def test_idempotency_purge_command_deletes_expired_answers(session, api, monkeypatch):
    from click.testing import CliRunner

    from hepbuilder.cli import main

    api.post("/api/v1/patients", json=PATIENT, headers={"Idempotency-Key": "cli"})
    _age_records(session, 3)
    monkeypatch.setenv(
        "HEPBUILDER_DATABASE_URL", session.get_bind().url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("HEPBUILDER_IDEMPOTENCY_TTL_HOURS", "2")
    result = CliRunner().invoke(main, ["idempotency", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 " in result.output
    see_committed(session)
    assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
