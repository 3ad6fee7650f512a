"""Handout emails: queue one in the outbox, show its status, send it again, and the outbox's
sender for kind "email" (build the message, send it through SMTP).

The message: From the clinic's name with HEPBUILDER_MAIL_FROM, Reply-To the clinic's email, a
subject without health information, a text and an HTML part (clinic contact, review date, the
patient's private link) and the stored PDF attached (unless the clinic sends the link only),
named without patient data. Every name put into a header is made one line first, so CR/LF in a
clinic or patient name can never start a new header.
"""

import datetime as dt
import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hepbuilder.db.models import Clinic, Handout, OutboxMessage, Patient
from hepbuilder.domain.errors import Conflict, NotFound, Unavailable, ValidationError
from hepbuilder.domain.text import long_date
from hepbuilder.paths import TEMPLATES_DIR

from .actor import Actor, system_actor
from .audit import record_event
from .email_addresses import CONTROL_CHARS, check_address
from .handout_pdfs import read_pdf
from .handouts import get_handout, handout_own_fields, patient_filename
from .outbox import DeliveryError, end_reads, enqueue, register_sender, requeue
from .patient_links import LinkSigner, link_state
from .smtp import MISSING_SETTINGS, SmtpSettings, send_message
from .webhooks import emit_event, handout_ref

KIND = "email"
DELIVERIES_SHOWN = 50  # the newest emails listed for a patient or a handout
NOT_SET_UP = "Email is not set up on this server, so nothing was sent."


_templates = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR / "emails")),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


def one_line(text: str) -> str:
    """`text` with every line break and control character turned into one space (header-safe)."""
    return " ".join(CONTROL_CHARS.sub(" ", text or "").split())


def _dedupe_key(actor: Actor, once: str | None) -> str | None:
    """One outbox row per form submission (or API Idempotency-Key): the same `once` finds it."""
    if not once:
        return None
    who = f"user:{actor.user_id}" if actor.user_id else f"token:{actor.api_token_id}"
    return hashlib.sha256(f"{actor.clinic_id}:{who}:email:{once}".encode()).hexdigest()


def email_handout(
    session: Session,
    actor: Actor,
    handout_id: int,
    *,
    to: str | None,
    smtp: SmtpSettings,
    link_base: str,
    once: str | None = None,
) -> tuple[OutboxMessage, bool]:
    """Queue the handout's email to `to` (default: the patient's address) in this transaction.

    Returns (message, created); `created` is False when this submission (`once`) was queued
    already. Email not set up raises Conflict; a bad or missing address raises ValidationError
    ("to"). Records "handout.email" (nothing is recorded for a repeat).
    """
    if not smtp.is_configured:
        raise Conflict(NOT_SET_UP)
    handout = get_handout(session, actor, handout_id)
    patient = session.get(Patient, handout.patient_id)
    if to is None or (isinstance(to, str) and not to.strip()):
        if not patient.email:
            raise ValidationError(
                {"to": "This patient has no email address: type the address to send it to."}
            )
        to = patient.email
    address = check_address(to)
    clinic = session.get(Clinic, actor.clinic_id)
    payload = {"to": address, "mode": clinic.email_mode or "attach", "link_base": link_base}
    message, created = enqueue(
        session,
        actor.clinic_id,
        KIND,
        payload,
        dedupe_key=_dedupe_key(actor, once),
        patient_id=handout.patient_id,
        handout_id=handout.id,
    )
    if created:
        record_event(
            session,
            actor,
            "handout.email",
            patient_id=handout.patient_id,
            handout_id=handout.id,
            delivery_id=message.id,
            to_patient_address=address.lower() == (patient.email or "").lower(),
        )
    return message, created


def get_delivery(session: Session, actor: Actor, delivery_id: int) -> OutboxMessage:
    """One handout email of the actor's clinic, or NotFound."""
    message = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.id == delivery_id,
            OutboxMessage.clinic_id == actor.clinic_id,
            OutboxMessage.kind == KIND,
        )
    )
    if message is None:
        raise NotFound("There is no such delivery.")
    return message


def list_deliveries(
    session: Session, actor: Actor, *, patient_id: int | None = None, handout_id: int | None = None
) -> list[OutboxMessage]:
    """The handout emails of a patient or of one handout, newest first."""
    query = select(OutboxMessage).where(
        OutboxMessage.clinic_id == actor.clinic_id, OutboxMessage.kind == KIND
    )
    if patient_id is not None:
        query = query.where(OutboxMessage.patient_id == patient_id)
    if handout_id is not None:
        query = query.where(OutboxMessage.handout_id == handout_id)
    return list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(DELIVERIES_SHOWN)))


def deliveries_by_handout(
    session: Session, actor: Actor, handout_ids: list[int]
) -> dict[int, list[OutboxMessage]]:
    """For each of the handouts, its emails as `list_deliveries(handout_id=...)` gives them
    (newest first, up to DELIVERIES_SHOWN each), in one query for all of them; a handout with
    none is left out."""
    if not handout_ids:
        return {}
    newest_first = (
        func.row_number()
        .over(partition_by=OutboxMessage.handout_id, order_by=OutboxMessage.id.desc())
        .label("place")
    )
    ranked = (
        select(OutboxMessage.id, newest_first)
        .where(
            OutboxMessage.clinic_id == actor.clinic_id,
            OutboxMessage.kind == KIND,
            OutboxMessage.handout_id.in_(handout_ids),
        )
        .subquery()
    )
    query = (
        select(OutboxMessage)
        .join(ranked, ranked.c.id == OutboxMessage.id)
        .where(ranked.c.place <= DELIVERIES_SHOWN)
        .order_by(OutboxMessage.id.desc())
    )
    found: dict[int, list[OutboxMessage]] = {}
    for message in session.scalars(query):
        found.setdefault(message.handout_id, []).append(message)
    return found


