"""OpenAPI paths of patients."""

from .common import IDEMPOTENCY_KEY, LOCATION, PAGING, json_body, ok, path_id, query, responses

PATHS = {
    "/patients": {
        "get": {
            "operationId": "listPatients",
            "summary": "The clinic's patients in id order, or the one with an external_id",
            "parameters": [
                query("external_id", {"type": "string", "maxLength": 100}),
                *PAGING,
            ],
            "responses": responses({"200": ok("One page of patients", "PatientPage")}, 422),
        },
        "post": {
            "operationId": "createPatient",
            "description": (
                "An external_id that another patient of the clinic has already is refused "
                "with 409 and that patient's id in `error.existing_id`."
            ),
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": json_body("PatientCreate"),
            "responses": responses(
                {"201": ok("The new patient", "Patient", headers=LOCATION)}, 400, 409, 413, 422
            ),
        },
    },
    "/patients/{patient_id}": {
        "get": {
            "operationId": "getPatient",
            "parameters": [path_id("patient_id")],
            "responses": responses({"200": ok("The patient", "Patient")}, 404),
        }
    },
}
