"""Idempotency-Key for API POSTs: a PMS that retries after a timeout gets the first answer again.

The first successful (2xx) answer to a POST sent with a key is stored for that token, in the same
transaction as the work it did, and replayed for any retry with the same key and the same request
(method, path and JSON body, key order and spacing aside). The same key with a different request is
refused with 409. Answers that are errors are not stored: nothing was done, so a retry simply runs.
"""

import hashlib
import json
import re

from flask import Response, g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import IdempotencyRecord
from hepbuilder.domain.errors import Conflict, ValidationError
from hepbuilder.services.actor import Actor

KEY_HEADER = "Idempotency-Key"
KEY_MAX_CHARS = 200
KEY_PATTERN = "^[!-~]+$"  # visible ASCII, no spaces
REPLAYED_HEADER = "Idempotent-Replayed"


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


def find_record(session: Session, actor: Actor, key: str) -> IdempotencyRecord | None:
    return session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.api_token_id == actor.api_token_id, IdempotencyRecord.key == key
        )
    )


def replay_or_none(session: Session, actor: Actor, body: object) -> Response | None:
    """The stored answer for this request's key, or None (and remember the key for `remember`)."""
    key = request_key()
    if key is None:
        return None
    print_ = fingerprint(body)
    record = find_record(session, actor, key)
    if record is None:
        g.idempotency = (key, print_)
        return None
    return replay(record, print_)


def replay(record: IdempotencyRecord, print_: str) -> Response:
    if record.request_fingerprint != print_:
        raise Conflict(
            f"This {KEY_HEADER} was already used with a different request; use a new key."
        )
    response = Response(
        record.response_body, status=record.status_code, mimetype="application/json"
    )
    response.headers[REPLAYED_HEADER] = "true"
    return response


def remember(session: Session, actor: Actor, status: int, body_text: str) -> None:
    """Store a successful answer for the key this request came with (if any), uncommitted."""
    pending = g.pop("idempotency", None)
    if pending is None or not 200 <= status < 300:
        return
    key, print_ = pending
    session.add(
        IdempotencyRecord(
            clinic_id=actor.clinic_id,
            api_token_id=actor.api_token_id,
            key=key,
            request_fingerprint=print_,
            status_code=status,
            response_body=body_text,
        )
    )
    g.idempotency_stored = (key, print_)
