"""Loading a library folder into a clinic (seed, import) and reading it back out (export).

Each clinic owns its copy. Seeding adds what is missing and updates what the clinic has not edited
(`Exercise.is_customized`), using `library_hash` (the hash of the bundled entry last seeded) to see
what changed. Every query here is scoped to one clinic id."""

import hashlib
import json
import weakref
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, selectinload

from hepbuilder.db.models import (
    Clinic,
    ExerciseEquipment,
    ExercisePhoto,
    ExerciseTarget,
    Muscle,
    Protocol,
)
from hepbuilder.db.models import Exercise as ExerciseRow
from hepbuilder.domain import exercise as domain
from hepbuilder.domain.errors import ValidationError

from .actor import Actor
from .exercise_history import add_version, keep_current_state
from .exercises import protocol_to_domain, search_text_for, to_domain
from .illustration_paths import store_illustration_paths
from .images import image_size, normalize_photo


def load_bundled_library(directory=None):
    """The checked library folder (default: the bundled one) as a hepbuilder.library.Library."""
    from hepbuilder.library import load_library

    return load_library(directory)


@dataclass
class SeedResult:
    """What one seed or import did to one clinic's library."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_customized: list[str] = field(default_factory=list)
    protocols_added: list[str] = field(default_factory=list)
    protocols_updated: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.kept_customized:
            parts.append(f"{len(self.kept_customized)} kept as the clinic edited them")
        text = "exercises: " + ", ".join(parts)
        added, updated = len(self.protocols_added), len(self.protocols_updated)
        if added or updated:
            text += f"; protocols: {added} added, {updated} updated"
        return text


def _digest(data: object) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def exercise_hash(exercise: domain.LibraryExercise) -> str:
    return _digest(exercise.to_dict())


def protocol_data(protocol: domain.LibraryProtocol) -> dict:
    return {
        "slug": protocol.slug,
        "name": protocol.name,
        "description": protocol.description,
        "conditions": list(protocol.conditions),
        "progression": protocol.progression,
        "items": [
            {
                "exercise": item.exercise,
                "dose": item.dose.to_dict() if item.dose else None,
                "notes": item.notes,
            }
            for item in protocol.items
        ],
    }


def protocol_hash(protocol: domain.LibraryProtocol) -> str:
    return _digest(protocol_data(protocol))


class _Derived:
    """What a loaded library's entries give every seed, computed once per library object (the
    bundled library is one cached, read-only object, seeded into every new clinic): each entry's
    hash, and its search text for the muscle names it is stored with. An exercise that is not the
    library's own object (an edited copy) is computed afresh each time."""

    def __init__(self, library) -> None:
        self.exercises = library.exercises
        self.memo: dict[tuple, str] = {}

    def _once(self, exercise: domain.LibraryExercise, key: tuple, compute) -> str:
        if self.exercises.get(exercise.slug) is not exercise:
            return compute()
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def digest(self, exercise: domain.LibraryExercise) -> str:
        return self._once(exercise, (exercise.slug,), lambda: exercise_hash(exercise))

    def search_text(self, exercise: domain.LibraryExercise, muscle_names: tuple[str, ...]) -> str:
        return self._once(
            exercise,
            (exercise.slug, muscle_names),
            lambda: search_text_for(exercise, muscle_names),
        )


_derived: dict[int, _Derived] = {}


def _derived_for(library) -> _Derived:
    """The library's _Derived, dropped when the library object is (so its id is never reused;
    a frozen Library is not hashable, so a WeakKeyDictionary cannot hold it)."""
    key = id(library)
    derived = _derived.get(key)
    if derived is None:
        derived = _derived[key] = _Derived(library)
        weakref.finalize(library, _derived.pop, key, None)
    return derived


def _upsert_muscles(session: Session, clinic_id: int, library) -> dict[str, Muscle]:
    rows = clinic_muscles(session, clinic_id)
    for muscle in library.muscles.values():
        row = rows.get(muscle.slug)
        if row is None:
            row = Muscle(
                clinic_id=clinic_id,
                slug=muscle.slug,
                name=muscle.name,
                actions=list(muscle.actions),
            )
            session.add(row)
            rows[muscle.slug] = row
        elif row.name != muscle.name or list(row.actions) != list(muscle.actions):
            row.name = muscle.name
            row.actions = list(muscle.actions)
    session.flush()
    return rows


