"""Webhooks: a clinic's endpoints (created, listed, switched off), the events they receive
(`emit_event`, called by the services that change things, in their transaction), and the
delivery log with "send again". Sending is webhook_delivery.py's job (the outbox's kind "webhook").

An endpoint's signing secret is never stored: it is derived from the webhook key
(HEPBUILDER_WEBHOOK_KEY or instance/webhook_key) and the endpoint's random `secret_salt`, so a
database backup alone lets nobody sign a delivery. It is shown once, when the endpoint is made.

Addresses: HTTPS, or plain HTTP to a loopback address (127.0.0.0/8, ::1, localhost) for
development and tests. Private-network addresses are allowed (a clinic's own PMS often lives on
one); link-local addresses (169.254.0.0/16, fe80::/10: cloud metadata services) and 0.0.0.0 are
not, nor other schemes or credentials in the URL.
"""

import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
import uuid
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import OutboxMessage, WebhookEndpoint, utcnow
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.limits import WEBHOOK_LIMITS
from hepbuilder.domain.records import rfc3339

from .actor import Actor, require_admin
from .audit import record_event
from .outbox import enqueue, requeue

KIND = "webhook"
EVENTS = {
    "handout.issued": "A handout was issued (carries its PDF's address, to file in the chart).",
    "handout.emailed": "A handout's email was handed to the mail server.",
    "delivery.failed": "A handout's email could not be delivered after its last attempt.",
    "program.updated": "A program was saved with changes (a new version).",
    "patient.updated": "A patient's details changed, or the patient was archived or restored.",
    "patient.erased": "A patient's data was erased.",
}
SECRET_PREFIX_CHARS = 12
DELIVERY_LOG_SIZE = 50
_LOOPBACK_NAMES = ("localhost", "localhost.")


def _ip_address(host: str):
    """The IP address `host` is, in any form a resolver takes (2130706433, 0x7f.1, ::ffff:a.b.c.d),
    or None for a name."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.ip_address(socket.inet_ntoa(socket.inet_aton(host)))
        except OSError:
            return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    address = _ip_address(host)
    return address is not None and address.is_loopback


def check_url(value: object, field: str = "url") -> str:
    """The endpoint URL, stripped, or ValidationError naming `field` (rules in the module text)."""
    url = value.strip() if isinstance(value, str) else ""
    if not url:
        raise ValidationError({field: "Enter the address that should receive the events."})
    if len(url) > WEBHOOK_LIMITS["url"]:
        raise ValidationError({field: f"Use at most {WEBHOOK_LIMITS['url']} characters."})
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        raise ValidationError({field: "An address has no spaces or control characters."})
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ValidationError({field: "That is not a web address."}) from None
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError({field: "Use an https:// address."})
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            {field: "Leave the user name and password out of the address: requests are signed."}
        )
    if parts.scheme == "http" and not _loopback(host):
        raise ValidationError(
            {field: "Use https://; plain http:// is only for this computer (localhost)."}
        )
    address = _ip_address(host)
    if address is not None and (address.is_link_local or address.is_unspecified):
        raise ValidationError({field: "That address cannot receive events."})
    if parts.fragment:
        raise ValidationError({field: "Leave out the part after #."})
    return url


def check_events(values: object, field: str = "events") -> list[str]:
    """The event types, de-duplicated in the documented order; at least one, each known."""
    chosen = list(values) if isinstance(values, (list, tuple)) else []
    unknown = [value for value in chosen if value not in EVENTS]
    if unknown or not chosen:
        raise ValidationError({field: f"Choose one or more of: {', '.join(EVENTS)}."})
    return [event for event in EVENTS if event in chosen]


def signing_secret(key: str, endpoint: WebhookEndpoint) -> str:
    """The endpoint's signing secret, derived from the webhook key (the same every time)."""
    if not key:
        raise ValueError("The webhook key is not set.")
    digest = hmac.new(key.encode(), f"webhook:{endpoint.secret_salt}".encode(), hashlib.sha256)
    return "whsec_" + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def create_endpoint(
    session: Session, actor: Actor, url: object, events: object, *, key: str
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint for the actor's clinic: (row, signing secret). Show the secret once.
    Admins only. Records "webhook.create" (address and events, never the secret)."""
    require_admin(actor)
    errors: dict[str, str] = {}
    try:
        url = check_url(url)
    except ValidationError as error:
        errors.update(error.fields)
    try:
        events = check_events(events)
    except ValidationError as error:
        errors.update(error.fields)
    if errors:
        raise ValidationError(errors)
    endpoint = WebhookEndpoint(
        clinic_id=actor.clinic_id,
        url=url,
        events=events,
        secret_salt=secrets.token_hex(16),
        secret_prefix="",
        is_active=True,
        disabled_reason="",
    )
    secret = signing_secret(key, endpoint)
    endpoint.secret_prefix = secret[:SECRET_PREFIX_CHARS]
    session.add(endpoint)
    session.flush()
    record_event(session, actor, "webhook.create", endpoint_id=endpoint.id, url=url, events=events)
    return endpoint, secret


def list_endpoints(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    """The clinic's endpoints: active ones first, newest first."""
    require_admin(actor)
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.clinic_id == actor.clinic_id)
            .order_by(WebhookEndpoint.is_active.desc(), WebhookEndpoint.id.desc())
        )
    )


