"""The OpenAPI 3.1 document of the JSON API v1, built from the same schemas that check requests."""

from . import paging, schemas
from .idempotency import KEY_HEADER, KEY_MAX_CHARS, KEY_PATTERN

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


def _error(status: int) -> dict:
    return {
        "description": ERRORS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(description: str, schema_name: str, *, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }
    if headers:
        response["headers"] = headers
    return response


def _responses(ok: dict, *errors: int) -> dict:
    responses = dict(ok)
    for status in sorted({401, 403, *errors}):
        responses[str(status)] = _error(status)
    return responses


def _json_body(schema_name: str, *, required: bool = True) -> dict:
    return {
        "required": required,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schemas.ID}


def _query(name: str, schema: dict, description: str = "") -> dict:
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
    _query("limit", paging.LIMIT_SCHEMA, f"Items per page (default {paging.DEFAULT_LIMIT})."),
    _query("cursor", paging.CURSOR_SCHEMA, "From the previous page's `next` link."),
]

TEXT_FILTER = {"type": "string", "maxLength": 200}


def build_document() -> dict:
    """The whole document as a dict (served at /api/v1/openapi.json)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "hepbuilder JSON API",
            "version": "1",
            "description": (
                "Find exercises, push patients, build programs, issue handouts and fetch their "
                "PDFs. Authenticate with `Authorization: Bearer <token>` (tokens come from "
                "`hepbuilder token create`); a token sees only its own clinic's data. Every "
                'error is `{"error": {"code", "message", "fields"}}`. Request bodies are JSON '
                "objects in UTF-8; fields not described here are rejected with 422, and so is "
                "text with a NUL character (\\u0000) anywhere in a body or query. Lists are "
                "paged: follow `next` until it is null."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {**_paths(), **_patient_export_path()},
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": schemas.ERROR,
                "Exercise": schemas.EXERCISE,
                "ExercisePage": schemas.page_of({"$ref": "#/components/schemas/Exercise"}),
                "Patient": schemas.PATIENT,
                "PatientPage": schemas.page_of({"$ref": "#/components/schemas/Patient"}),
                "PatientCreate": schemas.PATIENT_CREATE,
                "Program": schemas.PROGRAM,
                "ProgramCreate": schemas.PROGRAM_CREATE,
                "ProgramUpdate": schemas.PROGRAM_UPDATE,
                "HandoutIssue": schemas.HANDOUT_ISSUE,
                "HandoutIssued": schemas.HANDOUT_ISSUED,
            },
        },
    }


def _patient_export_path() -> dict:
    """GET /patients/{id}/export (patient rights): everything held about one patient as a zip."""
    return {
        "/patients/{patient_id}/export": {
            "get": {
                "operationId": "exportPatient",
                "description": (
                    "Everything held about one patient, for a request under the patient's right "
                    "of access: a zip of patient.json (the record), programs.json (every program "
                    "with its items), handouts.json (every handout issued, with its frozen spec), "
                    "handouts/*.pdf (each handout's PDF), audit_events.json (every recorded "
                    "access and change, naming the user or token, UTC time and address) and "
                    "README.txt. The export is recorded in the audit trail as patient.export. "
                    "An erased patient is not found."
                ),
                "parameters": [_path_id("patient_id")],
                "responses": _responses(
                    {
                        "200": {
                            "description": "A zip archive named patient-<id>-export.zip",
                            "content": {
                                "application/zip": {
                                    "schema": {"type": "string", "format": "binary"}
                                }
                            },
                        }
                    },
                    404,
                ),
            }
        }
    }


def _paths() -> dict:
    return {
        "/exercises": {
            "get": {
                "operationId": "listExercises",
                "summary": "Search the clinic's exercise library",
                "parameters": [
                    _query("q", TEXT_FILTER, "Words in the name, summary, steps or muscles"),
                    _query("category", TEXT_FILTER),
                    _query("body_region", TEXT_FILTER),
                    _query("equipment", TEXT_FILTER),
                    _query("target", TEXT_FILTER, "A target muscle's slug"),
                    *PAGING,
                ],
                "responses": _responses({"200": _ok("One page of exercises", "ExercisePage")}, 422),
            }
        },
        "/exercises/{slug}": {
            "get": {
                "operationId": "getExercise",
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": _responses({"200": _ok("The exercise", "Exercise")}, 404),
            }
        },
        "/patients": {
            "get": {
                "operationId": "listPatients",
                "summary": "The clinic's patients in id order, or the one with an external_id",
                "parameters": [
                    _query("external_id", {"type": "string", "maxLength": 100}),
                    *PAGING,
                ],
                "responses": _responses({"200": _ok("One page of patients", "PatientPage")}, 422),
            },
            "post": {
                "operationId": "createPatient",
                "description": (
                    "An external_id that another patient of the clinic has already is refused "
                    "with 409 and that patient's id in `error.existing_id`."
                ),
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": _json_body("PatientCreate"),
                "responses": _responses(
                    {"201": _ok("The new patient", "Patient", headers=LOCATION)},
                    400,
                    409,
                    413,
                    422,
                ),
            },
        },
        "/patients/{patient_id}": {
            "get": {
                "operationId": "getPatient",
                "parameters": [_path_id("patient_id")],
                "responses": _responses({"200": _ok("The patient", "Patient")}, 404),
            }
        },
        "/programs": {
            "post": {
                "operationId": "createProgram",
                "description": (
                    "Every item is checked before anything is saved: one bad item creates nothing."
                ),
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": _json_body("ProgramCreate"),
                "responses": _responses(
                    {"201": _ok("The new program", "Program", headers=LOCATION)},
                    400,
                    404,
                    409,
                    413,
                    422,
                ),
            }
        },
        "/programs/{program_id}": {
            "get": {
                "operationId": "getProgram",
                "parameters": [_path_id("program_id")],
                "responses": _responses({"200": _ok("The program", "Program")}, 404),
            },
            "put": {
                "operationId": "updateProgram",
                "parameters": [_path_id("program_id")],
                "requestBody": _json_body("ProgramUpdate"),
                "responses": _responses(
                    {"200": _ok("The program as saved (its version moved on)", "Program")},
                    400,
                    404,
                    409,
                    413,
                    422,
                ),
            },
        },
        "/programs/{program_id}/handouts": {
            "post": {
                "operationId": "issueHandout",
                "description": (
                    "Freezes the program into a handout and renders its PDF. The body may be "
                    "left out; with `version`, a program saved since is refused with 409."
                ),
                "parameters": [_path_id("program_id"), IDEMPOTENCY_KEY],
                "requestBody": _json_body("HandoutIssue", required=False),
                "responses": _responses(
                    {"201": _ok("The handout", "HandoutIssued", headers=LOCATION)},
                    400,
                    404,
                    409,
                    413,
                    422,
                ),
            }
        },
        "/handouts/{handout_id}.pdf": {
            "get": {
                "operationId": "getHandoutPdf",
                "description": "Each download is recorded in the audit trail, naming the token.",
                "parameters": [_path_id("handout_id")],
                "responses": _responses(
                    {
                        "200": {
                            "description": "The handout's PDF",
                            "content": {
                                "application/pdf": {
                                    "schema": {"type": "string", "format": "binary"}
                                }
                            },
                        }
                    },
                    404,
                ),
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "security": [],
                "responses": {
                    "200": {
                        "description": "This document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