def _copy_fields(
    row: ExerciseRow,
    exercise: domain.LibraryExercise,
    muscles: dict[str, Muscle],
    derived: _Derived | None = None,
) -> None:
    """Copy a library entry's own fields onto a row (not its targets or equipment)."""
    row.name = exercise.name
    row.summary = exercise.summary
    row.category = exercise.category
    row.body_region = exercise.body_region
    row.position = exercise.position
    row.steps = list(exercise.steps)
    row.cues = list(exercise.cues)
    row.precautions = list(exercise.precautions)
    row.conditions = list(exercise.conditions)
    row.photos = list(exercise.photos)
    row.defaults = exercise.defaults.to_dict()
    row.illustration = exercise.illustration
    row.source = exercise.source
    names = tuple(muscles[s].name for s in exercise.targets if s in muscles)
    row.search_text = (
        derived.search_text(exercise, names) if derived else search_text_for(exercise, names)
    )


def _equipment_rows(exercise: domain.LibraryExercise) -> list[ExerciseEquipment]:
    return [
        ExerciseEquipment(equipment=name, position=position)
        for position, name in enumerate(exercise.equipment)
    ]


def _add_targets(
    session: Session,
    rows: list[tuple[ExerciseRow, domain.LibraryExercise]],
    muscles: dict[str, Muscle],
) -> None:
    """The target muscles of stored exercises (row, its library entry), in one bulk INSERT."""
    targets = [
        {"exercise_id": row.id, "muscle_id": muscles[slug].id, "position": position}
        for row, exercise in rows
        for position, slug in enumerate(exercise.targets)
    ]
    if targets:
        session.execute(insert(ExerciseTarget), targets)


def update_exercise_row(
    session: Session,
    row: ExerciseRow,
    exercise: domain.LibraryExercise,
    muscles: dict[str, Muscle],
    derived: _Derived | None = None,
) -> None:
    """Overwrite a stored exercise (targets and equipment loaded) with a library entry."""
    _copy_fields(row, exercise, muscles, derived)
    if [m.slug for m in row.targets] != list(exercise.targets):
        session.execute(delete(ExerciseTarget).where(ExerciseTarget.exercise_id == row.id))
        _add_targets(session, [(row, exercise)], muscles)
        session.expire(row, ["targets"])
    if row.equipment != list(exercise.equipment):
        row.equipment_rows = _equipment_rows(exercise)


def clinic_muscles(session: Session, clinic_id: int) -> dict[str, Muscle]:
    """The clinic's muscles by slug."""
    return {m.slug: m for m in session.scalars(select(Muscle).where(Muscle.clinic_id == clinic_id))}


def add_exercise_rows(
    session: Session,
    clinic_id: int,
    new: list[tuple[domain.LibraryExercise, str]],
    muscles,
    *,
    from_clinic: bool,
    derived: _Derived | None = None,
) -> list[ExerciseRow]:
    """Insert new exercises (entry, bundled hash) in one flush, then all their targets in one INSERT.

    `from_clinic`: the clinic's own entries (import, the editor), marked customized."""
    rows = []
    for exercise, digest in new:
        row = ExerciseRow(
            clinic_id=clinic_id,
            slug=exercise.slug,
            library_hash="" if from_clinic else digest,
            is_customized=from_clinic,
            is_archived=False,
        )
        _copy_fields(row, exercise, muscles, derived)
        row.equipment_rows = _equipment_rows(exercise)
        session.add(row)
        rows.append((row, exercise))
    session.flush()
    _add_targets(session, rows, muscles)
    session.flush()
    return [row for row, _ in rows]


