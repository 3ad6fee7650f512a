"""Programs: start one for a patient (blank, from a protocol, or as a copy), and edit it safely.

A program's data travels as one plain mapping, the same for the web builder and the JSON API:

    {"title": str, "notes": str, "review_on": date | "YYYY-MM-DD" | None,
     "paper": "A4" | "letter", "large_print": bool,
     "items": [{"exercise": slug, "sets", "reps", "hold_seconds", "times_per_day",
                "days_per_week", "side", "notes"}]}

An item that carries none of the dose keys gets the exercise's default dose. Every function is
scoped to the actor's clinic and flushes without committing. `update_program` refuses a stale
`expected_version` with Conflict(current_version=...), so no update is ever silently lost.
"""

import datetime as dt
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from hepbuilder.db.models import Exercise, Program, ProgramItem, Protocol, utcnow
from hepbuilder.domain.dose import DOSE_FIELDS, Dose, parse_dose
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.limits import ITEM_LIMITS, PROGRAM_LIMITS
from hepbuilder.domain.records import check_read_only, rfc3339, stale_version
from hepbuilder.domain.spec import MAX_ITEMS, PAPERS
from hepbuilder.domain.text import read_text

from .actor import Actor
from .audit import record_event, record_events
from .exercises import LISTED_COLUMNS, exercises_by_slug
from .favourites import starred_protocol_ids
from .patients import get_patient, of_unerased_patient
from .users import resolve_therapist
from .webhooks import emit_event, patient_ref

REVIEW_MAX_YEARS_AHEAD = 5  # a later review date is a typing slip (9999-12-31), not a plan
LONG_PROGRAM_ITEMS = 8  # DESIGN.md: long programs lower adherence; warn past this many items


# The builder's page: the patient, and the items with their exercises as a list shows them
# (exercises.LISTED_COLUMNS), in one more statement; built once.
_LISTED_LOADS = (
    joinedload(Program.patient, innerjoin=True),
    selectinload(Program.items)
    .joinedload(ProgramItem.exercise, innerjoin=True)
    .load_only(*LISTED_COLUMNS),
)
# What find_program loads with the program: "whole" (items, exercises with their targets and
# equipment, the creator), "listed" (the builder's page, above) or "items" (the items in the
# same statement, one round trip; their exercises read when first used, for callers that read
# the exercises otherwise, as issuing a handout does).
ProgramLoads = Literal["whole", "listed", "items"]


def program_query(loads: ProgramLoads = "whole"):
    if loads == "listed":
        return select(Program).options(*_LISTED_LOADS)
    if loads == "items":
        return select(Program).options(joinedload(Program.items))
    return select(Program).options(
        selectinload(Program.created_by),
        selectinload(Program.items)
        .selectinload(ProgramItem.exercise)
        .selectinload(Exercise.targets),
        selectinload(Program.items)
        .selectinload(ProgramItem.exercise)
        .selectinload(Exercise.equipment_rows),
    )


def find_program(
    session: Session, actor: Actor, program_id: int, *, loads: ProgramLoads = "whole"
) -> Program | None:
    """The program in the actor's clinic with what `loads` names loaded with it, or None."""
    query = program_query(loads).where(
        Program.id == program_id,
        Program.clinic_id == actor.clinic_id,
        of_unerased_patient(Program.patient_id),
    )
    return session.execute(query).unique().scalar_one_or_none()


def check_program(session: Session, actor: Actor, program_id: int) -> None:
    """Raise NotFound unless the program exists in the actor's clinic (one light query)."""
    found = session.scalar(
        select(Program.id).where(
            Program.id == program_id,
            Program.clinic_id == actor.clinic_id,
            of_unerased_patient(Program.patient_id),
        )
    )
    if found is None:
        raise NotFound("There is no such program.")


