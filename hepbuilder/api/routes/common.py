"""The API blueprint and what every route shares: authentication, body reading, JSON answers."""

import json

from flask import Blueprint, Response, request
from sqlalchemy.exc import IntegrityError

from hepbuilder.domain.errors import Conflict, NotFound
from hepbuilder.domain.records import check_read_only
from hepbuilder.web.database import get_db

from .. import body_check, idempotency, paging, schemas
from ..auth import authenticate, require_scope

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.openapi"}
# Scopes: reading the library needs either; changing it needs "library"; the rest "programs".
LIBRARY_READS = {"api.list_exercises", "api.get_exercise"}
LIBRARY_WRITES = {
    "api.create_exercise",
    "api.update_exercise",
    "api.archive_exercise",
    "api.restore_exercise",
    "api.create_protocol",
}
# Query parameters each list operation knows; any other is refused with 422.
QUERY_PARAMETERS: dict[str, tuple[str, ...]] = {}


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    authenticate()
    if request.endpoint in LIBRARY_WRITES:
        require_scope("library")
    elif request.endpoint not in LIBRARY_READS:
        require_scope("programs")
    paging.check_query_names(*QUERY_PARAMETERS.get(request.endpoint, ()))


@bp.after_request
def _release_failed_claim(response: Response) -> Response:
    if response.status_code >= 300:
        idempotency.release(get_db())
    return response


def read_body(schema: dict, *, optional: bool = False) -> dict:
    """The request's JSON object, checked against `schema` (400 malformed, 422 invalid fields)."""
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        return {}
    return body_check.check_body(body_check.decode_json(raw), schema)


def answer(body: dict, status: int = 200, location: str | None = None) -> Response:
    """Commit the request's work (and its Idempotency-Key answer with it), then answer `body`."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    session = get_db()
    idempotency.remember(session, status, text, location)
    try:
        session.commit()
    except IntegrityError:
        raise Conflict("Someone else changed this at the same moment; please try again.") from None
    response = Response(text, status=status, mimetype="application/json")
    if location:
        response.headers["Location"] = location
    return response


def checked_id(value: int) -> int:
    """Ids beyond what the database holds are simply not found (not an overflow)."""
    if not 1 <= value <= schemas.MAX_ID:
        raise NotFound("There is nothing with that id.")
    return value


def keyset_page(rows: list, page: paging.PageRequest, to_json) -> Response:
    """A page of rows listed by id: the next page starts after the last id (when it was full)."""
    next_cursor = rows[-1].id if len(rows) == page.limit else None
    return answer(paging.page_body([to_json(row) for row in rows], next_cursor, page.limit))


def check_identity(data: dict, **current) -> None:
    """Take the read-only `id` and `url` a client sent back out of `data`; each must be `current`'s
    (ValidationError naming it otherwise)."""
    sent = {key: data.pop(key) for key in current if key in data}
    check_read_only(current, sent)
