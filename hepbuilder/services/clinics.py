"""Clinics: create one, find one by slug, the one-time set-up, and the admin's overview counts."""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from hepbuilder.db.models import ApiToken, Clinic, User
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.text import fold

from .actor import Actor, require_admin, system_actor


def slugify(name: str) -> str:
    """A URL-safe slug from a name: "Physio Núñez & Co." -> "physio-nunez-co"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60].strip("-") or "clinic"


def count_clinics(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Clinic)) or 0


def needs_setup(session: Session) -> bool:
    """True while no user exists: the web app then offers its one-time set-up page."""
    return session.scalar(select(User.id).limit(1)) is None


def create_clinic(session: Session, name: str) -> Clinic:
    """Add a clinic, its slug made from its name ("-2", "-3"... when taken). Does not seed it."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "is required"})
    if len(name) > 200:
        raise ValidationError({"name": "must be at most 200 characters"})
    base = slugify(name)
    taken = set(session.scalars(select(Clinic.slug).where(Clinic.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    clinic = Clinic(name=name, slug=slug)
    session.add(clinic)
    session.flush()
    return clinic


def get_clinic_by_slug(session: Session, slug: str) -> Clinic:
    clinic = session.scalar(select(Clinic).where(Clinic.slug == slug))
    if clinic is None:
        raise NotFound(f'There is no clinic "{slug}".')
    return clinic


def resolve_clinic(session: Session, slug: str | None = None) -> Clinic:
    """The clinic named by `slug`, or the only clinic when `slug` is None (the CLI's --clinic)."""
    if slug:
        return get_clinic_by_slug(session, slug)
    clinics = list(session.scalars(select(Clinic).order_by(Clinic.id).limit(2)))
    if not clinics:
        raise NotFound(
            "There is no clinic yet; create one with `hepbuilder clinic create --name NAME`."
        )
    if len(clinics) > 1:
        raise ValidationError(
            {}, message="There is more than one clinic, so say which one with --clinic SLUG."
        )
    return clinics[0]


def set_up_first_clinic(
    session: Session, *, clinic_name: str, admin_name: str, email: str, password: str, library=None
) -> tuple[Clinic, User]:
    """The one-time set-up: the first clinic and its first admin, its library seeded.

    `library` is a loaded hepbuilder.library.Library (default: the bundled one). Raises Conflict
    once any user exists, so the set-up cannot be run twice.
    """
    from .library_sync import load_bundled_library, seed_clinic
    from .users import create_user

    if not needs_setup(session):
        raise Conflict("This hepbuilder is already set up.")
    clinic = create_clinic(session, clinic_name)
    user = create_user(
        session,
        system_actor(clinic.id),
        {"email": email, "name": admin_name, "role": "admin", "password": password},
    )
    seed_clinic(session, clinic, library if library is not None else load_bundled_library())
    return clinic, user


def get_actor_clinic(session: Session, actor: Actor, *, with_logo: bool = False) -> Clinic:
    """The clinic the actor acts in (its logo bytes loaded only `with_logo`)."""
    query = select(Clinic).where(Clinic.id == actor.clinic_id)
    if with_logo:
        query = query.options(undefer(Clinic.logo))
    clinic = session.scalar(query)
    if clinic is None:
        raise NotFound("There is no such clinic.")
    return clinic


@dataclass(frozen=True, slots=True)
class AdminSummary:
    clinic: Clinic
    has_logo: bool
    active_users: int
    active_admins: int
    inactive_users: int
    live_tokens: int


def admin_summary(session: Session, actor: Actor) -> AdminSummary:
    """Counts for the admin overview page."""
    require_admin(actor)
    clinic = get_actor_clinic(session, actor)
    has_logo = session.scalar(select(Clinic.logo.is_not(None)).where(Clinic.id == actor.clinic_id))
    rows = session.execute(
        select(User.is_active, User.role, func.count())
        .where(User.clinic_id == actor.clinic_id)
        .group_by(User.is_active, User.role)
    ).all()
    live_tokens = session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.clinic_id == actor.clinic_id, ApiToken.revoked_at.is_(None))
    )
    return AdminSummary(
        clinic=clinic,
        has_logo=bool(has_logo),
        active_users=sum(n for active, _role, n in rows if active),
        active_admins=sum(n for active, role, n in rows if active and role == "admin"),
        inactive_users=sum(n for active, _role, n in rows if not active),
        live_tokens=live_tokens or 0,
    )


def clinics_of_users(session: Session, user_ids: list[int]) -> list[tuple[User, Clinic]]:
    """The active users with these ids and their clinics, by clinic name (the sign-in chooser)."""
    if not user_ids:
        return []
    rows = session.execute(
        select(User, Clinic)
        .join(Clinic, Clinic.id == User.clinic_id)
        .where(User.id.in_(user_ids), User.is_active.is_(True))
        .order_by(Clinic.name, User.id)
    )
    return [(user, clinic) for user, clinic in rows]


def set_time_zone(session: Session, actor: Actor, name: str) -> Clinic:
    """Set the clinic's time zone (an IANA name such as "Europe/London"); the audit trail shows
    times in it. Admins only. Records "clinic.time_zone"."""
    from zoneinfo import available_timezones

    from .audit import record_event

    require_admin(actor)
    name = (name or "").strip()
    if name not in available_timezones():
        raise ValidationError({"time_zone": "must be a time zone such as Europe/London"})
    clinic = get_actor_clinic(session, actor)
    if clinic.time_zone != name:
        previous, clinic.time_zone = clinic.time_zone, name
        record_event(session, actor, "clinic.time_zone", time_zone=name, previous=previous)
        session.flush()
    return clinic
