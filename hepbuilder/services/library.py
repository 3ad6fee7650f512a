"""A clinic's exercise library in the database: seeding, search, export and import.

Each clinic owns its copy. Seeding adds what is missing and updates what the clinic has not edited
(`Exercise.is_customized`), using `library_hash` (the hash of the bundled entry last seeded) to see
what changed. Every query here is scoped to one clinic id.
"""

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from hepbuilder.db.models import Clinic, ExerciseEquipment, ExerciseTarget, Muscle, Protocol
from hepbuilder.db.models import Exercise as ExerciseRow
from hepbuilder.domain import exercise as domain
from hepbuilder.domain.dose import Dose, parse_dose
from hepbuilder.domain.errors import NotFound
from hepbuilder.domain.text import fold

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_QUERY_CHARS = 200


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


def exercise_hash(exercise: domain.Exercise) -> str:
    return _digest(exercise.to_dict())


def _protocol_data(protocol: domain.Protocol) -> dict:
    return {
        "slug": protocol.slug,
        "name": protocol.name,
        "description": protocol.description,
        "items": [
            {
                "exercise": item.exercise,
                "dose": item.dose.to_dict() if item.dose else None,
                "notes": item.notes,
            }
            for item in protocol.items
        ],
    }


def protocol_hash(protocol: domain.Protocol) -> str:
    return _digest(_protocol_data(protocol))


def search_text_for(name: str, summary: str, steps, muscle_names) -> str:
    """The folded text search matches against: name, summary, steps and target muscle names."""
    return fold(" ".join([name, summary, *steps, *muscle_names]))


def _clinic_id(actor_or_clinic_id) -> int:
    return (
        actor_or_clinic_id if isinstance(actor_or_clinic_id, int) else actor_or_clinic_id.clinic_id
    )


# --- seeding and importing ---------------------------------------------------------------------


def _upsert_muscles(session: Session, clinic_id: int, library) -> dict[str, Muscle]:
    rows = {m.slug: m for m in session.scalars(select(Muscle).where(Muscle.clinic_id == clinic_id))}
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


def _copy_fields(row: ExerciseRow, exercise: domain.Exercise, muscles: dict[str, Muscle]) -> None:
    """Copy a library entry's own fields onto a row (not its targets or equipment)."""
    row.name = exercise.name
    row.summary = exercise.summary
    row.category = exercise.category
    row.body_region = exercise.body_region
    row.position = exercise.position
    row.steps = list(exercise.steps)
    row.cues = list(exercise.cues)
    row.precautions = list(exercise.precautions)
    row.defaults = exercise.defaults.to_dict()
    row.illustration = exercise.illustration
    row.source = exercise.source
    row.search_text = search_text_for(
        exercise.name,
        exercise.summary,
        exercise.steps,
        [muscles[s].name for s in exercise.targets if s in muscles],
    )


def _equipment_rows(exercise: domain.Exercise) -> list[ExerciseEquipment]:
    return [
        ExerciseEquipment(equipment=name, position=position)
        for position, name in enumerate(exercise.equipment)
    ]


def _add_targets(
    session: Session, row: ExerciseRow, exercise: domain.Exercise, muscles: dict[str, Muscle]
) -> None:
    session.add_all(
        ExerciseTarget(exercise_id=row.id, muscle_id=muscles[slug].id, position=position)
        for position, slug in enumerate(exercise.targets)
    )


def _update_exercise(
    session: Session, row: ExerciseRow, exercise: domain.Exercise, muscles: dict[str, Muscle]
) -> None:
    """Overwrite a stored exercise (targets and equipment loaded) with a library entry."""
    _copy_fields(row, exercise, muscles)
    if [m.slug for m in row.targets] != list(exercise.targets):
        session.execute(delete(ExerciseTarget).where(ExerciseTarget.exercise_id == row.id))
        _add_targets(session, row, exercise, muscles)
        session.expire(row, ["targets"])
    if row.equipment != list(exercise.equipment):
        row.equipment_rows = _equipment_rows(exercise)


