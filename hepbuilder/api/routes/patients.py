"""Patients: GET/POST /patients, GET /patients/<id>."""

from flask import g, url_for

from hepbuilder.services import patients
from hepbuilder.web.database import get_db

from .. import idempotency, paging, schemas
from .common import QUERY_PARAMETERS, answer, bp, checked_id, read_body

QUERY_PARAMETERS["api.list_patients"] = ("limit", "cursor", "external_id")


def patient_json(patient) -> dict:
    return {
        "id": patient.id,
        "external_id": patient.external_id,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "email": patient.email or "",
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "phone": patient.phone or "",
        "notes": patient.notes or "",
        "is_archived": patient.is_archived,
        "url": f"/patients/{patient.id}",
    }


@bp.get("/patients")
def list_patients():
    page = paging.page_request()
    external_id = paging.text_arg("external_id", max_chars=100)
    rows = patients.list_patients(
        get_db(), g.actor, after_id=page.cursor, limit=page.limit, external_id=external_id.strip()
    )
    next_cursor = rows[-1].id if len(rows) == page.limit and not external_id.strip() else None
    return answer(paging.page_body([patient_json(p) for p in rows], next_cursor, page.limit))


@bp.post("/patients")
def create_patient():
    data = read_body(schemas.PATIENT_CREATE)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    patient = patients.create_patient(session, g.actor, data)
    location = url_for("api.get_patient", patient_id=patient.id)
    return answer(patient_json(patient), 201, location)


@bp.get("/patients/<int:patient_id>")
def get_patient(patient_id: int):
    patient = patients.view_patient(get_db(), g.actor, checked_id(patient_id))
    return answer(patient_json(patient))
