"""OpenAPI path of the document itself."""

PATHS = {
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "tags": ["Meta"],
            "summary": "This description",
            "description": "The OpenAPI 3.1 description of the API. No token needed.",
            "security": [],
            "responses": {
                "200": {
                    "description": "This document",
                    "content": {
                        "application/json": {
                            "schema": {"type": "object"},
                            "example": {
                                "openapi": "3.1.0",
                                "info": {"title": "hepbuilder JSON API"},
                            },
                        }
                    },
                }
            },
        }
    },
}