def get_program(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    loaded: Program | None = None,
    loads: ProgramLoads = "whole",
) -> Program:
    """Like find_program, but raises NotFound (a missing id and another clinic's id alike).

    `loaded`: the same program as the caller got it from this module earlier in this
    transaction (a save before an issue), used as it is instead of being read again."""
    if loaded is not None and loaded.id == program_id and loaded.clinic_id == actor.clinic_id:
        return loaded
    program = find_program(session, actor, program_id, loads=loads)
    if program is None:
        raise NotFound("There is no such program.")
    return program


def program_slugs(session: Session, actor: Actor, program_id: int) -> list[str]:
    """The slugs of the program's exercises, in item order (what the picker marks as already
    in it), without loading the program; NotFound like get_program."""
    check_program(session, actor, program_id)
    return list(
        session.scalars(
            select(Exercise.slug)
            .join(ProgramItem, ProgramItem.exercise_id == Exercise.id)
            .where(ProgramItem.program_id == program_id)
            .order_by(ProgramItem.position)
        )
    )


def list_protocols(session: Session, actor: Actor) -> list[Protocol]:
    """The protocols a program can start from (approved, not archived): the acting user's
    starred ones first, then by name."""
    starred = starred_protocol_ids(session, actor)
    rows = session.scalars(select(Protocol).where(*_offered(actor)).order_by(Protocol.name))
    return sorted(rows, key=lambda row: row.id not in starred)


def _offered(actor: Actor) -> tuple:
    return (
        Protocol.clinic_id == actor.clinic_id,
        Protocol.is_archived.is_(False),
        Protocol.is_pending.is_(False),
    )


def find_protocol(session: Session, actor: Actor, slug: str) -> Protocol | None:
    """An approved protocol of the clinic (archived ones too), or None."""
    return session.scalar(
        select(Protocol).where(
            Protocol.clinic_id == actor.clinic_id,
            Protocol.slug == slug,
            Protocol.is_pending.is_(False),
        )
    )


def item_dose(item: ProgramItem) -> Dose:
    """A stored item's dose as a domain Dose (for wording and the handout)."""
    return Dose(
        sets=item.sets,
        reps=item.reps,
        hold_seconds=item.hold_seconds,
        times_per_day=item.times_per_day,
        days_per_week=item.days_per_week,
        side=item.side or "none",
    )


def default_dose(exercise: Exercise) -> Dose:
    """The exercise's default dose (what a newly added item starts with)."""
    try:
        return parse_dose(exercise.defaults or {})
    except ValidationError:
        return Dose()


def item_to_data(item: ProgramItem) -> dict:
    """One item in the program data form (exercise slug plus dose fields and notes)."""
    return {"exercise": item.exercise.slug, **item_dose(item).to_dict(), "notes": item.notes or ""}


def program_to_data(program: Program) -> dict:
    """The program in the data form this module takes, plus id, patient_id, version, its
    therapist's email (None when nobody is named) and RFC 3339 times."""
    return {
        "id": program.id,
        "patient_id": program.patient_id,
        "version": program.version,
        "title": program.title,
        "notes": program.notes,
        "review_on": program.review_on.isoformat() if program.review_on else None,
        "paper": program.paper,
        "large_print": program.large_print,
        "items": [item_to_data(item) for item in program.items],
        "therapist_email": program.created_by.email if program.created_by else None,
        "created_at": rfc3339(program.created_at),
        "updated_at": rfc3339(program.updated_at),
    }


READ_ONLY_FIELDS = ("patient_id", "created_at", "updated_at")


