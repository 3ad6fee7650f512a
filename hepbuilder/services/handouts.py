"""Handouts: freeze a program into a spec snapshot, render it, number it per patient, hand it out.

`issue_handout` compares the program with the patient's previous handout (its stored snapshot)
and marks new exercises, changed doses and stopped exercises; it stores the spec JSON, the PDF and
its SHA-256, and never changes them again. Reading a handout's PDF leaves an audit event.
All functions are scoped to the actor's clinic and flush without committing.
"""

import datetime as dt
import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from hepbuilder.db.models import Clinic, Handout, Patient, Program, User
from hepbuilder.domain.dose import DOSE_FIELDS
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.spec import ClinicBrand, HandoutSpec, SpecItem

from .actor import Actor
from .audit import record_event
from .exercises import to_domain
from .patients import get_patient, of_unerased_patient
from .programs import check_version, get_program, item_dose

NUMBER_ATTEMPTS = 5


def render_pdf(spec: HandoutSpec) -> bytes:
    """The handout's PDF bytes, from the pdf layer's renderer."""
    from hepbuilder.pdf import render_handout

    return render_handout(spec)


def find_previous_handout(session: Session, actor: Actor, patient_id: int) -> Handout | None:
    """The patient's most recent handout (highest number), or None."""
    return session.scalar(
        select(Handout)
        .where(Handout.clinic_id == actor.clinic_id, Handout.patient_id == patient_id)
        .order_by(Handout.number.desc())
        .limit(1)
    )


def _snapshot_doses(handout: Handout | None) -> tuple[dict[str, dict], dict[str, str]]:
    """From a stored snapshot: slug -> dose fields, and slug -> exercise name, in item order."""
    if handout is None:
        return {}, {}
    doses: dict[str, dict] = {}
    names: dict[str, str] = {}
    for item in json.loads(handout.spec_json).get("items", []):
        exercise = item.get("exercise")
        if isinstance(exercise, dict):
            slug, name = exercise.get("slug", ""), exercise.get("name", "")
        else:
            slug = name = str(exercise)
        doses[slug] = {key: item.get(key) for key in DOSE_FIELDS}
        names[slug] = name
    return doses, names


def build_spec(session: Session, actor: Actor, program: Program) -> HandoutSpec:
    """The handout spec for `program` as it would be issued today (nothing is stored).

    Brand from the clinic row (with its logo), therapist from the acting user (or the program's
    creator when an API token acts), exercises inline, and changes marked against the patient's
    previous handout: item change "new" / "dose-changed", and `stopped` names. A first handout
    marks nothing.
    """
    if program.clinic_id != actor.clinic_id:
        raise NotFound("There is no such program.")
    clinic = session.scalar(
        select(Clinic).options(undefer(Clinic.logo)).where(Clinic.id == actor.clinic_id)
    )
    therapist = None
    therapist_id = actor.user_id or program.created_by_id
    if therapist_id is not None:
        therapist = session.scalar(
            select(User).where(User.id == therapist_id, User.clinic_id == actor.clinic_id)
        )
    patient = session.scalar(
        select(Patient).where(
            Patient.id == program.patient_id, Patient.clinic_id == actor.clinic_id
        )
    )
    previous = find_previous_handout(session, actor, program.patient_id)
    previous_doses, previous_names = _snapshot_doses(previous)
    items = []
    for item in program.items:
        dose = item_dose(item)
        slug = item.exercise.slug
        change = None
        if previous is not None:
            if slug not in previous_doses:
                change = "new"
            elif previous_doses[slug] != dose.to_dict():
                change = "dose-changed"
        items.append(
            SpecItem(
                exercise=to_domain(item.exercise),
                dose=dose,
                notes=item.notes or "",
                change=change,
            )
        )
    current = {item.exercise.slug for item in program.items}
    stopped = tuple(name for slug, name in previous_names.items() if slug not in current)
    return HandoutSpec(
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
        ),
        therapist_name=therapist.name if therapist else "",
        therapist_credentials=(therapist.credentials or "") if therapist else "",
        title=program.title or "",
        issued_on=dt.date.today(),
        review_on=program.review_on,
        notes=program.notes or "",
        paper=program.paper or "A4",
        large_print=bool(program.large_print),
        share_url="",
        stopped=stopped,
    )


