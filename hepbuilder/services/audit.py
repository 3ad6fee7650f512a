"""Audit events: who did what to which patient's data, when and from where; and reading them back.

Append-only: events are added in the caller's transaction and never changed or deleted (an ORM
hook refuses both)."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from hepbuilder.db.like import starts_with
from hepbuilder.db.models import ApiToken, AuditEvent, Clinic, Handout, Patient, User, utcnow

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
        **_who(actor, action), patient_id=patient_id, handout_id=handout_id, detail=dict(detail)
    )
    session.add(event)
    return event


def _who(actor: Actor, action: str) -> dict:
    """The columns every event of `actor` doing `action` has: who, in which clinic, from where."""
    return {
        "clinic_id": actor.clinic_id,
        "user_id": actor.user_id,
        "api_token_id": actor.api_token_id,
        "action": action,
        "remote_addr": (actor.remote_addr or "")[:64],
    }


def record_events(session: Session, actor: Actor, action: str, subjects: list[dict]) -> None:
    """Add one audit event per entry of `subjects` (each the keyword arguments record_event
    takes: patient_id, handout_id and detail) in one INSERT, in the caller's transaction: a page
    listing 25 patients writes one statement, not 25. The events are not loaded into the
    session (nothing reads them back in the request)."""
    if not subjects:
        return
    who = {**_who(actor, action), "created_at": utcnow()}
    rows = []
    for subject in subjects:
        detail = dict(subject)
        patient_id, handout_id = detail.pop("patient_id", None), detail.pop("handout_id", None)
        rows.append({**who, "patient_id": patient_id, "handout_id": handout_id, "detail": detail})
    session.flush()  # events added one by one before these keep their order (ids)
    session.execute(insert(AuditEvent.__table__), rows)


# Done by whoever holds a patient's private link (no user, no token).
PATIENT_ACTIONS = ("patient_link.open", "patient_link.download")
AUDIT_PAGE_SIZE = 50
MAX_AUDIT_PAGE_SIZE = 200
# The kinds the audit page filters by: the first part of an action ("patient.view" -> "patient").
KINDS = {
    "sign_in": "Sign-ins",
    "patient": "Patient records",
    "program": "Programs",
    "handout": "Handouts",
    "patient_link": "Private links",
    "exercise": "Exercises",
    "protocol": "Protocols",
    "library": "Library import and export",
    "user": "Users",
    "token": "API tokens",
    "webhook": "Webhooks",
    "clinic": "Clinic settings",
}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit trail, with names resolved (who: a user's or a token's name)."""

    id: int
    created_at: dt.datetime  # UTC
    action: str
    who: str
    who_kind: str  # "user" | "token" | "patient" | "system"
    patient_id: int | None
    patient_name: str
    handout_id: int | None
    handout_number: int | None
    remote_addr: str
    detail: dict
    subject_name: str = ""  # the user an admin's change was about (user.* events)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the audit page narrows to; dates are days in the clinic's time zone, inclusive."""

    patient_id: int | None = None
    user_id: int | None = None
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Newest first; `next_before_id` is the `before_id` of the next (older) page, or None."""

    entries: list[AuditEntry]
    next_before_id: int | None


def clinic_zone(session: Session, actor: Actor) -> ZoneInfo:
    """The clinic's time zone (UTC when unset or unknown)."""
    name = session.scalar(select(Clinic.time_zone).where(Clinic.id == actor.clinic_id))
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _utc_bound(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _matching_ids(actor: Actor, filters: AuditFilter, zone: ZoneInfo):
    """The ids of the clinic's events `filters` selects: read from an index alone where one
    covers the filters (migration 0021), so a page fetches only its own rows."""
    ids = select(AuditEvent.id).where(AuditEvent.clinic_id == actor.clinic_id)
    if filters.patient_id is not None:
        ids = ids.where(AuditEvent.patient_id == filters.patient_id)
    if filters.user_id is not None:
        ids = ids.where(AuditEvent.user_id == filters.user_id)
    if filters.kind in KINDS:
        ids = ids.where(starts_with(AuditEvent.action, filters.kind + "."))
    if filters.date_from is not None:
        ids = ids.where(AuditEvent.created_at >= _utc_bound(filters.date_from, zone))
    if filters.date_to is not None:
        next_day = filters.date_to + dt.timedelta(days=1)
        ids = ids.where(AuditEvent.created_at < _utc_bound(next_day, zone))
    return ids


def _entries_query(actor: Actor, ids):
    """The events whose id `ids` selects, with the names they show, newest first."""
    return (
        select(
            AuditEvent,
            User.name,
            ApiToken.name,
            Patient.first_name,
            Patient.last_name,
            Handout.number,
        )
        .outerjoin(User, (User.id == AuditEvent.user_id) & (User.clinic_id == actor.clinic_id))
        .outerjoin(
            ApiToken,
            (ApiToken.id == AuditEvent.api_token_id) & (ApiToken.clinic_id == actor.clinic_id),
        )
        .outerjoin(
            Patient, (Patient.id == AuditEvent.patient_id) & (Patient.clinic_id == actor.clinic_id)
        )
        .outerjoin(
            Handout, (Handout.id == AuditEvent.handout_id) & (Handout.clinic_id == actor.clinic_id)
        )
        .where(AuditEvent.clinic_id == actor.clinic_id, AuditEvent.id.in_(ids))
        .order_by(AuditEvent.id.desc())
    )


def list_audit_events(
    session: Session,
    actor: Actor,
    filters: AuditFilter | None = None,
    limit: int = AUDIT_PAGE_SIZE,
    before_id: int | None = None,
) -> AuditPage:
    """The clinic's audit trail, newest first, narrowed by `filters`; keyset-paged by `before_id`
    (the id of the last event already shown). Admins only."""
    require_admin(actor)
    limit = max(1, min(int(limit), MAX_AUDIT_PAGE_SIZE))
    ids = _matching_ids(actor, filters or AuditFilter(), clinic_zone(session, actor))
    if before_id is not None:
        ids = ids.where(AuditEvent.id < before_id)
    # The page's ids first (index only, at most limit + 1 of them), then only their rows.
    page_ids = ids.order_by(AuditEvent.id.desc()).limit(limit + 1)
    rows = session.execute(_entries_query(actor, page_ids.scalar_subquery())).all()
    entries = _entries(session, actor, rows[:limit])
    next_before_id = entries[-1].id if len(rows) > limit else None
    return AuditPage(entries=entries, next_before_id=next_before_id)


def iter_audit_events(
    session: Session, actor: Actor, filters: AuditFilter | None = None
) -> Iterator[AuditEntry]:
    """Every event `filters` selects, newest first, read in batches (the CSV export). Admins only."""
    require_admin(actor)
    before_id = None
    while True:
        page = list_audit_events(session, actor, filters, MAX_AUDIT_PAGE_SIZE, before_id)
        yield from page.entries
        if page.next_before_id is None:
            return
        before_id = page.next_before_id


def patient_audit_entries(session: Session, actor: Actor, patient_id: int) -> list[AuditEntry]:
    """Every event about one patient, oldest first, for the patient's data export (the caller
    checks that the actor may export)."""
    ids = _matching_ids(actor, AuditFilter(patient_id=patient_id), clinic_zone(session, actor))
    query = _entries_query(actor, ids.scalar_subquery()).order_by(None).order_by(AuditEvent.id)
    rows = session.execute(query).all()
    return _entries(session, actor, rows)


def _entries(session: Session, actor: Actor, rows) -> list[AuditEntry]:
    subject_ids = {
        row[0].detail.get("user_id")
        for row in rows
        if row[0].action.startswith("user.") and isinstance(row[0].detail, dict)
    } - {None}
    names = {}
    if subject_ids:
        names = dict(
            session.execute(
                select(User.id, User.name).where(
                    User.id.in_(subject_ids), User.clinic_id == actor.clinic_id
                )
            ).all()
        )
    return [_entry(*row, subject_names=names) for row in rows]


def _entry(
    event: AuditEvent, user_name, token_name, first_name, last_name, number, subject_names
) -> AuditEntry:
    if event.user_id is not None:
        who, kind = user_name or "(unknown user)", "user"
    elif event.api_token_id is not None:
        who, kind = token_name or "(unknown token)", "token"
    elif event.action in PATIENT_ACTIONS:
        who, kind = "Patient (private link)", "patient"
    else:
        who, kind = "hepbuilder", "system"
    patient_name = f"{first_name or ''} {last_name or ''}".strip()
    detail = dict(event.detail or {})
    return AuditEntry(
        id=event.id,
        created_at=event.created_at,
        action=event.action,
        who=who,
        who_kind=kind,
        patient_id=event.patient_id,
        patient_name=patient_name,
        handout_id=event.handout_id,
        handout_number=number,
        remote_addr=event.remote_addr or "",
        detail=detail,
        subject_name=subject_names.get(detail.get("user_id"), ""),
    )


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(_mapper, _connection, target: AuditEvent) -> None:
    """The audit trail is append-only: no code path may change or delete an event."""
    raise PermissionError(f"Audit event {target.id} cannot be changed or deleted.")
