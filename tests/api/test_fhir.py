"""GET /handouts/<id>/fhir: the handout as a FHIR R4 Bundle, checked with fhir.resources.

fhir.resources 8 models FHIR R5 and R4B (4.3); the R4 (4.0.1) models live only in
fhir.resources 6, which needs pydantic 1 and cannot sit beside openapi-python-client. The
resources used here (Bundle, CarePlan, DocumentReference, Reference, Timing) are the same in R4
and R4B, so R4B checks the R4 output.
"""

import pytest

from tests.builders import make_user

R4B = pytest.importorskip("fhir.resources.R4B.bundle", reason="needs fhir.resources (test extra)")


@pytest.fixture
def bundle(session, api, program):
    from hepbuilder.db.models import Clinic

    sam = make_user(session, session.get(Clinic, api.clinic_id), name="Sam Rivera")
    session.commit()
    issued = api.post(
        f"/api/v1/programs/{program['id']}/handouts", json={"therapist_email": sam.email}
    ).get_json()
    response = api.get(issued["fhir_url"])
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/fhir+json"
    return response.get_json()


def _resource(bundle: dict, kind: str) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def test_fhir_bundle_is_valid_r4(bundle):
    parsed = R4B.Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    assert [entry.resource.get_resource_type() for entry in parsed.entry] == [
        "CarePlan",
        "DocumentReference",
    ]


def test_fhir_care_plan_is_a_physical_activity_plan_with_one_activity_per_exercise(bundle):
    plan = _resource(bundle, "CarePlan")
    assert plan["intent"] == "plan"
    assert plan["status"] == "active"
    codes = [coding["code"] for category in plan["category"] for coding in category["coding"]]
    assert "PhysicalActivity" in codes
    assert plan["author"] == {"display": "Sam Rivera"}
    first, second = (activity["detail"] for activity in plan["activity"])
    assert first["code"]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "229065009",
        "display": "Exercise therapy",
    }
    assert first["code"]["text"] == "Figure 4 stretch"
    assert first["description"].startswith("2 sets, hold 60 seconds, each side.")
    assert "each side" in first["description"]
    assert "\n1. Lie on your back" in first["description"]
    assert second["code"]["text"] == "Monster walk"


def test_fhir_activity_timing_carries_frequency_and_days(api, patient):
    body = {
        "patient_id": patient["id"],
        "items": [
            {"exercise": "step-up", "sets": 3, "reps": 8, "times_per_day": 2, "days_per_week": 7},
            {"exercise": "monster-walk", "sets": 2, "times_per_day": 1, "days_per_week": 3},
        ],
    }
    program = api.post("/api/v1/programs", json=body).get_json()
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    plan = _resource(api.get(issued["fhir_url"]).get_json(), "CarePlan")
    daily, weekly = (a["detail"]["scheduledTiming"] for a in plan["activity"])
    assert daily["repeat"]["frequency"] == 2 and daily["repeat"]["periodUnit"] == "d"
    assert daily["code"]["text"] == "twice a day"
    assert weekly["repeat"] == {"frequency": 3, "period": 1, "periodUnit": "wk"}
    assert weekly["code"]["text"] == "once a day, 3 days a week"


def test_fhir_patient_is_referenced_by_external_id_and_pdf_is_a_document(bundle, patient, api):
    plan = _resource(bundle, "CarePlan")
    assert plan["subject"]["identifier"]["value"] == patient["external_id"]
    assert plan["subject"]["identifier"]["system"].endswith(":external-id")
    document = _resource(bundle, "DocumentReference")
    attachment = document["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert attachment["url"].startswith("https://hep.example.test/api/v1/handouts/")
    pdf = api.get(attachment["url"].removeprefix("https://hep.example.test"))
    assert pdf.mimetype == "application/pdf"
    assert plan["supportingInfo"][0]["reference"] == bundle["entry"][1]["fullUrl"]


def test_fhir_export_is_audited_and_scoped_to_the_clinic(session, client, api, program):
    from sqlalchemy import select

    from hepbuilder.db.models import AuditEvent
    from tests.api.conftest import make_api_client

    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    assert api.get(issued["fhir_url"]).status_code == 200
    assert "handout.export" in session.scalars(select(AuditEvent.action)).all()
    assert make_api_client(session, client).get(issued["fhir_url"]).status_code == 404


def test_fhir_attachment_title_is_the_file_name_the_download_gives(api, program):
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    download = api.get(issued["pdf_url"])
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="handout-{issued["issued_on"]}-1.pdf"'
    document = _resource(api.get(issued["fhir_url"]).get_json(), "DocumentReference")
    attachment = document["content"][0]["attachment"]
    assert f'filename="{attachment["title"]}"' in disposition
    assert attachment["url"].endswith(issued["pdf_url"])
