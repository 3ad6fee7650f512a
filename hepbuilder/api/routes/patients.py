"""Patients: list and search, create, read, PATCH, archive and restore, and export (patient rights)."""

from flask import Response, g, url_for

from hepbuilder.domain.records import rfc3339, text_or_null
from hepbuilder.services import patient_records, patients
from hepbuilder.web.database import get_db

from .. import idempotency, paging, schemas
from .common import (
    QUERY_PARAMETERS,
    answer,
    bp,
    check_identity,
    checked_id,
    keyset_page,
    read_body,
)

PATIENT_FILTERS = ("external_id", "name", "date_of_birth", "updated_since")
QUERY_PARAMETERS["api.list_patients"] = ("limit", "cursor", *PATIENT_FILTERS)


def patient_json(patient) -> dict:
    return {
        "id": patient.id,
        "external_id": patient.external_id,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "email": text_or_null(patient.email),
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "phone": text_or_null(patient.phone),
        "notes": text_or_null(patient.notes),
        "is_archived": patient.is_archived,
        "url": f"/patients/{patient.id}",
        "created_at": rfc3339(patient.created_at),
        "updated_at": rfc3339(patient.updated_at),
    }


@bp.get("/patients")
def list_patients():
    page = paging.page_request()
    rows = patients.list_patients(
        get_db(),
        g.actor,
        after_id=page.cursor,
        limit=page.limit,
        external_id=paging.filter_arg("external_id", max_chars=100),
        name=paging.filter_arg("name", max_chars=200),
        date_of_birth=paging.date_arg("date_of_birth"),
        since=paging.since_arg(),
    )
    return keyset_page(rows, page, patient_json)


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


@bp.patch("/patients/<int:patient_id>")
def update_patient(patient_id: int):
    data = read_body(schemas.PATIENT_PATCH)
    check_identity(data, id=checked_id(patient_id), url=f"/patients/{patient_id}")
    read_only = {key: data.pop(key) for key in patients.READ_ONLY_FIELDS if key in data}
    patient = patients.update_patient(get_db(), g.actor, patient_id, data, read_only=read_only)
    return answer(patient_json(patient))


@bp.post("/patients/<int:patient_id>/archive")
def archive_patient(patient_id: int):
    patient = patients.archive_patient(get_db(), g.actor, checked_id(patient_id))
    return answer(patient_json(patient))


@bp.post("/patients/<int:patient_id>/restore")
def restore_patient(patient_id: int):
    patient = patients.restore_patient(get_db(), g.actor, checked_id(patient_id))
    return answer(patient_json(patient))


@bp.get("/patients/<int:patient_id>/export")
def export_patient(patient_id: int):
    """Everything held about one patient as a zip (patient rights; audited as patient.export)."""
    session = get_db()
    filename, data = patient_records.export_patient(session, g.actor, checked_id(patient_id))
    session.commit()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
