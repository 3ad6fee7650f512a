"""Protocols: GET /protocols, the clinic's named starting sets of items."""

from flask import g

from hepbuilder.domain.dose import DOSE_FIELDS
from hepbuilder.domain.records import text_or_null
from hepbuilder.services import programs
from hepbuilder.web.database import get_db

from .common import answer, bp


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
        "items": items,
    }


@bp.get("/protocols")
def list_protocols():
    rows = programs.list_protocols(get_db(), g.actor)
    return answer({"items": [protocol_json(row) for row in rows], "next": None})
