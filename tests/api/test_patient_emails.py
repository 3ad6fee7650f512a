"""A patient's email through the API: refused when a handout could not be sent to it, with the
sentence of every email field; an email or phone stored before they were checked is still read."""

import pytest

from hepbuilder.db.models import Patient
from tests.api.conftest import PATIENT
from tests.builders import see_committed

MESSAGE = "must be an email address such as name@example.com"


def test_a_patient_email_a_handout_could_not_be_sent_to_is_422_naming_the_field(session, api):
    for address in ("a..b@example.org", "zoe@clinic.local", "zoe@[10.0.0.1]", "zoe@münchen.de"):
        refused = api.post("/api/v1/patients", json={**PATIENT, "email": address})
        assert refused.status_code == 422, address
        assert refused.get_json()["error"]["fields"] == {"email": MESSAGE}
    see_committed(session)
    assert session.query(Patient).count() == 0
    created = api.post("/api/v1/patients", json={**PATIENT, "email": " Zoe@Example.ORG "})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["email"] == "Zoe@example.org"  # as a handout is sent to it
    patched = api.patch(f"/api/v1/patients/{created.get_json()['id']}", json={"email": "a.@x.org"})
    assert patched.status_code == 422
    assert patched.get_json()["error"]["fields"] == {"email": MESSAGE}


@pytest.mark.parametrize(
    ("field", "stored"), [("email", "a..b@example.org"), ("phone", "ask at the desk")]
)
def test_a_value_stored_before_it_was_checked_is_still_read(session, api, field, stored):
    patient = api.post("/api/v1/patients", json=PATIENT).get_json()
    see_committed(session)
    setattr(session.get(Patient, patient["id"]), field, stored)
    session.commit()
    read = api.get(f"/api/v1/patients/{patient['id']}")
    assert read.status_code == 200 and read.get_json()[field] == stored
    renamed = api.patch(f"/api/v1/patients/{patient['id']}", json={"first_name": "Zoe"})
    assert renamed.status_code == 200 and renamed.get_json()[field] == stored
