"""Handouts: freeze a program into a spec snapshot, render it, number it per patient, hand it out.

`issue_handout` compares the program with the previous handout of the same program (its stored
snapshot), item by item, and marks new exercises, changed doses (with the dose they were) and
stopped exercises; it stores the spec snapshot (its exercises, brand and logo held once, by
content hash: services/snapshots.py), the PDF (in the row, or in the S3 store before the row is
written: services/handout_pdfs.py) and its SHA-256, and never changes them again.
Reading a handout's PDF leaves an audit event.
All functions are scoped to the actor's clinic and flush without committing.
"""

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session, undefer

from hepbuilder.db.models import Clinic, ExercisePhoto, Handout, Patient, Program, User
from hepbuilder.domain.dose import DOSE_FIELDS, Dose, has_amount, parse_dose
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.exercise import LibraryExercise, PrintedPhoto, dose_for, photo_labels
from hepbuilder.domain.spec import ClinicBrand, HandoutSpec, SpecItem, handout_filename, parse_spec
from hepbuilder.domain.text import long_date

from .actor import Actor
from .audit import record_event, record_events
from .exercises import exercises_by_id, to_domain
from .handout_pdfs import keep_pdf, read_pdf
from .illustration_paths import load_illustration_paths
from .patient_links import LinkSigner, current_link_url, ensure_link
from .patients import get_patient, of_unerased_patient
from .programs import check_version, get_program, item_dose
from .snapshots import own_fields, snapshot_items, spec_of_snapshot, store_snapshot
from .users import resolve_therapist
from .webhooks import emit_event, handout_ref

NUMBER_ATTEMPTS = 5


def printed_photos(
    session: Session, clinic_id: int, exercises: list[LibraryExercise], large_print: bool
) -> list[LibraryExercise]:
    """The exercises with the photos they show inside them (`printed_photos`), each re-encoded
    by the pdf layer as a JPEG sized for the handout's print (so the snapshot holds exactly what
    the PDF embeds) and labelled "Start" ... "Finish". One query for all of them."""
    from hepbuilder.pdf import print_photo

    paths = {path for exercise in exercises for path in exercise.photos}
    if not paths:
        return exercises
    stored = dict(
        session.execute(
            select(ExercisePhoto.path, ExercisePhoto.data).where(
                ExercisePhoto.clinic_id == clinic_id, ExercisePhoto.path.in_(paths)
            )
        ).all()
    )
    result = []
    for exercise in exercises:
        shown = [path for path in exercise.photos if path in stored]
        photos = tuple(
            PrintedPhoto(data=print_photo(stored[path], large_print).jpeg, label=label)
            for path, label in zip(shown, photo_labels(len(shown)), strict=True)
        )
        result.append(replace(exercise, printed_photos=photos) if photos else exercise)
    return result


def render_pdf(spec: HandoutSpec) -> bytes:
    """The handout's PDF bytes, from the pdf layer's renderer."""
    from hepbuilder.pdf import render_handout

    return render_handout(spec)


def _with_stored_paths(session: Session, spec: HandoutSpec) -> HandoutSpec:
    """`spec`, after keeping in this process the stored drawings of its exercises' poses that it
    cannot draw yet (the PDF is the same either way; only the work of drawing is spared)."""
    load_illustration_paths(session, [item.exercise.illustration for item in spec.items])
    return spec


# built once (making it costs about what running it does)
_PREVIOUS_SNAPSHOT = (
    select(Handout.snapshot_json)
    .where(
        Handout.clinic_id == bindparam("clinic_id"), Handout.program_id == bindparam("program_id")
    )
    .order_by(Handout.number.desc())
    .limit(1)
)


def _previous_items(
    session: Session, actor: Actor, program_id: int
) -> list[tuple[str, str, Dose | None]] | None:
    """From the snapshot of the most recent handout (highest number) of the same program, read
    in one query with only its snapshot: (slug, exercise name, dose) per item, in item order;
    None when the program has no handout yet.

    A patient with two programs gets each compared with its own previous handout, so one
    program's exercises never show as "stopped" in the other.
    """
    snapshot_json = session.scalar(
        _PREVIOUS_SNAPSHOT, {"clinic_id": actor.clinic_id, "program_id": program_id}
    )
    if snapshot_json is None:
        return None
    items = []
    for item in snapshot_items(session, snapshot_json):
        exercise = item.get("exercise")
        if isinstance(exercise, dict):
            slug, name = exercise.get("slug", ""), exercise.get("name", "")
        else:
            slug = name = str(exercise)
        try:
            dose = parse_dose({key: item.get(key) for key in DOSE_FIELDS})
        except ValidationError:
            dose = None
        items.append((slug, name, dose))
    return items


