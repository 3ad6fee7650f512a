"""OpenAPI paths of patients."""

from .. import paging, schemas
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

TAG = "Patients"
PATIENT_ID = path_id("patient_id", "The patient's id (from POST /patients or a list).")


def _patient_answer(description: str, **flags) -> dict:
    return json_response(description, schemas.ref("Patient"), examples.PATIENT, **flags)


PATHS = {
    "/patients": {
        "get": operation(
            "listPatients",
            tag=TAG,
            summary="List or find the clinic's patients",
            description=(
                "Patients in id order, archived ones too (`is_archived`). Filters combine: "
                "`external_id` finds the patient the PMS knows by that id (an empty list when "
                "none); `name` and `date_of_birth` find patients created without one. A filter "
                'sent empty or blank is refused with 422, never read as "all patients".'
            ),
            parameters=(
                query("external_id", paging.filter_schema(100), "The PMS's id for the patient."),
                query(
                    "name",
                    paging.filter_schema(paging.TEXT_MAX_CHARS),
                    "Every word in the first or last name; case and accents ignored.",
                ),
                query("date_of_birth", schemas.DATE, "YYYY-MM-DD."),
                UPDATED_SINCE,
                *PAGING,
            ),
            success=(
                200,
                json_response(
                    "One page of patients", page("Patient"), examples.page(examples.PATIENT)
                ),
            ),
            errors=(422,),
        ),
        "post": operation(
            "createPatient",
            tag=TAG,
            summary="Add a patient",
            description=(
                "First and last name are required. An external_id that another patient of the "
                "clinic has already is refused with 409 `external_id_taken` and that patient's id "
                "in `error.existing_id`."
            ),
            parameters=(IDEMPOTENCY_KEY,),
            body=("PatientCreate", examples.PATIENT_CREATE),
            success=(201, _patient_answer("The new patient", created=True, replayable=True)),
            errors=(409,),
        ),
    },
    "/patients/{patient_id}": {
        "get": operation(
            "getPatient",
            tag=TAG,
            summary="One patient",
            description="The patient, archived or not. Recorded in the audit trail.",
            parameters=(PATIENT_ID,),
            success=(200, _patient_answer("The patient")),
            errors=(404,),
        ),
        "patch": operation(
            "updatePatient",
            tag=TAG,
            summary="Change a patient's details",
            description=(
                "Demographics, contact details and external id: only the fields sent change. "
                "The whole record from GET may be sent back; its read-only fields must be "
                "unchanged (422 naming the field otherwise)."
            ),
            parameters=(PATIENT_ID,),
            body=("PatientPatch", examples.PATIENT_PATCH),
            success=(200, _patient_answer("The patient as saved")),
            errors=(404, 409),
        ),
    },
    "/patients/{patient_id}/archive": {
        "post": operation(
            "archivePatient",
            tag=TAG,
            summary="Archive a patient",
            description=(
                "Hides the patient from the clinic's lists; programs and handouts are kept. "
                "Archiving an archived patient changes nothing."
            ),
            parameters=(PATIENT_ID,),
            success=(200, _patient_answer("The patient, archived")),
            errors=(404,),
        )
    },
    "/patients/{patient_id}/restore": {
        "post": operation(
            "restorePatient",
            tag=TAG,
            summary="Restore an archived patient",
            description="Brings an archived patient back into the clinic's lists.",
            parameters=(PATIENT_ID,),
            success=(200, _patient_answer("The patient, restored")),
            errors=(404,),
        )
    },
}

PATHS["/patients/{patient_id}/export"] = {
    "get": operation(
        "exportPatient",
        tag=TAG,
        summary="Everything held about one patient, as a zip",
        description=(
            "For a request under the patient's right of access: a zip of patient.json (the "
            "record), programs.json (every program with its items), handouts.json (every "
            "handout issued, with its frozen spec), handouts/*.pdf (each handout's PDF), "
            "audit_events.json (every recorded access and change, naming the user or token, UTC "
            "time and address), the patient's private link and deliveries, and README.txt. "
            "Recorded in the audit trail as patient.export. An erased patient is not found."
        ),
        parameters=(PATIENT_ID,),
        success=(
            200,
            {
                "description": "A zip archive named patient-<id>-export.zip",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            },
        ),
        errors=(404, 503),
    )
}
