"""Protocols: GET /protocols, the clinic's named starting sets of items, and POST /protocols."""

from flask import g

from hepbuilder.domain.dose import DOSE_FIELDS
from hepbuilder.domain.records import text_or_null
from hepbuilder.services import programs
from hepbuilder.services import protocols as clinic_protocols
from hepbuilder.web.database import get_db

from .. import idempotency, schemas
from .common import answer, bp, read_body


def protocol_json(protocol) -> dict:
    items = []
    for entry in protocol.items or []:
        dose = entry.get("dose")
        items.append(
            {
                "exercise": entry.get("exercise"),
                "dose": {key: dose.get(key) for key in DOSE_FIELDS} if dose else None,
                "notes": text_or_null(entry.get("notes")),
            }
        )
    return {
        "slug": protocol.slug,
        "name": protocol.name,
        "description": text_or_null(protocol.description),
        "conditions": list(protocol.conditions or ()),
        "progression": text_or_null(protocol.progression),
        "items": items,
    }


@bp.get("/protocols")
def list_protocols():
    rows = programs.list_protocols(get_db(), g.actor)
    return answer({"items": [protocol_json(row) for row in rows], "next": None})


@bp.post("/protocols")
def create_protocol():
    data = read_body(schemas.PROTOCOL_CREATE)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    row = clinic_protocols.create_protocol(session, g.actor, data)
    return answer(protocol_json(row), 201)