def _add_exercises(
    session: Session,
    clinic_id: int,
    new: list[tuple[domain.Exercise, str]],
    muscles,
    *,
    from_clinic: bool,
) -> None:
    """Insert new exercises in one flush, then their targets in another (no query per row)."""
    rows = []
    for exercise, digest in new:
        row = ExerciseRow(
            clinic_id=clinic_id,
            slug=exercise.slug,
            library_hash="" if from_clinic else digest,
            is_customized=from_clinic,
            is_archived=False,
        )
        _copy_fields(row, exercise, muscles)
        row.equipment_rows = _equipment_rows(exercise)
        session.add(row)
        rows.append((row, exercise))
    session.flush()
    for row, exercise in rows:
        _add_targets(session, row, exercise, muscles)


def _apply_protocol(row: Protocol, protocol: domain.Protocol) -> None:
    data = _protocol_data(protocol)
    row.name = data["name"]
    row.description = data["description"]
    row.items = data["items"]


def _existing_exercises(session: Session, clinic_id: int) -> dict[str, ExerciseRow]:
    query = (
        select(ExerciseRow)
        .where(ExerciseRow.clinic_id == clinic_id)
        .options(selectinload(ExerciseRow.targets), selectinload(ExerciseRow.equipment_rows))
    )
    return {row.slug: row for row in session.scalars(query)}


def _merge(session: Session, clinic: Clinic, library, *, from_clinic: bool) -> SeedResult:
    """Seed (bundled content; customized rows kept) or import (`from_clinic`: the clinic's own)."""
    result = SeedResult()
    muscles = _upsert_muscles(session, clinic.id, library)
    rows = _existing_exercises(session, clinic.id)
    new: list[tuple[domain.Exercise, str]] = []
    for exercise in library.exercises.values():
        digest = exercise_hash(exercise)
        row = rows.get(exercise.slug)
        if row is None:
            new.append((exercise, digest))
            result.added.append(exercise.slug)
        elif from_clinic:
            if exercise_hash(to_domain(row)) == digest:
                result.unchanged.append(exercise.slug)
                continue
            _update_exercise(session, row, exercise, muscles)
            row.is_customized = digest != row.library_hash
            result.updated.append(exercise.slug)
        elif row.is_customized:
            result.kept_customized.append(exercise.slug)
        elif row.library_hash == digest:
            result.unchanged.append(exercise.slug)
        else:
            _update_exercise(session, row, exercise, muscles)
            row.library_hash = digest
            result.updated.append(exercise.slug)
    _add_exercises(session, clinic.id, new, muscles, from_clinic=from_clinic)

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


def import_library(session: Session, clinic: Clinic, library) -> SeedResult:
    """Load a clinic's own library (e.g. an edited export) into `clinic`, overwriting its entries.

    Entries that now differ from the bundled text last seeded are marked customized, so `seed` keeps
    them. Nothing is deleted: exercises missing from `library` stay as they are.
    """
    return _merge(session, clinic, library, from_clinic=True)


# --- reading -----------------------------------------------------------------------------------


def to_domain(row: ExerciseRow) -> domain.Exercise:
    """The library-entry form of a clinic's exercise (what the PDF, the API and export use)."""
    return domain.Exercise(
        slug=row.slug,
        name=row.name,
        summary=row.summary,
        category=row.category,
        body_region=row.body_region,
        position=row.position,
        targets=tuple(m.slug for m in row.targets),
        equipment=tuple(row.equipment),
        steps=tuple(row.steps or ()),
        cues=tuple(row.cues or ()),
        precautions=tuple(row.precautions or ()),
        defaults=parse_dose(row.defaults or {}),
        illustration=row.illustration,
        source=row.source,
    )


