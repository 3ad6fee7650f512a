"""The outbox: messages to deliver outside the app, queued in the request's transaction and sent
by a worker (`hepbuilder outbox send`, or the loop `hepbuilder serve` starts).

The worker knows nothing of what a message is: it claims due rows, hands each to the sender
registered for its `kind` (`SENDERS`: "email", "webhook", "pdf.delete"), and records the outcome. A failed
attempt is retried after about 1 min, 5 min, 30 min, 2 h and 12 h, then the message is "failed" with its last
error. Claiming sets status "sending" and a lease (`claimed_until`); on PostgreSQL the rows are
picked with FOR UPDATE SKIP LOCKED, so several workers at once never take the same row, and the
rows of a worker that died come back when its lease runs out. Each claim is also a conditional
UPDATE, so even without SKIP LOCKED a row goes to one worker only. On SQLite run one worker.

A message is marked sent after its sender returned: a worker killed between the two would send it
again once its lease ran out (at least once, never lost).
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hepbuilder.db.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

STATUSES = ("queued", "sending", "sent", "failed")
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1  # the first try, then one per delay
LEASE = dt.timedelta(minutes=5)  # longer than any one send may take (SMTP times out at 30 s)
CLAIM_BATCH = 20
MAX_ERROR_CHARS = 1000


class DeliveryError(Exception):
    """A sender could not deliver a message; the text (no patient data) is kept as last_error."""


class Undeliverable(DeliveryError):
    """The message can never be delivered (say its webhook endpoint is switched off): it fails
    at once, with no further attempts, and what the sender wrote before raising is kept."""


Sender = Callable[[Session, OutboxMessage, object], None]
FailureHook = Callable[[Session, OutboxMessage], None]
SENDERS: dict[str, Sender] = {}
ON_FAILED: dict[str, FailureHook] = {}


def register_sender(kind: str, sender: Sender, *, on_failed: FailureHook | None = None) -> None:
    """Deliver messages of `kind` with `sender(session, message, context)`; it raises
    DeliveryError (or OSError) when the message should be tried again later. `on_failed`, if
    given, runs in the transaction that marks a message of this kind "failed" for good."""
    SENDERS[kind] = sender
    if on_failed is not None:
        ON_FAILED[kind] = on_failed


def end_reads(session: Session) -> None:
    """A sender calls this just before it waits on the network (the mail server, a webhook
    receiver): it ends the transaction the sender's reads began, so no database connection,
    snapshot or lock is held while the other end answers (up to 30 s). Nothing may have been
    written yet: a write belongs after the send, with the outcome, or it would be committed
    even when the send fails."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("A sender wrote before it sent; write after the send instead.")
    session.commit()


def load_senders() -> dict[str, Sender]:
    """Import the modules that register a sender (each registers itself on import)."""
    from . import (
        handout_emails,  # noqa: F401  kind "email"
        handout_pdfs,  # noqa: F401  kind "pdf.delete"
        webhook_delivery,  # noqa: F401  kind "webhook"
    )

    return SENDERS


