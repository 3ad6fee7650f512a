"""The outbox's sender for kind "webhook": one signed POST of an event to its endpoint.

The body is the event as JSON ({id, type, created_at, data}, relative URLs made absolute with
HEPBUILDER_PUBLIC_URL). The header `Hepbuilder-Signature: t=<unix seconds>,v1=<hex>` carries an
HMAC-SHA256, under the endpoint's signing secret, of "<t>.<body>" (as Stripe signs). A 2xx
answer is a delivery; any other answer or a network error is retried with the outbox's back-off;
410 Gone switches the endpoint off. Redirects are never followed (a 3xx is a failure). Of a
response body only a short excerpt is kept, in the delivery's error, on failure.
"""

import hashlib
import hmac
import http.client
import json
import ssl
import time
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from hepbuilder.db.models import OutboxMessage, WebhookEndpoint

from .outbox import DeliveryError, Undeliverable, end_reads, register_sender
from .webhooks import KIND, signing_secret, switch_off

TIMEOUT_SECONDS = 10
EXCERPT_CHARS = 200
SIGNATURE_HEADER = "Hepbuilder-Signature"
USER_AGENT = "hepbuilder-webhooks/1"


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    """The Hepbuilder-Signature value for `body` sent at `timestamp` (unix seconds)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _absolute(data: dict, public_url: str) -> dict:
    out = {}
    for name, value in data.items():
        if name.endswith("url") and isinstance(value, str) and value.startswith("/"):
            if not public_url:
                raise DeliveryError(
                    "Set HEPBUILDER_PUBLIC_URL: webhook events carry absolute addresses."
                )
            value = public_url.rstrip("/") + value
        out[name] = value
    return out


def event_body(event: dict, public_url: str) -> bytes:
    """The JSON bytes POSTed for `event` (compact, UTF-8)."""
    event = {**event, "data": _absolute(event.get("data") or {}, public_url)}
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def _excerpt(response: http.client.HTTPResponse) -> str:
    text = response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")


def post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST `body` to `url` once, without following redirects: (status, a short body excerpt)."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    options = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS, **options)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, _excerpt(response)
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(
            f"Cannot reach {parts.hostname}: {error.__class__.__name__}: {error}"[:300]
        ) from None
    finally:
        connection.close()


def send_webhook(session: Session, message: OutboxMessage, settings) -> None:
    """The outbox's sender for kind "webhook" (rules in the module text)."""
    payload = message.payload or {}
    endpoint = session.get(WebhookEndpoint, payload.get("endpoint_id"))
    if endpoint is None or endpoint.clinic_id != message.clinic_id:
        raise Undeliverable("The endpoint of this delivery no longer exists.")
    if not endpoint.is_active:
        raise Undeliverable("The endpoint is switched off.")
    key = getattr(settings, "webhook_key", "")
    if not key:
        raise DeliveryError("The webhook key is not set (HEPBUILDER_WEBHOOK_KEY).")
    body = event_body(payload.get("event") or {}, getattr(settings, "public_url", ""))
    secret = signing_secret(key, endpoint)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature_header(secret, body, int(time.time())),
    }
    end_reads(session)
    status, excerpt = post(endpoint.url, body, headers)
    if 200 <= status < 300:
        return
    if status == 410:
        switch_off(endpoint, "The receiver answered 410 Gone, so it was switched off.")
        session.flush()
        raise Undeliverable("The receiver answered 410 Gone: the endpoint is switched off.")
    words = f"The receiver answered {status}"
    if 300 <= status < 400:
        words += " (a redirect: not followed; use the final address)"
    raise DeliveryError(f"{words}." + (f" Response: {excerpt}" if excerpt else ""))


register_sender(KIND, send_webhook)
