"""The clinic's exercise library: search and filters (plain GET links), one exercise's page, its
small picture (an SVG the list, the picker and the builder show), and starring it."""

import hashlib
import math

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from hepbuilder.domain.dose import describe_dose
from hepbuilder.domain.exercise import drawn_for_side, photo_labels
from hepbuilder.domain.steps import steps_for_dose
from hepbuilder.services import exercise_photos, exercises, favourites, illustration_paths

from .addresses import requested_page, url_template
from .auth import current_actor, is_safe_next
from .database import get_db
from .page_context import label, safe_color

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
        corrections=[t for t in exercises.query_terms(db, actor.clinic_id, q) if t.corrected],
        starred=set(favourites.starred_exercise_ids(db, actor)),
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


def _drawn(exercise, side: str, draw):
    """`draw(exercise)` for the exercise as drawn for `side`, its stored paths loaded first (one
    query for the poses this process cannot draw yet), or None when the drawing fails."""
    exercise = drawn_for_side(exercise, side)
    illustration_paths.load_illustration_paths(get_db(), [exercise.illustration])
    try:
        return draw(exercise)
    except Exception:  # a drawing problem must not take the page down; the log says which
        current_app.logger.exception("Could not draw the illustration of %s", exercise.slug)
        return None


def illustration_markup(exercise, accent_hex: str, side: str = "none") -> Markup | None:
    """The exercise's SVG from the illustrations layer (which escapes its own text), or None.

    `side` "left" mirrors the pose, as the handout does, and a frame marked "[each side]" is
    drawn only for "each" (`drawn_for_side`)."""
    try:
        from hepbuilder.illustrations import illustration_svg
    except ImportError:
        return None
    svg = _drawn(exercise, side, lambda e: illustration_svg(e, side=side, accent_hex=accent_hex))
    return Markup(svg) if svg else None


def frame_markups(exercise, accent_hex: str, side: str = "none") -> list[Markup]:
    """The exercise's picture as one SVG per frame, all at one scale (`illustration_frame_svgs`),
    drawn for `side` as `illustration_markup` draws it; [] when it cannot be drawn."""
    try:
        from hepbuilder.illustrations import illustration_frame_svgs
    except ImportError:
        return []
    svgs = _drawn(
        exercise, side, lambda e: illustration_frame_svgs(e, side=side, accent_hex=accent_hex)
    )
    return [Markup(svg) for svg in svgs or ()]


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
        starred=row.id in favourites.starred_exercise_ids(get_db(), actor),
        exercise=exercise,
        dose_words=describe_dose(exercise.defaults),
        steps=steps_for_dose(exercise.steps, exercise.defaults),
        # drawn and captioned for the default dose, as a handout with that dose shows it
        illustration=illustration_markup(
            exercise, safe_color(current_user.clinic.brand_color), side=exercise.defaults.side
        ),
        photos=list(
            zip(
                [photo_url(row, path) for path in row.photos or ()],
                photo_labels(len(row.photos or ())),
                strict=True,
            )
        ),
        caption=illustration_words(exercise, exercise.defaults.side),
    )


def figure_url(row) -> str:
    """The address of the exercise's small picture (its first photo, else the drawn figure);
    it changes whenever the exercise does."""
    if row.photos:
        return photo_url(row, row.photos[0])
    return url_template("exercises.figure", "slug", "v")(row.slug, row.version)


def detail_url(row) -> str:
    """The address of the exercise's page."""
    return url_template("exercises.detail", "slug")(row.slug)


def photo_url(row, path: str) -> str:
    return url_for("exercises.photo", slug=row.slug, name=path.removeprefix("images/"))


@bp.route("/<slug>/photos/<name>")
def photo(slug: str, name: str):
    """One of the exercise's photos (PNG, re-encoded without metadata when it was stored)."""
    actor = current_actor()
    exercises.get_exercise(get_db(), actor.clinic_id, slug)
    data = exercise_photos.get_photo(get_db(), actor.clinic_id, f"images/{name[:120]}")
    response = make_response(data)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "private, max-age=86400"  # a path never changes content
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<slug>/figure.svg")
def figure(slug: str):
    """The exercise's illustration as an SVG image (a placeholder when it has none)."""
    actor = current_actor()
    row = exercises.get_exercise(get_db(), actor.clinic_id, slug)
    accent = safe_color(current_user.clinic.brand_color)
    exercise = exercises.to_domain(row)
    svg = illustration_markup(exercise, accent, side=exercise.defaults.side)
    body = str(svg) if svg else _PLACEHOLDER_SVG
    response = make_response(body)
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.set_etag(hashlib.sha256(f"{row.version}:{accent}".encode()).hexdigest()[:16])
    return response.make_conditional(request)


_PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 80" role="img" '
    'aria-label="No picture yet"><rect width="120" height="80" rx="6" fill="#eef1f4"/>'
    '<text x="60" y="45" font-family="sans-serif" font-size="11" text-anchor="middle" '
    'fill="#5f6b76">No picture</text></svg>'
)


@bp.post("/<slug>/star")
def star(slug: str):
    """Star or unstar the exercise for the signed-in user (`starred` "1" or "0"), then go back."""
    db = get_db()
    favourites.set_exercise_starred(db, current_actor(), slug, request.form.get("starred") == "1")
    db.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("exercises.detail", slug=slug))
