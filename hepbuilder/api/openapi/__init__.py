"""The OpenAPI 3.1 document of the JSON API v1, built from the same schemas that check requests.

Each resource's paths live in their own module here, beside hepbuilder.api.routes' module of the
same name.
"""

from .. import schemas
from . import exercises, handouts, meta, patients, programs, responses, webhooks
from .common import HEADERS, PAGED

DESCRIPTION = (
    """\
Find exercises, push patients, build programs, issue handouts and fetch their PDFs, as a
practice-management system (PMS) does for a physiotherapy clinic.

**Tokens.** Send `Authorization: Bearer <token>` (from `hepbuilder token create`); a token sees
only its own clinic's data, and every read or change of patient data is in the clinic's audit
trail under the token's name.

**Requests.** Bodies are JSON objects in UTF-8 (`Content-Type: application/json`, else 415).
Fields not described here are refused with 422, and so is text with a NUL character (\\u0000)
anywhere in a body or query. Records read with GET may be sent back whole (GET-modify-PUT): their
read-only fields are accepted when unchanged.

**Answers.** Optional text that is empty is `null`. Times are RFC 3339 in UTC
(`2026-12-01T08:30:00Z`); lists take `updated_since` for incremental sync, are paged, and are
followed through `next` until it is null. Every answer carries `X-Request-Id` (yours, when you
send one) and `Cache-Control: no-store`.

**Errors** are `{"error": {"code", "message", "fields"}}`; `code` tells them apart:
"""
    + "\n".join(f"- `{code}`: {text}" for code, text in responses.ERROR_CODES.items())
    + """

A method a path does not take (say `DELETE /patients/{patient_id}`) is answered
405 `method_not_allowed`, with an `Allow` header naming the methods the path does take, whatever
the token or the body; no operation lists it, since no operation can answer it.

**Scopes.** A token has `programs` (patients, programs, handouts and reading the library; every
token made before scopes has it) and/or `library` (changing the library: POST/PUT of exercises,
archive, restore, POST /protocols). A call the token's scopes do not allow gets 403.

**Retries.** POSTs take an `Idempotency-Key`. Each token may make a number of requests a minute
(600 by default); `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` say where it
stands, and 429 `rate_limited` comes with `Retry-After`.

**Webhooks.** Events (see `webhooks`) are POSTed as `{id, type, created_at, data}` with a
`Hepbuilder-Signature` header; `data` carries ids and the PMS's external ids, never names.
"""
)

COMPONENT_SCHEMAS = {
    **schemas.COMPONENTS,
    "Error": responses.ERROR,
    "Exercise": responses.EXERCISE,
    "ExerciseCreate": schemas.EXERCISE_CREATE,
    "ExerciseUpdate": schemas.EXERCISE_UPDATE,
    "ProtocolCreate": schemas.PROTOCOL_CREATE,
    "Patient": responses.PATIENT,
    "PatientCreate": schemas.PATIENT_CREATE,
    "PatientPatch": schemas.PATIENT_PATCH,
    "Program": responses.PROGRAM,
    "ProgramCreate": schemas.PROGRAM_CREATE,
    "ProgramUpdate": schemas.PROGRAM_UPDATE,
    "Protocol": responses.PROTOCOL,
    "HandoutIssue": schemas.HANDOUT_ISSUE,
    "Handout": responses.HANDOUT,
    "HandoutEmail": schemas.HANDOUT_EMAIL,
    "DeliveryQueued": responses.DELIVERY_QUEUED,
    "Delivery": responses.DELIVERY,
    **{f"{name}Page": responses.page_of(schemas.ref(name)) for name in PAGED},
    **webhooks.COMPONENT_SCHEMAS,
}

TAGS = [
    {"name": "Exercises", "description": "The clinic's exercise library."},
    {"name": "Patients", "description": "The clinic's patients."},
    {"name": "Programs", "description": "What a therapist builds for one patient."},
    {"name": "Protocols", "description": "Named starting sets of items."},
    {"name": "Handouts", "description": "Issued, frozen programs and their PDFs."},
    {
        "name": "Webhooks",
        "description": "Events hepbuilder POSTs, signed, to the endpoints a clinic's admin "
        "subscribed (`hepbuilder webhook create` or the Webhooks admin page).",
    },
    {"name": "Meta", "description": "This description."},
]


def build_document(public_url: str = "") -> dict:
    """The whole document as a dict (served at /api/v1/openapi.json); the server URL is
    absolute when the app's public URL is known."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hepbuilder JSON API",
            "version": "1.1",
            "description": DESCRIPTION,
            "license": {"name": "Proprietary", "identifier": "LicenseRef-hepbuilder"},
            "contact": {"name": "The clinic that runs this hepbuilder"},
        },
        "servers": [{"url": f"{public_url.rstrip('/')}/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": TAGS,
        "paths": {
            **exercises.PATHS,
            **patients.PATHS,
            **programs.PATHS,
            **handouts.PATHS,
            **meta.PATHS,
        },
        "webhooks": webhooks.WEBHOOKS,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "headers": HEADERS,
            "schemas": COMPONENT_SCHEMAS,
        },
    }