def protocol_to_domain(row: Protocol) -> domain.Protocol:
    items = tuple(
        domain.ProtocolItem(
            exercise=item["exercise"],
            dose=parse_dose(item["dose"]) if item.get("dose") else None,
            notes=item.get("notes") or "",
        )
        for item in row.items or ()
    )
    return domain.Protocol(slug=row.slug, name=row.name, description=row.description, items=items)


def default_dose(row: ExerciseRow) -> Dose:
    return parse_dose(row.defaults or {})


def find_exercise(session: Session, clinic_id: int, slug: str) -> ExerciseRow | None:
    query = (
        select(ExerciseRow)
        .where(ExerciseRow.clinic_id == clinic_id, ExerciseRow.slug == slug)
        .options(selectinload(ExerciseRow.targets), selectinload(ExerciseRow.equipment_rows))
    )
    return session.scalar(query)


def get_exercise(session: Session, clinic_id: int, slug: str) -> ExerciseRow:
    """The clinic's exercise with this slug (archived ones too); raises NotFound."""
    row = find_exercise(session, clinic_id, slug)
    if row is None:
        raise NotFound("There is no such exercise in this clinic's library.")
    return row


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(
    clinic_id: int,
    *,
    q: str = "",
    category: str = "",
    body_region: str = "",
    equipment: str = "",
    target: str = "",
    include_archived: bool = False,
):
    query = select(ExerciseRow).where(ExerciseRow.clinic_id == clinic_id)
    if not include_archived:
        query = query.where(ExerciseRow.is_archived.is_(False))
    for word in fold((q or "")[:MAX_QUERY_CHARS]).split():
        query = query.where(ExerciseRow.search_text.like(_like_pattern(word), escape="\\"))
    if category:
        query = query.where(ExerciseRow.category == category)
    if body_region:
        query = query.where(ExerciseRow.body_region == body_region)
    if equipment:
        query = query.where(
            exists().where(
                ExerciseEquipment.exercise_id == ExerciseRow.id,
                ExerciseEquipment.equipment == equipment,
            )
        )
    if target:
        query = query.where(
            exists().where(
                ExerciseTarget.exercise_id == ExerciseRow.id,
                ExerciseTarget.muscle_id == Muscle.id,
                Muscle.clinic_id == clinic_id,
                or_(Muscle.slug == target, Muscle.name == target),
            )
        )
    return query


def search_page(
    session: Session,
    actor_or_clinic_id,
    *,
    q: str = "",
    category: str = "",
    body_region: str = "",
    equipment: str = "",
    target: str = "",
    include_archived: bool = False,
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
) -> tuple[list[ExerciseRow], int]:
    """One page of `search_exercises` and the total number of matches (for paging links)."""
    filters = {
        "q": q,
        "category": category,
        "body_region": body_region,
        "equipment": equipment,
        "target": target,
        "include_archived": include_archived,
    }
    rows = search_exercises(session, actor_or_clinic_id, limit=limit, offset=offset, **filters)
    if offset == 0 and len(rows) < max(1, min(limit, MAX_PAGE_SIZE)):
        return rows, len(rows)  # one page holds every match: no need to count
    return rows, count_exercises(session, actor_or_clinic_id, **filters)


def _rows_by_id(session: Session, ids: list[int]) -> list[ExerciseRow]:
    """Full rows (targets and equipment loaded) for `ids`, in that order."""
    if not ids:
        return []
    rows = session.scalars(
        select(ExerciseRow)
        .where(ExerciseRow.id.in_(ids))
        .options(selectinload(ExerciseRow.targets), selectinload(ExerciseRow.equipment_rows))
    )
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def search_exercises(
    session: Session,
    actor_or_clinic_id,
    *,
    q: str = "",
    category: str = "",
    body_region: str = "",
    equipment: str = "",
    target: str = "",
    include_archived: bool = False,
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
) -> list[ExerciseRow]:
    """The clinic's exercises matching every given filter, by name, targets and equipment loaded.

    `q` matches name, summary, steps and target muscle names, ignoring case and accents; several
    words must all match. `target` is a muscle slug. Empty filters are ignored. The matching ids are
    found first and only the page's rows are loaded whole, so a big library stays quick.
    """
    query = (
        _filtered(
            _clinic_id(actor_or_clinic_id),
            q=q,
            category=category,
            body_region=body_region,
            equipment=equipment,
            target=target,
            include_archived=include_archived,
        )
        .with_only_columns(ExerciseRow.id)
        .order_by(ExerciseRow.name, ExerciseRow.slug)
        .limit(max(1, min(limit, MAX_PAGE_SIZE)))
        .offset(max(0, offset))
    )
    return _rows_by_id(session, list(session.scalars(query)))


