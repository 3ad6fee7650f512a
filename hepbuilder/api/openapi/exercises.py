"""OpenAPI paths of the exercise library."""

from .. import schemas
from . import examples
from .common import IDEMPOTENCY_KEY, PAGING, TEXT_FILTER, json_response, operation, page, query

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

# Library writes (scope `library`)
SLUG_PATH = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The exercise's slug, e.g. figure-4-stretch.",
    "schema": schemas.SLUG,
}
EXERCISE_ANSWER = json_response("The exercise", schemas.ref("Exercise"), examples.EXERCISE)

PATHS["/exercises"]["post"] = operation(
    "createExercise",
    tag=TAG,
    summary="Add an exercise to the library",
    description=(
        "Adds an exercise to the clinic's library (scope `library`), checked by the same rules "
        "as a library file; a name another exercise has is 422. `slug` may be left out: it is "
        "made from the name, and a slug the clinic used before is never given again."
    ),
    parameters=(IDEMPOTENCY_KEY,),
    body=("ExerciseCreate", examples.EXERCISE_CREATE),
    success=(
        201,
        json_response(
            "The new exercise",
            schemas.ref("Exercise"),
            examples.EXERCISE,
            created=True,
            replayable=True,
        ),
    ),
)
PATHS["/exercises/{slug}"]["put"] = operation(
    "updateExercise",
    tag=TAG,
    summary="Change an exercise",
    description=(
        "GET the exercise, change fields, PUT them with the `version` you read (scope "
        "`library`); fields left out keep their value, a stale `version` is 409 "
        "`version_conflict`, and the previous text is kept as a version. Issued handouts "
        "never change."
    ),
    parameters=(SLUG_PATH,),
    body=("ExerciseUpdate", examples.EXERCISE_UPDATE),
    success=(200, EXERCISE_ANSWER),
    errors=(404, 409),
)
PATHS["/exercises/{slug}/archive"] = {
    "post": operation(
        "archiveExercise",
        tag=TAG,
        summary="Retire an exercise",
        description=(
            "Scope `library`. It leaves search and the picker; programs and handouts that use "
            "it keep it."
        ),
        parameters=(SLUG_PATH,),
        success=(200, EXERCISE_ANSWER),
        errors=(404,),
    )
}
PATHS["/exercises/{slug}/restore"] = {
    "post": operation(
        "restoreExercise",
        tag=TAG,
        summary="Bring a retired exercise back",
        description="Scope `library`.",
        parameters=(SLUG_PATH,),
        success=(200, EXERCISE_ANSWER),
        errors=(404,),
    )
}
