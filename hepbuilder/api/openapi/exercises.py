"""OpenAPI paths of the exercise library."""

from .. import schemas
from . import examples
from .common import PAGING, TEXT_FILTER, json_response, operation, page, query

TAG = "Exercises"

PATHS = {
    "/exercises": {
        "get": operation(
            "listExercises",
            tag=TAG,
            summary="Search the clinic's exercise library",
            description=(
                "Exercises in name order, filtered by words and facets (all optional, combined). "
                "Archived exercises are left out. The slugs are what program items name."
            ),
            parameters=(
                query("q", TEXT_FILTER, "Words in the name, summary, steps or muscles."),
                query(
                    "category",
                    TEXT_FILTER,
                    "mobility, stretch, strength, stability or soft-tissue.",
                ),
                query("body_region", TEXT_FILTER, "e.g. hip, lumbar-spine."),
                query("equipment", TEXT_FILTER, "e.g. resistance-band, foam-roller."),
                query("target", TEXT_FILTER, "A target muscle's slug."),
                *PAGING,
            ),
            success=(
                200,
                json_response(
                    "One page of exercises", page("Exercise"), examples.page(examples.EXERCISE)
                ),
            ),
            errors=(422,),
        )
    },
    "/exercises/{slug}": {
        "get": operation(
            "getExercise",
            tag=TAG,
            summary="One exercise of the library",
            description="The exercise with this slug, archived or not.",
            parameters=(
                {
                    "name": "slug",
                    "in": "path",
                    "required": True,
                    "description": "The exercise's slug, e.g. figure-4-stretch.",
                    "schema": schemas.SLUG,
                },
            ),
            success=(
                200,
                json_response("The exercise", schemas.ref("Exercise"), examples.EXERCISE),
            ),
            errors=(404,),
        )
    },
}
