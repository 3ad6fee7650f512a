"""Admins (and API tokens with the "library" scope) write the library: create, edit, archive and
restore exercises, and every save keeps the version before it (who, when), so it can be compared
and restored. Issued handouts are untouched: they hold their own snapshot.

An entry is checked by `hepbuilder.library.check_entry`, the same rules a library file passes.
An edited exercise is marked customized unless it equals the bundled entry last seeded, so `seed`
keeps the clinic's own text. Every query is scoped to the actor's clinic."""

import difflib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hepbuilder.db.models import Exercise as ExerciseRow
from hepbuilder.db.models import ExercisePhoto, ExerciseVersion
from hepbuilder.domain import exercise as domain
from hepbuilder.domain.dose import describe_dose, parse_dose
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.readability import reading_of
from hepbuilder.domain.records import check_read_only, stale_version
from hepbuilder.domain.text import fold

from .actor import Actor, require_library_editor
from .audit import record_event
from .clinics import slugify
from .exercise_history import add_version, keep_current_state
from .exercises import find_exercise, get_exercise, to_domain
from .illustration_paths import store_illustration_paths
from .library_sync import add_exercise_rows, clinic_muscles, exercise_hash, update_exercise_row


def check_exercise_entry(session: Session, clinic_id: int, entry: dict) -> domain.LibraryExercise:
    """`entry` (the library-entry form) checked as a library file is, muscles and photos against
    the clinic's own."""
    from hepbuilder.library import check_entry

    exercise = check_entry(entry, muscle_slugs=clinic_muscles(session, clinic_id).keys())
    if exercise.photos:
        stored = set(
            session.scalars(
                select(ExercisePhoto.path).where(
                    ExercisePhoto.clinic_id == clinic_id, ExercisePhoto.path.in_(exercise.photos)
                )
            )
        )
        missing = {
            f"photos[{index}]": f"{path} is not a photo of this library (upload it first)"
            for index, path in enumerate(exercise.photos)
            if path not in stored
        }
        if missing:
            raise ValidationError(missing)
    return exercise


def step_warnings(exercise: domain.LibraryExercise) -> dict[int, str]:
    """Steps (by index) that read above the patients' grade or run long: warnings, not refusals."""
    warnings = {}
    for index, step in enumerate(exercise.steps):
        warning = reading_of(step).warning()
        if warning:
            warnings[index] = warning
    return warnings


