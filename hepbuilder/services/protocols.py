"""A clinic's protocols (named starting sets of items) written from the web or the API.

Every rule of a protocol entry is `parse_protocol`'s (the library file's); its exercises must be
live exercises of the clinic. Queries are scoped to the actor's clinic."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import Exercise, Protocol
from hepbuilder.domain import exercise as domain
from hepbuilder.domain.errors import ValidationError

from .actor import Actor, require_library_editor
from .audit import record_event
from .clinics import slugify
from .library_sync import protocol_data


def _new_slug(session: Session, clinic_id: int, name: str) -> str:
    base = slugify(name)[:70].strip("-") or "protocol"
    taken = set(session.scalars(select(Protocol.slug).where(Protocol.clinic_id == clinic_id)))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def check_protocol(session: Session, clinic_id: int, data: dict) -> domain.Protocol:
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


def create_protocol(session: Session, actor: Actor, data: dict) -> Protocol:
    """A new protocol of the clinic (its own, so `seed` keeps it); the slug is made from the name
    when `data` has none. Records "protocol.create"."""
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
        items=fields["items"],
        is_customized=True,
    )
    session.add(row)
    session.flush()
    record_event(session, actor, "protocol.create", slug=row.slug)
    return row
