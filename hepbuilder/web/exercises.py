"""The clinic's exercise library: search and filters (plain GET links), and one exercise's page."""

import math

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from hepbuilder.domain.dose import describe_dose
from hepbuilder.domain.steps import steps_for_dose
from hepbuilder.services import exercises

from .auth import current_actor
from .database import get_db
from .layout import label, requested_page, safe_color

bp = Blueprint("exercises", __name__, url_prefix="/exercises")

PAGE_SIZE = 40
FILTERS = ("category", "body_region", "equipment", "target")


@bp.route("")
def index():
    actor = current_actor()
    db = get_db()
    q = request.args.get("q", "").strip()[: exercises.MAX_QUERY_CHARS]
    filters = {name: request.args.get(name, "").strip()[:80] for name in FILTERS}
    page = requested_page()
    rows, total = exercises.search_page(
        db, actor.clinic_id, q=q, **filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page > pages:  # past the end (e.g. an old link): show the last page
        page = pages
        rows, total = exercises.search_page(
            db, actor.clinic_id, q=q, **filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    facets = exercises.library_facets(db, actor.clinic_id)
    doses = {row.id: describe_dose(exercises.default_dose(row)) for row in rows}
    return render_template(
        "exercises/index.html",
        exercises=rows,
        doses=doses,
        q=q,
        filters=filters,
        facets=facets,
        total=total,
        page=page,
        pages=pages,
        filtered=bool(q or any(filters.values())),
        category_options=[(value, label(value)) for value in facets.categories],
        region_options=[(value, label(value)) for value in facets.body_regions],
        equipment_options=[(value, label(value)) for value in facets.equipment],
    )


def illustration_markup(exercise, accent_hex: str, side: str = "none") -> Markup | None:
    """The exercise's SVG from the illustrations layer (which escapes its own text), or None.

    `side` "left" mirrors the pose, as the handout does."""
    try:
        from hepbuilder.illustrations import illustration_svg
    except ImportError:
        return None
    try:
        svg = illustration_svg(exercise, side=side, accent_hex=accent_hex)
    except Exception:  # a drawing problem must not take the page down; the log says which
        current_app.logger.exception("Could not draw the illustration of %s", exercise.slug)
        return None
    return Markup(svg) if svg else None


def illustration_words(exercise, side: str = "none") -> str:
    """The caption the handout prints under the same picture ("Shown: right leg. ...")."""
    from hepbuilder.illustrations import illustration_caption

    return illustration_caption(exercise.illustration, side)


@bp.route("/<slug>")
def detail(slug: str):
    actor = current_actor()
    row = exercises.get_exercise(get_db(), actor.clinic_id, slug)
    exercise = exercises.to_domain(row)
    return render_template(
        "exercises/detail.html",
        row=row,
        exercise=exercise,
        dose_words=describe_dose(exercise.defaults),
        steps=steps_for_dose(exercise.steps, exercise.defaults),
        illustration=illustration_markup(exercise, safe_color(current_user.clinic.brand_color)),
        caption=illustration_words(exercise),
    )
