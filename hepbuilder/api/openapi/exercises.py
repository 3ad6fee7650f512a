"""OpenAPI paths of the exercise library."""

from .common import PAGING, TEXT_FILTER, ok, query, responses

PATHS = {
    "/exercises": {
        "get": {
            "operationId": "listExercises",
            "summary": "Search the clinic's exercise library",
            "parameters": [
                query("q", TEXT_FILTER, "Words in the name, summary, steps or muscles"),
                query("category", TEXT_FILTER),
                query("body_region", TEXT_FILTER),
                query("equipment", TEXT_FILTER),
                query("target", TEXT_FILTER, "A target muscle's slug"),
                *PAGING,
            ],
            "responses": responses({"200": ok("One page of exercises", "ExercisePage")}, 422),
        }
    },
    "/exercises/{slug}": {
        "get": {
            "operationId": "getExercise",
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": responses({"200": ok("The exercise", "Exercise")}, 404),
        }
    },
}
