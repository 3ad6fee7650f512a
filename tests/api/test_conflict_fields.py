"""A 409 about one field names it in `fields`, with a sentence, beside `existing_id` or
`current_version`: a taken external id, a stale version (program, handout issue, exercise)."""

import pytest

from tests.api.conftest import PATIENT, make_api_client


def _conflict(response) -> dict:
    assert response.status_code == 409, response.get_json()
    return response.get_json()["error"]


def test_a_taken_external_id_names_the_field_and_the_patient_by_id_only(api, patient):
    error = _conflict(api.post("/api/v1/patients", json={**PATIENT, "first_name": "Twin"}))
    assert error["code"] == "external_id_taken"
    assert error["existing_id"] == patient["id"]
    assert error["fields"] == {"external_id": f"is already used by patient {patient['id']}"}


def test_patching_to_a_taken_external_id_names_the_field(api, patient):
    other = api.post("/api/v1/patients", json={**PATIENT, "external_id": "PMS-2"}).get_json()
    error = _conflict(api.patch(f"/api/v1/patients/{other['id']}", json={"external_id": "PMS-1"}))
    assert error["existing_id"] == patient["id"]
    assert error["fields"] == {"external_id": f"is already used by patient {patient['id']}"}
    # Nothing about the patient but the id: not the name, not the external id's owner's data.
    assert PATIENT["first_name"] not in str(error["fields"])


def test_a_stale_program_version_names_the_version_field(api, program):
    path = f"/api/v1/programs/{program['id']}"
    assert api.put(path, json={"version": program["version"], "title": "Week 2"}).status_code == 200
    error = _conflict(api.put(path, json={"version": program["version"], "title": "Week 3"}))
    assert error["code"] == "version_conflict"
    assert error["current_version"] == program["version"] + 1
    assert error["fields"] == {
        "version": f"is {program['version']}, but the program is at version "
        f"{program['version'] + 1} now: someone saved it since you read it"
    }


def test_issuing_with_a_stale_version_names_the_version_field(api, program):
    path = f"/api/v1/programs/{program['id']}"
    api.put(path, json={"version": program["version"], "title": "Week 2"})
    error = _conflict(api.post(f"{path}/handouts", json={"version": program["version"]}))
    assert error["code"] == "version_conflict"
    assert set(error["fields"]) == {"version"}
    assert f"at version {error['current_version']} now" in error["fields"]["version"]


@pytest.fixture
def editor(session, client):
    return make_api_client(session, client, scopes=("programs", "library"))


def test_a_stale_exercise_version_names_the_version_field(editor):
    current = editor.get("/api/v1/exercises/step-up").get_json()
    path = "/api/v1/exercises/step-up"
    assert (
        editor.put(path, json={"version": current["version"], "cues": ["Slow."]}).status_code == 200
    )
    error = _conflict(editor.put(path, json={"version": current["version"], "cues": ["Slower."]}))
    assert error["current_version"] == current["version"] + 1
    assert error["fields"] == {
        "version": f"is {current['version']}, but the exercise is at version "
        f"{current['version'] + 1} now: someone saved it since you read it"
    }
