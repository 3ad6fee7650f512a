"""Protocols on the web. Therapists see the clinic's protocols, star the ones they use (starred
ones come first when a program is started) and save a program as a new protocol, which waits for
an administrator. Admins create, edit, reorder, archive and approve them under
/admin/library/protocols (403 for therapists). The item list works like the builder's: every
button posts the whole form, so nothing typed is lost."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, StringField, TextAreaField
from wtforms.validators import DataRequired

from hepbuilder.domain.dose import DOSE_LIMITS
from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.exercise import MAX_NAME_CHARS
from hepbuilder.domain.limits import PROTOCOL_LIMITS
from hepbuilder.services import exercises, favourites, programs
from hepbuilder.services import protocols as clinic_protocols

from .auth import admin_required, current_actor
from .database import get_db
from .forms import at_most
from .library_forms import add_entry_errors, conditions_field, slugs_from_text
from .page_context import label
from .program_forms import ItemForm, apply_action, rebuild_formdata, submitted_items

bp = Blueprint("protocols", __name__)


class ProtocolForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired("Name the protocol."),
            at_most(MAX_NAME_CHARS),
        ],
    )
    description = TextAreaField(
        "What it is for",
        validators=[at_most(PROTOCOL_LIMITS["description"])],
        render_kw={"rows": 2},
    )
    conditions = conditions_field("Whom it is for, separated by commas, e.g. knee osteoarthritis.")
    progression = TextAreaField(
        "Progression",
        description="When and how to move the patient on.",
        validators=[at_most(PROTOCOL_LIMITS["progression"])],
        render_kw={"rows": 2},
    )
    items = FieldList(FormField(ItemForm), min_entries=0)

    def to_data(self) -> dict:
        """The protocol-entry form; an item that sets no dose uses the exercise's default."""
        items = []
        for entry in self.items:
            item = entry.form
            dose = {name: item[name].data for name in DOSE_LIMITS}
            side = item.side.data or "none"
            given = any(value is not None for value in dose.values()) or side != "none"
            items.append(
                {
                    "exercise": item.exercise.data,
                    "dose": {**dose, "side": side} if given else None,
                    "notes": (item.notes.data or "").strip(),
                }
            )
        return {
            "name": (self.name.data or "").strip(),
            "description": (self.description.data or "").strip(),
            "conditions": slugs_from_text(self.conditions.data),
            "progression": (self.progression.data or "").strip(),
            "items": items,
        }


def _form_data(row) -> dict:
    items = []
    for item in row.items or ():
        dose = item.get("dose") or {}
        items.append(
            {
                "exercise": item["exercise"],
                **{name: dose.get(name) for name in DOSE_LIMITS},
                "side": dose.get("side") or "none",
                "notes": item.get("notes") or "",
            }
        )
    return {
        "name": row.name,
        "description": row.description,
        "conditions": ", ".join(label(c).lower() for c in row.conditions or ()),
        "progression": row.progression or "",
        "items": items,
    }


# --- therapists ------------------------------------------------------------------------------


@bp.route("/protocols")
def index():
    db = get_db()
    actor = current_actor()
    rows = programs.list_protocols(db, actor)
    slugs = {item["exercise"] for row in rows for item in row.items or ()}
    return render_template(
        "protocols/index.html",
        protocols=rows,
        starred=favourites.starred_protocol_ids(db, actor),
        names={
            row.slug: row.name for row in exercises.exercises_by_slug(db, actor, slugs).values()
        },
    )


@bp.post("/protocols/<slug>/star")
def star(slug: str):
    db = get_db()
    favourites.set_protocol_starred(db, current_actor(), slug, request.form.get("starred") == "1")
    db.commit()
    return redirect(url_for("protocols.index"))


