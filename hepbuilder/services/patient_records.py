"""Patient rights: everything held about one patient as one zip (export), and erasure on request.

Export gathers the record, the programs with their items, the handouts (what was issued, the
frozen spec and the PDF), the audit events about the patient, and the rows of every other table
that has a patient_id (a private link, emails: whatever later features keep per patient). Erasure
removes the personal data, the notes, the programs' content and the PDFs, and deletes those other
rows (a queued email to an erased patient is never sent); the rows stay as empty shells so that the
audit trail (append-only) keeps pointing at an id that now names no one, plus a "patient.erase"
event. An erased patient, their programs and their handouts are then simply not found.
Both are scoped to the actor's clinic and flush without committing.
"""

import datetime as dt
import io
import json
import zipfile

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, undefer

from hepbuilder.db.like import forget_replaced_search_text
from hepbuilder.db.models import (
    Base,
    Clinic,
    Handout,
    IdempotencyRecord,
    Program,
    ProgramItem,
    utcnow,
)
from hepbuilder.domain.errors import PermissionDenied, ValidationError
from hepbuilder.domain.text import fold

from .actor import Actor, require_admin
from .audit import patient_audit_entries, record_event
from .audit_words import describe
from .handout_pdfs import forget_pdfs, read_pdf
from .handouts import suggested_filename
from .patients import get_patient
from .program_lists import list_programs
from .programs import program_to_data
from .snapshots import spec_of_snapshot

EXPORT_README = """Everything {clinic} holds about patient {patient_id}, exported {exported_at} UTC.

patient.json       the patient's record
programs.json      every program built for the patient, with its exercises and doses
handouts.json      every handout issued: number, date, title and the frozen content (spec)
handouts/*.pdf     the PDF of each handout, as the patient received it
audit_events.json  every recorded access to and change of this patient's data: who, what, when
                   (UTC) and from which address
<other>.json       anything else held about the patient (for example its private link and the
                   emails sent to it), one file per table
"""


# Tables with a patient_id that this module handles itself; every other one (a private link, a
# queued email: "deliveries") is exported as <table>.json and its rows are deleted on erasure.
HANDLED_TABLES = {"patient", "program", "program_item", "handout", "audit_event"}


def _other_patient_tables():
    return [
        table
        for table in Base.metadata.sorted_tables
        if "patient_id" in table.c and table.name not in HANDLED_TABLES
    ]


def _rows_of(session: Session, actor: Actor, table, patient_id: int) -> list[dict]:
    """The table's rows about the patient, as JSON-ready dicts (bytes and secrets' hashes left out)."""
    query = select(table).where(table.c.patient_id == patient_id)
    if "clinic_id" in table.c:
        query = query.where(table.c.clinic_id == actor.clinic_id)
    rows = []
    for row in session.execute(query).mappings():
        rows.append(
            {
                key: _iso(value) if isinstance(value, dt.date) else value
                for key, value in row.items()
                if not isinstance(value, bytes) and not key.endswith("_hash")
            }
        )
    return rows


def _may_export(actor: Actor) -> None:
    """Administrators, and the clinic's PMS through its API token, may export a patient."""
    if not (actor.is_admin or actor.api_token_id is not None):
        raise PermissionDenied("Only an administrator can export a patient's data.")


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _patient_data(patient) -> dict:
    return {
        "id": patient.id,
        "external_id": patient.external_id,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": _iso(patient.date_of_birth),
        "email": patient.email,
        "phone": patient.phone,
        "notes": patient.notes,
        "is_archived": patient.is_archived,
        "created_at": _iso(patient.created_at),
        "updated_at": _iso(patient.updated_at),
    }


def _program_data(program: Program) -> dict:
    return {
        **program_to_data(program),
        "created_at": _iso(program.created_at),
        "updated_at": _iso(program.updated_at),
    }


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


