"""GET /exercises (search the clinic's library) and GET /exercises/<slug>."""

from flask import g

from hepbuilder.domain.errors import NotFound
from hepbuilder.services import exercises
from hepbuilder.web.database import get_db

from .. import paging
from .common import QUERY_PARAMETERS, answer, bp

EXERCISE_FILTERS = ("q", "category", "body_region", "equipment", "target")
QUERY_PARAMETERS["api.list_exercises"] = ("limit", "cursor", *EXERCISE_FILTERS)


def exercise_json(row) -> dict:
    entry = exercises.to_domain(row).to_dict()
    entry.pop("illustration", None)
    entry.pop("source", None)
    entry["is_archived"] = row.is_archived
    entry["url"] = f"/exercises/{row.slug}"
    return entry


@bp.get("/exercises")
def list_exercises():
    page = paging.page_request()
    filters = {name: paging.text_arg(name) for name in EXERCISE_FILTERS}
    session = get_db()
    rows = exercises.search_exercises(
        session, g.actor.clinic_id, **filters, limit=page.limit, offset=page.cursor
    )
    total = exercises.count_exercises(session, g.actor.clinic_id, **filters)
    after = page.cursor + len(rows)
    next_cursor = after if rows and after < total else None
    return answer(paging.page_body([exercise_json(row) for row in rows], next_cursor, page.limit))


@bp.get("/exercises/<path:slug>")
def get_exercise(slug: str):
    if len(slug) > 80 or "\x00" in slug:
        raise NotFound("There is no such exercise in this clinic's library.")
    row = exercises.get_exercise(get_db(), g.actor.clinic_id, slug)
    return answer(exercise_json(row))