@bp.post("/programs/<int:program_id>/protocol")
def propose(program_id: int):
    db = get_db()
    name = request.form.get("name", "")[:200]
    try:
        row = clinic_protocols.propose_protocol(db, current_actor(), program_id, name)
    except ValidationError as error:
        db.rollback()
        flash("The protocol was not saved: " + error.message + ".", "error")
    else:
        db.commit()
        flash(
            f"“{row.name}” is saved as a protocol. An administrator approves it before others "
            "can start programs from it.",
            "success",
        )
    return redirect(url_for("programs.edit", program_id=program_id))


# --- admins ----------------------------------------------------------------------------------


@bp.route("/admin/library/protocols")
@admin_required
def admin_index():
    rows = clinic_protocols.list_all_protocols(get_db(), current_actor())
    return render_template("admin/library_protocols.html", protocols=rows)


def _editor(form, row=None, *, focus=None, status=200):
    db = get_db()
    actor = current_actor()
    live = exercises.exercise_choices(db, actor)
    slugs = [entry.form.exercise.data for entry in form.items]
    return (
        render_template(
            "admin/library_protocol_edit.html",
            form=form,
            row=row,
            focus=focus,
            choices=live,
            names={
                **{slug: name for slug, name in live},
                **{r.slug: r.name for r in exercises.exercises_by_slug(db, actor, slugs).values()},
            },
        ),
        status,
    )


def _submitted(row=None):
    db = get_db()
    actor = current_actor()
    action = request.form.get("action", "save")[:120]
    if action == "add":
        action = "add-" + request.form.get("add_exercise", "")[:80]
    raw_items = submitted_items(request.form)
    defaults = {}
    if action.startswith("add-"):
        slug = action.removeprefix("add-")
        found = exercises.exercises_by_slug(db, actor, [slug]).get(slug)
        if found is not None and not found.is_archived:
            defaults[slug] = programs.default_dose(found)
    focus = apply_action(raw_items, action, defaults)
    form = ProtocolForm(formdata=rebuild_formdata(request.form, raw_items))
    if action != "save":
        return _editor(form, row, focus=focus)
    if not form.validate():
        return _editor(form, row, status=422)
    try:
        if row is None:
            saved = clinic_protocols.create_protocol(db, actor, form.to_data())
        else:
            saved = clinic_protocols.update_protocol(db, actor, row.slug, form.to_data())
    except ValidationError as error:
        db.rollback()
        add_entry_errors(
            form, {k: v for k, v in error.fields.items() if not k.startswith("items[")}
        )
        form.form_errors.extend(
            f"{k}: {v}" for k, v in error.fields.items() if k.startswith("items[")
        )
        return _editor(form, row, status=422)
    db.commit()
    flash(f"The protocol “{saved.name}” is saved.", "success")
    return redirect(url_for("protocols.admin_edit", slug=saved.slug))


@bp.route("/admin/library/protocols/new", methods=["GET", "POST"])
@admin_required
def admin_new():
    if request.method == "POST":
        return _submitted()
    return _editor(ProtocolForm(formdata=None))


@bp.route("/admin/library/protocols/<slug>", methods=["GET", "POST"])
@admin_required
def admin_edit(slug: str):
    row = clinic_protocols.get_protocol(get_db(), current_actor(), slug)
    if request.method == "POST":
        return _submitted(row)
    return _editor(ProtocolForm(formdata=None, data=_form_data(row)), row)


@bp.post("/admin/library/protocols/<slug>/<any(archive, restore, approve):change>")
@admin_required
def admin_change(slug: str, change: str):
    db = get_db()
    if change == "approve":
        row = clinic_protocols.set_protocol_state(db, current_actor(), slug, approve=True)
        message = f"“{row.name}” is approved: therapists can start programs from it."
    else:
        archived = change == "archive"
        row = clinic_protocols.set_protocol_state(db, current_actor(), slug, archived=archived)
        message = f"“{row.name}” is " + ("archived." if archived else "back in use.")
    db.commit()
    flash(message, "success")
    return redirect(url_for("protocols.admin_index"))
