"""A token sees only its own clinic: another clinic's records answer exactly like missing ones."""

import pytest

from hepbuilder.domain.errors import PermissionDenied
from tests.api.conftest import PATIENT, make_api_client


@pytest.fixture
def other(session, client):
    """A second clinic's token."""
    return make_api_client(session, client)


@pytest.fixture
def records(api, patient, program):
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    return {"patient": patient, "program": program, "handout": issued}


def _requests(records):
    patient_id = records["patient"]["id"]
    program_id = records["program"]["id"]
    handout_id = records["handout"]["id"]
    return [
        ("get", f"/api/v1/patients/{patient_id}", None),
        ("get", f"/api/v1/programs/{program_id}", None),
        ("put", f"/api/v1/programs/{program_id}", {"version": 1, "title": "Taken over"}),
        ("post", f"/api/v1/programs/{program_id}/handouts", None),
        ("get", f"/api/v1/handouts/{handout_id}.pdf", None),
        ("post", "/api/v1/programs", {"patient_id": patient_id, "items": []}),
    ]


@pytest.mark.parametrize("index", range(6))
def test_api_other_clinics_records_are_not_found(api, other, records, index):
    method, path, body = _requests(records)[index]
    theirs = getattr(other, method)(path, json=body)
    assert theirs.status_code == 404, theirs.get_json()
    assert theirs.get_json()["error"]["code"] == "not_found"
    # The owner still sees it (nothing changed by the other clinic's attempt).
    if method == "get":
        assert getattr(api, method)(path).status_code == 200


def test_api_lists_show_only_the_tokens_clinic(api, other, patient):
    assert other.get("/api/v1/patients").get_json()["items"] == []
    found = other.get("/api/v1/patients", query_string={"external_id": PATIENT["external_id"]})
    assert found.get_json() == {"items": [], "next": None}
    mine = api.get("/api/v1/patients", query_string={"external_id": PATIENT["external_id"]})
    assert [p["id"] for p in mine.get_json()["items"]] == [patient["id"]]


def test_api_same_external_id_in_two_clinics_is_two_patients(api, other, patient):
    response = other.post("/api/v1/patients", json=PATIENT)
    assert response.status_code == 201
    assert response.get_json()["id"] != patient["id"]


def test_api_permission_denied_is_403_in_the_error_shape(api, monkeypatch):
    from hepbuilder.services import exercises

    def refuse(*_args, **_kwargs):
        raise PermissionDenied("Not for API tokens.")

    monkeypatch.setattr(exercises, "search_exercises", refuse)
    response = api.get("/api/v1/exercises")
    assert response.status_code == 403
    assert response.get_json()["error"] == {
        "code": "forbidden",
        "message": "Not for API tokens.",
        "fields": {},
    }
