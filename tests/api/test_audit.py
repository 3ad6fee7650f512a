"""Every patient-data access through the API leaves an audit event naming the token."""

from sqlalchemy import select

from hepbuilder.db.models import AuditEvent
from tests.builders import see_committed


def _events(session) -> list[tuple[str, int | None, int | None, int | None]]:
    see_committed(session)
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(e.action, e.patient_id, e.api_token_id, e.user_id) for e in rows]


def test_api_patient_data_access_is_audited_naming_the_token(session, api, patient, program):
    pid = patient["id"]
    api.get(f"/api/v1/patients/{pid}")
    api.get("/api/v1/patients", query_string={"external_id": patient["external_id"]})
    api.get(f"/api/v1/programs/{program['id']}")
    api.put(f"/api/v1/programs/{program['id']}", json={"version": program["version"], "notes": "x"})
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    api.get(issued["pdf_url"])
    events = _events(session)
    assert [action for action, *_ in events] == [
        "patient.create",
        "program.create",
        "patient.view",
        "patient.view",
        "program.view",
        "program.update",
        "handout.issue",
        "handout.download",
    ]
    assert {(patient_id, token, user) for _, patient_id, token, user in events} == {
        (pid, api.token_id, None)
    }


def test_api_failed_access_leaves_no_event(session, api):
    assert api.get("/api/v1/patients/424242").status_code == 404
    assert _events(session) == []


def test_api_exercise_reads_are_not_patient_data(session, api):
    api.get("/api/v1/exercises")
    api.get("/api/v1/exercises/step-up")
    assert _events(session) == []
