"""Audit events: who did what to which patient's data, when and from where."""

from sqlalchemy.orm import Session

from hepbuilder.db.models import AuditEvent

from .actor import Actor


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
