"""A patient's phone number through the API: refused when it is no phone number, with the same
sentence the web page shows (one stored before numbers were checked: tests/api/test_patient_emails.py)."""

from sqlalchemy import select

from hepbuilder.db.models import Patient
from tests.api.conftest import PATIENT
from tests.builders import see_committed

MESSAGE = "Enter a phone number using digits, e.g. 091 555 0100."


def test_a_patient_phone_number_without_digits_is_422_naming_the_field(session, api):
    refused = api.post("/api/v1/patients", json={**PATIENT, "phone": "abc"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"phone": MESSAGE}
    see_committed(session)
    assert session.query(Patient).count() == 0
    created = api.post("/api/v1/patients", json={**PATIENT, "phone": " +44 20 7946 0000 x12 "})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["phone"] == "+44 20 7946 0000 x12"
    patched = api.patch(f"/api/v1/patients/{created.get_json()['id']}", json={"phone": "n/a"})
    assert patched.status_code == 422
    assert patched.get_json()["error"]["fields"] == {"phone": MESSAGE}


def test_a_phone_number_with_non_breaking_spaces_is_stored_with_plain_ones(session, api):
    pasted = "+44\u00a020\u202f7946\u00a00000 ext\u00a012"  # as a PMS may send it
    created = api.post("/api/v1/patients", json={**PATIENT, "phone": pasted})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["phone"] == "+44 20 7946 0000 ext 12"
    see_committed(session)
    assert session.scalar(select(Patient.phone)) == "+44 20 7946 0000 ext 12"
