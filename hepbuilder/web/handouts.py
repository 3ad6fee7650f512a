"""Issued handouts: their page, the stored PDF inline or as a download, and a print view.

Every read of a handout's PDF goes through `handouts.get_handout_pdf`, which leaves an audit event
("handout.view" or "handout.download") in the same transaction, committed here.
"""

from flask import Blueprint, make_response, render_template, request

from hepbuilder.domain.dose import describe_dose, parse_dose
from hepbuilder.domain.errors import ValidationError
from hepbuilder.services import handout_emails, handouts, patient_links

from .auth import current_actor
from .database import get_db
from .delivery import email_panel, link_signer

bp = Blueprint("handouts", __name__, url_prefix="/handouts")


@bp.get("/<int:handout_id>")
def show(handout_id: int):
    return handout_page(handout_id)


def handout_page(handout_id: int, email_form=None):
    """The handout's page; `email_form`: a sent email form to show again (with its errors and
    what was typed) instead of a fresh one."""
    db = get_db()
    actor = current_actor()
    handout = handouts.open_handout(db, actor, handout_id)
    db.commit()
    spec = handouts.handout_spec(handout)
    return render_template(
        "handouts/show.html",
        handout=handout,
        spec=spec,
        doses=[_dose_words(item) for item in spec.get("items", [])],
        patient=handout.patient,
        link=patient_links.link_state(db, actor, handout.patient_id, link_signer()),
        deliveries=handout_emails.list_deliveries(db, actor, handout_id=handout.id),
        handout_numbers={handout.id: handout.number},
        **email_panel(handout.patient, request.path, email_form),
    )


def _dose_words(item: dict) -> str:
    try:
        return describe_dose(parse_dose(item))
    except ValidationError:
        return ""


def pdf_response(pdf: bytes, filename: str, disposition: str = "attachment"):
    """The PDF bytes as a response, shown inline or downloaded as `filename` (no patient data)."""
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _pdf_response(handout_id: int, purpose: str, disposition: str):
    db = get_db()
    handout, pdf = handouts.get_handout_pdf(db, current_actor(), handout_id, purpose=purpose)
    db.commit()
    return pdf_response(pdf, handouts.suggested_filename(handout), disposition)


@bp.get("/<int:handout_id>/pdf")
def view(handout_id: int):
    """The stored PDF, shown in the browser (audited as a view)."""
    return _pdf_response(handout_id, "view", "inline")


@bp.get("/<int:handout_id>/download")
def download(handout_id: int):
    """The stored PDF as a file named like handout-2026-11-25-3.pdf (no patient name)."""
    return _pdf_response(handout_id, "download", "attachment")


@bp.get("/<int:handout_id>/print")
def print_view(handout_id: int):
    """A page that embeds the PDF and opens the browser's print dialog on it."""
    db = get_db()
    handout = handouts.open_handout(db, current_actor(), handout_id, shown="print")
    db.commit()
    return render_template("handouts/print.html", handout=handout, patient=handout.patient)
