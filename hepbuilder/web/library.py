"""The admin's library pages: the list, the exercise editor, versions, archive and restore,
import and export. Admins only (403 for therapists, sign-in for visitors).

The editor is one form; every button posts all of it, so nothing typed is lost. Step buttons
(add, move, remove) rearrange the submitted steps and show the form again; "Save" checks the
entry with the library's rules and keeps the previous version.
"""

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for

from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.domain.readability import MAX_GRADE, MAX_WORDS, reading_of
from hepbuilder.library import LibraryError
from hepbuilder.library.archive import MAX_ZIP_BYTES
from hepbuilder.services import exercise_photos, exercise_versions, exercises, library_transfer
from hepbuilder.services.images import PHOTO
from hepbuilder.services.library_sync import clinic_muscles

from .addresses import requested_page
from .auth import admin_required, current_actor
from .database import get_db
from .library_forms import (
    STEP_MAX_ROWS,
    ExerciseForm,
    add_entry_errors,
    apply_step_action,
    form_data_for,
    list_rows,
    step_rows,
)

bp = Blueprint("library", __name__, url_prefix="/admin/library")

PAGE_SIZE = 50


@bp.before_request
@admin_required
def _admins_only():
    """Every address under /admin/library is for admins."""
    return None


@bp.route("")
def index():
    actor = current_actor()
    q = request.args.get("q", "").strip()[: exercises.MAX_QUERY_CHARS]
    show = request.args.get("show", "live")
    page = requested_page()
    rows, total = exercises.search_page(
        get_db(),
        actor.clinic_id,
        q=q,
        include_archived=show == "all",
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return render_template(
        "admin/library.html",
        exercises=rows,
        total=total,
        q=q,
        show=show,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _editor(
    form: ExerciseForm,
    row=None,
    *,
    focus=None,
    status=200,
    conflict=None,
    added_meanwhile="",
    photo_error="",
):
    readings = [reading_of(entry.data or "") for entry in form.steps]
    return (
        render_template(
            "admin/library_edit.html",
            form=form,
            row=row,
            photo_error=photo_error,
            photo_max_mb=PHOTO.max_bytes // 2**20,
            focus=focus,
            readings=readings,
            step_rows=[step_rows(entry.data) for entry in form.steps],
            step_max_rows=STEP_MAX_ROWS,
            list_rows={name: list_rows(form[name].data) for name in ("cues", "precautions")},
            max_grade=MAX_GRADE,
            max_words=MAX_WORDS,
            conflict=conflict,
            added_meanwhile=added_meanwhile,
        ),
        status,
    )


def _form(data=None, formdata=None, row=None) -> ExerciseForm:
    """The editor form; the exercise's own targets are offered first, in their order, so saving
    keeps that order."""
    form = ExerciseForm(formdata=formdata, data=data) if data else ExerciseForm(formdata=formdata)
    own = [m.slug for m in row.targets] if row is not None else []
    muscles = clinic_muscles(get_db(), current_actor().clinic_id).values()
    form.set_muscles(
        sorted(muscles, key=lambda m: (own.index(m.slug) if m.slug in own else len(own), m.name))
    )
    return form


def _flash_saved(row) -> None:
    warnings = exercise_versions.step_warnings(exercises.to_domain(row))
    flash(f"“{row.name}” is saved.", "success")
    for index, warning in warnings.items():
        flash(f"Step {index + 1}: {warning}", "warning")


def _submitted(row=None):
    """Apply a step button, or save; returns a response."""
    action = request.form.get("action", "save")[:40]
    if action.startswith("step-"):
        formdata, focus = apply_step_action(request.form, action)
        form = _form(formdata=formdata, row=row)
        return _editor(form, row, focus=focus)
    form = _form(formdata=request.form, row=row)
    if not form.validate():
        return _editor(form, row, status=422)
    db = get_db()
    actor = current_actor()
    try:
        if row is None:
            saved = exercise_versions.create_exercise(db, actor, form.to_entry())
        else:
            version = int(form.version.data) if (form.version.data or "").isdigit() else None
            entry = {**form.to_entry(), "photos": list(row.photos or ())}  # kept: own forms
            saved = exercise_versions.update_exercise(
                db, actor, row.slug, entry, expected_version=version
            )
    except ValidationError as error:
        db.rollback()
        add_entry_errors(form, error.fields)
        return _editor(form, row, status=422)
    except Conflict as error:
        db.rollback()
        if row is None:  # another admin added the same exercise at that moment
            return _editor(form, status=409, added_meanwhile=error.message)
        current = exercises.get_exercise(db, actor.clinic_id, row.slug)
        form.version.data = str(current.version)  # saving again on purpose replaces it
        return _editor(form, current, status=409, conflict=current)
    db.commit()
    _flash_saved(saved)
    return redirect(url_for("library.edit", slug=saved.slug))


@bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "POST":
        return _submitted()
    return _editor(_form(data={"steps": [""], "sets": 1, "side": "none"}))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    row = exercises.get_exercise(get_db(), current_actor().clinic_id, slug)
    if request.method == "POST":
        return _submitted(row)
    entry = exercises.to_domain(row).to_dict()
    return _editor(_form(data=form_data_for(entry, row.version), row=row), row)


def _set_archived(slug: str, archived: bool):
    db = get_db()
    row = exercise_versions.set_exercise_archived(db, current_actor(), slug, archived)
    db.commit()
    if archived:
        flash(
            f"“{row.name}” is retired: it is no longer offered in the picker or search. Programs "
            "and handouts that use it keep it.",
            "success",
        )
    else:
        flash(f"“{row.name}” is back in the library.", "success")
    return redirect(url_for("library.edit", slug=slug))


@bp.post("/<slug>/archive")
def archive(slug: str):
    return _set_archived(slug, True)


@bp.post("/<slug>/restore")
def restore(slug: str):
    return _set_archived(slug, False)


@bp.route("/<slug>/versions")
def versions(slug: str):
    db = get_db()
    actor = current_actor()
    row = exercises.get_exercise(db, actor.clinic_id, slug)
    found = exercise_versions.list_versions(db, actor, slug)
    numbers = [version.number for version in found]
    before, after = _compare_numbers(numbers)
    changes = []
    if before is not None and after is not None:
        changes = exercise_versions.diff_entries(
            exercise_versions.get_version(db, actor, slug, before).entry,
            exercise_versions.get_version(db, actor, slug, after).entry,
        )
    return render_template(
        "admin/library_versions.html",
        row=row,
        versions=found,
        before=before,
        after=after,
        changes=changes,
    )


def _compare_numbers(numbers: list[int]) -> tuple[int | None, int | None]:
    """The two versions to compare: ?a=&b= when both exist, else the newest two."""
    try:
        a, b = int(request.args.get("a", "")), int(request.args.get("b", ""))
    except ValueError:
        a = b = None
    if a in numbers and b in numbers:
        return min(a, b), max(a, b)
    if len(numbers) >= 2:
        return numbers[1], numbers[0]
    return None, None


@bp.post("/<slug>/versions/<int:number>/restore")
def restore_version(slug: str, number: int):
    db = get_db()
    row = exercise_versions.restore_version(db, current_actor(), slug, number)
    db.commit()
    flash(f"Version {number} of “{row.name}” is restored as the newest version.", "success")
    return redirect(url_for("library.versions", slug=slug))


def _read_upload(name: str, max_bytes: int) -> bytes:
    """The uploaded file's bytes, read only up to one byte past the limit ("" when none was
    chosen); the upload's temporary file is closed at once."""
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return b""
    try:
        return upload.stream.read(max_bytes + 1)
    finally:
        upload.close()


# --- photos ------------------------------------------------------------------------------------


@bp.post("/<slug>/photos")
def add_photo(slug: str):
    db = get_db()
    data = _read_upload("photo", PHOTO.max_bytes)
    try:
        row = exercise_photos.add_photo(db, current_actor(), slug, data)
    except ValidationError as error:
        db.rollback()
        row = exercises.get_exercise(db, current_actor().clinic_id, slug)
        entry = exercises.to_domain(row).to_dict()
        message = "The photo " + error.fields.get("photo", error.message) + "."
        form = _form(data=form_data_for(entry, row.version), row=row)
        return _editor(form, row, status=422, photo_error=message)
    db.commit()
    flash(
        "The photo is added. Pages and handouts show the photos in place of the drawing.", "success"
    )
    return redirect(url_for("library.edit", slug=row.slug, _anchor="photos-heading"))


@bp.post("/<slug>/photos/remove")
def remove_photo(slug: str):
    db = get_db()
    row = exercise_photos.remove_photo(
        db, current_actor(), slug, request.form.get("path", "")[:200]
    )
    db.commit()
    flash("The photo is no longer shown; earlier versions keep it.", "success")
    return redirect(url_for("library.edit", slug=row.slug, _anchor="photos-heading"))


# --- import and export -------------------------------------------------------------------------


@bp.route("/transfer")
def transfer():
    return render_template("admin/library_transfer.html", max_mb=MAX_ZIP_BYTES // 2**20)


@bp.route("/export.zip")
def export():
    changed_only = request.args.get("changed") == "1"
    db = get_db()
    data = library_transfer.export_library_zip(db, current_actor(), changed_only=changed_only)
    db.commit()
    response = make_response(data)
    name = "library-changes.zip" if changed_only else "library.zip"
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/import")
def import_zip():
    data = _read_upload("library", MAX_ZIP_BYTES)
    if not data:
        flash("Choose a library zip file to import.", "error")
        return redirect(url_for("library.transfer"))
    db = get_db()
    try:
        result = library_transfer.import_library_zip(db, current_actor(), data)
    except LibraryError as error:
        db.rollback()
        return (
            render_template(
                "admin/library_transfer.html",
                max_mb=MAX_ZIP_BYTES // 2**20,
                problems=error.problems,
            ),
            422,
        )
    db.commit()
    return render_template(
        "admin/library_transfer.html", max_mb=MAX_ZIP_BYTES // 2**20, result=result
    )