def enqueue(
    session: Session,
    clinic_id: int,
    kind: str,
    payload: dict,
    *,
    dedupe_key: str | None = None,
    patient_id: int | None = None,
    handout_id: int | None = None,
) -> tuple[OutboxMessage, bool]:
    """Queue a message in the caller's transaction: (row, True), or (the earlier row, False) when
    a message with the same `dedupe_key` exists already (a repeated request)."""
    if dedupe_key is not None:
        existing = session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing, False
    message = OutboxMessage(
        clinic_id=clinic_id,
        kind=kind,
        status="queued",
        payload=payload,
        dedupe_key=dedupe_key,
        patient_id=patient_id,
        handout_id=handout_id,
        attempts=0,
        last_error="",
        next_attempt_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:  # the same request, at the same moment
        existing = session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is None:
            raise
        return existing, False
    return message, True


def requeue(message: OutboxMessage) -> None:
    """Give a failed message a fresh set of attempts, due now (the "send again" button)."""
    message.status = "queued"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_until = None


def _claimable(now: dt.datetime, ignore_backoff: bool):
    due = OutboxMessage.status == "queued"
    if not ignore_backoff:
        due = due & (OutboxMessage.next_attempt_at <= now)
    expired_lease = (OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now)
    return or_(due, expired_lease)


def claim(session: Session, *, limit: int = CLAIM_BATCH, ignore_backoff: bool = False) -> list[int]:
    """Take up to `limit` due messages for this worker (status "sending", a lease) and commit.

    Returns their ids. Rows another worker holds are skipped (PostgreSQL) or lost in the
    conditional UPDATE (any database), never claimed twice.
    """
    now = utcnow()
    candidates = list(
        session.scalars(
            select(OutboxMessage.id)
            .where(_claimable(now, ignore_backoff))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claimed = []
    for message_id in candidates:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _claimable(now, ignore_backoff))
            .values(status="sending", claimed_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    session.commit()
    return claimed


def _record_failure(message: OutboxMessage, error: str, *, final: bool = False) -> None:
    message.attempts += 1
    message.last_error = error[:MAX_ERROR_CHARS]
    message.claimed_until = None
    if final or message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
    else:
        message.status = "queued"
        message.next_attempt_at = utcnow() + RETRY_DELAYS[message.attempts - 1]


def deliver(session: Session, message_id: int, context: object) -> str:
    """Send one claimed message with its kind's sender, record the outcome, commit; its status."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != "sending":
        session.rollback()
        return "skipped"
    sender = SENDERS.get(message.kind)
    try:
        if sender is None:
            raise DeliveryError(f"No sender for messages of kind {message.kind!r}.")
        sender(session, message, context)
    except Undeliverable as error:
        _record_failure(message, str(error), final=True)
        log.warning("Outbox message %s: undeliverable", message.id)
    except (DeliveryError, OSError) as error:
        session.rollback()
        message = session.get(OutboxMessage, message_id)
        _record_failure(message, str(error) or error.__class__.__name__)
        log.warning("Outbox message %s: attempt %s failed", message.id, message.attempts)
    except Exception as error:  # a bug must not leave the row "sending" for ever: count it
        log.exception("Outbox message %s: unexpected error", message_id)
        session.rollback()
        message = session.get(OutboxMessage, message_id)
        _record_failure(message, f"Unexpected error ({error.__class__.__name__}); see the log.")
    else:
        message.status = "sent"
        message.attempts += 1
        message.sent_at = utcnow()
        message.claimed_until = None
        message.last_error = ""
    if message.status == "failed" and message.kind in ON_FAILED:
        ON_FAILED[message.kind](session, message)
    status = message.status
    session.commit()
    return status


@dataclass
class PassResult:
    """What one pass of the worker did."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        if not self.counts:
            return "nothing was due"
        words = {"sent": "sent", "queued": "to retry", "failed": "failed", "skipped": "skipped"}
        return ", ".join(f"{n} {words.get(status, status)}" for status, n in self.counts.items())


def send_due(
    sessions: sessionmaker[Session],
    context: object,
    *,
    ignore_backoff: bool = False,
    stopping: Callable[[], bool] = lambda: False,
) -> PassResult:
    """One pass: claim and deliver batches until nothing is due (with `ignore_backoff`, every
    queued message is due). Each message is tried at most once per pass. `stopping` is asked
    before each batch (of CLAIM_BATCH): a worker told to stop finishes the batch it holds and
    claims no more, so a backlog of thousands never outlasts a restart's grace period."""
    load_senders()
    result = PassResult()
    tried: set[int] = set()
    while not stopping():
        with sessions() as session:
            claimed = claim(session, ignore_backoff=ignore_backoff)
            fresh = [message_id for message_id in claimed if message_id not in tried]
            for message_id in claimed:
                if message_id in tried:  # a retry made due again by ignore_backoff: next pass
                    _release(session, message_id)
            session.commit()
            for message_id in fresh:
                tried.add(message_id)
                result.add(deliver(session, message_id, context))
        if not fresh:
            break
    return result


def _release(session: Session, message_id: int) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
        .values(status="queued", claimed_until=None)
        .execution_options(synchronize_session=False)
    )
