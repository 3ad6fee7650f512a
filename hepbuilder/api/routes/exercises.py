"""GET /exercises (search the clinic's library) and GET /exercises/<slug>."""

from flask import g, url_for

from hepbuilder.domain.errors import NotFound
from hepbuilder.services import exercise_versions, exercises
from hepbuilder.web.database import get_db

from .. import idempotency, paging, schemas
from .common import QUERY_PARAMETERS, answer, bp, read_body

EXERCISE_FILTERS = ("q", "category", "body_region", "equipment", "target")
QUERY_PARAMETERS["api.list_exercises"] = ("limit", "cursor", *EXERCISE_FILTERS)


def exercise_json(row) -> dict:
    entry = exercises.to_domain(row).to_dict()
    entry.pop("illustration", None)
    entry.update(exercise_versions.exercise_read_only(row), version=row.version)
    return entry


@bp.get("/exercises")
def list_exercises():
    page = paging.page_request()
    filters = {name: paging.text_arg(name) for name in EXERCISE_FILTERS}
    session = get_db()
    rows = exercises.search_exercises(
        session, g.actor.clinic_id, **filters, limit=page.limit, offset=page.cursor
    )
    after = page.cursor + len(rows)
    next_cursor = None
    if len(rows) == page.limit:  # a full page: is there one more match? (count no further)
        more = exercises.count_exercises(session, g.actor.clinic_id, **filters, at_most=after + 1)
        next_cursor = after if more > after else None
    return answer(paging.page_body([exercise_json(row) for row in rows], next_cursor, page.limit))


@bp.get("/exercises/<slug>")
def get_exercise(slug: str):
    row = exercises.get_exercise(get_db(), g.actor.clinic_id, _exercise_slug(slug))
    return answer(exercise_json(row))


def _exercise_slug(slug: str) -> str:
    if len(slug) > 80 or "\x00" in slug:
        raise NotFound("There is no such exercise in this clinic's library.")
    return slug


@bp.post("/exercises")
def create_exercise():
    data = read_body(schemas.EXERCISE_CREATE)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    row = exercise_versions.create_exercise(session, g.actor, data)
    return answer(exercise_json(row), 201, url_for("api.get_exercise", slug=row.slug))


@bp.put("/exercises/<slug>")
def update_exercise(slug: str):
    """GET-modify-PUT: fields left out keep their value; a stale `version` is a 409."""
    data = read_body(schemas.EXERCISE_UPDATE)
    session = get_db()
    row = exercises.get_exercise(session, g.actor.clinic_id, _exercise_slug(slug))
    read_only = {key: data.pop(key) for key in exercise_versions.READ_ONLY_FIELDS if key in data}
    entry = {**exercises.to_domain(row).to_dict(), **data}
    version = entry.pop("version")
    row = exercise_versions.update_exercise(
        session, g.actor, row.slug, entry, expected_version=version, read_only=read_only
    )
    return answer(exercise_json(row))


@bp.post("/exercises/<slug>/archive")
def archive_exercise(slug: str):
    row = exercise_versions.set_exercise_archived(get_db(), g.actor, _exercise_slug(slug), True)
    return answer(exercise_json(row))


@bp.post("/exercises/<slug>/restore")
def restore_exercise(slug: str):
    row = exercise_versions.set_exercise_archived(get_db(), g.actor, _exercise_slug(slug), False)
    return answer(exercise_json(row))