def export_patient(session: Session, actor: Actor, patient_id: int) -> tuple[str, bytes]:
    """(file name, zip bytes) of everything held about the patient; records "patient.export".

    Administrators and API tokens only (PermissionDenied otherwise); NotFound for another
    clinic's or an erased patient. The file name carries the id, never the name.
    """
    _may_export(actor)
    patient = get_patient(session, actor, patient_id)
    programs = list_programs(session, actor, patient.id)
    handout_rows = list(
        session.scalars(
            select(Handout)
            .options(undefer(Handout.pdf), undefer(Handout.snapshot_json))
            .where(Handout.clinic_id == actor.clinic_id, Handout.patient_id == patient.id)
            .order_by(Handout.number)
        )
    )
    events = [
        {
            "id": entry.id,
            "at_utc": _iso(entry.created_at),
            "action": entry.action,
            "in_words": describe(entry),
            "by": entry.who,
            "by_kind": entry.who_kind,
            "handout_id": entry.handout_id,
            "from_address": entry.remote_addr,
            "detail": entry.detail,
        }
        for entry in patient_audit_entries(session, actor, patient.id)
    ]
    handouts = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in handout_rows:
            pdf_name = f"handouts/{suggested_filename(row)}"
            archive.writestr(pdf_name, read_pdf(session, row))
            handouts.append(
                {
                    "id": row.id,
                    "number": row.number,
                    "program_id": row.program_id,
                    "title": row.title,
                    "issued_on": _iso(row.issued_on),
                    "issued_by_id": row.issued_by_id,
                    "pdf": pdf_name,
                    "pdf_sha256": row.pdf_sha256,
                    "spec": spec_of_snapshot(session, row.snapshot_json),
                }
            )
        archive.writestr("patient.json", _json_bytes(_patient_data(patient)))
        archive.writestr("programs.json", _json_bytes([_program_data(p) for p in programs]))
        archive.writestr("handouts.json", _json_bytes(handouts))
        archive.writestr("audit_events.json", _json_bytes(events))
        for table in _other_patient_tables():
            rows = _rows_of(session, actor, table, patient.id)
            archive.writestr(f"{table.name}.json", _json_bytes(rows))
        readme = EXPORT_README.format(
            clinic=_clinic_name(session, actor),
            patient_id=patient.id,
            exported_at=utcnow().isoformat(timespec="seconds"),
        )
        archive.writestr("README.txt", readme.encode("utf-8"))
    record_event(session, actor, "patient.export", patient_id=patient.id)
    session.flush()
    return f"patient-{patient.id}-export.zip", buffer.getvalue()


def _clinic_name(session: Session, actor: Actor) -> str:
    return session.scalar(select(Clinic.name).where(Clinic.id == actor.clinic_id)) or "the clinic"


def confirmation_matches(typed: str, full_name: str) -> bool:
    """The typed confirmation names the patient: case, accents and spacing aside."""
    return bool(typed.strip()) and fold(" ".join(typed.split())) == fold(
        " ".join(full_name.split())
    )


def erase_patient(session: Session, actor: Actor, patient_id: int, confirmation: str) -> int:
    """Erase the patient's personal data, notes, programs and PDFs; return the anonymous id left.

    An administrator must type the patient's full name as
    `confirmation` (ValidationError naming "confirmation" otherwise). Kept: the audit trail,
    which names the patient only by this id, and "patient.erase". Stored API answers that
    repeated the patient's data (Idempotency-Key replays) are dropped. Nothing else changes.
    """
    require_admin(actor)
    patient = get_patient(session, actor, patient_id)
    if not confirmation_matches(confirmation or "", patient.full_name):
        raise ValidationError(
            {"confirmation": "type the patient's full name, as shown above, to confirm"}
        )
    program_ids = select(Program.id).where(
        Program.clinic_id == actor.clinic_id, Program.patient_id == patient.id
    )
    session.execute(delete(ProgramItem).where(ProgramItem.program_id.in_(program_ids)))
    session.execute(
        update(Program)
        .where(Program.clinic_id == actor.clinic_id, Program.patient_id == patient.id)
        .values(title="", notes="", review_on=None, is_archived=True)
    )
    forget_pdfs(session, actor.clinic_id, patient.id)  # S3 objects: deleted once this commits
    # The snapshot goes whole, and the copies of its fields beside it (the share link is the
    # patient's); the shared parts it referred to (exercises, the brand, the logo)
    # hold no patient data and stay for the other handouts that print them.
    session.execute(
        update(Handout)
        .where(Handout.clinic_id == actor.clinic_id, Handout.patient_id == patient.id)
        .values(
            title="",
            snapshot_json="{}",
            therapist_name="",
            therapist_credentials="",
            share_url="",
            pdf=b"",
            pdf_sha256="",
        )
    )
    for table in _other_patient_tables():  # private links, queued and sent emails, ...
        condition = table.c.patient_id == patient.id
        if "clinic_id" in table.c:
            condition &= table.c.clinic_id == actor.clinic_id
        session.execute(table.delete().where(condition))
    answers_about_patient = [
        IdempotencyRecord.response_body.contains(f'"url":"/patients/{patient.id}"'),
        IdempotencyRecord.response_body.contains(f'"patient_id":{patient.id},'),
        IdempotencyRecord.response_body.contains(f'"patient_id":{patient.id}}}'),
    ]
    session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.clinic_id == actor.clinic_id, or_(*answers_about_patient)
        )
    )
    for key in ("first_name", "last_name", "email", "phone", "notes", "search_text"):
        setattr(patient, key, "")
    patient.external_id = None
    patient.date_of_birth = None
    patient.is_archived = True
    patient.erased_at = utcnow()
    session.flush()
    forget_replaced_search_text(session, "patient")  # no trace of the name in the search index
    record_event(session, actor, "patient.erase", patient_id=patient.id)
    session.flush()
    session.expire_all()  # programs and handouts loaded before the bulk changes are stale
    return patient_id
