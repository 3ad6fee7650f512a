"""Programs: POST /programs, GET/PUT /programs/<id>."""

from flask import g, url_for

from hepbuilder.services import programs
from hepbuilder.web.database import get_db

from .. import idempotency, schemas
from .common import answer, bp, checked_id, read_body


def program_json(program) -> dict:
    return {**programs.program_to_data(program), "url": f"/programs/{program.id}"}


@bp.post("/programs")
def create_program():
    data = read_body(schemas.PROGRAM_CREATE)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    fields = {key: value for key, value in data.items() if key != "patient_id"}
    program = programs.create_program(session, g.actor, data["patient_id"], fields)
    location = url_for("api.get_program", program_id=program.id)
    return answer(program_json(program), 201, location)


@bp.get("/programs/<int:program_id>")
def get_program(program_id: int):
    program = programs.view_program(get_db(), g.actor, checked_id(program_id))
    return answer(program_json(program))


@bp.put("/programs/<int:program_id>")
def update_program(program_id: int):
    data = read_body(schemas.PROGRAM_UPDATE)
    fields = {key: value for key, value in data.items() if key != "version"}
    program = programs.update_program(
        get_db(), g.actor, checked_id(program_id), data["version"], fields
    )
    return answer(program_json(program))
