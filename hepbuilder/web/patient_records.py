"""A patient's rights, for administrators: export everything held about them as one zip, and
erase their personal data on request (behind a typed confirmation of their name)."""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import StringField

from hepbuilder.domain.errors import ValidationError
from hepbuilder.services import patient_records, patients

from .auth import admin_required, current_actor
from .database import get_db
from .forms import add_service_errors, at_most

bp = Blueprint("patient_records", __name__, url_prefix="/patients")


class EraseForm(FlaskForm):
    confirmation = StringField(
        "Type the patient's full name to confirm",
        validators=[at_most(200)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


@bp.get("/<int:patient_id>/export")
@admin_required
def export(patient_id: int):
    """Everything held about the patient as one zip (audited as "patient.export")."""
    db = get_db()
    filename, data = patient_records.export_patient(db, current_actor(), patient_id)
    db.commit()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/<int:patient_id>/erase", methods=["GET", "POST"])
@admin_required
def erase(patient_id: int):
    actor = current_actor()
    db = get_db()
    form = EraseForm()
    if form.validate_on_submit():
        try:
            patient_records.erase_patient(db, actor, patient_id, form.confirmation.data or "")
        except ValidationError as error:
            db.rollback()
            add_service_errors(form, error)
        else:
            db.commit()
            flash("The patient's personal data, programs and handouts were erased.", "success")
            return redirect(url_for("patients.index"))
    patient = patients.view_patient(db, actor, patient_id, shown="erase")
    db.commit()
    status = 422 if form.is_submitted() else 200
    return render_template("patients/erase.html", form=form, patient=patient), status
