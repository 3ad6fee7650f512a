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
                "therapist, else the token's default therapist. `Location` is the PDF. A program "
                "with no exercises, or whose `review_on` has passed (the handout would send the "
                "patient to a review that is over), is refused with 422 `invalid`, naming "
                "`items` or `review_on`."
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
            errors=(404, 409, 422, 503),
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
            errors=(404, 503),
        )
    },
}

# Delivery: a handout by email, and the email's status
PATHS["/handouts/{handout_id}/email"] = {
    "post": operation(
        "emailHandout",
        tag=TAG,
        summary="Email a handout to the patient",
        description=(
            "Queues the handout's email to the patient's address (or to `to`) in the outbox, "
            "in this request; a worker sends it soon after: poll `GET /deliveries/{id}`. It "
            "comes from the clinic's name, with a subject that says nothing about health, the "
            "clinic's contact, the review date and the patient's private link, and the PDF "
            "attached unless the clinic sends the link only. A failed send is retried after "
            "about 1 min, 5 min, 30 min, 2 h and 12 h, then it is `failed`. An Idempotency-Key "
            "makes a retried request queue one email only. 409 when email is not set up on the "
            "server; 422 (`to`) for an address that is not one (the `to` schema says which are), "
            "or when the patient has no address and no `to` is given. Recorded in the audit trail under the token's name."
        ),
        parameters=(HANDOUT_ID, IDEMPOTENCY_KEY),
        body=("HandoutEmail", examples.HANDOUT_EMAIL),
        body_required=False,
        success=(
            202,
            json_response(
                "Queued",
                schemas.ref("DeliveryQueued"),
                examples.DELIVERY_QUEUED,
                created=True,
                replayable=True,
            ),
        ),
        errors=(404, 409),
    )
}
PATHS["/deliveries/{delivery_id}"] = {
    "get": operation(
        "getDelivery",
        tag=TAG,
        summary="The status of a handout email",
        description="queued, sending, sent or failed, with the attempts and the last error.",
        parameters=(path_id("delivery_id", "The delivery's id."),),
        success=(200, json_response("The delivery", schemas.ref("Delivery"), examples.DELIVERY)),
        errors=(404,),
    )
}
