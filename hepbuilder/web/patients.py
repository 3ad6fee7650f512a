"""Patient pages: search and list, create, edit, archive and restore, and one patient's history.

Every view calls one patient service with the signed-in user's Actor, so another clinic's
patient id is a 404 exactly like a missing one. The view commits; the services only flush.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.services import (
    handout_emails,
    handout_lists,
    patient_links,
    patients,
    program_lists,
    programs,
)

from .addresses import bounded_int_arg, requested_page
from .auth import current_actor
from .database import commit_then_read, get_db
from .delivery import email_panel, link_signer
from .forms import add_service_errors
from .patient_forms import PatientForm

bp = Blueprint("patients", __name__, url_prefix="/patients")


@bp.route("")
def index():
    actor = current_actor()
    q = request.args.get("q", "").strip()[:200]
    archived = request.args.get("archived") == "1"
    db = get_db()
    result = patients.search_patients(db, actor, q, archived=archived, page=requested_page())
    db.commit()  # the audit events of the patients listed
    return render_template("patients/index.html", result=result, q=q, archived=archived)


def _checked(form: PatientForm) -> bool:
    """Whether a submitted form may be saved. When its own checks fail, the patient service's
    rules are checked too, for the fields those left unmarked, so every problem shows at once
    (a date of birth in the future beside a missing first name), not one more after each try."""
    if not form.is_submitted():
        return False
    if form.validate():
        return True
    problems = patients.patient_problems(form.to_data())
    unmarked = {name: text for name, text in problems.items() if not form[name].errors}
    if unmarked:
        add_service_errors(form, ValidationError(unmarked))
    return False


def _save_errors(form: PatientForm, error: Exception) -> None:
    if isinstance(error, Conflict):
        form.external_id.errors = [*form.external_id.errors, error.message]
        form.existing_id = error.existing_id
    else:
        add_service_errors(form, error)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = PatientForm()
    form.existing_id = None
    if _checked(form):
        db = get_db()
        try:
            patient = patients.create_patient(db, current_actor(), form.to_data())
        except (ValidationError, Conflict) as error:
            db.rollback()
            _save_errors(form, error)
        else:
            db.commit()
            flash("The patient was added.", "success")  # no names in the cookie
            return redirect(url_for("patients.show", patient_id=patient.id))
    status = 422 if form.is_submitted() else 200
    return render_template("patients/form.html", form=form, patient=None), status


@bp.route("/<int:patient_id>")
def show(patient_id: int):
    """The patient's record, programs, private link and handouts: the newest HANDOUTS_SHOWN,
    or with `?before=<number>` the ones numbered below it ("patient.view" shown "handouts")."""
    actor = current_actor()
    db = get_db()
    before = bounded_int_arg("before")
    shown = "handouts" if before is not None else ""
    patient = patients.view_patient(db, actor, patient_id, shown=shown)
    commit_then_read(db)
    issued = handout_lists.page_patient_handouts(db, actor, patient.id, before=before)
    deliveries = handout_emails.list_deliveries(db, actor, patient_id=patient.id)
    numbers = handout_lists.numbers_named(db, actor, issued, [d.handout_id for d in deliveries])
    return render_template(
        "patients/show.html",
        patient=patient,
        programs=program_lists.program_summaries(db, actor, patient.id),
        handouts=issued.rows,
        handout_page=issued,
        before=before,
        protocols=programs.list_protocols(db, actor),
        link=patient_links.link_state(db, actor, patient.id, link_signer()),
        deliveries=deliveries,
        handout_numbers=numbers,
        **email_panel(patient, request.path),
    )


@bp.post("/<int:patient_id>/link/renew")
def renew_link(patient_id: int):
    """Revoke the patient's private link and make a new one (old QR codes stop working)."""
    db = get_db()
    patient_links.renew_link(db, current_actor(), patient_id, link_signer())
    db.commit()
    flash(
        "The old private link no longer works. The new one is below, and the next handout prints it.",
        "success",
    )
    return redirect(url_for("patients.show", patient_id=patient_id))


@bp.route("/<int:patient_id>/edit", methods=["GET", "POST"])
def edit(patient_id: int):
    actor = current_actor()
    db = get_db()
    if request.method == "GET":
        patient = patients.view_patient(db, actor, patient_id, shown="edit")
        db.commit()
    else:
        patient = patients.get_patient(db, actor, patient_id)
    form = PatientForm(obj=patient)
    form.existing_id = None
    if _checked(form):
        try:
            patients.update_patient(db, actor, patient.id, form.to_data())
        except (ValidationError, Conflict) as error:
            db.rollback()
            _save_errors(form, error)
        else:
            db.commit()
            flash("Saved.", "success")
            return redirect(url_for("patients.show", patient_id=patient.id))
    status = 422 if form.is_submitted() else 200
    return render_template("patients/form.html", form=form, patient=patient), status


@bp.post("/<int:patient_id>/archive")
def archive(patient_id: int):
    db = get_db()
    patient = patients.archive_patient(db, current_actor(), patient_id)
    db.commit()
    flash("The patient was archived. Their programs and handouts are kept.", "success")
    return redirect(url_for("patients.show", patient_id=patient.id))


@bp.post("/<int:patient_id>/restore")
def restore(patient_id: int):
    db = get_db()
    patient = patients.restore_patient(db, current_actor(), patient_id)
    db.commit()
    flash("The patient is back in the patient list.", "success")
    return redirect(url_for("patients.show", patient_id=patient.id))


@bp.route("/by-external-id/<path:external_id>")
def by_external_id(external_id: str):
    """The stable address a PMS links to: redirects to the patient it knows by its own id."""
    patient = patients.find_patient_by_external_id(get_db(), current_actor(), external_id)
    if patient is None:
        raise NotFound("No patient in this clinic has that external id.")
    return redirect(url_for("patients.show", patient_id=patient.id))
