"""OpenAPI paths of programs."""

from .common import IDEMPOTENCY_KEY, LOCATION, json_body, ok, path_id, responses

PATHS = {
    "/programs": {
        "post": {
            "operationId": "createProgram",
            "description": (
                "Every item is checked before anything is saved: one bad item creates nothing."
            ),
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": json_body("ProgramCreate"),
            "responses": responses(
                {"201": ok("The new program", "Program", headers=LOCATION)},
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
            "parameters": [path_id("program_id")],
            "responses": responses({"200": ok("The program", "Program")}, 404),
        },
        "put": {
            "operationId": "updateProgram",
            "parameters": [path_id("program_id")],
            "requestBody": json_body("ProgramUpdate"),
            "responses": responses(
                {"200": ok("The program as saved (its version moved on)", "Program")},
                400,
                404,
                409,
                413,
                422,
            ),
        },
    },
}
