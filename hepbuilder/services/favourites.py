"""Each user's starred exercises and protocols, and the exercises they used recently: what the
picker and the protocol list show first. Scoped to the actor's clinic and user."""

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hepbuilder.db.models import (
    Exercise,
    FavouriteExercise,
    FavouriteProtocol,
    Program,
    ProgramItem,
    Protocol,
)
from hepbuilder.domain.errors import NotFound

from .actor import Actor

RECENT_EXERCISES = 8  # how many recently used exercises the picker puts first


def _signed_in(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound("Favourites belong to a signed-in user.")
    return actor.user_id


def _set_starred(session: Session, model, column, user_id: int, target_id: int, starred: bool):
    key = (model.user_id == user_id, column == target_id)
    present = session.scalar(select(model).where(*key))
    if starred and present is None:
        session.add(model(user_id=user_id, **{column.key: target_id}))
    elif not starred and present is not None:
        session.execute(delete(model).where(*key))
    session.flush()


def set_exercise_starred(session: Session, actor: Actor, slug: str, starred: bool) -> Exercise:
    """Star (or unstar) one of the clinic's exercises for the acting user."""
    user_id = _signed_in(actor)
    exercise = session.scalar(
        select(Exercise).where(Exercise.clinic_id == actor.clinic_id, Exercise.slug == slug)
    )
    if exercise is None:
        raise NotFound("There is no such exercise in this clinic's library.")
    _set_starred(
        session, FavouriteExercise, FavouriteExercise.exercise_id, user_id, exercise.id, starred
    )
    return exercise


def set_protocol_starred(session: Session, actor: Actor, slug: str, starred: bool) -> Protocol:
    """Star (or unstar) one of the clinic's protocols for the acting user."""
    user_id = _signed_in(actor)
    protocol = session.scalar(
        select(Protocol).where(Protocol.clinic_id == actor.clinic_id, Protocol.slug == slug)
    )
    if protocol is None:
        raise NotFound("There is no such protocol.")
    _set_starred(
        session, FavouriteProtocol, FavouriteProtocol.protocol_id, user_id, protocol.id, starred
    )
    return protocol


def starred_exercise_ids(session: Session, actor: Actor) -> list[int]:
    """The acting user's starred live exercises, most recently starred first."""
    if actor.user_id is None:
        return []
    return list(
        session.scalars(
            select(FavouriteExercise.exercise_id)
            .join(Exercise, Exercise.id == FavouriteExercise.exercise_id)
            .where(
                FavouriteExercise.user_id == actor.user_id,
                Exercise.clinic_id == actor.clinic_id,
                Exercise.is_archived.is_(False),
            )
            .order_by(FavouriteExercise.created_at.desc(), FavouriteExercise.exercise_id)
        )
    )


def starred_protocol_ids(session: Session, actor: Actor) -> set[int]:
    if actor.user_id is None:
        return set()
    return set(
        session.scalars(
            select(FavouriteProtocol.protocol_id)
            .join(Protocol, Protocol.id == FavouriteProtocol.protocol_id)
            .where(
                FavouriteProtocol.user_id == actor.user_id, Protocol.clinic_id == actor.clinic_id
            )
        )
    )


def recent_exercise_ids(session: Session, actor: Actor, limit: int = RECENT_EXERCISES) -> list[int]:
    """The live exercises in the acting user's most recently changed programs, newest first."""
    if actor.user_id is None:
        return []
    last_used = func.max(Program.updated_at)
    return list(
        session.scalars(
            select(ProgramItem.exercise_id)
            .join(Program, Program.id == ProgramItem.program_id)
            .join(Exercise, Exercise.id == ProgramItem.exercise_id)
            .where(
                Program.clinic_id == actor.clinic_id,
                Program.created_by_id == actor.user_id,
                Exercise.is_archived.is_(False),
            )
            .group_by(ProgramItem.exercise_id)
            .order_by(last_used.desc(), ProgramItem.exercise_id)
            .limit(limit)
        )
    )