def _match_items(previous, current_slugs: list[str]) -> list[int | None]:
    """For each current item, the index of the previous item it continues, or None (new).

    Items are matched item by item: the n-th item of an exercise with the n-th item of the same
    exercise before, so an exercise that appears twice is compared twice.
    """
    waiting: dict[str, list[int]] = {}
    for index, (slug, _, _) in enumerate(previous):
        waiting.setdefault(slug, []).append(index)
    return [waiting[slug].pop(0) if waiting.get(slug) else None for slug in current_slugs]


def handout_therapist_id(actor: Actor, program: Program) -> int | None:
    """Who a handout names when the request names nobody: the signed-in user, else the
    program's therapist, else an API token's default therapist."""
    return actor.user_id or program.created_by_id or actor.therapist_id


def build_spec(
    session: Session,
    actor: Actor,
    program: Program,
    therapist_id: int | None = None,
    share_url: str = "",
    exercises: list[LibraryExercise] | None = None,
) -> HandoutSpec:
    """The handout spec for `program` as it would be issued today (nothing is stored).

    `exercises`: the items' exercises in item order as `item_exercises` gives them (default:
    from the items' loaded exercise rows).

    Brand from the clinic row (with its logo and urgent-care settings), therapist `therapist_id`
    (default: `handout_therapist_id`), exercises inline (with their photos, `printed_photos`),
    each item's dose as printed (the exercise's default amounts when it gives none;
    ValidationError naming "items[i].sets" when there is none to take), and changes marked item
    by item against the previous handout of the same program: "new", "dose-changed" with the
    dose it `was`, and `stopped` names. A first handout marks nothing.
    """
    return _spec_and_people(session, actor, program, therapist_id, share_url, exercises)[0]


def _spec_and_people(
    session: Session,
    actor: Actor,
    program: Program,
    therapist_id: int | None,
    share_url: str,
    exercises: list[LibraryExercise] | None,
) -> tuple[HandoutSpec, Patient | None, User | None]:
    """build_spec's spec, with the patient and therapist rows it read (None: not found)."""

    if program.clinic_id != actor.clinic_id:
        raise NotFound("There is no such program.")
    clinic = session.scalar(
        select(Clinic).options(undefer(Clinic.logo)).where(Clinic.id == actor.clinic_id)
    )
    therapist = None
    if therapist_id is None:
        therapist_id = handout_therapist_id(actor, program)
    if therapist_id is not None:
        therapist = session.scalar(
            select(User).where(User.id == therapist_id, User.clinic_id == actor.clinic_id)
        )
    patient = session.scalar(
        select(Patient).where(
            Patient.id == program.patient_id, Patient.clinic_id == actor.clinic_id
        )
    )
    previous_items = _previous_items(session, actor, program.id)
    previous = previous_items is not None
    previous_items = previous_items or []
    if exercises is None:
        exercises = [to_domain(item.exercise) for item in program.items]
    matches = _match_items(previous_items, [exercise.slug for exercise in exercises])
    items = []
    errors = {}
    large_print = bool(program.large_print)
    exercises = printed_photos(session, actor.clinic_id, exercises, large_print)
    for index, (item, match, exercise) in enumerate(
        zip(program.items, matches, exercises, strict=True)
    ):
        dose = dose_for(exercise, item_dose(item))
        if not has_amount(dose):
            errors[f"items[{index}].sets"] = (
                f"{exercise.name}: give sets, reps or a hold (the exercise has no default dose)"
            )
        change, was = None, None
        if previous:
            if match is None:
                change = "new"
            elif previous_items[match][2] != dose:
                change, was = "dose-changed", previous_items[match][2]
        items.append(
            SpecItem(exercise=exercise, dose=dose, notes=item.notes or "", change=change, was=was)
        )
    if errors:
        raise ValidationError(errors)
    continued = {match for match in matches if match is not None}
    stopped = tuple(
        name for index, (_, name, _) in enumerate(previous_items) if index not in continued
    )
    spec = HandoutSpec(
        patient_name=patient.full_name if patient else "",
        items=tuple(items),
        clinic=ClinicBrand(
            name=clinic.name,
            address=clinic.address or "",
            phone=clinic.phone or "",
            email=clinic.email or "",
            website=clinic.website or "",
            brand_color=clinic.brand_color or "#1f6f8b",
            logo_bytes=clinic.logo or None,
            country=clinic.country or "",
            emergency_number=clinic.emergency_number or "",
            out_of_hours=clinic.out_of_hours or "",
        ),
        therapist_name=therapist.name if therapist else "",
        therapist_credentials=(therapist.credentials or "") if therapist else "",
        title=program.title or "",
        issued_on=dt.date.today(),
        review_on=program.review_on,
        notes=program.notes or "",
        paper=program.paper or "A4",
        large_print=large_print,
        share_url=share_url,
        stopped=stopped,
    )
    return spec, patient, therapist


