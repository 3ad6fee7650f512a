"""OpenAPI paths of handouts."""

from .. import schemas
from . import examples
from .common import (
    IDEMPOTENCY_KEY,
    PAGING,
    UPDATED_SINCE,
    json_response,
    operation,
    page,
    path_id,
    query,
)

TAG = "Handouts"
HANDOUT_ID = path_id("handout_id", "The handout's id.")
PDF_RESPONSE = {
    "description": "The handout's PDF, as issued (byte for byte)",
    "headers": {
        "Content-Disposition": {
            "description": 'attachment; filename="handout-<issued_on>-<number>.pdf"',
            "schema": {"type": "string"},
        }
    },
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}

FHIR_RESPONSE = {
    **json_response("A FHIR R4 Bundle", {}, None),
    "content": {
        "application/fhir+json": {
            "schema": {
                "type": "object",
                "description": "A FHIR R4 Bundle (type collection): CarePlan and DocumentReference",
                "properties": {"resourceType": {"type": "string", "enum": ["Bundle"]}},
                "required": ["resourceType"],
                "additionalProperties": True,
            },
            "example": examples.FHIR_BUNDLE,
        }
    },
}

PATHS = {
    "/programs/{program_id}/handouts": {
        "post": operation(
            "issueHandout",
            tag=TAG,
            summary="Issue a handout",
            description=(
                "Freezes the program into a handout and renders its PDF. The body may be left "
                "out; with `version`, a program saved since is refused with 409 "
                "`version_conflict`. The handout names `therapist_email`, else the program's "
                "therapist, else the token's default therapist. `Location` is the PDF."
            ),
            parameters=(path_id("program_id", "The program to issue."), IDEMPOTENCY_KEY),
            body=("HandoutIssue", examples.HANDOUT_ISSUE),
            body_required=False,
            success=(
                201,
                json_response(
                    "The handout",
                    schemas.ref("Handout"),
                    examples.HANDOUT,
                    created=True,
                    replayable=True,
                ),
            ),
            errors=(404, 409),
        )
    },
    "/handouts": {
        "get": operation(
            "listHandouts",
            tag=TAG,
            summary="List handouts",
            description="The clinic's handouts in id order, of one patient and/or program.",
            parameters=(
                query("patient_id", schemas.ID, "Only this patient's handouts."),
                query("program_id", schemas.ID, "Only those issued from this program."),
                UPDATED_SINCE,
                *PAGING,
            ),
            success=(
                200,
                json_response(
                    "One page of handouts", page("Handout"), examples.page(examples.HANDOUT)
                ),
            ),
            errors=(422,),
        )
    },
    "/handouts/{handout_id}": {
        "get": operation(
            "getHandout",
            tag=TAG,
            summary="One handout",
            description="Number, when it was issued, from which program version, for whom, by whom.",
            parameters=(HANDOUT_ID,),
            success=(200, json_response("The handout", schemas.ref("Handout"), examples.HANDOUT)),
            errors=(404,),
        )
    },
    "/handouts/{handout_id}/fhir": {
        "get": operation(
            "getHandoutFhir",
            tag=TAG,
            summary="A handout as a FHIR R4 Bundle",
            description=(
                "For a hospital system's chart: the program as a CarePlan (HL7 Physical Activity "
                "IG: intent plan, category PhysicalActivity, one activity per exercise coded "
                "SNOMED CT 229065009 with its steps, dose in words and frequency as a Timing), "
                "the patient as a reference by the external id, and the PDF as a "
                "DocumentReference. Recorded in the audit trail."
            ),
            parameters=(HANDOUT_ID,),
            success=(200, FHIR_RESPONSE),
            errors=(404,),
        )
    },
    "/handouts/{handout_id}.pdf": {
        "get": operation(
            "getHandoutPdf",
            tag=TAG,
            summary="Download a handout's PDF",
            description="Each download is recorded in the audit trail, naming the token.",
            parameters=(HANDOUT_ID,),
            success=(200, PDF_RESPONSE),
            errors=(404,),
        )
    },
}
