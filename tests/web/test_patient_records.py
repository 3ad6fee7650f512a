"""Patient rights: an admin exports everything held about a patient as one zip (from the patient
page and the API), and erases a patient behind a typed confirmation of their name."""

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, Handout, Patient, Program, ProgramItem
from tests.builders import (
    make_patient,
    make_program,
    make_token,
    make_user,
    patient_world,
    see_committed,
    sign_in,
)
from tests.pages import field_error

PERSONAL = ("Zoë", "Łukasiewicz", "MRN-884422", "zoe@example.net", "1961-04-09", "Left hip")


@pytest.fixture
def world(client, session):
    admin, patient, program, handout = patient_world(session, role="admin")
    sign_in(client, admin)
    return admin, patient, program, handout


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _actions(session, patient_id) -> list[str]:
    see_committed(session)
    query = select(AuditEvent.action).where(AuditEvent.patient_id == patient_id)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def test_patient_export_holds_record_programs_handout_pdfs_and_audit_events(client, session, world):
    _admin, patient, program, handout = world
    page = client.get(f"/patients/{patient.id}").text
    assert f'href="/patients/{patient.id}/export"' in page
    response = client.get(f"/patients/{patient.id}/export")
    archive = _zip(response)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="patient-{patient.id}-export.zip"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    names = set(archive.namelist())
    pdf_name = f"handouts/handout-{handout.issued_on.isoformat()}-1.pdf"
    assert {"patient.json", "programs.json", "handouts.json", "audit_events.json"} <= names
    assert pdf_name in names and "README.txt" in names
    record = json.loads(archive.read("patient.json"))
    assert (record["first_name"], record["external_id"], record["date_of_birth"]) == (
        "Zoë",
        "MRN-884422",
        "1961-04-09",
    )
    assert record["notes"] == "Left hip replaced 2019"
    programs = json.loads(archive.read("programs.json"))
    assert [p["id"] for p in programs] == [program.id]
    assert len(programs[0]["items"]) == len(program.items) > 0
    see_committed(session)
    stored = session.scalar(select(Handout.pdf).where(Handout.id == handout.id))
    assert archive.read(pdf_name) == stored and stored.startswith(b"%PDF")
    issued = json.loads(archive.read("handouts.json"))
    assert issued[0]["spec"]["patient"]["name"] == "Zoë Łukasiewicz"
    events = json.loads(archive.read("audit_events.json"))
    assert [e["action"] for e in events][:2] == ["patient.create", "program.create"]
    assert "handout.issue" in [e["action"] for e in events]
    assert any(e["in_words"].startswith("Sam Rivera issued handout 1") for e in events)
    assert _actions(session, patient.id)[-1] == "patient.export"


def test_patient_export_and_erase_are_for_admins_only(client, session, world):
    admin, patient, _program, _handout = world
    therapist = make_user(session, admin.clinic, role="therapist")
    session.commit()
    other = client.application.test_client()
    sign_in(other, therapist)
    assert "/export" not in other.get(f"/patients/{patient.id}").text
    assert other.get(f"/patients/{patient.id}/export").status_code == 403
    assert other.get(f"/patients/{patient.id}/erase").status_code == 403
    answer = other.post(f"/patients/{patient.id}/erase", data={"confirmation": "Zoë Łukasiewicz"})
    assert answer.status_code == 403
    assert "patient.export" not in _actions(session, patient.id)
    assert session.get(Patient, patient.id).erased_at is None


def test_api_patient_export_is_a_zip_of_the_tokens_clinic_only(client, session, world):
    admin, patient, _program, _handout = world
    _token, secret = make_token(session, admin.clinic)
    session.commit()
    answer = client.get(
        f"/api/v1/patients/{patient.id}/export", headers={"Authorization": f"Bearer {secret}"}
    )
    archive = _zip(answer)
    assert json.loads(archive.read("patient.json"))["last_name"] == "Łukasiewicz"
    assert _actions(session, patient.id)[-1] == "patient.export"
    foreign = patient_world(session)[1]  # another clinic's patient
    missing = client.get(
        f"/api/v1/patients/{foreign.id}/export", headers={"Authorization": f"Bearer {secret}"}
    )
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_erase_without_the_patients_name_typed_changes_nothing(client, session, world):
    _admin, patient, _program, _handout = world
    form = client.get(f"/patients/{patient.id}/erase")
    assert form.status_code == 200 and "cannot be undone" in form.text
    for typed in ("", "Zoe", "Sam Rivera"):
        answer = client.post(f"/patients/{patient.id}/erase", data={"confirmation": typed})
        assert answer.status_code == 422
        assert "full name" in field_error(answer.text, "confirmation")
        assert "Nothing was erased: please correct the field marked below." in answer.text
    see_committed(session)
    assert session.get(Patient, patient.id).first_name == "Zoë"
    assert "patient.erase" not in _actions(session, patient.id)


def test_erase_removes_personal_data_programs_and_pdfs_and_keeps_an_anonymous_audit_trail(
    client, session, world
):
    admin, patient, program, handout = world
    neighbour = make_patient(session, admin.clinic, first_name="Ada", last_name="Keep")
    kept_program = make_program(session, neighbour, protocol="unstable-hips-trendelenburg")
    session.commit()
    before = _actions(session, patient.id)
    answer = client.post(
        f"/patients/{patient.id}/erase", data={"confirmation": " zoë  łukasiewicz "}
    )
    assert answer.status_code == 302 and answer.location == "/patients"
    see_committed(session)
    row = session.get(Patient, patient.id)
    assert row.erased_at is not None
    stored = [row.first_name, row.last_name, row.external_id, row.email, row.phone, row.notes]
    assert stored == ["", "", None, "", "", ""] and row.date_of_birth is None
    assert (
        session.scalars(select(ProgramItem).where(ProgramItem.program_id == program.id)).all() == []
    )
    assert session.get(Program, program.id).title == ""
    erased_handout = session.scalar(
        select(Handout).where(Handout.id == handout.id).execution_options(populate_existing=True)
    )
    assert (erased_handout.pdf, erased_handout.snapshot_json) == (b"", "{}")
    for path in (
        f"/patients/{patient.id}",
        f"/patients/{patient.id}/export",
        f"/programs/{program.id}",
        f"/programs/{program.id}/preview",
        f"/handouts/{handout.id}",
        f"/handouts/{handout.id}/pdf",
        "/patients/by-external-id/MRN-884422",
    ):
        assert client.get(path).status_code == 404, path
    assert "Łukasiewicz" not in client.get("/patients?archived=1").text
    after = _actions(session, patient.id)
    assert after[: len(before)] == before and after[-1] == "patient.erase"
    trail = client.get(f"/admin/audit?patient={patient.id}").text
    assert f"erased the personal data of patient {patient.id}" in trail
    csv_text = client.get(f"/admin/audit.csv?patient={patient.id}").text
    assert "erased the personal data" in csv_text
    for value in PERSONAL:
        assert value not in trail and value not in csv_text, value
    assert session.get(Patient, neighbour.id).first_name == "Ada"  # nothing else touched
    assert len(session.get(Program, kept_program.id).items) > 0
    assert client.get(f"/programs/{kept_program.id}").status_code == 200