def item_exercises(session: Session, actor: Actor, program: Program) -> list[LibraryExercise]:
    """The library-entry form of the program's exercises, in item order, read without loading
    their rows as ORM objects (services.exercises.exercises_by_id)."""
    found = exercises_by_id(session, actor.clinic_id, [item.exercise_id for item in program.items])
    return [found[item.exercise_id] for item in program.items]


def preview_pdf(session: Session, actor: Actor, program_id: int) -> bytes:
    """The PDF the program would issue as now, rendered without storing anything. Records
    "program.preview"."""
    program = get_program(session, actor, program_id)
    if not program.items:
        raise ValidationError({"items": "Add at least one exercise to see a preview."})
    pdf = render_pdf(_with_stored_paths(session, build_spec(session, actor, program)))
    record_event(
        session, actor, "program.preview", patient_id=program.patient_id, program_id=program.id
    )
    return pdf


FIELD_WORDS = {
    "patient.name": "The patient's name",
    "therapist.name": "Your name",
    "title": "The title",
    "notes": "The notes",
}


def printing_warnings(session: Session, actor: Actor, program_id: int) -> list[str]:
    """Sentences naming each text of the program's handout with characters its fonts cannot
    print, character by character ("The patient's name has "क" (DEVANAGARI LETTER KA), which
    cannot be printed ..."), so the therapist can fix them before issuing. Empty when all print
    (or when the program cannot be previewed yet)."""
    from hepbuilder.pdf import printing_problems

    program = get_program(session, actor, program_id)
    try:
        spec = build_spec(session, actor, program)
    except ValidationError:
        return []
    sentences = []
    for field, problem in printing_problems(spec).items():
        if field.startswith("items[") and field.endswith(".notes"):
            index = int(field[6 : field.index("]")])
            where = f"The note on {spec.items[index].exercise.name}"
        else:
            where = FIELD_WORDS.get(field, field.replace("_", " ").capitalize())
        sentences.append(f"{where} {problem}.")
    return sentences


def issue_problems(program: Program, today: dt.date | None = None) -> dict[str, str]:
    """What stops the program being issued today, by field: no exercises, or a review date
    already passed (the handout would tell the patient to bring the diary to a review that is
    over, with a diary that starts after it)."""
    today = today or dt.date.today()
    problems = {}
    if not program.items:
        problems["items"] = "Add at least one exercise before issuing."
    if program.review_on is not None and program.review_on < today:
        problems["review_on"] = (
            f"The review date, {long_date(program.review_on)}, has passed: set a later one, "
            "or clear it, before issuing."
        )
    return problems


def _next_number(session: Session, patient_id: int) -> int:
    highest = session.scalar(
        select(func.max(Handout.number)).where(Handout.patient_id == patient_id)
    )
    return (highest or 0) + 1


