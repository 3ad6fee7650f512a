"""The pose editor (admins only): sliders for every joint of every frame, the pelvis, the
camera, props and arrows, with a preview. Without JavaScript, "Preview" redraws on the server and
"Save" saves; with it (static/pose-editor.js) the picture redraws as a slider moves, through
the small JSON endpoint `poses.preview`."""

import json

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.illustrations import model
from hepbuilder.services import exercise_versions, exercises
from hepbuilder.services.poses import preview_pose

from .auth import admin_required, current_actor
from .database import get_db
from .page_context import safe_color
from .pose_form import (
    STARTING_POSE,
    arrow_controls,
    camera_controls,
    frame_controls,
    pose_from_form,
    prop_controls,
)

bp = Blueprint("poses", __name__, url_prefix="/admin/library")


@bp.before_request
@admin_required
def _admins_only():
    return None


def _page(row, pose: dict, *, status=200):
    exercise = exercises.to_domain(row)
    preview = preview_pose(exercise, pose, safe_color(current_user.clinic.brand_color))
    return (
        render_template(
            "admin/library_pose.html",
            row=row,
            pose=pose,
            base=json.dumps(pose, separators=(",", ":")),
            views=list(model.VIEWS),
            camera=camera_controls(pose),
            frames=frame_controls(pose),
            props=prop_controls(pose),
            arrows=arrow_controls(pose),
            svg=Markup(preview.svg) if preview.svg else None,
            problems=preview.problems,
            warnings=preview.warnings,
        ),
        status if not preview.errors else 422,
    )


@bp.route("/<slug>/pose", methods=["GET", "POST"])
def edit(slug: str):
    db = get_db()
    actor = current_actor()
    row = exercises.get_exercise(db, actor.clinic_id, slug)
    if request.method == "GET":
        pose = row.illustration if (row.illustration or {}).get("frames") else STARTING_POSE
        return _page(row, pose)
    pose = pose_from_form(request.form)
    if request.form.get("action") != "save":
        return _page(row, pose)
    entry = {**exercises.to_domain(row).to_dict(), "illustration": pose}
    version = request.form.get("version", "")
    try:
        exercise_versions.update_exercise(
            db, actor, slug, entry, expected_version=int(version) if version.isdigit() else None
        )
    except ValidationError:
        db.rollback()
        return _page(exercises.get_exercise(db, actor.clinic_id, slug), pose)
    except Conflict:
        db.rollback()
        flash(
            "Someone saved this exercise meanwhile; your pose is below, not saved yet.", "warning"
        )
        return _page(exercises.get_exercise(db, actor.clinic_id, slug), pose, status=409)
    db.commit()
    flash(f"The pose of “{row.name}” is saved.", "success")
    return redirect(url_for("poses.edit", slug=slug))


@bp.post("/<slug>/pose/preview")
def preview(slug: str):
    """{"svg": "...", "errors": {field: sentence}, "problems": [line in words], "warnings":
    [line in words]} for the pose
    the form describes now."""
    row = exercises.get_exercise(get_db(), current_actor().clinic_id, slug)
    result = preview_pose(
        exercises.to_domain(row),
        pose_from_form(request.form),
        safe_color(current_user.clinic.brand_color),
    )
    return jsonify(
        svg=result.svg,
        errors=result.errors,
        problems=list(result.problems),
        warnings=list(result.warnings),
    )