def send_again(session: Session, actor: Actor, delivery_id: int) -> OutboxMessage:
    """Queue a failed email again with a fresh set of attempts; Conflict unless it failed."""
    message = get_delivery(session, actor, delivery_id)
    if message.status != "failed":
        raise Conflict("Only an email that failed can be sent again.")
    requeue(message)
    record_event(
        session,
        actor,
        "handout.email.retry",
        patient_id=message.patient_id,
        handout_id=message.handout_id,
        delivery_id=message.id,
    )
    session.flush()
    return message


# --- the message ---------------------------------------------------------------------------


def subject_for(clinic_name: str) -> str:
    """The subject: who it is from, nothing about health."""
    name = one_line(clinic_name)
    return f"Your exercise program from {name}" if name else "Your exercise program"


def build_message(
    *,
    clinic: Clinic,
    patient: Patient,
    handout: Handout,
    pdf: bytes | None,
    to: str,
    mail_from: str,
    link_url: str,
) -> EmailMessage:
    """The email for one handout: headers, text and HTML parts, the PDF when `pdf` is given."""
    spec = handout_own_fields(handout)  # therapist and review date: the handout's own
    therapist = (spec.get("therapist") or {}).get("name") or ""
    context = {
        "clinic": clinic,
        "address_lines": [line for line in (clinic.address or "").splitlines() if line.strip()],
        "first_name": patient.first_name,
        "therapist": therapist,
        "review_on": long_date(spec.get("review_on")),
        "issued_on": long_date(handout.issued_on),
        "link_url": link_url,
        "attached": pdf is not None,
    }
    message = EmailMessage()
    try:
        message["From"] = Address(display_name=one_line(clinic.name), addr_spec=mail_from)
        message["To"] = Address(addr_spec=to)
    except (ValueError, IndexError) as error:
        raise DeliveryError(f"An address cannot be used in an email: {error}") from None
    if clinic.email:
        try:
            message["Reply-To"] = Address(
                display_name=one_line(clinic.name), addr_spec=check_address(clinic.email)
            )
        except (ValidationError, ValueError, IndexError):
            pass  # a clinic address the validator refuses: replies go to From
    message["Subject"] = subject_for(clinic.name)
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or None)
    message.set_content(_templates.get_template("handout.txt").render(context))
    message.add_alternative(_templates.get_template("handout.html").render(context), subtype="html")
    if pdf is not None:
        message.add_attachment(
            pdf, maintype="application", subtype="pdf", filename=patient_filename(handout)
        )
    return message


def send_handout_email(session: Session, message: OutboxMessage, settings) -> None:
    """The outbox's sender for kind "email": build the handout's email now and send it.

    The private link is the patient's current one (made from the link key in `settings`), so an
    email queued before a link was renewed still carries a working link.
    """
    smtp = SmtpSettings.from_settings(settings)
    if not smtp.is_configured:
        raise DeliveryError(f"Email is not set up: set {' and '.join(MISSING_SETTINGS)}.")
    payload = message.payload or {}
    handout = session.get(Handout, message.handout_id) if message.handout_id else None
    if handout is None or handout.clinic_id != message.clinic_id:
        raise DeliveryError("The handout of this email no longer exists.")
    clinic = session.get(Clinic, message.clinic_id)
    patient = session.get(Patient, handout.patient_id)
    actor = system_actor(message.clinic_id)
    signer = LinkSigner(key=settings.link_key.encode(), base_url=payload.get("link_base", ""))
    state = link_state(session, actor, handout.patient_id, signer)
    link_url = state.url if state is not None and not state.is_expired else ""
    attach = payload.get("mode", "attach") == "attach"
    try:
        pdf = read_pdf(session, handout) if attach else None
    except Unavailable:
        raise DeliveryError("The handout's PDF could not be read from the file store.") from None
    email = build_message(
        clinic=clinic,
        patient=patient,
        handout=handout,
        pdf=pdf,
        to=payload.get("to", ""),
        mail_from=smtp.mail_from,
        link_url=link_url,
    )
    end_reads(session)
    send_message(smtp, email)
    record_event(
        session,
        actor,
        "handout.email.sent",
        patient_id=handout.patient_id,
        handout_id=handout.id,
        delivery_id=message.id,
        attached=attach,
    )
    emit_event(
        session,
        message.clinic_id,
        "handout.emailed",
        {**handout_ref(handout), "delivery_id": message.id, "attached": attach},
    )


def announce_failure(session: Session, message: OutboxMessage) -> None:
    """An email failed for good: tell the clinic's webhooks ("delivery.failed", no address)."""
    handout = session.get(Handout, message.handout_id) if message.handout_id else None
    data = {"delivery_id": message.id, "channel": "email", "attempts": message.attempts}
    if handout is not None:
        data.update(handout_ref(handout))
    emit_event(session, message.clinic_id, "delivery.failed", data)


register_sender(KIND, send_handout_email, on_failed=announce_failure)