def _new_slug(session: Session, clinic_id: int, name: str) -> str:
    """A slug made from the name, never one the clinic has used (archived exercises included)."""
    base = slugify(name)[:70].strip("-") or "exercise"
    taken = set(
        session.scalars(
            select(ExerciseRow.slug).where(
                ExerciseRow.clinic_id == clinic_id, ExerciseRow.slug.like(f"{base}%")
            )
        )
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _name_key(name: str) -> str:
    """Names that read the same ("Clam-shell", "clam shell!") share a key."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(name)))


def _refuse_name_clash(session: Session, clinic_id: int, name: str, own_id: int | None) -> None:
    key = _name_key(name)
    for other_id, other_name, archived in session.execute(
        select(ExerciseRow.id, ExerciseRow.name, ExerciseRow.is_archived).where(
            ExerciseRow.clinic_id == clinic_id
        )
    ):
        if other_id != own_id and _name_key(other_name) == key:
            where = " (retired: restore it instead)" if archived else ""
            raise ValidationError(
                {"name": f'another exercise is already called "{other_name}"{where}'}
            )


def create_exercise(session: Session, actor: Actor, entry: dict) -> ExerciseRow:
    """Add an exercise to the clinic's library from a library-entry dict; the slug is made from
    the name (unique in the clinic, never reused) when the entry gives none. Records
    "exercise.create" and version 1.

    Two admins adding the same exercise at once can both pass the checks; the database's unique
    slug then refuses the second, inside a savepoint, and it gets Conflict (nothing saved, the
    transaction still usable) instead of a failed transaction."""
    require_library_editor(actor)
    entry = dict(entry)
    if not entry.get("slug") and isinstance(entry.get("name"), str) and entry["name"].strip():
        entry["slug"] = _new_slug(session, actor.clinic_id, entry["name"])
    exercise = check_exercise_entry(session, actor.clinic_id, entry)
    if find_exercise(session, actor.clinic_id, exercise.slug) is not None:
        raise ValidationError({"slug": f'"{exercise.slug}" is already used in this library'})
    _refuse_name_clash(session, actor.clinic_id, exercise.name, None)
    muscles = clinic_muscles(session, actor.clinic_id)
    try:
        with session.begin_nested():
            [row] = add_exercise_rows(
                session, actor.clinic_id, [(exercise, "")], muscles, from_clinic=True
            )
            add_version(session, actor, row, "Created", 1)
            store_illustration_paths(session, [row.illustration])
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"Another exercise called “{exercise.name}” was added at the same moment, so this "
            "one was not saved: open that one in the library, or give this one another name.",
            fields={"slug": f'"{exercise.slug}" was taken by an exercise added at the same moment'},
        ) from None
    record_event(session, actor, "exercise.create", slug=row.slug)
    session.flush()
    return row


def _save(
    session: Session,
    actor: Actor,
    row: ExerciseRow,
    exercise,
    note: str,
    expected_version: int | None = None,
) -> ExerciseRow:
    """Save `exercise` over `row` and keep the state it had as a version; a save by someone
    else at the same moment is a Conflict (naming `version` when the caller sent one)."""
    _refuse_name_clash(session, actor.clinic_id, exercise.name, row.id)
    number = keep_current_state(session, row)
    update_exercise_row(session, row, exercise, clinic_muscles(session, actor.clinic_id))
    row.is_customized = exercise_hash(exercise) != row.library_hash
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        # Saved by someone else between our read and our write (the row's version moved, or
        # their version number was taken first); this transaction can only be rolled back.
        raise Conflict(
            "Someone saved this exercise at the same moment; reload it and apply your change again.",
            fields={"version": stale_version("exercise", expected_version, None)}
            if expected_version is not None
            else None,
            code="version_conflict" if expected_version is not None else "conflict",
        ) from None
    session.refresh(row)
    add_version(session, actor, row, note, number)
    store_illustration_paths(session, [row.illustration])
    session.flush()
    return row


READ_ONLY_FIELDS = ("slug", "url", "is_archived")  # read with an exercise, never changed by a save


def exercise_read_only(row: ExerciseRow) -> dict:
    """The exercise's READ_ONLY_FIELDS as a client reads them (`url`: its page, /exercises/<slug>)."""
    return {"slug": row.slug, "url": f"/exercises/{row.slug}", "is_archived": row.is_archived}


def update_exercise(
    session: Session,
    actor: Actor,
    slug: str,
    entry: dict,
    *,
    expected_version: int | None = None,
    read_only: dict | None = None,
) -> ExerciseRow:
    """Replace an exercise's fields with `entry` (its slug stays). With `expected_version`, a
    save on top of someone else's is refused (Conflict with the current version). `read_only`
    holds READ_ONLY_FIELDS the caller sent back as it read them: each must equal the current
    value (ValidationError naming it otherwise; archive and restore change `is_archived`). The
    previous state is kept as a version. Records "exercise.update"."""
    require_library_editor(actor)
    row = get_exercise(session, actor.clinic_id, slug)
    if expected_version is not None and expected_version != row.version:
        raise Conflict(
            "This exercise was changed since you opened it; reload it and apply your change again.",
            fields={"version": stale_version("exercise", expected_version, row.version)},
            current_version=row.version,
            code="version_conflict",
        )
    if read_only:
        check_read_only(exercise_read_only(row), read_only)
    exercise = check_exercise_entry(session, actor.clinic_id, {**entry, "slug": row.slug})
    if exercise_hash(exercise) == exercise_hash(to_domain(row)):
        return row  # nothing changed: no new version
    _save(session, actor, row, exercise, "Edited", expected_version)
    record_event(session, actor, "exercise.update", slug=row.slug)
    return row


def set_exercise_archived(session: Session, actor: Actor, slug: str, archived: bool) -> ExerciseRow:
    """Retire an exercise (it leaves the picker and search; programs and handouts that use it keep
    it) or bring it back. Records "exercise.archive" / "exercise.restore"."""
    require_library_editor(actor)
    row = get_exercise(session, actor.clinic_id, slug)
    if row.is_archived != archived:
        row.is_archived = archived
        action = "exercise.archive" if archived else "exercise.restore"
        record_event(session, actor, action, slug=row.slug)
        session.flush()
    return row


def list_versions(session: Session, actor: Actor, slug: str) -> list[ExerciseVersion]:
    """The exercise's saved versions, newest first (the present state is always among them once
    it has been edited)."""
    require_library_editor(actor)
    row = get_exercise(session, actor.clinic_id, slug)
    return list(
        session.scalars(
            select(ExerciseVersion)
            .where(ExerciseVersion.exercise_id == row.id)
            .order_by(ExerciseVersion.number.desc())
        )
    )


def get_version(session: Session, actor: Actor, slug: str, number: int) -> ExerciseVersion:
    require_library_editor(actor)
    row = get_exercise(session, actor.clinic_id, slug)
    version = session.scalar(
        select(ExerciseVersion).where(
            ExerciseVersion.exercise_id == row.id, ExerciseVersion.number == number
        )
    )
    if version is None:
        raise NotFound("This exercise has no such version.")
    return version


def restore_version(session: Session, actor: Actor, slug: str, number: int) -> ExerciseRow:
    """Save an old version's text as the newest version. Records "exercise.update"."""
    version = get_version(session, actor, slug, number)
    row = get_exercise(session, actor.clinic_id, slug)
    exercise = check_exercise_entry(session, actor.clinic_id, {**version.entry, "slug": row.slug})
    _save(session, actor, row, exercise, f"Restored version {number}")
    record_event(session, actor, "exercise.update", slug=row.slug, restored_version=number)
    return row


# --- a readable difference ---------------------------------------------------------------------

FIELD_LABELS = {
    "name": "Name",
    "summary": "Summary",
    "category": "Category",
    "body_region": "Body region",
    "position": "Position",
    "targets": "Target muscles",
    "equipment": "Equipment",
    "steps": "Steps",
    "cues": "Tips",
    "precautions": "Take care",
    "conditions": "Conditions",
    "defaults": "Usual dose",
    "illustration": "Illustration",
    "source": "Source",
}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field that differs: its label and lines marked "-" (only before), "+" (only after) or
    " " (in both, for context in lists)."""

    label: str
    lines: tuple[tuple[str, str], ...]


def _as_lines(key: str, value) -> list[str]:
    if key == "defaults":
        return [describe_dose(parse_dose(value or {}))]
    if key == "illustration":
        return ["A drawn pose"] if value and "frames" in value else (["An image"] if value else [])
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)] if value else []


def diff_entries(before: dict, after: dict) -> list[FieldChange]:
    """What changed between two library entries, field by field, in words an admin reads."""
    changes = []
    for key, label in FIELD_LABELS.items():
        old, new = before.get(key), after.get(key)
        if old == new or (not old and not new):
            continue
        old_lines, new_lines = _as_lines(key, old), _as_lines(key, new)
        if old_lines == new_lines:  # e.g. the pose's numbers changed
            old_lines, new_lines = ["The pose as it was"], ["The pose changed"]
        lines = []
        for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(
            None, old_lines, new_lines
        ).get_opcodes():
            if tag == "equal":
                lines.extend((" ", line) for line in old_lines[a0:a1])
            else:
                lines.extend(("-", line) for line in old_lines[a0:a1])
                lines.extend(("+", line) for line in new_lines[b0:b1])
        changes.append(FieldChange(label=label, lines=tuple(lines)))
    return changes
