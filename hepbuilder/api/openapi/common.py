"""Pieces every resource's part of the OpenAPI document is built from (errors, bodies, parameters)."""

from .. import paging, schemas
from ..idempotency import KEY_HEADER, KEY_MAX_CHARS, KEY_PATTERN

ERRORS = {
    400: "Malformed body: not UTF-8, not JSON, duplicate keys, NaN, or nested too deeply.",
    401: "No token, or a token that is unknown or revoked.",
    403: "The token may not do this.",
    404: "Nothing by that id in the token's clinic (another clinic's record looks the same).",
    409: (
        "A conflict: a stale program version (`current_version`), an external_id already "
        "taken (`existing_id`), or an Idempotency-Key already used with a different request."
    ),
    413: "The request body is larger than 8 MB.",
    422: (
        "Invalid fields, each named in `fields` (unknown body fields and query parameters are "
        "rejected, not ignored)."
    ),
}


def error(status: int) -> dict:
    return {
        "description": ERRORS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def ok(description: str, schema_name: str, *, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }
    if headers:
        response["headers"] = headers
    return response


def responses(success: dict, *errors: int) -> dict:
    """`success` ({status: response}) plus the error responses (401 and 403 always)."""
    answers = dict(success)
    for status in sorted({401, 403, *errors}):
        answers[str(status)] = error(status)
    return answers


def json_body(schema_name: str, *, required: bool = True) -> dict:
    return {
        "required": required,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schemas.ID}


def query(name: str, schema: dict, description: str = "") -> dict:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


IDEMPOTENCY_KEY = {
    "name": KEY_HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Send a unique key (e.g. a UUID) with a POST and retry with the same key: the first "
        "successful answer is stored for this token and replayed (same status and body, plus "
        "`Idempotent-Replayed: true`) instead of doing the work again. The same key with a "
        "different request is refused with 409."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": KEY_MAX_CHARS,
        "pattern": KEY_PATTERN,
    },
}

LOCATION = {
    "Location": {"description": "The new resource's API address", "schema": {"type": "string"}}
}

PAGING = [
    query("limit", paging.LIMIT_SCHEMA, f"Items per page (default {paging.DEFAULT_LIMIT})."),
    query("cursor", paging.CURSOR_SCHEMA, "From the previous page's `next` link."),
]

TEXT_FILTER = {"type": "string", "maxLength": 200}
