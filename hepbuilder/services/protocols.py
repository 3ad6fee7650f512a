"""A clinic's protocols (named starting sets of items) written from the web or the API: admins
create, edit, reorder, archive and approve them; a therapist proposes one from a program, and it
is offered to no one until an admin approves (or edits) it.

Every rule of a protocol entry is `parse_protocol`'s (the library file's); its exercises must be
live exercises of the clinic. Queries are scoped to the actor's clinic."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import Exercise, Protocol
from hepbuilder.domain import exercise as domain
from hepbuilder.domain.errors import NotFound, ValidationError

from .actor import Actor, require_library_editor
from .audit import record_event
from .clinics import slugify
from .library_sync import protocol_data
from .programs import get_program, item_dose


def _new_slug(session: Session, clinic_id: int, name: str) -> str:
    base = slugify(name)[:70].strip("-") or "protocol"
    taken = set(session.scalars(select(Protocol.slug).where(Protocol.clinic_id == clinic_id)))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def check_protocol(session: Session, clinic_id: int, data: dict) -> domain.LibraryProtocol:
    """`data` as a protocol entry, checked as protocols.yaml is, against the clinic's exercises."""
    protocol = domain.parse_protocol(data)
    live = set(
        session.scalars(
            select(Exercise.slug).where(
                Exercise.clinic_id == clinic_id,
                Exercise.is_archived.is_(False),
                Exercise.slug.in_({item.exercise for item in protocol.items}),
            )
        )
    )
    errors = {
        f"items[{index}].exercise": f'unknown exercise "{item.exercise}"'
        for index, item in enumerate(protocol.items)
        if item.exercise not in live
    }
    if errors:
        raise ValidationError(errors)
    return protocol


def create_protocol(
    session: Session, actor: Actor, data: dict, *, pending: bool = False
) -> Protocol:
    """A new protocol of the clinic (its own, so `seed` keeps it); the slug is made from the name
    when `data` has none. `pending`: a therapist's proposal (see `propose_protocol`). Records
    "protocol.create"."""
    if not pending:
        require_library_editor(actor)
    data = dict(data)
    if not data.get("slug") and isinstance(data.get("name"), str) and data["name"].strip():
        data["slug"] = _new_slug(session, actor.clinic_id, data["name"])
    protocol = check_protocol(session, actor.clinic_id, data)
    taken = session.scalar(
        select(Protocol.id).where(
            Protocol.clinic_id == actor.clinic_id, Protocol.slug == protocol.slug
        )
    )
    if taken is not None:
        raise ValidationError({"slug": f'"{protocol.slug}" is already used by another protocol'})
    fields = protocol_data(protocol)
    row = Protocol(
        clinic_id=actor.clinic_id,
        slug=protocol.slug,
        name=fields["name"],
        description=fields["description"],
        conditions=fields["conditions"],
        progression=fields["progression"],
        items=fields["items"],
        is_customized=True,
        is_pending=pending,
        created_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    record_event(session, actor, "protocol.create", slug=row.slug, pending=pending)
    return row


def propose_protocol(session: Session, actor: Actor, program_id: int, name: str) -> Protocol:
    """Save a program's items (exercise, dose, notes) as a new protocol, pending until an
    administrator approves it. Any signed-in user of the clinic may."""
    program = get_program(session, actor, program_id)
    items = [
        {
            "exercise": item.exercise.slug,
            "dose": item_dose(item).to_dict(),
            "notes": item.notes or "",
        }
        for item in program.items
    ]
    if not items:
        raise ValidationError({"items": "the program has no exercises to save as a protocol"})
    data = {"name": name, "description": program.notes or "", "items": items}
    return create_protocol(session, actor, data, pending=True)


def get_protocol(session: Session, actor: Actor, slug: str) -> Protocol:
    row = session.scalar(
        select(Protocol).where(Protocol.clinic_id == actor.clinic_id, Protocol.slug == slug)
    )
    if row is None:
        raise NotFound("There is no such protocol.")
    return row


def list_all_protocols(session: Session, actor: Actor) -> list[Protocol]:
    """Every protocol of the clinic for its admins: pending first, then live, then archived."""
    require_library_editor(actor)
    return list(
        session.scalars(
            select(Protocol)
            .where(Protocol.clinic_id == actor.clinic_id)
            .order_by(Protocol.is_pending.desc(), Protocol.is_archived, Protocol.name)
        )
    )


def update_protocol(session: Session, actor: Actor, slug: str, data: dict) -> Protocol:
    """Replace a protocol's name, description, conditions, progression and items (in their new order); an admin's save
    approves a pending proposal. Records "protocol.update"."""
    require_library_editor(actor)
    row = get_protocol(session, actor, slug)
    protocol = check_protocol(session, actor.clinic_id, {**data, "slug": row.slug})
    fields = protocol_data(protocol)
    row.name, row.description, row.items = fields["name"], fields["description"], fields["items"]
    row.conditions, row.progression = fields["conditions"], fields["progression"]
    row.is_customized = True
    row.is_pending = False
    session.flush()
    record_event(session, actor, "protocol.update", slug=row.slug)
    return row


def set_protocol_state(
    session: Session, actor: Actor, slug: str, *, archived: bool | None = None, approve=False
) -> Protocol:
    """Archive or restore a protocol, or approve a pending one. Records "protocol.<what>"."""
    require_library_editor(actor)
    row = get_protocol(session, actor, slug)
    if approve and row.is_pending:
        row.is_pending = False
        record_event(session, actor, "protocol.approve", slug=row.slug)
    if archived is not None and row.is_archived != archived:
        row.is_archived = archived
        record_event(
            session, actor, "protocol.archive" if archived else "protocol.restore", slug=row.slug
        )
    session.flush()
    return row
