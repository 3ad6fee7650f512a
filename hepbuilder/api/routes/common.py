"""The API blueprint and what every route shares: authentication, body reading, JSON answers."""

import json

from flask import Blueprint, Response, g, request
from sqlalchemy.exc import IntegrityError

from hepbuilder.domain.errors import Conflict, NotFound
from hepbuilder.web.database import get_db

from .. import idempotency, paging, schemas
from ..auth import authenticate

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.openapi"}
# Query parameters each list operation knows; any other is refused with 422.
QUERY_PARAMETERS: dict[str, tuple[str, ...]] = {}


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    authenticate()
    paging.check_query_names(*QUERY_PARAMETERS.get(request.endpoint, ()))


def read_body(schema: dict, *, optional: bool = False) -> dict:
    """The request's JSON object, checked against `schema` (400 malformed, 422 invalid fields)."""
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        return {}
    return schemas.check_body(schemas.decode_json(raw), schema)


def answer(body: dict, status: int = 200, location: str | None = None) -> Response:
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


def checked_id(value: int) -> int:
    """Ids beyond what the database holds are simply not found (not an overflow)."""
    if not 1 <= value <= schemas.MAX_ID:
        raise NotFound("There is nothing with that id.")
    return value
