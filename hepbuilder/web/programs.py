"""The program builder: start a program, then edit, reorder, add from the picker, preview and issue.

The builder is one form. Every button posts all of it, so nothing typed is lost: the view
applies the button (move, remove, add) to the submitted data, checks the shape, and saves through
`programs.update_program` with the version the page was opened at. A stale version shows what
is saved now beside the user's own input; invalid input comes back with a message per field.
Everything works without JavaScript; builder.js adds drag-and-drop, in-page moves, live search
and live dose wording.
"""

from dataclasses import dataclass

from flask import (
    Blueprint,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from hepbuilder.domain.dose import DOSE_FIELDS, describe_dose, parse_dose
from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.domain.spec import MAX_ITEMS
from hepbuilder.services import exercises, favourites, handouts, programs

from .auth import current_actor
from .builder_items import ItemRow, items_html, rows_from_data, rows_from_form
from .database import commit_then_read, get_db
from .delivery import link_signer
from .page_context import label
from .program_forms import ProgramForm, apply_action, rebuild_formdata, submitted_items

bp = Blueprint("programs", __name__)

PICKER_FILTERS = ("q", "category", "body_region", "equipment", "target")
PICKER_LIMIT = 12


def _picker_args(source) -> dict[str, str]:
    """The picker's search (q and filters) and "all" ("1": show every match, not the first 12)."""
    args = {
        name: (source.get(name) or "").strip()[: 200 if name == "q" else 80]
        for name in PICKER_FILTERS
    }
    args["all"] = "1" if source.get("all") == "1" else ""
    return args


@dataclass(frozen=True)
class PickerResult:
    """One exercise the picker offers, and what the therapist should see beside it."""

    exercise: object
    dose_words: str
    is_starred: bool
    is_recent: bool
    times_in_program: int


def _picker_context(actor, picker: dict[str, str], in_program: list[str], facets=None) -> dict:
    """The picker's results (the user's starred, then recently used exercises first), how many
    more match, typos it read as other words, and the filters that narrow it (so nothing is
    hidden without saying so). `facets`: the library's, when the caller has them already."""
    db = get_db()
    filters = {name: value for name, value in picker.items() if name in PICKER_FILTERS}
    terms = exercises.query_terms(db, actor.clinic_id, filters.pop("q"))
    starred = favourites.starred_exercise_ids(db, actor)
    recent = favourites.recent_exercise_ids(db, actor)
    limit = exercises.MAX_PAGE_SIZE if picker.get("all") else PICKER_LIMIT
    rows = exercises.search_exercises(
        db,
        actor.clinic_id,
        terms=terms,
        **filters,
        limit=limit,
        prefer_ids=list(dict.fromkeys([*starred, *recent])),
        listed=True,
    )
    total = len(rows)
    if len(rows) == limit and not terms and not any(filters.values()):  # the whole library
        facets = facets or exercises.library_facets(db, actor.clinic_id)
        total = facets.live_count
    elif len(rows) == limit:  # how many in all, up to what "Show all" can show
        total = exercises.count_exercises(
            db, actor.clinic_id, terms=terms, **filters, at_most=exercises.MAX_PAGE_SIZE
        )
    return {
        "results": [
            PickerResult(
                exercise=row,
                dose_words=describe_dose(exercises.default_dose(row)),
                is_starred=row.id in starred,
                is_recent=row.id in recent,
                times_in_program=in_program.count(row.slug),
            )
            for row in rows
        ],
        "picker_more": total - len(rows),
        "picker_total": total,
        "picker_capped": total >= exercises.MAX_PAGE_SIZE,  # at least this many; maybe more
        "corrections": [term for term in terms if term.corrected],
        "active_filters": [(name, value) for name, value in filters.items() if value],
    }


@bp.post("/patients/<int:patient_id>/programs")
def create(patient_id: int):
    """Start a program: `start` is "blank", "protocol" (with `protocol` slug) or "copy" (`copy_of`)."""
    actor = current_actor()
    db = get_db()
    start = request.form.get("start", "blank")
    if start == "protocol":
        program = programs.create_program(
            db, actor, patient_id, protocol=request.form.get("protocol", "")
        )
    elif start == "copy":
        try:
            copy_of = int(request.form.get("copy_of", ""))
        except ValueError:
            raise ValidationError({"copy_of": "Choose the program to copy."}) from None
        program = programs.create_program(db, actor, patient_id, copy_of=copy_of)
    else:
        program = programs.create_program(db, actor, patient_id)
    db.commit()
    return redirect(url_for("programs.edit", program_id=program.id))


def _form_data(program) -> dict:
    """The saved program as the builder's form shows it."""
    return {
        "version": str(program.version),
        "title": program.title,
        "notes": program.notes,
        "review_on": program.review_on,
        "paper": program.paper,
        "large_print": program.large_print,
        "items": [programs.item_to_data(item) for item in program.items],
    }


def _add_service_errors(form: ProgramForm, error: ValidationError) -> None:
    for name, text in error.fields.items():
        sentence = text[:1].upper() + text[1:]
        sentence = sentence if sentence.endswith(".") else sentence + "."
        if name.startswith("items[") and "]." in name:
            index_text, _, field_name = name[len("items[") :].partition("].")
            try:
                field = form.items[int(index_text)].form[field_name]
            except (ValueError, IndexError, KeyError):
                form.form_errors.append(sentence)
                continue
        elif name in form and name != "items":
            field = form[name]
        else:
            form.form_errors.append(sentence)
            continue
        field.errors = [*field.errors, sentence]


def _render(
    program,
    form: ProgramForm,
    *,
    picker,
    rows: list[ItemRow] | None = None,
    focus=None,
    conflict=None,
    preview=False,
    again="",
    status=200,
):
    """The builder page; `rows` are the items to show (by default the form's, as submitted)."""
    actor = current_actor()
    db = get_db()
    if rows is None:
        rows = rows_from_form(form)
    slugs = [row.exercise for row in rows]
    loaded = {item.exercise.slug: item.exercise for item in program.items}  # with the program
    items_exercises = {slug: loaded[slug] for slug in slugs if slug in loaded}
    items_exercises.update(
        exercises.exercises_by_slug(db, actor, [slug for slug in slugs if slug not in loaded])
    )
    dose_words = [describe_dose(row.dose) if row.dose is not None else "" for row in rows]
    facets = exercises.library_facets(db, actor.clinic_id)
    response = make_response(
        render_template(
            "programs/edit.html",
            program=program,
            patient=program.patient,
            form=form,
            item_count=len(rows),
            items_html=items_html(rows, items_exercises, dose_words, focus),
            picker=picker,
            **_picker_context(actor, picker, slugs, facets),
            again=items_exercises.get(again) if again in slugs else None,
            facets=facets,
            filter_options={
                "category": [(value, label(value)) for value in facets.categories],
                "body_region": [(value, label(value)) for value in facets.body_regions],
                "equipment": [(value, label(value)) for value in facets.equipment],
                "target": list(facets.targets),
            },
            focus=focus,
            conflict=conflict,
            saved_items=[
                (item.exercise.name, describe_dose(programs.item_dose(item)))
                for item in conflict.items
            ]
            if conflict is not None
            else [],
            preview=preview,
            printing_warnings=handouts.printing_warnings(db, actor, program.id) if preview else [],
            long_program=len(rows) > programs.LONG_PROGRAM_ITEMS,
            long_limit=programs.LONG_PROGRAM_ITEMS,
        ),
        status,
    )
    return response


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
def edit(program_id: int):
    actor = current_actor()
    db = get_db()
    if request.method == "GET":
        preview = request.args.get("preview") == "1"
        # the preview's printing check reads whole exercises; the page alone, what a list shows
        program = programs.view_program(
            db, actor, program_id, loads="whole" if preview else "listed"
        )
        commit_then_read(db)
        data = _form_data(program)
        rows = rows_from_data(data.pop("items"))  # shown without a WTForms form per item
        return _render(
            program,
            ProgramForm(formdata=None, data=data),
            rows=rows,
            picker=_picker_args(request.args),
            preview=preview,
            again=request.args.get("again", "")[:80],
        )

    program = programs.get_program(db, actor, program_id)
    action = request.form.get("action", "save")[:120]
    raw_items = submitted_items(request.form)
    if len(raw_items) > MAX_ITEMS:  # refused before a sub-form is built for each
        raise ValidationError({"items": f"A program holds at most {MAX_ITEMS} exercises."})
    defaults = {}
    again = ""
    if action.startswith("add-again-"):  # the therapist said yes: add it a second time
        action = "add-" + action.removeprefix("add-again-")
    elif action.startswith("add-") and action.removeprefix("add-") in {
        item.get("exercise") for item in raw_items
    }:
        again = action.removeprefix("add-")  # ask first; the rest of the form is still saved
        action = "search"
    if action.startswith("add-"):
        slug = action.removeprefix("add-")
        row = exercises.exercises_by_slug(db, actor, [slug]).get(slug)
        if row is not None and not row.is_archived:
            defaults[slug] = programs.default_dose(row)
    focus = apply_action(raw_items, action, defaults)
    form = ProgramForm(formdata=rebuild_formdata(request.form, raw_items))
    picker = _picker_args(request.form)
    if action == "search-all":  # every match, not the first few
        picker["all"], action = "1", "search"
    elif action == "clear-filters":
        picker = {**{name: "" for name in picker}, "q": picker["q"]}
        action = "search"
    if not form.validate():
        return _render(program, form, picker=picker, focus=focus, status=422)
    try:
        saved = programs.update_program(
            db, actor, program.id, form.version.data, form.to_data(), loaded=program
        )
        handout = None
        if action == "issue":
            handout = handouts.issue_handout(
                db,
                actor,
                program.id,
                expected_version=saved.version,
                links=link_signer(),
                loaded=saved,
            )
    except ValidationError as error:
        db.rollback()
        _add_service_errors(form, error)
        program = programs.get_program(db, actor, program_id)
        return _render(program, form, picker=picker, focus=focus, status=422)
    except Conflict:
        db.rollback()
        current = programs.get_program(db, actor, program_id)
        # The user has now seen what is saved; saving again on purpose replaces it.
        form.version.data = str(current.version)
        form.version.raw_data = [str(current.version)]
        return _render(current, form, picker=picker, focus=focus, conflict=current, status=409)
    db.commit()
    if handout is not None:
        flash(f"Handout {handout.number} was issued.", "success")
        return redirect(url_for("handouts.show", handout_id=handout.id))
    args = {name: value for name, value in picker.items() if value}
    if again:
        args["again"] = again
    if action == "preview":
        return redirect(
            url_for("programs.edit", program_id=program.id, preview=1, **args, _anchor="preview")
        )
    if action == "save":
        flash("Saved.", "success")
    anchor = f"item-{focus}" if focus is not None else ("picker" if action == "search" else None)
    return redirect(url_for("programs.edit", program_id=program.id, **args, _anchor=anchor))


@bp.get("/programs/<int:program_id>/picker")
def picker(program_id: int):
    """The picker's results as an HTML fragment, for builder.js's live search."""
    actor = current_actor()
    db = get_db()
    commit_then_read(db)  # the picker only reads
    in_program = programs.program_slugs(db, actor, program_id)
    return render_template(
        "programs/_picker_results.html",
        picker=_picker_args(request.args),
        **_picker_context(actor, _picker_args(request.args), in_program),
    )


@bp.get("/programs/<int:program_id>/preview")
def preview(program_id: int):
    """The PDF this program would issue now, inline, stored nowhere."""
    db = get_db()
    pdf = handouts.preview_pdf(db, current_actor(), program_id)
    db.commit()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response


@bp.get("/programs/dose-words")
def dose_words():
    """A dose in plain words, as the handout prints it ({"text": ""} while a value is out of range)."""
    current_actor()
    try:
        dose = parse_dose({name: request.args.get(name) for name in DOSE_FIELDS})
    except ValidationError:
        return jsonify(text="")
    return jsonify(text=describe_dose(dose))
