"""Audit events: who did what to which patient's data, when and from where; and reading them back."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import ApiToken, AuditEvent, Patient, User

from .actor import Actor, require_admin


def record_event(
    session: Session,
    actor: Actor,
    action: str,
    *,
    patient_id: int | None = None,
    handout_id: int | None = None,
    **detail: object,
) -> AuditEvent:
    """Add an audit event in the caller's transaction (e.g. action "handout.download")."""
    event = AuditEvent(
        clinic_id=actor.clinic_id,
        user_id=actor.user_id,
        api_token_id=actor.api_token_id,
        action=action,
        patient_id=patient_id,
        handout_id=handout_id,
        detail=dict(detail),
        remote_addr=(actor.remote_addr or "")[:64],
    )
    session.add(event)
    return event


# Done by whoever holds a patient's private link (no user, no token).
PATIENT_ACTIONS = ("patient_link.open", "patient_link.download")
AUDIT_PAGE_SIZE = 50
MAX_AUDIT_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit trail, with names resolved (who: a user's or a token's name)."""

    id: int
    created_at: object
    action: str
    who: str
    who_kind: str  # "user" | "token" | "patient" | "system"
    patient_id: int | None
    patient_name: str
    handout_id: int | None
    remote_addr: str
    detail: dict


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Newest first; `next_before_id` is the `before_id` of the next (older) page, or None."""

    entries: list[AuditEntry]
    next_before_id: int | None


def list_audit_events(
    session: Session,
    actor: Actor,
    patient_id: int | None = None,
    limit: int = AUDIT_PAGE_SIZE,
    before_id: int | None = None,
) -> AuditPage:
    """The clinic's audit trail, newest first, optionally for one patient; pages by `before_id`."""
    require_admin(actor)
    limit = max(1, min(int(limit), MAX_AUDIT_PAGE_SIZE))
    query = (
        select(AuditEvent, User.name, ApiToken.name, Patient.first_name, Patient.last_name)
        .outerjoin(User, (User.id == AuditEvent.user_id) & (User.clinic_id == actor.clinic_id))
        .outerjoin(
            ApiToken,
            (ApiToken.id == AuditEvent.api_token_id) & (ApiToken.clinic_id == actor.clinic_id),
        )
        .outerjoin(
            Patient, (Patient.id == AuditEvent.patient_id) & (Patient.clinic_id == actor.clinic_id)
        )
        .where(AuditEvent.clinic_id == actor.clinic_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit + 1)
    )
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows = session.execute(query).all()
    entries = [_entry(*row) for row in rows[:limit]]
    next_before_id = entries[-1].id if len(rows) > limit else None
    return AuditPage(entries=entries, next_before_id=next_before_id)


def _entry(event: AuditEvent, user_name, token_name, first_name, last_name) -> AuditEntry:
    if event.user_id is not None:
        who, kind = user_name or "(unknown user)", "user"
    elif event.api_token_id is not None:
        who, kind = token_name or "(unknown token)", "token"
    elif event.action in PATIENT_ACTIONS:
        who, kind = "Patient (private link)", "patient"
    else:
        who, kind = "hepbuilder", "system"
    patient_name = f"{first_name or ''} {last_name or ''}".strip()
    return AuditEntry(
        id=event.id,
        created_at=event.created_at,
        action=event.action,
        who=who,
        who_kind=kind,
        patient_id=event.patient_id,
        patient_name=patient_name,
        handout_id=event.handout_id,
        remote_addr=event.remote_addr or "",
        detail=dict(event.detail or {}),
    )
