"""Patients: search, create, edit, archive and restore, always inside the acting user's clinic.

Every function takes the Session and the Actor, filters on `actor.clinic_id` in the query itself
(another clinic's patient is simply NotFound), flushes but never commits, and records an audit
event for each change in the caller's transaction.
"""

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, false, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hepbuilder.db.like import count_matches, page_of_matches, search_in_clinic
from hepbuilder.db.models import Patient
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.limits import PATIENT_LIMITS
from hepbuilder.domain.phone import clean_phone, phone_problem
from hepbuilder.domain.records import check_read_only, rfc3339
from hepbuilder.domain.text import fold

from .actor import Actor
from .audit import record_event, record_events
from .email_addresses import check_address
from .webhooks import emit_event, patient_ref

PER_PAGE = 25
MAX_PER_PAGE = 100
PATIENT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "external_id",
    "notes",
)


@dataclass(frozen=True, slots=True)
class ListedPatient:
    """A patient as the patient list shows them (read without loading the whole record)."""

    id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    external_id: str | None


LISTED_COLUMNS = (
    Patient.id,
    Patient.first_name,
    Patient.last_name,
    Patient.date_of_birth,
    Patient.external_id,
)


@dataclass(frozen=True, slots=True)
class PatientPage:
    """One page of a patient search: `items` in name order, `total` matches over all pages."""

    items: list[ListedPatient]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def patient_search_text(
    first_name: str, last_name: str, external_id: str | None, date_of_birth: dt.date | None
) -> str:
    """The folded text a search matches: "last first external-id yyyy-mm-dd dd/mm/yyyy".

    It starts with the folded last name, so ordering by it lists patients by name and the
    (clinic_id, is_archived, search_text) index serves both the filter and the order.
    """
    parts = [last_name, first_name, external_id or ""]
    if date_of_birth:
        parts += [date_of_birth.isoformat(), date_of_birth.strftime("%d/%m/%Y")]
    return fold(" ".join(parts))[:600]


