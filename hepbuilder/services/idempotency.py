"""Idempotency-Key records: claimed when a keyed API POST starts, answered, expired.

A record holds the answer to a request that created patient data, so it is kept only for the
time-to-live (HEPBUILDER_IDEMPOTENCY_TTL_HOURS, 24 h by default): `purge_expired_records` deletes
older ones (every new claim calls it; the outbox worker and `hepbuilder idempotency purge` may too),
and an expired record is never replayed even before it is purged.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hepbuilder.db.models import IdempotencyRecord, utcnow

from .actor import Actor

# A claim with no answer after this long was left by a server that died mid-request; a retry
# may take it over. Issuing a handout (the slowest keyed request) takes well under a second.
ABANDONED_AFTER_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of claiming a key: the record, and whether this request now owns it."""

    record: IdempotencyRecord
    is_ours: bool


def purge_expired_records(session: Session, ttl_hours: int, now: dt.datetime | None = None) -> int:
    """Delete every clinic's records older than `ttl_hours`; the number deleted. Flushes only."""
    cutoff = (now or utcnow()) - dt.timedelta(hours=ttl_hours)
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    return result.rowcount or 0


def _find(
    session: Session, actor: Actor, key: str, cutoff: dt.datetime
) -> IdempotencyRecord | None:
    return session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.api_token_id == actor.api_token_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at >= cutoff,
        )
    )


def claim_key(
    session: Session,
    actor: Actor,
    key: str,
    fingerprint: str,
    ttl_hours: int,
    now: dt.datetime | None = None,
) -> Claim:
    """Claim `key` for this token's request, or return the record that holds it already.

    The new claim (no answer yet) is flushed; the caller commits it before doing the work, so
    that a retry arriving meanwhile finds it. Two requests claiming at once: one wins, the other
    gets the winner's record.
    """
    now = now or utcnow()
    purge_expired_records(session, ttl_hours, now)
    cutoff = now - dt.timedelta(hours=ttl_hours)
    for _attempt in range(2):
        record = _find(session, actor, key, cutoff)
        if record is not None:
            abandoned = now - record.created_at > dt.timedelta(seconds=ABANDONED_AFTER_SECONDS)
            if (
                record.status_code is None
                and abandoned
                and record.request_fingerprint == fingerprint
            ):
                record.created_at = now
                session.flush()
                return Claim(record, is_ours=True)
            return Claim(record, is_ours=False)
        record = IdempotencyRecord(
            clinic_id=actor.clinic_id,
            api_token_id=actor.api_token_id,
            key=key,
            request_fingerprint=fingerprint,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
        except IntegrityError:
            continue  # claimed by another request a moment ago: read its record
        return Claim(record, is_ours=True)
    raise AssertionError("an idempotency record vanished while being claimed")


def record_answer(
    session: Session, record_id: int, status: int, body: str, location: str | None
) -> None:
    """Fill in the claimed record's answer, in the transaction of the work it answers."""
    record = session.get(IdempotencyRecord, record_id)
    record.status_code = status
    record.response_body = body
    record.location = location
    session.flush()


def release_claim(session: Session, record_id: int) -> None:
    """Drop a claim whose request failed (errors are not stored: a retry simply runs)."""
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.id == record_id, IdempotencyRecord.status_code.is_(None)
        )
    )