def store_library_images(session: Session, clinic_id: int, library) -> None:
    """Keep the images the library's exercises show (`photos`), each checked and re-encoded by
    the images service; a file that is not a good image rejects the whole load, naming it."""
    from hepbuilder.library import LibraryError, LibraryProblem

    wanted = {path: exercise for exercise in library.exercises.values() for path in exercise.photos}
    if not wanted:
        return
    stored = {
        photo.path: photo
        for photo in session.scalars(
            select(ExercisePhoto).where(
                ExercisePhoto.clinic_id == clinic_id, ExercisePhoto.path.in_(wanted)
            )
        )
    }
    ids = dict(
        session.execute(
            select(ExerciseRow.slug, ExerciseRow.id).where(ExerciseRow.clinic_id == clinic_id)
        ).all()
    )
    for path, exercise in wanted.items():
        try:
            data = normalize_photo(library.images[path])
        except ValidationError as error:
            field = f"photos[{exercise.photos.index(path)}]"
            raise LibraryError(
                [LibraryProblem(path, field, error.fields.get("photo", error.message))]
            ) from None
        photo = stored.get(path)
        if photo is None:
            photo = ExercisePhoto(clinic_id=clinic_id, path=path)
            session.add(photo)
        elif photo.data == data:
            continue
        photo.exercise_id = ids[exercise.slug]
        photo.data = data
        photo.width_px, photo.height_px = image_size(data)
    session.flush()


def _refresh_search_text(rows) -> None:
    """Rebuild search texts written by an older rule (kept or unchanged rows included)."""
    for row in rows:
        text = search_text_for(to_domain(row), [muscle.name for muscle in row.targets])
        if row.search_text != text:
            row.search_text = text


def _apply_protocol(row: Protocol, protocol: domain.LibraryProtocol) -> None:
    data = protocol_data(protocol)
    row.name = data["name"]
    row.description = data["description"]
    row.conditions = data["conditions"]
    row.progression = data["progression"]
    row.items = data["items"]


def _existing_exercises(session: Session, clinic_id: int) -> dict[str, ExerciseRow]:
    query = (
        select(ExerciseRow)
        .where(ExerciseRow.clinic_id == clinic_id)
        .options(selectinload(ExerciseRow.targets), selectinload(ExerciseRow.equipment_rows))
    )
    return {row.slug: row for row in session.scalars(query)}


def _merge(
    session: Session, clinic: Clinic, library, *, from_clinic: bool, actor: Actor | None = None
) -> SeedResult:
    """Seed (bundled content; customized rows kept) or import (`from_clinic`: the clinic's own)."""
    result = SeedResult()
    derived = _derived_for(library)
    muscles = _upsert_muscles(session, clinic.id, library)
    rows = _existing_exercises(session, clinic.id)
    new: list[tuple[domain.LibraryExercise, str]] = []
    for exercise in library.exercises.values():
        digest = derived.digest(exercise)
        row = rows.get(exercise.slug)
        if row is None:
            new.append((exercise, digest))
            result.added.append(exercise.slug)
        elif from_clinic:
            if exercise_hash(to_domain(row)) == digest:
                result.unchanged.append(exercise.slug)
                continue
            number = keep_current_state(session, row)
            update_exercise_row(session, row, exercise, muscles, derived)
            row.is_customized = digest != row.library_hash
            session.flush()
            session.refresh(row)
            add_version(session, actor, row, "Imported", number)
            result.updated.append(exercise.slug)
        elif row.is_customized:
            result.kept_customized.append(exercise.slug)
        elif row.library_hash == digest:
            result.unchanged.append(exercise.slug)
        else:
            update_exercise_row(session, row, exercise, muscles, derived)
            row.library_hash = digest
            result.updated.append(exercise.slug)
    added = add_exercise_rows(
        session, clinic.id, new, muscles, from_clinic=from_clinic, derived=derived
    )
    # every exercise of the clinic, so a seed also stores what an older version left unstored
    store_illustration_paths(session, [row.illustration for row in [*rows.values(), *added]])
    _refresh_search_text(rows.values())
    store_library_images(session, clinic.id, library)

    protocols = {
        p.slug: p for p in session.scalars(select(Protocol).where(Protocol.clinic_id == clinic.id))
    }
    for protocol in library.protocols.values():
        digest = protocol_hash(protocol)
        row = protocols.get(protocol.slug)
        if row is None:
            row = Protocol(
                clinic_id=clinic.id,
                slug=protocol.slug,
                library_hash="" if from_clinic else digest,
                is_customized=from_clinic,
            )
            _apply_protocol(row, protocol)
            session.add(row)
            result.protocols_added.append(protocol.slug)
        elif from_clinic:
            if protocol_hash(protocol_to_domain(row)) != digest:
                _apply_protocol(row, protocol)
                row.is_customized = digest != row.library_hash
                result.protocols_updated.append(protocol.slug)
        elif not row.is_customized and row.library_hash != digest:
            _apply_protocol(row, protocol)
            row.library_hash = digest
            result.protocols_updated.append(protocol.slug)
    session.flush()
    return result


