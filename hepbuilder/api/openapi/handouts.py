"""OpenAPI paths of handouts."""

from .common import IDEMPOTENCY_KEY, LOCATION, json_body, ok, path_id, responses

PATHS = {
    "/programs/{program_id}/handouts": {
        "post": {
            "operationId": "issueHandout",
            "description": (
                "Freezes the program into a handout and renders its PDF. The body may be "
                "left out; with `version`, a program saved since is refused with 409."
            ),
            "parameters": [path_id("program_id"), IDEMPOTENCY_KEY],
            "requestBody": json_body("HandoutIssue", required=False),
            "responses": responses(
                {"201": ok("The handout", "HandoutIssued", headers=LOCATION)},
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
            "parameters": [path_id("handout_id")],
            "responses": responses(
                {
                    "200": {
                        "description": "The handout's PDF",
                        "content": {
                            "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                        },
                    }
                },
                404,
            ),
        }
    },
}
