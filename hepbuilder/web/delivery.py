"""Sending a handout by email from the handout and patient pages, and "send again" for a failed one.

Each email form carries a fresh random `once` value: sending the same form twice (a double click,
a reload) finds the first outbox row and sends nothing more. With no SMTP server configured the
panel says so (admins see which settings to set) and nothing is queued.
"""

import secrets

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField
from wtforms.validators import Length

from hepbuilder.config import link_key
from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.domain.limits import HANDOUT_EMAIL_LIMITS
from hepbuilder.services import handout_emails
from hepbuilder.services.patient_links import LinkSigner
from hepbuilder.services.smtp import MISSING_SETTINGS, SmtpSettings

from .auth import current_actor, is_safe_next
from .database import get_db
from .forms import choices_of

bp = Blueprint("deliveries", __name__)

_STRIP = [lambda value: value.strip() if isinstance(value, str) else value]
STATUS_WORDS = {
    "queued": "Waiting to be sent",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed",
}


def link_signer() -> LinkSigner:
    """Makes the patients' private links: the link key, and PUBLIC_URL (else this request's host)."""
    config = current_app.config
    key = config.get("LINK_KEY") or link_key()
    base = config.get("PUBLIC_URL") or request.url_root
    return LinkSigner(key=key.encode(), base_url=base.rstrip("/"))


def smtp_settings() -> SmtpSettings:
    config = current_app.config
    return SmtpSettings(
        host=config.get("SMTP_HOST", ""),
        port=config.get("SMTP_PORT", 25),
        username=config.get("SMTP_USERNAME", ""),
        password=config.get("SMTP_PASSWORD", ""),
        starttls=config.get("SMTP_STARTTLS", False),
        tls=config.get("SMTP_TLS", False),
        ca_file=config.get("SMTP_CA_FILE", ""),
        mail_from=config.get("MAIL_FROM", ""),
    )


class EmailForm(FlaskForm):
    recipient = RadioField(
        "Send to",
        choices=choices_of([("patient", "The patient's email"), ("other", "Another address")]),
        default="patient",
    )
    address = EmailField(
        "Other address",
        filters=_STRIP,
        validators=[Length(max=HANDOUT_EMAIL_LIMITS["to"], message="That is too long.")],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    confirm = EmailField(
        "The same address again",
        filters=_STRIP,
        validators=[Length(max=HANDOUT_EMAIL_LIMITS["to"], message="That is too long.")],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    once = HiddenField()
    back = HiddenField()


def email_form(patient, back: str) -> EmailForm:
    """A fresh form for the page, preset to the patient's address when they have one."""
    form = EmailForm(formdata=None)
    form.recipient.data = "patient" if patient.email else "other"
    form.once.data = secrets.token_urlsafe(16)
    form.back.data = back
    return form


def email_panel(patient, back: str, form: EmailForm | None = None) -> dict:
    """Template context for the email panel (`_email_panel.html`): `form`, or a fresh one."""
    smtp = smtp_settings()
    return {
        "email_form": (form or email_form(patient, back)) if smtp.is_configured else None,
        "email_missing_settings": [] if smtp.is_configured else list(MISSING_SETTINGS),
        "status_words": STATUS_WORDS,
    }


def _back(form: EmailForm, fallback: str) -> str:
    target = form.back.data or ""
    return target if is_safe_next(target) else fallback


def _recipient(form: EmailForm) -> str | None:
    """None for the patient's own address; the typed address (typed twice alike) otherwise."""
    if form.recipient.data != "other":
        return None
    address, confirm = form.address.data or "", form.confirm.data or ""
    if not address:
        raise ValidationError({"address": "Type the address to send it to."})
    if address.lower() != confirm.lower():
        raise ValidationError({"confirm": "The two addresses differ: type the same one twice."})
    return address


@bp.post("/handouts/<int:handout_id>/email")
def send(handout_id: int):
    form = EmailForm()
    back = _back(form, url_for("handouts.show", handout_id=handout_id))
    db = get_db()
    try:
        if not form.validate():
            raise ValidationError({name: " ".join(errors) for name, errors in form.errors.items()})
        message, created = handout_emails.email_handout(
            db,
            current_actor(),
            handout_id,
            to=_recipient(form),
            smtp=smtp_settings(),
            link_base=link_signer().base_url,
            once=form.once.data or None,
        )
    except (ValidationError, Conflict) as error:
        db.rollback()
        text = (
            "; ".join(error.fields.values())
            if isinstance(error, ValidationError)
            else error.message
        )
        flash(f"The email was not sent. {text}", "error")
        if not isinstance(error, ValidationError):
            return redirect(back)
        # shown again on the handout's page as sent, each error on its field: a redirect would
        # lose the typed addresses (never kept in the session) and turn the choice back to the
        # patient, so that sending again would go to the patient
        for name, message in error.fields.items():
            name = "address" if name == "to" else name  # the service's name for the address
            if name in form:
                form[name].errors = [message]
        from .handouts import handout_page

        return handout_page(handout_id, email_form=form), 422
    db.commit()
    # (no address in the message: flashes travel in the session cookie)
    if created:
        flash("The email is queued; its status shows below.", "success")
    else:
        flash("That form was already sent: its email is queued once only.", "info")
    return redirect(back)


@bp.post("/deliveries/<int:delivery_id>/retry")
def retry(delivery_id: int):
    db = get_db()
    message = handout_emails.send_again(db, current_actor(), delivery_id)
    db.commit()
    flash("The email is queued again, with a fresh set of attempts.", "success")
    back = request.form.get("back", "")
    if not is_safe_next(back):
        back = url_for("handouts.show", handout_id=message.handout_id)
    return redirect(back)
