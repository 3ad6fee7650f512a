"""Lists of a clinic's programs: a patient's, as the patient page shows them (no item or exercise
loaded), and the API's pages of programs changed since a time. Scoped to the actor's clinic."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hepbuilder.db.models import Program, ProgramItem

from .actor import Actor
from .audit import record_events
from .patients import get_patient
from .programs import program_query


def list_programs(session: Session, actor: Actor, patient_id: int) -> list[Program]:
    """The patient's programs, latest change first (NotFound for another clinic's patient)."""
    get_patient(session, actor, patient_id)
    return list(
        session.scalars(
            program_query()
            .where(Program.clinic_id == actor.clinic_id, Program.patient_id == patient_id)
            .order_by(Program.updated_at.desc(), Program.id.desc())
        )
    )


@dataclass(frozen=True, slots=True)
class ProgramSummary:
    """A program as the patient page lists it."""

    id: int
    title: str
    updated_at: dt.datetime
    item_count: int


def program_summaries(session: Session, actor: Actor, patient_id: int) -> list[ProgramSummary]:
    """The patient's programs, latest change first, each with how many exercises it holds, in
    one query with no item or exercise loaded (NotFound for another clinic's patient)."""
    get_patient(session, actor, patient_id)
    item_count = (
        select(func.count(ProgramItem.id))
        .where(ProgramItem.program_id == Program.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Program.id, Program.title, Program.updated_at, item_count)
        .where(Program.clinic_id == actor.clinic_id, Program.patient_id == patient_id)
        .order_by(Program.updated_at.desc(), Program.id.desc())
    )
    return [ProgramSummary(*row) for row in rows]


def page_programs(
    session: Session,
    actor: Actor,
    *,
    patient_id: int | None = None,
    since: dt.datetime | None = None,
    after_id: int = 0,
    limit: int = 25,
) -> list[Program]:
    """Up to `limit` of the clinic's programs with id > `after_id`, by id: of one patient, and/or
    changed at or after `since`. Each listed program gets a "program.view" audit event."""
    conditions = [Program.clinic_id == actor.clinic_id, Program.id > after_id]
    if patient_id is not None:
        conditions.append(Program.patient_id == patient_id)
    if since is not None:
        conditions.append(Program.updated_at >= since)
    rows = list(
        session.scalars(program_query().where(*conditions).order_by(Program.id).limit(limit))
    )
    record_events(
        session,
        actor,
        "program.view",
        [{"patient_id": row.patient_id, "program_id": row.id} for row in rows],
    )
    return rows
