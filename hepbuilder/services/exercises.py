"""A clinic's exercise library as therapists read it: find, search, filter facets, domain form.

Every query is scoped to one clinic id (library rows are the clinic's own, not patient data)."""

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from hepbuilder.db.like import contains
from hepbuilder.db.models import Exercise as ExerciseRow
from hepbuilder.db.models import ExerciseEquipment, ExerciseTarget, Muscle, Protocol
from hepbuilder.domain import exercise as domain
from hepbuilder.domain.dose import Dose, parse_dose
from hepbuilder.domain.errors import NotFound
from hepbuilder.domain.text import fold

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


MAX_QUERY_CHARS = 200


def search_text_for(name: str, summary: str, steps, muscle_names) -> str:
    """The folded text search matches against: name, summary, steps and target muscle names."""
    return fold(" ".join([name, summary, *steps, *muscle_names]))


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
        query = query.where(contains(ExerciseRow.search_text, word))
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
    clinic_id: int,
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
    rows = search_exercises(session, clinic_id, limit=limit, offset=offset, **filters)
    if offset == 0 and len(rows) < max(1, min(limit, MAX_PAGE_SIZE)):
        return rows, len(rows)  # one page holds every match: no need to count
    return rows, count_exercises(session, clinic_id, **filters)


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
    clinic_id: int,
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
            clinic_id,
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


def count_exercises(session: Session, clinic_id: int, **filters) -> int:
    """How many exercises `search_exercises` would find with the same filters, ignoring paging."""
    query = _filtered(clinic_id, **filters).with_only_columns(func.count(ExerciseRow.id))
    return session.scalar(query) or 0


@dataclass(frozen=True)
class Facets:
    """The values the library filters offer: only those some live exercise in the clinic uses."""

    categories: list[str]
    body_regions: list[str]
    equipment: list[str]
    targets: list[tuple[str, str]]  # (muscle slug, muscle name)


def library_facets(session: Session, clinic_id) -> Facets:
    clinic_id = clinic_id
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