def preview_pdf(session: Session, actor: Actor, program_id: int) -> bytes:
    """The PDF the program would issue as now, rendered without storing anything. Records
    "program.preview"."""
    program = get_program(session, actor, program_id)
    _require_items(program)
    pdf = render_pdf(build_spec(session, actor, program))
    record_event(
        session, actor, "program.preview", patient_id=program.patient_id, program_id=program.id
    )
    return pdf


def _require_items(program: Program) -> None:
    if not program.items:
        raise ValidationError({"items": "Add at least one exercise before issuing."})


def _next_number(session: Session, patient_id: int) -> int:
    highest = session.scalar(
        select(func.max(Handout.number)).where(Handout.patient_id == patient_id)
    )
    return (highest or 0) + 1


def issue_handout(
    session: Session, actor: Actor, program_id: int, expected_version: int | None = None
) -> Handout:
    """Freeze the program into a handout: spec snapshot, PDF, SHA-256, next number for the patient.

    With `expected_version`, a program saved by someone else since raises
    Conflict(current_version=...). A program with no items raises ValidationError("items").
    Two handouts issued at once for one patient get different numbers (the row lock on the
    patient, and a retry on the unique (patient_id, number)). Records "handout.issue".
    """
    if expected_version is not None:
        try:
            expected_version = int(expected_version)
        except (TypeError, ValueError):
            raise ValidationError({"version": "must be a whole number"}) from None
    program = get_program(session, actor, program_id)
    if expected_version is not None:
        check_version(program, expected_version)
    _require_items(program)
    spec = build_spec(session, actor, program)
    spec_json = json.dumps(spec.to_dict(), ensure_ascii=False)
    pdf = render_pdf(spec)
    # Serialise issuing per patient where the database can (PostgreSQL); SQLite has one writer.
    session.scalar(select(Patient.id).where(Patient.id == program.patient_id).with_for_update())
    for attempt in range(NUMBER_ATTEMPTS):
        handout = Handout(
            clinic_id=actor.clinic_id,
            patient_id=program.patient_id,
            program_id=program.id,
            number=_next_number(session, program.patient_id),
            title=program.title or "",
            spec_json=spec_json,
            pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            issued_by_id=actor.user_id,
            issued_on=spec.issued_on,
        )
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


def open_handout(
    session: Session, actor: Actor, handout_id: int, *, shown: str = "page"
) -> Handout:
    """The handout for its page (what the patient got) or its print page (`shown="print"`),
    recording "handout.view" with `shown`."""
    handout = get_handout(session, actor, handout_id)
    record_event(
        session,
        actor,
        "handout.view",
        patient_id=handout.patient_id,
        handout_id=handout.id,
        shown=shown,
    )
    return handout


def get_handout_pdf(
    session: Session, actor: Actor, handout_id: int, *, purpose: str = "download"
) -> tuple[Handout, bytes]:
    """The handout and its stored PDF bytes, recording an audit event "handout.<purpose>".

    `purpose` is "download" (an attachment), "view" (inline or printing) or another short verb.
    """
    handout = get_handout(session, actor, handout_id, with_pdf=True)
    pdf = handout.pdf
    record_event(
        session, actor, f"handout.{purpose}", patient_id=handout.patient_id, handout_id=handout.id
    )
    return handout, pdf


def list_handouts(session: Session, actor: Actor, patient_id: int) -> list[Handout]:
    """Every handout issued to the patient, newest first (NotFound for another clinic's patient)."""
    get_patient(session, actor, patient_id)
    return list(
        session.scalars(
            select(Handout)
            .where(Handout.clinic_id == actor.clinic_id, Handout.patient_id == patient_id)
            .order_by(Handout.number.desc())
        )
    )


def suggested_filename(handout: Handout) -> str:
    """A safe download name without the patient's name, e.g. "handout-2026-11-25-3.pdf"."""
    return f"handout-{handout.issued_on.isoformat()}-{handout.number}.pdf"
