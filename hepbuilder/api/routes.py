"""JSON API v1 routes: parse the request, call one service, answer JSON (errors: the one mapper)."""

import json

from flask import Blueprint, Response, current_app, g, request, url_for
from sqlalchemy.exc import IntegrityError

from hepbuilder.domain.errors import Conflict, NotFound
from hepbuilder.services import exercises, handouts, patient_records, patients, programs
from hepbuilder.web.database import get_db

from . import idempotency, paging, schemas
from .auth import authenticate
from .openapi import build_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.openapi"}
EXERCISE_FILTERS = ("q", "category", "body_region", "equipment", "target")
QUERY_PARAMETERS = {
    "api.list_exercises": ("limit", "cursor", *EXERCISE_FILTERS),
    "api.list_patients": ("limit", "cursor", "external_id"),
}


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    authenticate()
    paging.check_query_names(*QUERY_PARAMETERS.get(request.endpoint, ()))


def _body(schema: dict, *, optional: bool = False) -> dict:
    """The request's JSON object, checked against `schema` (400 malformed, 422 invalid fields)."""
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        return {}
    return schemas.check_body(schemas.decode_json(raw), schema)


def _json(body: dict, status: int = 200, location: str | None = None) -> Response:
    """Commit the request's work (and any Idempotency-Key record with it), then answer `body`."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    session = get_db()
    idempotency.remember(session, g.actor, status, text)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        stored = g.pop("idempotency_stored", None)
        record = stored and idempotency.find_record(session, g.actor, stored[0])
        if record is None:
            raise Conflict(
                "Someone else changed this at the same moment; please try again."
            ) from None
        return idempotency.replay(record, stored[1])
    response = Response(text, status=status, mimetype="application/json")
    if location:
        response.headers["Location"] = location
    return response


def _id(value: int) -> int:
    """Ids beyond what the database holds are simply not found (not an overflow)."""
    if not 1 <= value <= schemas.MAX_ID:
        raise NotFound("There is nothing with that id.")
    return value


# Bodies


def exercise_json(row) -> dict:
    entry = exercises.to_domain(row).to_dict()
    entry.pop("illustration", None)
    entry.pop("source", None)
    entry["is_archived"] = row.is_archived
    entry["url"] = f"/exercises/{row.slug}"
    return entry


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


def program_json(program) -> dict:
    return {**programs.program_to_data(program), "url": f"/programs/{program.id}"}


# Routes


@bp.get("/openapi.json")
def openapi():
    return current_app.response_class(
        json.dumps(build_document(), indent=1), mimetype="application/json"
    )


@bp.get("/exercises")
def list_exercises():
    page = paging.page_request()
    filters = {name: paging.text_arg(name) for name in EXERCISE_FILTERS}
    session = get_db()
    rows = exercises.search_exercises(
        session, g.actor.clinic_id, **filters, limit=page.limit, offset=page.cursor
    )
    total = exercises.count_exercises(session, g.actor.clinic_id, **filters)
    after = page.cursor + len(rows)
    next_cursor = after if rows and after < total else None
    return _json(paging.page_body([exercise_json(row) for row in rows], next_cursor, page.limit))


@bp.get("/exercises/<path:slug>")
def get_exercise(slug: str):
    if len(slug) > 80 or "\x00" in slug:
        raise NotFound("There is no such exercise in this clinic's library.")
    row = exercises.get_exercise(get_db(), g.actor.clinic_id, slug)
    return _json(exercise_json(row))


@bp.get("/patients")
def list_patients():
    page = paging.page_request()
    external_id = paging.text_arg("external_id", max_chars=100)
    rows = patients.list_patients(
        get_db(), g.actor, after_id=page.cursor, limit=page.limit, external_id=external_id.strip()
    )
    next_cursor = rows[-1].id if len(rows) == page.limit and not external_id.strip() else None
    return _json(paging.page_body([patient_json(p) for p in rows], next_cursor, page.limit))


@bp.post("/patients")
def create_patient():
    data = _body(schemas.PATIENT_CREATE)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    patient = patients.create_patient(session, g.actor, data)
    location = url_for("api.get_patient", patient_id=patient.id)
    return _json(patient_json(patient), 201, location)


@bp.get("/patients/<int:patient_id>")
def get_patient(patient_id: int):
    patient = patients.view_patient(get_db(), g.actor, _id(patient_id))
    return _json(patient_json(patient))


@bp.post("/programs")
def create_program():
    data = _body(schemas.PROGRAM_CREATE)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    fields = {key: value for key, value in data.items() if key != "patient_id"}
    program = programs.create_program(session, g.actor, data["patient_id"], fields)
    location = url_for("api.get_program", program_id=program.id)
    return _json(program_json(program), 201, location)


@bp.get("/programs/<int:program_id>")
def get_program(program_id: int):
    program = programs.view_program(get_db(), g.actor, _id(program_id))
    return _json(program_json(program))


@bp.put("/programs/<int:program_id>")
def update_program(program_id: int):
    data = _body(schemas.PROGRAM_UPDATE)
    fields = {key: value for key, value in data.items() if key != "version"}
    program = programs.update_program(get_db(), g.actor, _id(program_id), data["version"], fields)
    return _json(program_json(program))


@bp.post("/programs/<int:program_id>/handouts")
def issue_handout(program_id: int):
    data = _body(schemas.HANDOUT_ISSUE, optional=True)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    handout = handouts.issue_handout(session, g.actor, _id(program_id), data.get("version"))
    pdf_url = url_for("api.handout_pdf", handout_id=handout.id)
    body = {"id": handout.id, "pdf_url": pdf_url, "share_url": None}
    return _json(body, 201, pdf_url)


@bp.get("/handouts/<int:handout_id>.pdf")
def handout_pdf(handout_id: int):
    session = get_db()
    handout, pdf = handouts.get_handout_pdf(session, g.actor, _id(handout_id), purpose="download")
    session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{handouts.suggested_filename(handout)}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/patients/<int:patient_id>/export")
def export_patient(patient_id: int):
    """Everything held about one patient as a zip (patient rights; audited as patient.export)."""
    session = get_db()
    filename, data = patient_records.export_patient(session, g.actor, _id(patient_id))
    session.commit()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
