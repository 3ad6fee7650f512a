"""v1.1 resources a PMS needs: patient changes and search, lists, the handout resource,
protocols, programs from a protocol, therapist attribution."""

import datetime as dt
import io

from pypdf import PdfReader
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, Clinic
from tests.api.conftest import PATIENT, make_api_client
from tests.builders import make_token, make_user


def _pdf_text(api, url: str) -> str:
    pdf = api.get(url).data
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_patch_patient_changes_only_the_fields_sent(session, api, patient):
    response = api.patch(
        f"/api/v1/patients/{patient['id']}",
        json={"email": "zoe@example.org", "external_id": "PMS-9", "date_of_birth": "1950-02-03"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["email"] == "zoe@example.org"
    assert body["external_id"] == "PMS-9"
    assert body["date_of_birth"] == "1950-02-03"
    assert body["first_name"] == patient["first_name"]
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "patient.update" in actions


def test_patch_patient_to_a_taken_external_id_is_409(api, patient):
    other = api.post("/api/v1/patients", json={**PATIENT, "external_id": "PMS-2"}).get_json()
    response = api.patch(f"/api/v1/patients/{other['id']}", json={"external_id": "PMS-1"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "external_id_taken"
    assert response.get_json()["error"]["existing_id"] == patient["id"]


def test_archive_and_restore_a_patient(api, patient):
    archived = api.post(f"/api/v1/patients/{patient['id']}/archive")
    assert archived.status_code == 200
    assert archived.get_json()["is_archived"] is True
    restored = api.post(f"/api/v1/patients/{patient['id']}/restore")
    assert restored.get_json()["is_archived"] is False
    assert api.post("/api/v1/patients/999999/archive").status_code == 404


def test_search_patients_by_name_and_date_of_birth(api, patient):
    twin = {"first_name": "Zoe", "last_name": "Lukasiewicz", "date_of_birth": "1961-04-09"}
    other = api.post("/api/v1/patients", json=twin).get_json()
    by_name = api.get("/api/v1/patients", query_string={"name": "zoe lukasiewicz"}).get_json()
    assert {p["id"] for p in by_name["items"]} == {patient["id"], other["id"]}
    both = api.get(
        "/api/v1/patients", query_string={"name": "Łukasiewicz", "date_of_birth": "1961-04-09"}
    ).get_json()
    assert [p["id"] for p in both["items"]] == [other["id"]]
    blank = api.get("/api/v1/patients", query_string={"name": " "})
    assert blank.status_code == 422
    assert list(blank.get_json()["error"]["fields"]) == ["name"]


def test_list_programs_of_one_patient(api, patient, program):
    other = api.post("/api/v1/patients", json={**PATIENT, "external_id": "PMS-2"}).get_json()
    api.post("/api/v1/programs", json={"patient_id": other["id"]})
    listed = api.get("/api/v1/programs", query_string={"patient_id": patient["id"]}).get_json()
    assert [p["id"] for p in listed["items"]] == [program["id"]]
    assert len(api.get("/api/v1/programs").get_json()["items"]) == 2
    assert api.get("/api/v1/programs", query_string={"patient_id": "x"}).status_code == 422


def test_handout_resource_and_list_by_patient_and_program(api, patient, program):
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    handout = api.get(f"/api/v1/handouts/{issued['id']}").get_json()
    assert handout == issued
    assert handout["number"] == 1
    assert handout["patient_id"] == patient["id"]
    assert handout["program_id"] == program["id"]
    assert handout["program_version"] == program["version"]
    assert handout["pdf_url"] == f"/api/v1/handouts/{issued['id']}.pdf"
    assert handout["share_url"].startswith("https://hep.example.test/p/")
    assert handout["deliveries"] == []
    query = {"patient_id": patient["id"], "program_id": program["id"]}
    listed = api.get("/api/v1/handouts", query_string=query).get_json()
    assert [h["id"] for h in listed["items"]] == [issued["id"]]
    elsewhere = api.get("/api/v1/handouts", query_string={"program_id": program["id"] + 1})
    assert elsewhere.get_json()["items"] == []


def test_another_clinic_cannot_see_a_handout(session, client, api, program):
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    stranger = make_api_client(session, client)
    assert stranger.get(f"/api/v1/handouts/{issued['id']}").status_code == 404
    assert stranger.get("/api/v1/handouts").get_json()["items"] == []
    assert stranger.get("/api/v1/programs").get_json()["items"] == []


def test_a_program_whose_review_date_has_passed_is_not_issued_and_the_error_names_it(api, program):
    passed = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    saved = api.put(
        f"/api/v1/programs/{program['id']}",
        json={"version": program["version"], "review_on": passed},
    )
    assert saved.status_code == 200, saved.get_json()
    refused = api.post(f"/api/v1/programs/{program['id']}/handouts")
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "invalid" and "has passed" in error["fields"]["review_on"]
    assert api.get("/api/v1/handouts").get_json()["items"] == []


def test_list_protocols(api):
    protocols = api.get("/api/v1/protocols").get_json()["items"]
    slugs = [p["slug"] for p in protocols]
    assert {"tight-hips-low-back-pain", "unstable-hips-trendelenburg"} <= set(slugs)
    unstable = next(p for p in protocols if p["slug"] == "unstable-hips-trendelenburg")
    assert unstable["items"][0]["exercise"] == "foam-roller-lateral-hip"


def test_post_program_from_a_protocol_with_an_overridden_item(api, patient):
    body = {
        "patient_id": patient["id"],
        "protocol": "unstable-hips-trendelenburg",
        "items": [
            {"exercise": "monster-walk", "sets": 4},
            {"exercise": "figure-4-stretch", "hold_seconds": 45},
        ],
    }
    response = api.post("/api/v1/programs", json=body)
    assert response.status_code == 201, response.get_json()
    program = response.get_json()
    assert program["title"] == "Unstable hips / Trendelenburg gait"
    slugs = [item["exercise"] for item in program["items"]]
    assert slugs == [
        "foam-roller-lateral-hip",
        "monster-walk",
        "banded-lunge",
        "step-up",
        "figure-4-stretch",
    ]
    walk = program["items"][1]
    plain = api.post(
        "/api/v1/programs",
        json={"patient_id": patient["id"], "protocol": "unstable-hips-trendelenburg"},
    ).get_json()["items"][1]
    assert walk["sets"] == 4
    assert {k: v for k, v in walk.items() if k != "sets"} == {
        k: v for k, v in plain.items() if k != "sets"
    }
    assert program["items"][3]["notes"] == "Start with a low step."
    unknown = api.post("/api/v1/programs", json={"patient_id": patient["id"], "protocol": "nope"})
    assert unknown.status_code == 404


def test_therapist_email_names_the_therapist_on_program_and_handout(session, api, program):
    clinic = session.get(Clinic, api.clinic_id)
    sam = make_user(session, clinic, name="Sam Rivera", credentials="DPT")
    session.commit()
    issued = api.post(
        f"/api/v1/programs/{program['id']}/handouts", json={"therapist_email": sam.email}
    ).get_json()
    assert issued["therapist"] == {"name": "Sam Rivera", "credentials": "DPT", "email": sam.email}
    text = _pdf_text(api, issued["pdf_url"])
    assert "Sam Rivera" in text
    nobody = api.post(
        f"/api/v1/programs/{program['id']}/handouts", json={"therapist_email": "no@example.net"}
    )
    assert nobody.status_code == 422
    assert list(nobody.get_json()["error"]["fields"]) == ["therapist_email"]


def test_token_default_therapist_is_named_on_what_it_creates(session, client):
    api = make_api_client(session, client)
    clinic = session.get(Clinic, api.clinic_id)
    kim = make_user(session, clinic, name="Kim Okafor")
    token, secret = make_token(session, clinic, therapist_email=kim.email)
    session.commit()
    api.secret = secret
    patient = api.post("/api/v1/patients", json=PATIENT).get_json()
    program = api.post(
        "/api/v1/programs", json={"patient_id": patient["id"], "items": [{"exercise": "step-up"}]}
    ).get_json()
    assert program["therapist_email"] == kim.email
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    assert issued["therapist"]["name"] == "Kim Okafor"
    assert "Kim Okafor" in _pdf_text(api, issued["pdf_url"])


def test_handout_with_no_therapist_prints_no_therapist_dash(api, program):
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    assert issued["therapist"] is None
    people = _pdf_text(api, issued["pdf_url"]).split("PATIENT", 1)[1].split("ISSUED", 1)[0]
    assert "THERAPIST" not in people
    assert "—" not in people
