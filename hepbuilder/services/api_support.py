"""Service functions only the JSON API needs: keyset-paged lists and audited reads for a PMS.

Scoped like every service: the actor's clinic is in each query, so another clinic's rows never
appear. Flushes, never commits.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import Patient

from . import programs
from .actor import Actor
from .audit import record_event
from .patients import find_patient_by_external_id, get_patient


def list_patients(
    session: Session, actor: Actor, *, after_id: int = 0, limit: int = 25, external_id: str = ""
) -> list[Patient]:
    """Up to `limit` of the actor's clinic's patients with id > `after_id`, by id (archived too).

    With `external_id`, only the patient the PMS knows by it (an empty list when there is none).
    Each patient listed gets a "patient.view" audit event.
    """
    if external_id:
        patient = find_patient_by_external_id(session, actor, external_id)
        patients = [patient] if patient is not None and patient.id > after_id else []
    else:
        patients = list(
            session.scalars(
                select(Patient)
                .where(Patient.clinic_id == actor.clinic_id, Patient.id > after_id)
                .order_by(Patient.id)
                .limit(limit)
            )
        )
    for patient in patients:
        record_event(session, actor, "patient.view", patient_id=patient.id)
    return patients


def view_patient(session: Session, actor: Actor, patient_id: int) -> Patient:
    """get_patient, recording a "patient.view" audit event."""
    patient = get_patient(session, actor, patient_id)
    record_event(session, actor, "patient.view", patient_id=patient.id)
    return patient


def view_program(session: Session, actor: Actor, program_id: int):
    """get_program, recording a "program.view" audit event on the program's patient."""
    program = programs.get_program(session, actor, program_id)
    record_event(
        session, actor, "program.view", patient_id=program.patient_id, program_id=program.id
    )
    return program