def count_exercises(session: Session, actor_or_clinic_id, **filters) -> int:
    """How many exercises `search_exercises` would find with the same filters, ignoring paging."""
    query = _filtered(_clinic_id(actor_or_clinic_id), **filters).with_only_columns(
        func.count(ExerciseRow.id)
    )
    return session.scalar(query) or 0


@dataclass(frozen=True)
class Facets:
    """The values the library filters offer: only those some live exercise in the clinic uses."""

    categories: list[str]
    body_regions: list[str]
    equipment: list[str]
    targets: list[tuple[str, str]]  # (muscle slug, muscle name)


def library_facets(session: Session, actor_or_clinic_id) -> Facets:
    clinic_id = _clinic_id(actor_or_clinic_id)
    live = (ExerciseRow.clinic_id == clinic_id, ExerciseRow.is_archived.is_(False))
    pairs = session.execute(
        select(ExerciseRow.category, ExerciseRow.body_region).where(*live).distinct()
    ).all()
    categories = {category for category, _ in pairs}
    regions = sorted({region for _, region in pairs})
    equipment = session.scalars(
        select(ExerciseEquipment.equipment)
        .join(ExerciseRow, ExerciseRow.id == ExerciseEquipment.exercise_id)
        .where(*live)
        .distinct()
        .order_by(ExerciseEquipment.equipment)
    )
    targets = session.execute(
        select(Muscle.slug, Muscle.name)
        .join(ExerciseTarget, ExerciseTarget.muscle_id == Muscle.id)
        .join(ExerciseRow, ExerciseRow.id == ExerciseTarget.exercise_id)
        .where(*live)
        .distinct()
        .order_by(Muscle.name)
    )
    return Facets(
        categories=[c for c in domain.CATEGORIES if c in categories]
        + sorted(categories - set(domain.CATEGORIES)),
        body_regions=regions,
        equipment=list(equipment),
        targets=[(slug, name) for slug, name in targets],
    )


def export_library(session: Session, clinic_id: int):
    """The clinic's live library as a hepbuilder.library.Library (for `write_library`)."""
    from types import MappingProxyType

    from hepbuilder.library import Library

    rows = session.scalars(
        select(ExerciseRow)
        .where(ExerciseRow.clinic_id == clinic_id, ExerciseRow.is_archived.is_(False))
        .order_by(ExerciseRow.name, ExerciseRow.slug)
        .options(selectinload(ExerciseRow.targets), selectinload(ExerciseRow.equipment_rows))
    )
    exercises = {row.slug: to_domain(row) for row in rows}
    muscles = {
        m.slug: domain.Muscle(slug=m.slug, name=m.name, actions=tuple(m.actions))
        for m in session.scalars(
            select(Muscle).where(Muscle.clinic_id == clinic_id).order_by(Muscle.id)
        )
    }
    protocols = {
        p.slug: protocol_to_domain(p)
        for p in session.scalars(
            select(Protocol)
            .where(Protocol.clinic_id == clinic_id, Protocol.is_archived.is_(False))
            .order_by(Protocol.id)
        )
    }
    return Library(
        exercises=MappingProxyType(exercises),
        muscles=MappingProxyType(muscles),
        protocols=MappingProxyType(protocols),
    )
