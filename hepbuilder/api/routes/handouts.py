"""Handouts: issue (POST /programs/<id>/handouts), list, read, and the PDF."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, g, request, url_for

from hepbuilder.domain.fhir import HandoutRecord, handout_bundle
from hepbuilder.domain.records import rfc3339, text_or_null
from hepbuilder.services import handout_emails, handout_lists, handouts, users
from hepbuilder.web.addresses import id_url
from hepbuilder.web.database import get_db
from hepbuilder.web.delivery import link_signer, smtp_settings

from .. import idempotency, paging, schemas
from .common import QUERY_PARAMETERS, answer, bp, checked_id, keyset_page, read_body

FHIR_JSON = "application/fhir+json"
QUERY_PARAMETERS["api.list_handouts"] = (
    "limit",
    "cursor",
    "patient_id",
    "program_id",
    "updated_since",
)


def delivery_json(message) -> dict:
    return {
        "id": message.id,
        "status": message.status,
        "attempts": message.attempts,
        "last_error": message.last_error or None,
        "sent_at": rfc3339(message.sent_at) if message.sent_at else None,
        "created_at": rfc3339(message.created_at),
        "updated_at": rfc3339(message.updated_at),
    }


@dataclass(frozen=True, slots=True)
class Alongside:
    """What handout_json needs beyond the handout's row, loaded once for a page of handouts:
    each one's emails (newest first), the email of each therapist they name, and the builders of
    their two addresses (each routed once)."""

    deliveries: dict[int, list]
    therapist_emails: dict[int, str]
    pdf_url: Callable[[int], str]
    fhir_url: Callable[[int], str]


def alongside(handouts: list, *, just_issued: bool = False) -> Alongside:
    """Alongside for these handouts: two queries at most (none for what none of them has, and no
    emails looked up for a handout `just_issued`, which cannot have been emailed yet)."""
    session = get_db()
    return Alongside(
        deliveries={}
        if just_issued
        else handout_emails.deliveries_by_handout(session, g.actor, [h.id for h in handouts]),
        therapist_emails=users.emails_by_id(
            session, g.actor, {h.issued_by_id for h in handouts if h.issued_by_id}
        ),
        pdf_url=id_url("api.handout_pdf", "handout_id"),
        fhir_url=id_url("api.handout_fhir", "handout_id"),
    )


def handout_json(handout, extra: Alongside | None = None) -> dict:
    """The handout as the API shows it, from its row alone (no snapshot is read); `extra`: what
    a list loaded for all its handouts (else loaded for this one)."""
    extra = extra or alongside([handout])
    issued_at = rfc3339(handout.created_at)
    return {
        "id": handout.id,
        "number": handout.number,
        "title": text_or_null(handout.title),
        "issued_on": handout.issued_on.isoformat(),
        "issued_at": issued_at,
        "created_at": issued_at,
        "updated_at": issued_at,
        "patient_id": handout.patient_id,
        "program_id": handout.program_id,
        "program_version": handout.program_version,
        "therapist": {
            "name": handout.therapist_name,
            "credentials": text_or_null(handout.therapist_credentials),
            "email": extra.therapist_emails.get(handout.issued_by_id),
        }
        if handout.therapist_name
        else None,
        "pdf_url": extra.pdf_url(handout.id),
        "fhir_url": extra.fhir_url(handout.id),
        "share_url": handout.share_url or None,
        "deliveries": [delivery_json(message) for message in extra.deliveries.get(handout.id, [])],
    }


@bp.post("/programs/<int:program_id>/handouts")
def issue_handout(program_id: int):
    data = read_body(schemas.HANDOUT_ISSUE, optional=True)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    handout = handouts.issue_handout(
        session,
        g.actor,
        checked_id(program_id),
        data.get("version"),
        therapist_email=data.get("therapist_email"),
        links=link_signer(),
    )
    body = handout_json(handout, alongside([handout], just_issued=True))
    return answer(body, 201, body["pdf_url"])


@bp.get("/handouts")
def list_handouts():
    page = paging.page_request()
    rows = handout_lists.page_handouts(
        get_db(),
        g.actor,
        patient_id=paging.id_arg("patient_id"),
        program_id=paging.id_arg("program_id"),
        since=paging.since_arg(),
        after_id=page.cursor,
        limit=page.limit,
    )
    extra = alongside(rows)
    return keyset_page(rows, page, lambda row: handout_json(row, extra))


@bp.get("/handouts/<int:handout_id>")
def get_handout(handout_id: int):
    handout = handouts.open_handout(get_db(), g.actor, checked_id(handout_id), shown="api")
    return answer(handout_json(handout))


@bp.get("/handouts/<int:handout_id>.pdf")
def handout_pdf(handout_id: int):
    session = get_db()
    handout, pdf = handouts.get_handout_pdf(
        session, g.actor, checked_id(handout_id), purpose="download"
    )
    session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{handouts.suggested_filename(handout)}"'
    )
    return response


@bp.get("/handouts/<int:handout_id>/fhir")
def handout_fhir(handout_id: int):
    export = handouts.export_handout(get_db(), g.actor, checked_id(handout_id))
    base = (current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/") + "/api/v1"
    handout = export.handout
    record = HandoutRecord(
        handout_id=handout.id,
        number=handout.number,
        issued_at=handout.created_at,
        base_url=base,
        pdf_url=f"{base}/handouts/{handout.id}.pdf",
        pdf_filename=handouts.suggested_filename(handout),
        patient_id=handout.patient_id,
        patient_identifier_system=f"urn:hepbuilder:clinic:{export.clinic_slug}:external-id",
        patient_external_id=export.patient.external_id,
    )
    response = answer(handout_bundle(export.spec, record))
    response.mimetype = FHIR_JSON
    return response


# Delivery: a handout by email, and the email's status


@bp.post("/handouts/<int:handout_id>/email")
def email_handout(handout_id: int):
    data = read_body(schemas.HANDOUT_EMAIL, optional=True)
    session = get_db()
    replay = idempotency.replay_or_none(session, g.actor, data)
    if replay is not None:
        return replay
    message, _created = handout_emails.email_handout(
        session,
        g.actor,
        checked_id(handout_id),
        to=data.get("to"),
        smtp=smtp_settings(),
        link_base=link_signer().base_url,
        once=idempotency.request_key(),
    )
    location = url_for("api.get_delivery", delivery_id=message.id)
    return answer({"id": message.id}, 202, location)


@bp.get("/deliveries/<int:delivery_id>")
def get_delivery(delivery_id: int):
    message = handout_emails.get_delivery(get_db(), g.actor, checked_id(delivery_id))
    return answer(delivery_json(message))