def get_endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.clinic_id == actor.clinic_id
        )
    )
    if endpoint is None:
        raise NotFound("There is no such webhook endpoint.")
    return endpoint


def switch_off(endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop sending to `endpoint` (kept, with the reason shown on the admin page)."""
    endpoint.is_active = False
    endpoint.disabled_reason = reason[:300]


def disable_endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """Switch an endpoint off: no new events, queued ones are not sent. Records "webhook.disable"."""
    require_admin(actor)
    endpoint = get_endpoint(session, actor, endpoint_id)
    if endpoint.is_active:
        switch_off(endpoint, "Switched off by an administrator.")
        record_event(session, actor, "webhook.disable", endpoint_id=endpoint.id, url=endpoint.url)
        session.flush()
    return endpoint


def patient_ref(patient) -> dict:
    """How an event names a patient: our id and the PMS's external id (no names)."""
    return {"patient_id": patient.id, "patient_external_id": patient.external_id}


def handout_ref(handout) -> dict:
    """How an event names a handout: its id, number, API resource and PDF (made absolute when
    sent), and its patient."""
    return {
        "handout_id": handout.id,
        "number": handout.number,
        "url": f"/api/v1/handouts/{handout.id}",
        "pdf_url": f"/api/v1/handouts/{handout.id}.pdf",
        **patient_ref(handout.patient),
    }


def emit_event(session: Session, clinic_id: int, type: str, data: dict) -> list[OutboxMessage]:
    """Queue event `type` with `data` for every active endpoint of the clinic subscribed to it,
    in the caller's transaction (one outbox row each; the body is {id, type, created_at, data}).

    `data` holds ids and external ids, never names; a value under a key ending in "url" that
    starts with "/" is made absolute with HEPBUILDER_PUBLIC_URL when it is sent. The rows point
    at the patient and handout of `data` (so an erasure finds them), except for
    "patient.erased", which the erase service emits last, once the patient's rows are gone.
    """
    if type not in EVENTS:
        raise ValueError(f"Unknown webhook event {type!r}")
    endpoints = session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.clinic_id == clinic_id, WebhookEndpoint.is_active.is_(True)
        )
    )
    event = {
        "id": "evt_" + uuid.uuid4().hex,
        "type": type,
        "created_at": rfc3339(utcnow()),
        "data": data,
    }
    linked = type != "patient.erased"
    queued = []
    for endpoint in endpoints:
        if type in (endpoint.events or []):
            message, _created = enqueue(
                session,
                clinic_id,
                KIND,
                {"endpoint_id": endpoint.id, "event": event},
                patient_id=data.get("patient_id") if linked else None,
                handout_id=data.get("handout_id") if linked else None,
            )
            queued.append(message)
    return queued


def list_deliveries(session: Session, actor: Actor) -> list[OutboxMessage]:
    """The clinic's latest webhook deliveries, newest first."""
    require_admin(actor)
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.clinic_id == actor.clinic_id, OutboxMessage.kind == KIND)
            .order_by(OutboxMessage.id.desc())
            .limit(DELIVERY_LOG_SIZE)
        )
    )


def send_again(session: Session, actor: Actor, delivery_id: int) -> OutboxMessage:
    """Queue a failed delivery again (same event id and body, a fresh signature when sent).
    Conflict unless it failed and its endpoint is still on. Records "webhook.retry"."""
    require_admin(actor)
    message = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.id == delivery_id,
            OutboxMessage.clinic_id == actor.clinic_id,
            OutboxMessage.kind == KIND,
        )
    )
    if message is None:
        raise NotFound("There is no such webhook delivery.")
    if message.status != "failed":
        raise Conflict("Only a delivery that failed can be sent again.")
    endpoint = session.get(WebhookEndpoint, (message.payload or {}).get("endpoint_id"))
    if endpoint is None or not endpoint.is_active:
        raise Conflict("Its endpoint is switched off: create a new endpoint instead.")
    requeue(message)
    record_event(session, actor, "webhook.retry", endpoint_id=endpoint.id, delivery_id=message.id)
    session.flush()
    return message
