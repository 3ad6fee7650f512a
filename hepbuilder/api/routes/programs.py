"""Programs: list, create (blank or from a protocol), read, GET-modify-PUT."""

from flask import g, url_for

from hepbuilder.domain.records import text_or_null
from hepbuilder.services import program_lists, programs
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

QUERY_PARAMETERS["api.list_programs"] = ("limit", "cursor", "patient_id", "updated_since")


def program_json(program) -> dict:
    data = programs.program_to_data(program)
    data["title"] = text_or_null(data["title"])
    data["notes"] = text_or_null(data["notes"])
    for item in data["items"]:
        item["notes"] = text_or_null(item["notes"])
    return {**data, "url": f"/programs/{program.id}"}


@bp.get("/programs")
def list_programs():
    page = paging.page_request()
    rows = program_lists.page_programs(
        get_db(),
        g.actor,
        patient_id=paging.id_arg("patient_id"),
        since=paging.since_arg(),
        after_id=page.cursor,
        limit=page.limit,
    )
    return keyset_page(rows, page, program_json)


@bp.post("/programs")
def create_program():
    data = read_body(schemas.PROGRAM_CREATE)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    fields = {key: value for key, value in data.items() if key not in ("patient_id", "protocol")}
    program = programs.create_program(
        session, g.actor, data["patient_id"], fields, protocol=data.get("protocol")
    )
    location = url_for("api.get_program", program_id=program.id)
    return answer(program_json(program), 201, location)


@bp.get("/programs/<int:program_id>")
def get_program(program_id: int):
    program = programs.view_program(get_db(), g.actor, checked_id(program_id))
    return answer(program_json(program))


@bp.put("/programs/<int:program_id>")
def update_program(program_id: int):
    data = read_body(schemas.PROGRAM_UPDATE)
    check_identity(data, id=checked_id(program_id), url=f"/programs/{program_id}")
    version = data.pop("version")
    read_only = {key: data.pop(key) for key in programs.READ_ONLY_FIELDS if key in data}
    program = programs.update_program(
        get_db(), g.actor, program_id, version, data, read_only=read_only
    )
    return answer(program_json(program))
