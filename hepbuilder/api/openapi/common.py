"""Pieces every resource's part of the OpenAPI document is built from: one `operation` helper
(summary, description, tag, examples, the errors it may answer), parameters and headers."""

from .. import paging, schemas
from ..idempotency import IN_USE_RETRY_SECONDS, KEY_HEADER, KEY_MAX_CHARS, KEY_PATTERN
from ..request_meta import REQUEST_ID_HEADER, REQUEST_ID_PATTERN
from . import examples

ERRORS = {
    400: (
        "Malformed request: a query string that is not UTF-8 (any operation), or a body that is "
        "not UTF-8, not JSON, has duplicate keys or NaN, or is nested too deeply.",
        "bad_request",
    ),
    401: ("No token, or a token that is unknown or revoked.", "unauthorized"),
    403: ("The token may not do this.", "forbidden"),
    404: (
        "Nothing by that id in the token's clinic (another clinic's record looks the same).",
        "not_found",
    ),
    409: (
        "A conflict, told apart by `error.code`: `version_conflict` (a stale program version; "
        "`current_version`), `external_id_taken` (`existing_id`), `idempotency_key_reused`, "
        "`idempotency_key_in_use` (with Retry-After) or `conflict`. A conflict about one field "
        "of the request names it in `fields`: `external_id`, `version` (a stale program or "
        "exercise version) or `slug` (an exercise added by someone else at the same moment).",
        "version_conflict",
    ),
    413: ("The request body is larger than 8 MB.", "too_large"),
    414: (
        "The address (path and query, percent-encoded) is over 4,096 characters: a few text "
        "filters at their longest, in characters of several UTF-8 bytes, can reach it.",
        "uri_too_long",
    ),
    415: (
        "A body sent with a Content-Type other than `application/json`.",
        "unsupported_media_type",
    ),
    422: (
        "Invalid fields or query parameters, each named in `fields` (unknown body fields and "
        "query parameters, and a query parameter sent twice, are rejected, not ignored).",
        "invalid",
    ),
    429: ("Over the token's rate limit; retry after `Retry-After` seconds.", "rate_limited"),
    503: (
        "The server keeps handout PDFs in an S3 store that cannot be reached right now, or "
        "holds a missing or damaged copy of this PDF (never sent as if it were the handout); "
        "nothing was changed. Try again later.",
        "unavailable",
    ),
}
BODY_ERRORS = (400, 413, 415, 422)


def _header(description: str, schema: dict) -> dict:
    return {"description": description, "schema": schema}


HEADERS = {
    REQUEST_ID_HEADER: _header(
        "The request's id: the one you sent (1-128 of `A-Za-z0-9._:-`), else a new one. "
        "Quote it to support: it is in the server's log beside the route.",
        {"type": "string", "pattern": REQUEST_ID_PATTERN},
    ),
    "RateLimit-Limit": _header(
        "Requests this token may make per minute.", {"type": "integer", "minimum": 1}
    ),
    "RateLimit-Remaining": _header(
        "Requests left in the current minute.", {"type": "integer", "minimum": 0}
    ),
    "RateLimit-Reset": _header(
        "Seconds until the count starts again.", {"type": "integer", "minimum": 1}
    ),
    "Retry-After": _header(
        "Seconds to wait before sending the same request again.", {"type": "integer", "minimum": 1}
    ),
    "Location": _header("The new resource's API address.", {"type": "string"}),
    "Idempotent-Replayed": _header(
        "`true` when this is the stored answer to an earlier request with the same "
        "Idempotency-Key.",
        {"type": "string", "enum": ["true"]},
    ),
}


def _headers(*names: str) -> dict:
    every = (REQUEST_ID_HEADER, "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
    return {name: {"$ref": f"#/components/headers/{name}"} for name in (*every, *names)}


def error(status: int) -> dict:
    description, code = ERRORS[status]
    extra = ("Retry-After",) if status in (409, 429) else ()
    return {
        "description": description,
        "headers": _headers(*extra),
        "content": {
            "application/json": {
                "schema": schemas.ref("Error"),
                "example": examples.error(status, code),
            }
        },
    }


def json_response(
    description: str,
    schema: dict,
    example: object,
    *,
    created: bool = False,
    replayable: bool = False,
) -> dict:
    extra = (*(["Location"] if created else []), *(["Idempotent-Replayed"] if replayable else []))
    return {
        "description": description,
        "headers": _headers(*extra),
        "content": {"application/json": {"schema": schema, "example": example}},
    }


def operation(
    operation_id: str,
    *,
    tag: str,
    summary: str,
    description: str,
    success: tuple[int, dict],
    errors: tuple[int, ...] = (),
    parameters: tuple = (),
    body: tuple[str, object] | None = None,
    body_required: bool = True,
) -> dict:
    """One operation. `success` is (status, response); `body` is (schema name, example).

    Every operation lists what any request may get (400, 401, 403, 414, 429), besides `errors`;
    never 405, which answers a method that is no operation (the API's description says it)."""
    status, response = success
    answers = {str(status): response}
    statuses = {400, 401, 403, 414, 429, *errors, *(BODY_ERRORS if body else ())}
    for code in sorted(statuses):
        answers[str(code)] = error(code)
    result = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "description": description,
        "parameters": list(parameters),
        "responses": answers,
    }
    if not result["parameters"]:
        del result["parameters"]
    if body is not None:
        name, example = body
        result["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": schemas.ref(name), "example": example}},
        }
    return result


def path_id(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schemas.ID,
    }


def query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


IDEMPOTENCY_KEY = {
    "name": KEY_HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Send a unique key (e.g. a UUID) with a POST and retry with the same key: the first "
        "successful answer is stored for this token and replayed (same status, body and "
        "Location, plus `Idempotent-Replayed: true`) instead of doing the work again. While the "
        f"first request still runs, a retry gets 409 `idempotency_key_in_use` (Retry-After: "
        f"{IN_USE_RETRY_SECONDS}); the same key with a different request gets 409 "
        "`idempotency_key_reused`. Answers are kept for 24 hours (a setting), then forgotten."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": KEY_MAX_CHARS,
        "pattern": KEY_PATTERN,
    },
}

PAGING = (
    query("limit", paging.LIMIT_SCHEMA, f"Items per page (default {paging.DEFAULT_LIMIT})."),
    query("cursor", paging.CURSOR_SCHEMA, "From the previous page's `next` link."),
)
UPDATED_SINCE = query("updated_since", paging.UPDATED_SINCE, paging.UPDATED_SINCE["description"])
TEXT_FILTER = {"type": "string", "maxLength": paging.TEXT_MAX_CHARS, "pattern": schemas.NUL_FREE}


PAGED = ("Exercise", "Patient", "Program", "Handout", "Protocol")


def page(schema_name: str) -> dict:
    """The reference to a page of `schema_name` (components hold one `<Name>Page` for each)."""
    assert schema_name in PAGED, schema_name
    return schemas.ref(f"{schema_name}Page")