def issue_handout(
    session: Session,
    actor: Actor,
    program_id: int,
    expected_version: int | None = None,
    *,
    links: LinkSigner | None = None,
    therapist_email: str | None = None,
    loaded: Program | None = None,
) -> Handout:
    """Freeze the program into a handout: spec snapshot, PDF, SHA-256, next number for the patient.

    With `links`, the patient's private link (made now if they have none, and kept fresh) is the
    spec's `share_url`, printed on the handout as a QR code.

    With `expected_version`, a program saved by someone else since raises
    Conflict(current_version=...). A program with no items raises ValidationError("items").
    The handout names the user with `therapist_email` (ValidationError when there is no such
    active user in the clinic), else `handout_therapist_id`.
    Two handouts issued at once for one patient get different numbers (the row lock on the
    patient, and a retry on the unique (patient_id, number)). Records "handout.issue".
    `loaded`: the program as the caller just got it in this transaction (programs.get_program).
    """
    if expected_version is not None:
        try:
            expected_version = int(expected_version)
        except (TypeError, ValueError):
            raise ValidationError({"version": "must be a whole number"}) from None
    program = get_program(session, actor, program_id, loaded=loaded, loads="items")
    if expected_version is not None:
        check_version(program, expected_version)
    problems = issue_problems(program)
    if problems:
        raise ValidationError(problems)
    # a program the caller loaded has its exercises with it; else they are read on their own
    exercises = None if program is loaded else item_exercises(session, actor, program)
    therapist_id = (
        resolve_therapist(session, actor, therapist_email)
        if therapist_email
        else handout_therapist_id(actor, program)
    )
    # Render before anything is written, so no write lock is held while the PDF is drawn; the
    # link is made (or marked fresh) afterwards, and re-rendered for in the rare case that it
    # was renewed meanwhile.
    share_url = current_link_url(session, actor, program.patient_id, links) if links else ""
    spec, patient, therapist = _spec_and_people(
        session, actor, program, therapist_id, share_url, exercises
    )
    pdf = render_pdf(_with_stored_paths(session, spec))
    if links and ensure_link(session, actor, program.patient_id, links) != share_url:
        share_url = current_link_url(session, actor, program.patient_id, links)
        spec = build_spec(session, actor, program, therapist_id, share_url, exercises)
        pdf = render_pdf(spec)
    # The PDF goes to its store before the row exists (an S3 object: before any row lock is
    # taken, and never a row without its object); a rollback leaves at most an orphan object.
    stored_pdf = keep_pdf(session, actor.clinic_id, pdf)
    # Serialise issuing per patient where the database can (PostgreSQL); SQLite has one writer.
    session.scalar(select(Patient.id).where(Patient.id == program.patient_id).with_for_update())
    snapshot_json = store_snapshot(session, spec.to_dict())
    for attempt in range(NUMBER_ATTEMPTS):
        handout = Handout(
            clinic_id=actor.clinic_id,
            patient_id=program.patient_id,
            program_id=program.id,
            number=_next_number(session, program.patient_id),
            title=program.title or "",
            snapshot_json=snapshot_json,
            issued_by_id=therapist_id,
            therapist_name=spec.therapist_name,
            therapist_credentials=spec.therapist_credentials,
            share_url=spec.share_url,
            issued_on=spec.issued_on,
            program_version=program.version,
            **stored_pdf,
        )
        # the rows build_spec read, so the webhook event and the API's answer need not read
        # them again (set only when found: None would clear the id given above)
        if patient is not None:
            handout.patient = patient
        if therapist is not None and therapist.id == therapist_id:
            handout.issued_by = therapist
        try:
            with session.begin_nested():
                session.add(handout)
                session.flush()
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise Conflict("Another handout was issued at that moment; try again.") from None
            continue
        break
    record_event(
        session,
        actor,
        "handout.issue",
        patient_id=handout.patient_id,
        handout_id=handout.id,
        program_id=program.id,
        program_version=program.version,
        number=handout.number,
    )
    emit_event(
        session,
        actor.clinic_id,
        "handout.issued",
        {
            **handout_ref(handout),
            "program_id": program.id,
            "program_version": program.version,
            "issued_on": handout.issued_on.isoformat(),
            "pdf_sha256": handout.pdf_sha256,
        },
    )
    session.flush()
    return handout


