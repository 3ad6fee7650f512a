"""An exercise's saved versions: the one rule for keeping them, used by the editor, the API and
imports. A version is the library-entry form of the exercise at one moment, who saved it and when."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import Exercise as ExerciseRow
from hepbuilder.db.models import ExerciseVersion

from .actor import Actor
from .exercises import to_domain


def _latest_version(session: Session, row: ExerciseRow) -> ExerciseVersion | None:
    return session.scalar(
        select(ExerciseVersion)
        .where(ExerciseVersion.exercise_id == row.id)
        .order_by(ExerciseVersion.number.desc())
        .limit(1)
    )


def add_version(
    session: Session, actor: Actor | None, row: ExerciseRow, note: str, number: int
) -> ExerciseVersion:
    """Store the row's present state as version `number` (actor None: no one, dated when the
    row last changed)."""
    version = ExerciseVersion(
        clinic_id=row.clinic_id,
        exercise_id=row.id,
        number=number,
        entry=to_domain(row).to_dict(),
        note=note[:200],
        user_id=actor.user_id if actor else None,
        api_token_id=actor.api_token_id if actor else None,
    )
    if actor is None:
        version.created_at = row.updated_at
    session.add(version)
    return version


def keep_current_state(session: Session, row: ExerciseRow) -> int:
    """Make sure the exercise's present state is a stored version (it may have come from seed,
    import or the API) before it is overwritten; returns the number the next version gets."""
    latest = _latest_version(session, row)
    if latest is not None and latest.entry == to_domain(row).to_dict():
        return latest.number + 1
    number = latest.number + 1 if latest else 1
    note = "From the bundled library" if not row.is_customized else "Before this edit"
    add_version(session, None, row, note, number)
    return number + 1
