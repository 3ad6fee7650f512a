"""Lists of handouts: one patient's, a page at a time, for the patient page; the clinic's, by
id, for the API. They read rows of the listed columns (LISTED), never a Handout object, so no
list loads a snapshot or a PDF, and each costs the same statements for 1 handout as for 200.
Scoped to the actor's clinic; flush without committing."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from hepbuilder.db.models import Handout

from .actor import Actor
from .audit import record_events
from .patients import get_patient


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


HANDOUTS_SHOWN = 30  # on the patient page, a page at a time
# What lists of handouts read: rows of these columns, not Handout objects, so a list can never
# load a snapshot, a PDF or a relationship (and builds no ORM object per handout).
LISTED = (
    Handout.id,
    Handout.clinic_id,
    Handout.patient_id,
    Handout.program_id,
    Handout.number,
    Handout.title,
    Handout.issued_on,
    Handout.program_version,
    Handout.issued_by_id,
    Handout.therapist_name,
    Handout.therapist_credentials,
    Handout.share_url,
    Handout.created_at,
)


@dataclass(frozen=True, slots=True)
class HandoutPage:
    """A page of one patient's handouts, newest first: `rows` (of LISTED); `older_than`: the
    number to list before for the next (older) page, None when these are the oldest; `latest`:
    the newest handout of all (None: none issued); `issued`: how many there are in all."""

    rows: list[Row]
    older_than: int | None
    latest: Row | None

    @property
    def issued(self) -> int:
        # Numbers run 1, 2, 3... per patient (`_next_number`) and handouts are never deleted.
        return self.latest.number if self.latest else 0


def page_patient_handouts(
    session: Session,
    actor: Actor,
    patient_id: int,
    *,
    before: int | None = None,
    limit: int = HANDOUTS_SHOWN,
) -> HandoutPage:
    """Up to `limit` of the patient's handouts, newest first: the newest, or those numbered
    below `before` (keyset paging by number). Reads no snapshot or PDF; one query, and one more
    for the newest handout when `before` is given. Another clinic's patient has none. Not
    audited: the caller records the patient's view."""
    scoped = (Handout.clinic_id == actor.clinic_id, Handout.patient_id == patient_id)
    query = select(*LISTED).where(*scoped).order_by(Handout.number.desc())
    if before is not None:
        query = query.where(Handout.number < before)
    rows = list(session.execute(query.limit(limit + 1)))
    older_than = rows[limit - 1].number if len(rows) > limit else None
    rows = rows[:limit]
    if before is None:
        latest = rows[0] if rows else None
    else:
        latest = session.execute(
            select(*LISTED).where(*scoped).order_by(Handout.number.desc()).limit(1)
        ).first()
    return HandoutPage(rows=rows, older_than=older_than, latest=latest)


def _handout_numbers(session: Session, actor: Actor, handout_ids) -> dict[int, int]:
    """The number of each of the handouts (of the actor's clinic), by id; one query."""
    ids = set(handout_ids)
    if not ids:
        return {}
    return dict(
        session.execute(
            select(Handout.id, Handout.number).where(
                Handout.clinic_id == actor.clinic_id, Handout.id.in_(ids)
            )
        ).all()
    )


def numbers_named(session: Session, actor: Actor, page: HandoutPage, handout_ids) -> dict[int, int]:
    """The number of every handout a patient's page names, by id: those `page` lists (and its
    newest), and those of `handout_ids` (the handouts its emails sent), read in one query when
    the page does not already hold them."""
    numbers = {handout.id: handout.number for handout in [*page.rows, page.latest] if handout}
    missing = {handout_id for handout_id in handout_ids if handout_id and handout_id not in numbers}
    return numbers | _handout_numbers(session, actor, missing)


def page_handouts(
    session: Session,
    actor: Actor,
    *,
    patient_id: int | None = None,
    program_id: int | None = None,
    since: dt.datetime | None = None,
    after_id: int = 0,
    limit: int = 25,
) -> list[Row]:
    """Up to `limit` of the clinic's handouts with id > `after_id`, by id (rows of LISTED): of
    one patient and/or program, issued at or after `since`. Each listed handout gets a
    "handout.view" (as api)."""
    conditions = [Handout.clinic_id == actor.clinic_id, Handout.id > after_id]
    if patient_id is not None:
        conditions.append(Handout.patient_id == patient_id)
    if program_id is not None:
        conditions.append(Handout.program_id == program_id)
    if since is not None:
        conditions.append(Handout.created_at >= since)
    rows = list(
        session.execute(select(*LISTED).where(*conditions).order_by(Handout.id).limit(limit))
    )
    record_events(
        session,
        actor,
        "handout.view",
        [{"patient_id": h.patient_id, "handout_id": h.id, "shown": "api"} for h in rows],
    )
    return rows
