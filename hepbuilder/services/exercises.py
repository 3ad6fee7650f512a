"""A clinic's exercise library as therapists read it: find, search, filter facets, domain form.

Every query is scoped to one clinic id (library rows are the clinic's own, not patient data)."""

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import (
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, selectinload

from hepbuilder.db.like import contains, search_in_clinic
from hepbuilder.db.models import Clinic, ExerciseEquipment, ExerciseTarget, Muscle, Protocol
from hepbuilder.db.models import Exercise as ExerciseRow
from hepbuilder.db.session import transaction_has_written
from hepbuilder.domain import exercise as domain
from hepbuilder.domain.dose import Dose, parse_dose
from hepbuilder.domain.errors import NotFound
from hepbuilder.domain.search_terms import (
    Term,
    Vocabulary,
    correct_typos,
    parse_query,
    vocabulary_of,
)
from hepbuilder.domain.text import fold_for_search
from hepbuilder.illustrations.cache import LRUCache

from .actor import Actor

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


MAX_QUERY_CHARS = 200


def search_text_for(exercise: domain.LibraryExercise, muscle_names) -> str:
    """The folded text search matches against: name, summary, category, body region, equipment,
    steps, conditions (as words: "low back pain") and target muscle names."""
    words = [
        exercise.name,
        exercise.summary,
        exercise.category,
        exercise.body_region,
        *exercise.equipment,
        *exercise.steps,
        *exercise.conditions,
        *muscle_names,
    ]
    return fold_for_search(" ".join(words))


def to_domain(row: ExerciseRow) -> domain.LibraryExercise:
    """The library-entry form of a clinic's exercise (what the PDF, the API and export use)."""
    return _library_exercise(row, tuple(m.slug for m in row.targets), tuple(row.equipment))


def _library_exercise(row, targets: tuple[str, ...], equipment: tuple[str, ...]):
    return domain.LibraryExercise(
        slug=row.slug,
        name=row.name,
        summary=row.summary,
        category=row.category,
        body_region=row.body_region,
        position=row.position,
        targets=targets,
        equipment=equipment,
        steps=tuple(row.steps or ()),
        cues=tuple(row.cues or ()),
        precautions=tuple(row.precautions or ()),
        conditions=tuple(row.conditions or ()),
        photos=tuple(row.photos or ()),
        defaults=parse_dose(row.defaults or {}),
        illustration=row.illustration,
        source=row.source,
    )


_TEXT_COLUMNS = ("slug", "name", "summary", "category", "body_region", "position", "source")
_JSON_COLUMNS = ("steps", "cues", "precautions", "conditions", "photos", "defaults", "illustration")
# The library-entry form of exercises read before, by their stored content (never by id alone:
# one process serves several databases and clinics, and an edited exercise is new content).
_BY_CONTENT = LRUCache()


def _stored_rows_query():
    return select(
        ExerciseRow.id,
        *(getattr(ExerciseRow, name) for name in _TEXT_COLUMNS),
        *(cast(getattr(ExerciseRow, name), Text) for name in _JSON_COLUMNS),
    ).where(
        ExerciseRow.clinic_id == bindparam("clinic_id"),
        ExerciseRow.id.in_(bindparam("ids", expanding=True)),
    )


def _lists_query():
    """Targets (kind 0) and equipment (kind 1) of exercises `ids`, in one statement, each in
    its relationship's order (position, then muscle name or equipment)."""
    ids = bindparam("ids", expanding=True)
    listed = union_all(
        select(
            ExerciseTarget.exercise_id.label("exercise_id"),
            literal(0).label("kind"),
            Muscle.slug.label("value"),
            ExerciseTarget.position.label("position"),
            Muscle.name.label("tie"),
        )
        .join(Muscle, Muscle.id == ExerciseTarget.muscle_id)
        .where(ExerciseTarget.exercise_id.in_(ids)),
        select(
            ExerciseEquipment.exercise_id,
            literal(1),
            ExerciseEquipment.equipment,
            ExerciseEquipment.position,
            ExerciseEquipment.equipment,
        ).where(ExerciseEquipment.exercise_id.in_(ids)),
    ).subquery()
    return select(listed.c.exercise_id, listed.c.kind, listed.c.value).order_by(
        listed.c.kind, listed.c.position, listed.c.tie
    )


# built once: making these statements costs more CPU than running them
_STORED_ROWS = _stored_rows_query()
_LISTS = _lists_query()


def exercises_by_id(
    session: Session, clinic_id: int, exercise_ids: Sequence[int]
) -> dict[int, domain.LibraryExercise]:
    """{id: library-entry form, as `to_domain` gives it} of the clinic's exercises `exercise_ids`,
    in two light queries (the rows with their JSON columns as the stored text; the target
    slugs and the equipment together) and no ORM objects. Each distinct content is decoded once
    per process (an LRU sized like the illustration caches, keyed by the row's stored text,
    targets and equipment), so an exercise printed again costs no JSON decoding. Exercises of
    another clinic are left out."""
    wanted = sorted(set(exercise_ids))
    if not wanted:
        return {}
    rows = session.execute(_STORED_ROWS, {"clinic_id": clinic_id, "ids": wanted}).all()
    ids = [row[0] for row in rows]
    targets: dict[int, list[str]] = {exercise_id: [] for exercise_id in ids}
    equipment: dict[int, list[str]] = {exercise_id: [] for exercise_id in ids}
    if ids:
        for exercise_id, kind, value in session.execute(_LISTS, {"ids": ids}):
            (equipment if kind else targets)[exercise_id].append(value)
    found = {}
    for row in rows:
        exercise_id, stored = row[0], tuple(row[1:])
        key = (stored, tuple(targets[exercise_id]), tuple(equipment[exercise_id]))
        found[exercise_id] = _BY_CONTENT.get_or_make(key, lambda key=key: _decoded(*key))
    return found


def _decoded(stored: tuple, targets: tuple[str, ...], equipment: tuple[str, ...]):
    count = len(_TEXT_COLUMNS)
    texts = dict(zip(_TEXT_COLUMNS, stored[:count], strict=True))
    decoded = {
        name: None if text is None else json.loads(text)
        for name, text in zip(_JSON_COLUMNS, stored[count:], strict=True)
    }
    return _library_exercise(SimpleNamespace(**texts, **decoded), targets, equipment)


def protocol_to_domain(row: Protocol) -> domain.LibraryProtocol:
    items = tuple(
        domain.ProtocolItem(
            exercise=item["exercise"],
            dose=parse_dose(item["dose"]) if item.get("dose") else None,
            notes=item.get("notes") or "",
        )
        for item in row.items or ()
    )
    return domain.LibraryProtocol(
        slug=row.slug,
        name=row.name,
        description=row.description,
        items=items,
        conditions=tuple(row.conditions or ()),
        progression=row.progression or "",
    )


def default_dose(row: "ExerciseRow | ListedExercise") -> Dose:
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


class PerLibraryVersion:
    """What a process derives from a clinic's library, kept while the clinic's library_version
    stays the same: a number that database triggers raise on every change to its exercises,
    muscles, targets or equipment, whoever makes it (migration 0024), so checking costs one read
    of one row by its key, from any app server. The clinic's created_at is part of the key: a
    clinic id used again (a new database) is another library. The version is read before the
    value is derived, so a value is never kept under a number newer than what it saw; a
    transaction that wrote keeps nothing (on PostgreSQL its own change has not raised the
    number yet)."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[tuple, object]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, clinic_id: int, derive):
        version = tuple(
            session.execute(
                select(Clinic.created_at, Clinic.library_version).where(Clinic.id == clinic_id)
            ).one_or_none()
            or ()
        )
        kept = self._kept.get(clinic_id)
        if kept is not None and version and kept[0] == version:
            return kept[1]
        value = derive()
        if version and not transaction_has_written(session):
            with self._lock:
                self._kept[clinic_id] = (version, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


# The words of the clinic's live search texts (typo correction) and its filter lists.
vocabularies = PerLibraryVersion()
facets_kept = PerLibraryVersion()


def _vocabulary(session: Session, clinic_id: int) -> Vocabulary:
    """The words of the clinic's live search texts, kept until its library changes."""
    live = (ExerciseRow.clinic_id == clinic_id, ExerciseRow.is_archived == false())
    return vocabularies.get(
        session,
        clinic_id,
        lambda: vocabulary_of(session.scalars(select(ExerciseRow.search_text).where(*live))),
    )


def query_terms(session: Session, clinic_id: int, q: str) -> list[Term]:
    """What a search query asks for, with synonyms and small typos read the way a clinician
    means them (a `Term.corrected` says which word a typo was taken for)."""
    terms = parse_query((q or "")[:MAX_QUERY_CHARS])
    if not terms:
        return terms
    return correct_typos(terms, _vocabulary(session, clinic_id))


def _filtered(
    clinic_id: int,
    *,
    terms: Sequence[Term] = (),
    category: str = "",
    body_region: str = "",
    equipment: str = "",
    target: str = "",
    include_archived: bool = False,
):
    alternatives = [term.alternatives for term in terms]
    query = select(ExerciseRow).where(*search_in_clinic(ExerciseRow, clinic_id, alternatives))
    if not include_archived:
        # "= false", not "IS false": the (clinic, is_archived, name) btree then gives name order
        query = query.where(ExerciseRow.is_archived == false())
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
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
    **filters,
) -> tuple[list[ExerciseRow], int]:
    """One page of `search_exercises` and the total number of matches (for paging links)."""
    _terms_of(session, clinic_id, filters)
    rows = search_exercises(session, clinic_id, limit=limit, offset=offset, **filters)
    if offset == 0 and len(rows) < max(1, min(limit, MAX_PAGE_SIZE)):
        return rows, len(rows)  # one page holds every match: no need to count
    filters.pop("prefer_ids", None)
    return rows, count_exercises(session, clinic_id, **filters)


