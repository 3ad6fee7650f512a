"""The OpenAPI 3.1 document of the JSON API v1, built from the same schemas that check requests.

Each resource's paths live in their own module here, beside hepbuilder.api.routes' module of the
same name.
"""

from .. import schemas
from . import exercises, handouts, meta, patients, programs


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
        "paths": {
            **exercises.PATHS,
            **patients.PATHS,
            **programs.PATHS,
            **handouts.PATHS,
            **meta.PATHS,
        },
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
