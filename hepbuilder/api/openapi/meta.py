"""OpenAPI path of the document itself."""

PATHS = {
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