def _named(terms: Sequence[Term]):
    """True where the exercise's name itself matches every term (the search text begins with the
    folded name)."""
    name_part = func.substr(ExerciseRow.search_text, 1, func.length(ExerciseRow.name) + 1)
    return and_(
        *(
            or_(*(contains(name_part, alternative) for alternative in term.alternatives))
            for term in terms
        )
    )


def _order(prefer_ids: Sequence[int], terms: Sequence[Term] = ()) -> list:
    """By name; `prefer_ids` (favourites, recently used) first, in their order. A search puts
    the exercises whose name matches first ("lunge": the lunges before the stretches whose steps
    say "lunge"), favourites first within each group."""
    order = [ExerciseRow.name, ExerciseRow.slug]
    if prefer_ids:
        ranks = {exercise_id: rank for rank, exercise_id in enumerate(prefer_ids)}
        order.insert(0, case(ranks, value=ExerciseRow.id, else_=len(ranks)))
    if terms:
        order.insert(0, case((_named(terms), 0), else_=1))
    return order


# What a list of exercises shows (name, labels, picture, default dose; the builder, the picker):
# loaded alone, the rest of each row (steps, drawing, search text...) stays unread.
LISTED_COLUMNS = (
    ExerciseRow.clinic_id,
    ExerciseRow.slug,
    ExerciseRow.name,
    ExerciseRow.category,
    ExerciseRow.body_region,
    ExerciseRow.photos,
    ExerciseRow.defaults,
    ExerciseRow.is_archived,
    ExerciseRow.version,
)
# loader options built once: building them is a good part of a small query's time
_FULL_LOADS = (selectinload(ExerciseRow.targets), selectinload(ExerciseRow.equipment_rows))


