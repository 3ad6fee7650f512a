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

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from hepbuilder.db.models import Exercise, Program, ProgramItem, Protocol, utcnow
from hepbuilder.domain.dose import DOSE_FIELDS, Dose, parse_dose
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.limits import ITEM_LIMITS, PROGRAM_LIMITS
from hepbuilder.domain.spec import MAX_ITEMS, PAPERS
from hepbuilder.domain.text import read_text

from .actor import Actor
from .audit import record_event
from .patients import get_patient, of_unerased_patient

REVIEW_MAX_YEARS_AHEAD = 5  # a later review date is a typing slip (9999-12-31), not a plan
LONG_PROGRAM_ITEMS = 8  # DESIGN.md: long programs lower adherence; warn past this many items


def _program_query():
    return select(Program).options(
        selectinload(Program.items)
        .selectinload(ProgramItem.exercise)
        .selectinload(Exercise.targets),
        selectinload(Program.items)
        .selectinload(ProgramItem.exercise)
        .selectinload(Exercise.equipment_rows),
    )


def find_program(session: Session, actor: Actor, program_id: int) -> Program | None:
    """The program with its items and their exercises loaded, in the actor's clinic, or None."""
    return session.scalar(
        _program_query().where(
            Program.id == program_id,
            Program.clinic_id == actor.clinic_id,
            of_unerased_patient(Program.patient_id),
        )
    )


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


def get_program(session: Session, actor: Actor, program_id: int) -> Program:
    """Like find_program, but raises NotFound (a missing id and another clinic's id alike)."""
    program = find_program(session, actor, program_id)
    if program is None:
        raise NotFound("There is no such program.")
    return program


def list_programs(session: Session, actor: Actor, patient_id: int) -> list[Program]:
    """The patient's programs, latest change first (NotFound for another clinic's patient)."""
    get_patient(session, actor, patient_id)
    return list(
        session.scalars(
            _program_query()
            .where(Program.clinic_id == actor.clinic_id, Program.patient_id == patient_id)
            .order_by(Program.updated_at.desc(), Program.id.desc())
        )
    )


def list_protocols(session: Session, actor: Actor) -> list[Protocol]:
    """The clinic's protocols (not archived), by name."""
    return list(
        session.scalars(
            select(Protocol)
            .where(Protocol.clinic_id == actor.clinic_id, Protocol.is_archived.is_(False))
            .order_by(Protocol.name)
        )
    )


def find_protocol(session: Session, actor: Actor, slug: str) -> Protocol | None:
    return session.scalar(
        select(Protocol).where(Protocol.clinic_id == actor.clinic_id, Protocol.slug == slug)
    )


def exercises_by_slug(session: Session, actor: Actor, slugs) -> dict[str, Exercise]:
    """The clinic's exercises (archived ones too) for these slugs, by slug; unknown slugs are left out."""
    wanted = {slug for slug in slugs if isinstance(slug, str) and slug}
    if not wanted:
        return {}
    rows = session.scalars(
        select(Exercise).where(Exercise.clinic_id == actor.clinic_id, Exercise.slug.in_(wanted))
    )
    return {row.slug: row for row in rows}


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
    """The program in the data form this module takes, plus id, patient_id and version."""
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
    }


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


def _apply(session: Session, actor: Actor, program: Program, data: dict, *, partial: bool) -> None:
    """Check `data` and set it on `program` (all keys, or with `partial` only those present)."""
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
    items = None
    if not partial or "items" in data:
        kept = {item.exercise_id for item in program.items}
        items = _resolve_items(session, actor, data.get("items"), errors, kept)
    if errors:
        raise ValidationError(errors)
    for key, value in values.items():
        setattr(program, key, value)
    if items is not None:
        program.items = items


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
        clinic_id=actor.clinic_id, patient_id=patient.id, created_by_id=actor.user_id, title=""
    )
    base: dict = {}
    if protocol:
        found = find_protocol(session, actor, protocol)
        if found is None or found.is_archived:
            raise NotFound("There is no such protocol.")
        base = {"title": found.name, "items": _protocol_items(session, actor, found)}
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
    merged = {**base, **(data or {})}
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


def update_program(
    session: Session, actor: Actor, program_id: int, expected_version: int | None, data: dict
) -> Program:
    """Save `data` (keys present only; `items`, when given, replace all items) over a program.

    `expected_version` is the version the caller read; if the program has been saved since,
    raises Conflict(current_version=...) and changes nothing. Every save bumps the version.
    Raises NotFound, ValidationError (fields like "items[2].sets") and Conflict.
    """
    if expected_version is None:
        raise ValidationError({"version": "is required (the version you last read)"})
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError({"version": "must be a whole number"}) from None
    program = get_program(session, actor, program_id)
    check_version(program, expected_version)
    _apply(session, actor, program, data, partial=True)
    program.updated_at = utcnow()  # always an UPDATE: the version moves even if only items change
    try:
        session.flush()
    except StaleDataError:
        # Saved by someone else between our read and our write; the caller's transaction is
        # now unusable, so the current version cannot be read here.
        raise _conflict(None) from None
    record_event(
        session,
        actor,
        "program.update",
        patient_id=program.patient_id,
        program_id=program.id,
        version=program.version,
    )
    return program


def check_version(program: Program, expected_version: int) -> None:
    """Raise Conflict(current_version=...) unless `program` is still at `expected_version`, the
    version the caller read: so no one's save is ever silently lost."""
    if program.version != expected_version:
        raise _conflict(program.version)


def _conflict(current_version: int | None) -> Conflict:
    return Conflict(
        "Someone else saved this program since you opened it.", current_version=current_version
    )


def view_program(session: Session, actor: Actor, program_id: int):
    """get_program, recording a "program.view" audit event on the program's patient."""
    program = get_program(session, actor, program_id)
    record_event(
        session, actor, "program.view", patient_id=program.patient_id, program_id=program.id
    )
    return program