def search_patients(
    session: Session,
    actor: Actor,
    q: str = "",
    *,
    archived: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> PatientPage:
    """Patients of the clinic whose name, external id or date of birth match every word of `q`.

    Case and accents are ignored ("nunez" finds Núñez); dates match as 1948-03-02 or 02/03/1948.
    `archived=True` lists only archived patients (to restore them); otherwise they are hidden.
    Each patient listed gets a "patient.list" audit event (never the search words). The items
    are ListedPatient rows (id, names, date of birth, external id), not Patient objects.
    """
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    # "= true/false" (not "IS"), so PostgreSQL can use the (clinic_id, is_archived, search_text) index
    terms = [[term] for term in fold(q or "").split()[:8]]
    conditions = [
        *search_in_clinic(Patient, actor.clinic_id, terms),
        Patient.is_archived == (true() if archived else false()),
        Patient.erased_at.is_(None),
    ]
    order, offset = (Patient.search_text, Patient.id), (page - 1) * per_page
    # The listed columns only, as plain rows: no ORM objects to build for a page of 25.
    searched = page_of_matches(
        LISTED_COLUMNS, conditions, terms, order, limit=per_page, offset=offset
    )
    if searched is not None:  # the page and its count in one statement from the index
        rows = session.execute(searched).all()
        items = [ListedPatient(*row[:-1]) for row in rows]
        total = rows[0].total if rows else None
    else:
        rows = session.execute(
            select(*LISTED_COLUMNS)
            .where(*conditions)
            .order_by(*order)
            .limit(per_page)
            .offset(offset)
        )
        items = [ListedPatient(*row) for row in rows]
        total = len(items) if page == 1 and len(items) < per_page else None
    if total is None:  # a full first page, or a page past the end: count them
        counted = count_matches(Patient, terms)
        total = session.scalar(select(counted).select_from(Patient).where(*conditions)) or 0
    record_events(session, actor, "patient.list", [{"patient_id": p.id} for p in items])
    return PatientPage(items=items, total=total, page=page, per_page=per_page)


def find_patient(session: Session, actor: Actor, patient_id: int) -> Patient | None:
    """The patient with this id in the actor's clinic (archived or not, never erased), or None."""
    return session.scalar(
        select(Patient).where(
            Patient.id == patient_id,
            Patient.clinic_id == actor.clinic_id,
            Patient.erased_at.is_(None),
        )
    )


def of_unerased_patient(patient_id_column) -> ColumnElement[bool]:
    """A condition for a program's or handout's query: its patient has not been erased."""
    return exists().where(Patient.id == patient_id_column, Patient.erased_at.is_(None))


def get_patient(session: Session, actor: Actor, patient_id: int) -> Patient:
    """Like find_patient, but raises NotFound (for a missing id and another clinic's id alike)."""
    patient = find_patient(session, actor, patient_id)
    if patient is None:
        raise NotFound("There is no such patient.")
    return patient


def find_patient_by_external_id(session: Session, actor: Actor, external_id: str) -> Patient | None:
    """The patient the PMS knows by `external_id` in the actor's clinic, or None."""
    external_id = (external_id or "").strip()
    if not external_id:
        return None
    return session.scalar(
        select(Patient).where(
            Patient.clinic_id == actor.clinic_id, Patient.external_id == external_id
        )
    )


def _date_of_birth(value: object, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors["date_of_birth"] = "must be a date written YYYY-MM-DD"
            return None
    if value > dt.date.today():
        errors["date_of_birth"] = "cannot be in the future"
    elif value.year < 1880:
        errors["date_of_birth"] = "is too far in the past"
    return value


def _clean(data: dict, *, partial: bool) -> dict:
    """Check the rules for patient fields; with `partial`, only the keys present are checked."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for key in PATIENT_FIELDS:
        if partial and key not in data:
            continue
        raw = data.get(key)
        if key == "date_of_birth":
            values[key] = _date_of_birth(raw, errors)
            continue
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            errors[key] = "must be text"
            continue
        value = raw.strip() if key != "notes" else raw.strip("\r\n")
        if len(value) > PATIENT_LIMITS[key]:
            errors[key] = f"must be at most {PATIENT_LIMITS[key]:,} characters"
        elif key in ("first_name", "last_name") and not value:
            errors[key] = "is required"
        elif key == "email" and value:
            try:  # the rule of every address; stored as a handout is sent to it
                value = check_address(value, key)
            except ValidationError as error:
                errors.update(error.fields)
        elif key == "phone" and (problem := phone_problem(value)):
            errors[key] = problem
        elif key == "phone":
            value = clean_phone(value)  # a pasted non-breaking space saved as a plain one
        values[key] = value
    if "external_id" in values:
        values["external_id"] = values["external_id"] or None
    if errors:
        raise ValidationError(errors)
    return values


def patient_problems(data: dict) -> dict[str, str]:
    """The rule each field of `data` breaks, by field (the checks create_patient and
    update_patient make), without saving anything: so a form can show every problem at once."""
    try:
        _clean(data, partial=False)
    except ValidationError as error:
        return error.fields
    return {}


def _check_external_id(
    session: Session, actor: Actor, external_id: str | None, patient_id: int | None
):
    if not external_id:
        return
    existing = find_patient_by_external_id(session, actor, external_id)
    if existing is not None and existing.id != patient_id:
        raise Conflict(
            f'Another patient already has the external id "{external_id}".',
            fields={"external_id": f"is already used by patient {existing.id}"},
            existing_id=existing.id,
            code="external_id_taken",
        )


def _save(session: Session, actor: Actor, patient: Patient, changes: dict) -> None:
    """Apply `changes` to the patient and flush it, inside a savepoint.

    Two requests can both pass `_check_external_id` for the same new external id; the database's
    unique index then refuses the second, which gets the same Conflict (naming the first patient)
    instead of a failed transaction. The changes are made inside the savepoint because
    `begin_nested` first flushes whatever is pending outside it.
    """
    external_id = changes.get("external_id", patient.external_id)
    patient_id = patient.id
    try:
        with session.begin_nested():
            for key, value in changes.items():
                setattr(patient, key, value)
            _refresh_search_text(patient)
            session.add(patient)
            session.flush()
    except IntegrityError:
        _check_external_id(session, actor, external_id, patient_id)
        raise


def _refresh_search_text(patient: Patient) -> None:
    patient.search_text = patient_search_text(
        patient.first_name, patient.last_name, patient.external_id, patient.date_of_birth
    )


def create_patient(session: Session, actor: Actor, data: dict) -> Patient:
    """Add a patient to the actor's clinic from a mapping of PATIENT_FIELDS.

    first_name and last_name are required; date_of_birth is a date or "YYYY-MM-DD". Raises
    ValidationError naming each bad field, Conflict(existing_id=...) when the external id is taken.
    """
    values = _clean(data, partial=False)
    _check_external_id(session, actor, values["external_id"], None)
    patient = Patient(clinic_id=actor.clinic_id)
    _save(session, actor, patient, values)
    record_event(session, actor, "patient.create", patient_id=patient.id)
    return patient


READ_ONLY_FIELDS = ("is_archived", "created_at", "updated_at")


def patient_read_only(patient: Patient) -> dict:
    """The patient's READ_ONLY_FIELDS as a client reads them (RFC 3339 times)."""
    return {
        "is_archived": patient.is_archived,
        "created_at": rfc3339(patient.created_at),
        "updated_at": rfc3339(patient.updated_at),
    }


def update_patient(
    session: Session, actor: Actor, patient_id: int, data: dict, *, read_only: dict | None = None
) -> Patient:
    """Change the fields present in `data` (others are left alone); errors as create_patient.

    `read_only` holds READ_ONLY_FIELDS the caller sent back as it read them: each must equal the
    current value (ValidationError naming it otherwise).
    """
    patient = get_patient(session, actor, patient_id)
    if read_only:
        check_read_only(patient_read_only(patient), read_only)
    values = _clean(data, partial=True)
    if "external_id" in values:
        _check_external_id(session, actor, values["external_id"], patient.id)
    changed = sorted(key for key, value in values.items() if getattr(patient, key) != value)
    _save(session, actor, patient, values)
    if changed:
        record_event(session, actor, "patient.update", patient_id=patient.id, fields=changed)
        emit_event(
            session, actor.clinic_id, "patient.updated", {**patient_ref(patient), "fields": changed}
        )
    return patient


def _announce_archive_change(session: Session, actor: Actor, patient: Patient) -> None:
    emit_event(
        session,
        actor.clinic_id,
        "patient.updated",
        {**patient_ref(patient), "fields": ["is_archived"]},
    )


def archive_patient(session: Session, actor: Actor, patient_id: int) -> Patient:
    """Hide a patient from the list; programs and handouts are kept; restore brings them back."""
    patient = get_patient(session, actor, patient_id)
    if not patient.is_archived:
        patient.is_archived = True
        session.flush()
        record_event(session, actor, "patient.archive", patient_id=patient.id)
        _announce_archive_change(session, actor, patient)
    return patient


def restore_patient(session: Session, actor: Actor, patient_id: int) -> Patient:
    """Bring an archived patient back into the list."""
    patient = get_patient(session, actor, patient_id)
    if patient.is_archived:
        patient.is_archived = False
        session.flush()
        record_event(session, actor, "patient.restore", patient_id=patient.id)
        _announce_archive_change(session, actor, patient)
    return patient


def list_patients(
    session: Session,
    actor: Actor,
    *,
    after_id: int = 0,
    limit: int = 25,
    external_id: str = "",
    name: str = "",
    date_of_birth: dt.date | None = None,
    since: dt.datetime | None = None,
) -> list[Patient]:
    """Up to `limit` of the actor's clinic's patients with id > `after_id`, by id (archived too).

    Filters, all optional and combined: `external_id` (the one patient the PMS knows by it),
    `name` (every word in the first or last name, case and accents ignored), `date_of_birth`,
    `since` (changed at or after). Each patient listed gets a "patient.view" audit event.
    """
    terms = [[term] for term in fold(name or "").split()[:8]]
    conditions = [
        *search_in_clinic(Patient, actor.clinic_id, terms),
        Patient.id > after_id,
        Patient.erased_at.is_(None),
    ]
    if external_id:
        conditions.append(Patient.external_id == external_id.strip())
    if date_of_birth is not None:
        conditions.append(Patient.date_of_birth == date_of_birth)
    if since is not None:
        conditions.append(Patient.updated_at >= since)
    patients = list(
        session.scalars(select(Patient).where(*conditions).order_by(Patient.id).limit(limit))
    )
    record_events(session, actor, "patient.view", [{"patient_id": p.id} for p in patients])
    return patients


def view_patient(session: Session, actor: Actor, patient_id: int, *, shown: str = "") -> Patient:
    """get_patient, recording a "patient.view" audit event (`shown="edit"`: the edit form)."""
    patient = get_patient(session, actor, patient_id)
    detail = {"shown": shown} if shown else {}
    record_event(session, actor, "patient.view", patient_id=patient.id, **detail)
    return patient