@dataclass(frozen=True, slots=True)
class ListedExercise:
    """An exercise as a list shows it (the builder's picker): LISTED_COLUMNS and its equipment,
    read as plain rows, with the attribute names of the Exercise row."""

    id: int
    clinic_id: int
    slug: str
    name: str
    category: str
    body_region: str
    photos: list | None
    defaults: dict | None
    is_archived: bool
    version: int
    equipment: tuple[str, ...]


# built once, as _STORED_ROWS: one statement, each exercise's equipment joined in its order
_LISTED_ROWS = (
    select(ExerciseRow.id, *LISTED_COLUMNS, ExerciseEquipment.equipment)
    .outerjoin(ExerciseEquipment, ExerciseEquipment.exercise_id == ExerciseRow.id)
    .where(ExerciseRow.id.in_(bindparam("ids", expanding=True)))
    .order_by(ExerciseRow.id, ExerciseEquipment.position, ExerciseEquipment.equipment)
)


def _listed_by_id(session: Session, ids: list[int]) -> dict[int, ListedExercise]:
    fields: dict[int, tuple] = {}
    equipment: dict[int, list[str]] = {}
    for *row, item in session.execute(_LISTED_ROWS, {"ids": ids}):
        fields.setdefault(row[0], tuple(row))
        if item is not None:
            equipment.setdefault(row[0], []).append(item)
    return {i: ListedExercise(*row, tuple(equipment.get(i, ()))) for i, row in fields.items()}


def _rows_by_id(session: Session, ids: list[int], *, listed: bool = False) -> list:
    """Full rows (targets and equipment loaded) for `ids`, in that order; `listed`: each a
    ListedExercise, in one statement and no ORM objects (a fifth of the builder page's time
    went to loading the picker's rows as objects)."""
    if not ids:
        return []
    if listed:
        by_id = _listed_by_id(session, ids)
    else:
        rows = session.scalars(
            select(ExerciseRow).where(ExerciseRow.id.in_(ids)).options(*_FULL_LOADS)
        ).unique()
        by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _terms_of(session: Session, clinic_id: int, filters: dict) -> None:
    """Turn a `q` filter into `terms` (callers may pass either)."""
    if "q" in filters:
        q = filters.pop("q")
        if "terms" not in filters:
            filters["terms"] = query_terms(session, clinic_id, q)