def seed_clinic(session: Session, clinic: Clinic, library) -> SeedResult:
    """Load a bundled library (hepbuilder.library.Library) into `clinic`.

    Adds missing exercises and protocols; updates those the clinic has not edited and whose library
    entry changed; leaves customized ones alone. Idempotent. Never un-archives anything.
    """
    return _merge(session, clinic, library, from_clinic=False)


def seed_all(session: Session, library) -> dict[str, SeedResult]:
    """Seed every clinic (slug -> result); an empty dict when there is no clinic yet."""
    clinics = session.scalars(select(Clinic).order_by(Clinic.id)).all()
    return {clinic.slug: seed_clinic(session, clinic, library) for clinic in clinics}


def import_library(
    session: Session, clinic: Clinic, library, actor: Actor | None = None
) -> SeedResult:
    """Load a clinic's own library (e.g. an edited export) into `clinic`, overwriting its entries.

    Entries that now differ from the bundled text last seeded are marked customized, so `seed` keeps
    them; each updated exercise keeps its previous version (saved by `actor`, None: the command
    line). Nothing is deleted: exercises missing from `library` stay as they are.
    """
    return _merge(session, clinic, library, from_clinic=True, actor=actor)


def export_library(session: Session, clinic_id: int, *, changed_only: bool = False):
    """The clinic's live library as a hepbuilder.library.Library (for `write_library`).

    `changed_only`: just what the clinic changed (customized exercises and protocols), with the
    exercises those protocols use and every muscle, so the folder still loads on its own.
    """
    from types import MappingProxyType

    from hepbuilder.library import Library

    rows = session.scalars(
        select(ExerciseRow)
        .where(ExerciseRow.clinic_id == clinic_id, ExerciseRow.is_archived.is_(False))
        .order_by(ExerciseRow.name, ExerciseRow.slug)
        .options(selectinload(ExerciseRow.targets), selectinload(ExerciseRow.equipment_rows))
    )
    rows = list(rows)
    protocol_rows = session.scalars(
        select(Protocol)
        .where(
            Protocol.clinic_id == clinic_id,
            Protocol.is_archived.is_(False),
            Protocol.is_pending.is_(False),
        )
        .order_by(Protocol.id)
    ).all()
    if changed_only:
        protocol_rows = [p for p in protocol_rows if p.is_customized]
        wanted = {item["exercise"] for p in protocol_rows for item in p.items or ()}
        rows = [row for row in rows if row.is_customized or row.slug in wanted]
    exercises = {row.slug: to_domain(row) for row in rows}
    muscles = {
        m.slug: domain.LibraryMuscle(slug=m.slug, name=m.name, actions=tuple(m.actions))
        for m in session.scalars(
            select(Muscle).where(Muscle.clinic_id == clinic_id).order_by(Muscle.id)
        )
    }
    protocols = {p.slug: protocol_to_domain(p) for p in protocol_rows}
    paths = [path for exercise in exercises.values() for path in exercise.photos]
    images = (
        dict(
            session.execute(
                select(ExercisePhoto.path, ExercisePhoto.data).where(
                    ExercisePhoto.clinic_id == clinic_id, ExercisePhoto.path.in_(paths)
                )
            ).all()
        )
        if paths
        else {}
    )
    return Library(
        exercises=MappingProxyType(exercises),
        muscles=MappingProxyType(muscles),
        protocols=MappingProxyType(protocols),
        images=MappingProxyType(images),
    )
