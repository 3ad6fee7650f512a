"""Photos of an exercise (start, finish...): uploaded by an admin, checked and re-encoded by the
images service, stored in the database at a library path ("images/clam-shell-1.png"). Adding or
removing one saves a new version of the exercise. Pages show photos when there are any, else the
drawn figure. Scoped to the actor's clinic."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import ExercisePhoto
from hepbuilder.domain.errors import NotFound, ValidationError
from hepbuilder.domain.exercise import MAX_PHOTOS

from .actor import Actor, require_library_editor
from .exercise_versions import update_exercise
from .exercises import get_exercise, to_domain
from .images import image_size, normalize_photo


def add_photo(session: Session, actor: Actor, slug: str, upload: bytes):
    """Check and store an uploaded photo and show it last among the exercise's photos. Raises
    ValidationError on "photo" (not an image, too big, too many pixels or scans, damaged)."""
    require_library_editor(actor)
    row = get_exercise(session, actor.clinic_id, slug)
    if len(row.photos or ()) >= MAX_PHOTOS:
        raise ValidationError({"photo": f"this exercise has {MAX_PHOTOS} photos already"})
    data = normalize_photo(upload)
    used = set(
        session.scalars(
            select(ExercisePhoto.path).where(
                ExercisePhoto.clinic_id == actor.clinic_id,
                ExercisePhoto.path.like(f"images/{row.slug}-%"),
            )
        )
    )
    number = 1
    while f"images/{row.slug}-{number}.png" in used:
        number += 1  # never reuse a path: an old version may show the photo that had it
    path = f"images/{row.slug}-{number}.png"
    width, height = image_size(data)
    session.add(
        ExercisePhoto(
            clinic_id=actor.clinic_id,
            exercise_id=row.id,
            path=path,
            data=data,
            width_px=width,
            height_px=height,
        )
    )
    session.flush()
    entry = to_domain(row).to_dict()
    return update_exercise(session, actor, slug, {**entry, "photos": [*entry["photos"], path]})


def remove_photo(session: Session, actor: Actor, slug: str, path: str):
    """Stop showing a photo (its bytes stay, for the versions that showed it)."""
    require_library_editor(actor)
    row = get_exercise(session, actor.clinic_id, slug)
    entry = to_domain(row).to_dict()
    if path not in entry["photos"]:
        raise NotFound("This exercise shows no such photo.")
    photos = [p for p in entry["photos"] if p != path]
    return update_exercise(session, actor, slug, {**entry, "photos": photos})


def get_photo(session: Session, clinic_id: int, path: str) -> bytes:
    """A stored photo's PNG bytes; raises NotFound (another clinic's looks the same)."""
    data = session.scalar(
        select(ExercisePhoto.data).where(
            ExercisePhoto.clinic_id == clinic_id, ExercisePhoto.path == path
        )
    )
    if data is None:
        raise NotFound("There is no such photo.")
    return data