def search_exercises(
    session: Session,
    clinic_id: int,
    *,
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
    prefer_ids: Sequence[int] = (),
    listed: bool = False,
    **filters,
) -> list[ExerciseRow]:
    """The clinic's exercises matching every given filter, by name, targets and equipment loaded.

    Filters: `q` (or `terms` from `query_terms`), `category`, `body_region`, `equipment`,
    `target` (a muscle slug or name), `include_archived`; empty ones are ignored. `q` is read as
    a clinician means it (see domain/search_terms.py): every term must match the name, summary,
    steps, region, conditions or target muscles, ignoring case, accents and plurals.
    `prefer_ids` (favourites, recently used) come first, in that order, then the rest by name.
    The matching ids are found first and only the page's rows are loaded whole (`listed`: only
    what a list shows, as ListedExercise).
    """
    _terms_of(session, clinic_id, filters)
    limit, offset = max(1, min(limit, MAX_PAGE_SIZE)), max(0, offset)
    matching = _filtered(clinic_id, **filters).with_only_columns(ExerciseRow.id)
    terms = filters.get("terms") or ()
    if prefer_ids and not terms and offset == 0:
        ids = _preferred_first(session, matching, prefer_ids, limit)
    else:
        query = matching.order_by(*_order(prefer_ids, terms)).limit(limit).offset(offset)
        ids = list(session.scalars(query))
    return _rows_by_id(session, ids, listed=listed)


def _preferred_first(session: Session, matching, prefer_ids: Sequence[int], limit: int):
    """The first `limit` ids of `matching` in _order(prefer_ids): those of `prefer_ids` that
    match, in their order, then the others by name. Two small reads instead of one that sorts
    every match of the clinic by rank (2 ms for a library of 2,000): the others come in name
    order from the (clinic, is_archived, name) index."""
    found = set(session.scalars(matching.where(ExerciseRow.id.in_(prefer_ids))))
    ids = [exercise_id for exercise_id in dict.fromkeys(prefer_ids) if exercise_id in found]
    if len(ids) < limit:
        rest = (
            matching.where(ExerciseRow.id.not_in(ids) if ids else true())
            .order_by(ExerciseRow.name, ExerciseRow.slug)
            .limit(limit - len(ids))
        )
        ids += session.scalars(rest)
    return ids[:limit]


def count_exercises(session: Session, clinic_id: int, *, at_most: int | None = None, **filters):
    """How many exercises `search_exercises` would find with the same filters, ignoring paging;
    with `at_most`, counting stops there (a broad search then costs little)."""
    _terms_of(session, clinic_id, filters)
    matches = _filtered(clinic_id, **filters).with_only_columns(ExerciseRow.id)
    if at_most is not None:
        matches = matches.limit(at_most)
    return session.scalar(select(func.count()).select_from(matches.subquery())) or 0


@dataclass(frozen=True)
class Facets:
    """The values the library filters offer: only those some live exercise in the clinic uses
    (tuples: one Facets is shared by every request of a process)."""

    categories: tuple[str, ...]
    body_regions: tuple[str, ...]
    equipment: tuple[str, ...]
    targets: tuple[tuple[str, str], ...]  # (muscle slug, muscle name)
    live_count: int = 0  # how many live exercises (up to MAX_PAGE_SIZE: "at least" past it)


def library_facets(session: Session, clinic_id: int) -> Facets:
    """The clinic's filter values, kept per process until its library changes (one read of the
    clinic's library_version instead of three DISTINCT queries over the library)."""
    return facets_kept.get(session, clinic_id, lambda: _read_facets(session, clinic_id))


def _read_facets(session: Session, clinic_id: int) -> Facets:
    live = (ExerciseRow.clinic_id == clinic_id, ExerciseRow.is_archived == false())
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
        categories=tuple(
            [c for c in domain.CATEGORIES if c in categories]
            + sorted(categories - set(domain.CATEGORIES))
        ),
        body_regions=tuple(regions),
        equipment=tuple(equipment),
        targets=tuple((slug, name) for slug, name in targets),
        live_count=count_exercises(session, clinic_id, at_most=MAX_PAGE_SIZE),
    )


def exercise_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(slug, name) of every live exercise of the clinic, by name (for a select)."""
    return list(
        session.execute(
            select(ExerciseRow.slug, ExerciseRow.name)
            .where(ExerciseRow.clinic_id == actor.clinic_id, ExerciseRow.is_archived.is_(False))
            .order_by(ExerciseRow.name)
        ).all()
    )


def exercises_by_slug(session: Session, actor: Actor, slugs) -> dict[str, ExerciseRow]:
    """The clinic's exercises (archived ones too) for these slugs, by slug; unknown slugs are left out."""
    wanted = {slug for slug in slugs if isinstance(slug, str) and slug}
    if not wanted:
        return {}
    rows = session.scalars(
        select(ExerciseRow).where(
            ExerciseRow.clinic_id == actor.clinic_id, ExerciseRow.slug.in_(wanted)
        )
    )
    return {row.slug: row for row in rows}
