"""What the system keeps about its own work: the audit trail, idempotency records, the outbox
and webhook endpoints."""

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hepbuilder.domain.limits import (
    WEBHOOK_LIMITS,
)

from .base import Base, utcnow


class AuditEvent(Base):
    """Who did what to which patient's data, when, from where (a user or an API token)."""

    __tablename__ = "audit_event"
    # The audit page reads a clinic's trail newest first, a page at a time by id (keyset), often
    # narrowed to a patient, a user, a kind (an action prefix) or dates: each way has an index
    # that ends in id or orders by time, so a page costs the same at 10 million rows as at ten
    # (migration 0021; bench/audit.py). The kind's index compares bytes on PostgreSQL
    # (varchar_pattern_ops), so `action LIKE 'user.%'` is a range scan in any collation.
    __table_args__ = (
        Index("ix_audit_event_clinic_id_id", "clinic_id", "id"),
        Index("ix_audit_event_clinic_created_at", "clinic_id", "created_at"),
        Index("ix_audit_event_clinic_patient_id", "clinic_id", "patient_id", "id"),
        Index("ix_audit_event_clinic_user_id", "clinic_id", "user_id", "id"),
        Index(
            "ix_audit_event_clinic_action_id",
            "clinic_id",
            "action",
            "id",
            postgresql_ops={"action": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    action: Mapped[str] = mapped_column(String(60))  # e.g. "handout.download"
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    handout_id: Mapped[int | None] = mapped_column(ForeignKey("handout.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IdempotencyRecord(Base):
    """The stored answer to an API POST sent with an Idempotency-Key, replayed on retry.

    A row is written (and committed) when the first request with the key starts, with no
    `status_code` yet: a retry meanwhile is told the key is in use. The answer fills it in, in the
    same transaction as the work. Rows are deleted once expired (services/idempotency.py).
    """

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("api_token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    api_token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while the first request runs
    response_body: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


# --- sign-in: server-side sessions -------------------------------------------------------------


class OutboxMessage(Base):
    """Something to deliver outside the app (kind "email"), written in the request's transaction.

    status: queued -> sending (claimed by a worker until `claimed_until`) -> sent, or back to
    queued with `next_attempt_at` moved on by the back-off, or failed after the last attempt.
    `dedupe_key` makes a repeated request (a second click on Send) find the first row.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    handout_id: Mapped[int | None] = mapped_column(ForeignKey("handout.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # the last change of status or attempt (set by every ORM or Core update of the row)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class WebhookEndpoint(Base):
    """A clinic's subscription: events POSTed, signed, to `url` (HTTPS; HTTP to loopback only).

    No secret is stored: the signing secret is derived from the webhook key (HEPBUILDER_WEBHOOK_KEY
    or instance/webhook_key) and `secret_salt`, so a database backup alone cannot sign. `events`
    is the list of event types sent. A receiver that answers 410 Gone switches it off
    (`is_active` False, `disabled_reason` says why); switched-off endpoints are kept (the log).
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    url: Mapped[str] = mapped_column(String(WEBHOOK_LIMITS["url"]))
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret_salt: Mapped[str] = mapped_column(String(32))
    secret_prefix: Mapped[str] = mapped_column(String(16))  # shown in lists, e.g. "whsec_Ab12"
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