def _review_on(value: object, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors["review_on"] = "must be a date written YYYY-MM-DD"
            return None
    if value > dt.date.today() + dt.timedelta(days=366 * REVIEW_MAX_YEARS_AHEAD):
        errors["review_on"] = f"must be within {REVIEW_MAX_YEARS_AHEAD} years from today"
    return value


def _resolve_items(
    session: Session, actor: Actor, raw_items: object, errors: dict, allowed_archived: set[int]
) -> list[ProgramItem]:
    if raw_items is None:
        raw_items = []
    if not isinstance(raw_items, list):
        errors["items"] = "must be a list of items"
        return []
    if len(raw_items) > MAX_ITEMS:
        errors["items"] = f"must have at most {MAX_ITEMS} exercises"
        return []
    slugs = {raw.get("exercise") for raw in raw_items if isinstance(raw, dict)}
    slugs = {slug for slug in slugs if isinstance(slug, str)}
    exercises = (
        {
            exercise.slug: exercise
            for exercise in session.scalars(
                select(Exercise).where(
                    Exercise.clinic_id == actor.clinic_id, Exercise.slug.in_(slugs)
                )
            )
        }
        if slugs
        else {}
    )
    items = []
    for index, raw in enumerate(raw_items):
        where = f"items[{index}]."
        if not isinstance(raw, dict):
            errors[f"items[{index}]"] = "must be an object"
            continue
        slug = raw.get("exercise")
        exercise = exercises.get(slug) if isinstance(slug, str) else None
        if exercise is None:
            errors[where + "exercise"] = f'unknown exercise "{str(slug)[:80]}"'
            continue
        if exercise.is_archived and exercise.id not in allowed_archived:
            errors[where + "exercise"] = f'"{exercise.name}" has been retired from the library'
            continue
        if any(key in raw for key in DOSE_FIELDS):
            try:
                dose = parse_dose(raw, prefix=where)
            except ValidationError as exc:
                errors.update(exc.fields)
                continue
        else:
            dose = default_dose(exercise)
        item_errors: dict[str, str] = {}
        notes = read_text(raw, "notes", item_errors, max_chars=ITEM_LIMITS["notes"])
        errors.update({where + key: text for key, text in item_errors.items()})
        items.append(ProgramItem(position=index, exercise=exercise, notes=notes, **dose.to_dict()))
    return items


def _checked(
    session: Session, actor: Actor, program: Program, data: dict, *, partial: bool
) -> tuple[dict, list[ProgramItem] | None]:
    """Check `data` for `program` (all keys, or with `partial` only those present): the column
    values and the new items (None: items not given). Changes nothing."""
    if not isinstance(data, dict):
        raise ValidationError({"program": "must be an object"})
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    if not partial or "title" in data:
        values["title"] = read_text(data, "title", errors, max_chars=PROGRAM_LIMITS["title"])
    if not partial or "notes" in data:
        values["notes"] = read_text(data, "notes", errors, max_chars=PROGRAM_LIMITS["notes"])
    if not partial or "review_on" in data:
        values["review_on"] = _review_on(data.get("review_on"), errors)
    if not partial or "paper" in data:
        paper = data.get("paper") or "A4"
        if paper not in PAPERS:
            errors["paper"] = "must be A4 or letter"
        values["paper"] = paper
    if not partial or "large_print" in data:
        large_print = data.get("large_print", False)
        if not isinstance(large_print, bool):
            errors["large_print"] = "must be true or false"
        values["large_print"] = bool(large_print)
    if data.get("therapist_email"):  # null or left out: the therapist stays as it is
        try:
            values["created_by_id"] = resolve_therapist(session, actor, data["therapist_email"])
        except ValidationError as exc:
            errors.update(exc.fields)
    items = None
    if not partial or "items" in data:
        kept = {item.exercise_id for item in program.items}
        items = _resolve_items(session, actor, data.get("items"), errors, kept)
    if errors:
        raise ValidationError(errors)
    return values, items


def _apply(session: Session, actor: Actor, program: Program, data: dict, *, partial: bool) -> None:
    """Check `data` and set it on `program` (all keys, or with `partial` only those present)."""
    values, items = _checked(session, actor, program, data, partial=partial)
    _set(program, values, items)


ITEM_VALUES = ("position", *DOSE_FIELDS, "notes")


def _set(program: Program, values: dict, items: list[ProgramItem] | None) -> None:
    for key, value in values.items():
        setattr(program, key, value)
    if items is not None:
        program.items = _kept_items(program.items, items)


def _kept_items(rows: list[ProgramItem], items: list[ProgramItem]) -> list[ProgramItem]:
    """`items` (new, unsaved) as the program's items, keeping the saved row of each exercise
    that stays (the n-th item of an exercise keeps its n-th row) with only its changed values
    set: a save then writes only what changed (one UPDATE for one changed dose, positions for a
    move; rows of exercises taken out are deleted, new ones inserted)."""
    waiting: dict[int, list[ProgramItem]] = {}
    for row in rows:
        waiting.setdefault(row.exercise_id, []).append(row)
    kept = []
    for item in items:
        same = waiting.get(item.exercise.id)
        if not same:
            kept.append(item)
            continue
        row = same.pop(0)
        for key in ITEM_VALUES:
            if getattr(row, key) != getattr(item, key):
                setattr(row, key, getattr(item, key))
        kept.append(row)
    return kept


def _changes_anything(program: Program, values: dict, items: list[ProgramItem] | None) -> bool:
    if any(getattr(program, key) != value for key, value in values.items()):
        return True
    if items is None:
        return False
    return [item_to_data(item) for item in items] != [item_to_data(i) for i in program.items]


def create_program(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: dict | None = None,
    *,
    protocol: str | None = None,
    copy_of: int | None = None,
) -> Program:
    """Start a program for a patient of the actor's clinic.

    Blank (or filled from `data`, the module's data form), from a protocol (`protocol` slug: its
    name becomes the title, its items get their protocol or default doses), or as a copy of the
    same patient's program `copy_of` (title, notes, paper, print size and items). Values in `data`
    override what the protocol or copy brings. Raises NotFound, ValidationError.
    """
    patient = get_patient(session, actor, patient_id)
    program = Program(
        clinic_id=actor.clinic_id,
        patient_id=patient.id,
        created_by_id=actor.therapist_id,
        title="",
    )
    base: dict = {}
    data = dict(data or {})
    if protocol:
        found = find_protocol(session, actor, protocol)
        if found is None or found.is_archived:
            raise NotFound("There is no such protocol.")
        items = _protocol_items(session, actor, found)
        if "items" in data:
            items = _override_items(session, actor, items, data.pop("items"))
        base = {"title": found.name, "items": items}
    elif copy_of is not None:
        source = find_program(session, actor, copy_of)
        if source is None or source.patient_id != patient.id:
            raise NotFound("There is no such program for this patient.")
        base = program_to_data(source)
        base["items"] = [
            item
            for item, model in zip(base["items"], source.items, strict=True)
            if not model.exercise.is_archived
        ]
        base["review_on"] = None
        base.pop("therapist_email")  # a copy is the acting therapist's program
    merged = {**base, **data}
    _apply(session, actor, program, merged, partial=True)
    session.add(program)
    session.flush()
    record_event(
        session, actor, "program.create", patient_id=program.patient_id, program_id=program.id
    )
    return program


def _protocol_items(session: Session, actor: Actor, protocol: Protocol) -> list[dict]:
    slugs = [entry.get("exercise") for entry in protocol.items or [] if isinstance(entry, dict)]
    live = set(
        session.scalars(
            select(Exercise.slug).where(
                Exercise.clinic_id == actor.clinic_id,
                Exercise.slug.in_([s for s in slugs if isinstance(s, str)]),
                Exercise.is_archived.is_(False),
            )
        )
    )
    items = []
    for entry in protocol.items or []:
        if not isinstance(entry, dict) or entry.get("exercise") not in live:
            continue  # a retired exercise drops out of the protocol's start
        item = {"exercise": entry["exercise"], "notes": entry.get("notes") or ""}
        if isinstance(entry.get("dose"), dict):
            item.update({key: entry["dose"].get(key) for key in DOSE_FIELDS})
        items.append(item)
    return items


def _override_items(
    session: Session, actor: Actor, protocol_items: list[dict], overrides: object
) -> list[dict]:
    """The protocol's items with `overrides` laid over them, matched by exercise slug.

    An override for an exercise of the protocol changes only the fields it sends (a dose field
    it leaves out keeps the protocol's, or the exercise's default, dose); an override for any
    other exercise is added at the end. Malformed overrides pass through for the item checks.
    """
    if not isinstance(overrides, list):
        return overrides
    defaults = exercises_by_slug(session, actor, [item["exercise"] for item in protocol_items])
    merged = []
    for item in protocol_items:
        if not any(key in item for key in DOSE_FIELDS):
            item = {**item, **default_dose(defaults[item["exercise"]]).to_dict()}
        merged.append(item)
    positions = {item["exercise"]: index for index, item in enumerate(merged)}
    for override in overrides:
        slug = override.get("exercise") if isinstance(override, dict) else None
        if isinstance(slug, str) and slug in positions:
            index = positions[slug]
            merged[index] = {**merged[index], **override}
        else:
            merged.append(override)
    return merged


def update_program(
    session: Session,
    actor: Actor,
    program_id: int,
    expected_version: int | None,
    data: dict,
    *,
    read_only: dict | None = None,
    loaded: Program | None = None,
) -> Program:
    """Save `data` (keys present only; `items`, when given, replace all items) over a program.

    `expected_version` is the version the caller read; if the program has been saved since,
    raises Conflict(current_version=...) and changes nothing. `read_only` holds READ_ONLY_FIELDS
    the caller sent back as it read them: each must equal the current value (ValidationError
    naming it otherwise). A save that changes something bumps the version; one that changes
    nothing leaves the program (and its version) as it was. Raises NotFound, ValidationError
    (fields like "items[2].sets") and Conflict. `loaded`: as for get_program.
    """
    if expected_version is None:
        raise ValidationError({"version": "is required (the version you last read)"})
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError({"version": "must be a whole number"}) from None
    program = get_program(session, actor, program_id, loaded=loaded)
    check_version(program, expected_version)
    if read_only:
        check_read_only(program_to_data(program), read_only)
    values, items = _checked(session, actor, program, data, partial=True)
    if not _changes_anything(program, values, items):
        return program
    _set(program, values, items)
    program.updated_at = utcnow()  # always an UPDATE: the version moves even if only items change
    try:
        session.flush()
    except StaleDataError:
        # Saved by someone else between our read and our write; the caller's transaction is
        # now unusable, so the current version cannot be read here.
        raise _conflict(None, expected_version) from None
    record_event(
        session,
        actor,
        "program.update",
        patient_id=program.patient_id,
        program_id=program.id,
        version=program.version,
    )
    emit_event(
        session,
        actor.clinic_id,
        "program.updated",
        {"program_id": program.id, "version": program.version, **patient_ref(program.patient)},
    )
    return program


def check_version(program: Program, expected_version: int) -> None:
    """Raise Conflict(current_version=...) unless `program` is still at `expected_version`, the
    version the caller read: so no one's save is ever silently lost."""
    if program.version != expected_version:
        raise _conflict(program.version, expected_version)


def _conflict(current_version: int | None, sent_version: int) -> Conflict:
    """The stale-version Conflict, naming `version` (`current_version` None: not known, as
    when someone saved between our read and our write)."""
    return Conflict(
        "Someone else saved this program since you opened it.",
        fields={"version": stale_version("program", sent_version, current_version)},
        current_version=current_version,
        code="version_conflict",
    )


def view_program(session: Session, actor: Actor, program_id: int, *, loads: ProgramLoads = "whole"):
    """get_program, recording a "program.view" audit event on the program's patient."""
    program = get_program(session, actor, program_id, loads=loads)
    # one INSERT without reading the row back: nothing in the request reads the event
    record_events(
        session,
        actor,
        "program.view",
        [{"patient_id": program.patient_id, "program_id": program.id}],
    )
    return program
