"""Idempotency-Key for API POSTs: a PMS that retries after a timeout gets the first answer again.

The first request with a key claims it (committed before the work starts); its successful (2xx)
answer is stored with the claim, in the same transaction as the work, and replayed, with its
Location, for any retry with the same key and the same request (method, path and JSON body, key
order and spacing aside). A retry while the first request still runs gets 409
`idempotency_key_in_use` with Retry-After; the same key with a different request gets 409
`idempotency_key_reused`. Answers that are errors are not stored: nothing was done, so a retry
simply runs. Records expire after IDEMPOTENCY_TTL_HOURS (services/idempotency.py).
"""

import hashlib
import json
import re

from flask import Response, current_app, g, request
from sqlalchemy.orm import Session

from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.services import idempotency as records
from hepbuilder.services.actor import Actor

KEY_HEADER = "Idempotency-Key"
KEY_MAX_CHARS = 200
KEY_PATTERN = "^[!-~]+$"  # visible ASCII, no spaces
REPLAYED_HEADER = "Idempotent-Replayed"
IN_USE_RETRY_SECONDS = 1


def request_key() -> str | None:
    """The request's Idempotency-Key (None without one); ValidationError when it is malformed."""
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return None
    if (
        not 1 <= len(key) <= KEY_MAX_CHARS
        or not re.fullmatch(KEY_PATTERN[1:-1], key)
        or key.strip() != key
    ):
        raise ValidationError(
            {KEY_HEADER: f"must be 1 to {KEY_MAX_CHARS} visible ASCII characters, no spaces"}
        )
    return key


def fingerprint(body: object) -> str:
    """SHA-256 of the method, path and canonical JSON body of the current request."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    text = f"{request.method} {request.path}\n{canonical}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def replay_or_none(session: Session, actor: Actor, body: object) -> Response | None:
    """The stored answer for this request's key, or None when this request is to do the work.

    Without a key, None. With a new key, the key is claimed and committed, and None returned;
    `remember` then stores the answer, or `release` drops the claim when the request fails.
    """
    key = request_key()
    if key is None:
        return None
    print_ = fingerprint(body)
    ttl_hours = current_app.config["IDEMPOTENCY_TTL_HOURS"]
    claim = records.claim_key(session, actor, key, print_, ttl_hours)
    if claim.is_ours:
        session.commit()
        g.idempotency_claim = claim.record.id
        return None
    session.rollback()
    record = claim.record
    if record.request_fingerprint != print_:
        raise Conflict(
            f"This {KEY_HEADER} was already used with a different request; use a new key.",
            code="idempotency_key_reused",
        )
    if record.status_code is None:
        raise Conflict(
            f"A request with this {KEY_HEADER} is still being worked on; retry shortly to get "
            "its answer.",
            code="idempotency_key_in_use",
            retry_after_seconds=IN_USE_RETRY_SECONDS,
        )
    response = Response(
        record.response_body, status=record.status_code, mimetype="application/json"
    )
    response.headers[REPLAYED_HEADER] = "true"
    if record.location:
        response.headers["Location"] = record.location
    return response


def remember(session: Session, status: int, body_text: str, location: str | None) -> None:
    """Store a successful answer in this request's claim (if any), uncommitted."""
    claim_id = g.get("idempotency_claim")
    if claim_id is None or not 200 <= status < 300:
        return
    records.record_answer(session, claim_id, status, body_text, location)
    g.idempotency_claim = None


def release(session: Session) -> None:
    """After a failed request: drop its claim, in a transaction of its own, so a retry runs."""
    claim_id = g.pop("idempotency_claim", None)
    if claim_id is None:
        return
    session.rollback()
    records.release_claim(session, claim_id)
    session.commit()