def find_handout(
    session: Session, actor: Actor, handout_id: int, *, with_pdf: bool = False
) -> Handout | None:
    """The handout's row in the actor's clinic, or None. Not audited. The PDF bytes and the spec
    snapshot are loaded only when read, except the PDF `with_pdf` (one query for a download)."""
    query = select(Handout).where(
        Handout.id == handout_id,
        Handout.clinic_id == actor.clinic_id,
        of_unerased_patient(Handout.patient_id),
    )
    if with_pdf:
        query = query.options(undefer(Handout.pdf))
    return session.scalar(query)


def get_handout(
    session: Session, actor: Actor, handout_id: int, *, with_pdf: bool = False
) -> Handout:
    """Like find_handout, but raises NotFound. Not audited."""
    handout = find_handout(session, actor, handout_id, with_pdf=with_pdf)
    if handout is None:
        raise NotFound("There is no such handout.")
    return handout


def _record_view(session: Session, actor: Actor, handout: Handout, shown: str) -> None:
    record_event(
        session,
        actor,
        "handout.view",
        patient_id=handout.patient_id,
        handout_id=handout.id,
        shown=shown,
    )


def open_handout(
    session: Session, actor: Actor, handout_id: int, *, shown: str = "page"
) -> Handout:
    """The handout (PDF bytes not loaded) for its page or the API, recording "handout.view"
    with `shown` ("page", "api")."""
    handout = get_handout(session, actor, handout_id)
    _record_view(session, actor, handout, shown)
    return handout


def get_handout_pdf(
    session: Session, actor: Actor, handout_id: int, *, purpose: str = "download"
) -> tuple[Handout, bytes]:
    """The handout and its stored PDF bytes, recording an audit event "handout.<purpose>".

    `purpose` is "download" (an attachment), "view" (inline or printing) or another short verb.
    Unavailable when the PDF is in the S3 store and cannot be read back as issued.
    """
    handout = get_handout(session, actor, handout_id, with_pdf=True)
    pdf = read_pdf(session, handout)
    # One INSERT, no ORM object to flush (the event is not read back in the request).
    subject = {"patient_id": handout.patient_id, "handout_id": handout.id}
    record_events(session, actor, f"handout.{purpose}", [subject])
    return handout, pdf


def handout_spec(handout: Handout) -> dict:
    """The handout's frozen spec, whole (the DESIGN.md snapshot form: exercises inline, the logo
    a data: URI), put back together from its snapshot and parts in the handout's own session."""
    return spec_of_snapshot(object_session(handout), handout.snapshot_json)


def handout_own_fields(handout: Handout) -> dict:
    """What the handout's snapshot holds of its own (patient, therapist, title, dates, share
    link, items' doses and notes) without reading its parts: exercises and the clinic there
    are {"$part": hash} references."""
    return own_fields(handout.snapshot_json)


def suggested_filename(handout: Handout) -> str:
    """A safe download name without the patient's name, e.g. "handout-2026-11-25-3.pdf" (the
    PDF's one name: the API's FHIR DocumentReference gives it too)."""
    return handout_filename(handout.issued_on, handout.number)


def patient_filename(handout: Handout) -> str:
    """The PDF's name where the patient gets it (email, private link): a date, never their name."""
    return f"exercise-program-{handout.issued_on.isoformat()}.pdf"


@dataclass(frozen=True, slots=True)
class HandoutExport:
    """A handout ready to leave hepbuilder as data: its row, frozen spec, patient and clinic."""

    handout: Handout
    spec: HandoutSpec
    patient: Patient
    clinic_slug: str


def export_handout(session: Session, actor: Actor, handout_id: int) -> HandoutExport:
    """The handout with its parsed snapshot, for a FHIR export; records "handout.export"."""
    handout = get_handout(session, actor, handout_id)
    patient = get_patient(session, actor, handout.patient_id)
    clinic_slug = session.scalar(select(Clinic.slug).where(Clinic.id == actor.clinic_id))
    record_event(
        session,
        actor,
        "handout.export",
        patient_id=handout.patient_id,
        handout_id=handout.id,
        format="fhir",
    )
    return HandoutExport(handout, parse_spec(handout_spec(handout)), patient, clinic_slug)
