"""The service tests' small world, from tests.builders: a clinic (optionally seeded), a user."""

from hepbuilder.services.actor import Actor
from tests.builders import make_clinic, make_user, seeded_clinic


def clinic_and_user(session, name="Riverside Physio", *, seeded=False):
    clinic = (seeded_clinic if seeded else make_clinic)(session, name=name, phone="01234 567890")
    user = make_user(session, clinic, name="Sam Rivera", credentials="DPT")
    return clinic, user


def actor_for(user, remote_addr="203.0.113.9"):
    return Actor(clinic_id=user.clinic_id, user_id=user.id, role=user.role, remote_addr=remote_addr)


def library_rows(session, clinic):
    """The clinic's exercise rows by slug."""
    from sqlalchemy import select

    from hepbuilder.db.models import Exercise

    rows = session.scalars(select(Exercise).where(Exercise.clinic_id == clinic.id))
    return {row.slug: row for row in rows}
