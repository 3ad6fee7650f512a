"""Program services: start blank / from a protocol / as a copy, edit with doses, no lost updates."""

import pytest

from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.services import patients, program_lists, programs

from ._data import actor_for, clinic_and_user, library_rows


@pytest.fixture
def world(session):
    clinic, user = clinic_and_user(session, seeded=True)
    actor = actor_for(user)
    exercises = library_rows(session, clinic)
    patient = patients.create_patient(
        session, actor, {"first_name": "Zoë", "last_name": "Łukasiewicz"}
    )
    return actor, patient, exercises


def _slugs(program):
    return [item.exercise.slug for item in program.items]


def test_create_program_blank_then_items_get_default_doses(session, world):
    actor, patient, _ = world
    program = programs.create_program(session, actor, patient.id)
    assert (program.title, program.items, program.version) == ("", [], 1)
    programs.update_program(
        session, actor, program.id, 1, {"items": [{"exercise": "figure-4-stretch"}]}
    )
    item = program.items[0]
    assert (item.sets, item.hold_seconds, item.times_per_day, item.days_per_week, item.side) == (
        1,
        60,
        1,
        7,
        "each",
    )
    assert program.version == 2


def test_create_program_from_protocol_uses_its_items_and_name(session, world):
    actor, patient, _ = world
    program = programs.create_program(
        session, actor, patient.id, protocol="unstable-hips-trendelenburg"
    )
    assert program.title == "Unstable hips / Trendelenburg gait"
    assert _slugs(program) == ["foam-roller-lateral-hip", "monster-walk", "banded-lunge", "step-up"]
    assert program.items[3].notes == "Start with a low step."
    assert program.items[1].sets is not None  # default dose filled in
    with pytest.raises(NotFound):
        programs.create_program(session, actor, patient.id, protocol="no-such-protocol")


def test_create_program_copies_an_earlier_program_of_the_same_patient(session, world):
    actor, patient, _ = world
    first = programs.create_program(
        session,
        actor,
        patient.id,
        {
            "title": "Week 1",
            "notes": "Go easy",
            "paper": "letter",
            "large_print": True,
            "items": [
                {"exercise": "step-up", "sets": 2, "reps": 8, "side": "left", "notes": "low step"}
            ],
        },
    )
    copy = programs.create_program(session, actor, patient.id, copy_of=first.id)
    assert copy.id != first.id
    assert (copy.title, copy.notes, copy.paper, copy.large_print) == (
        "Week 1",
        "Go easy",
        "letter",
        True,
    )
    assert programs.item_to_data(copy.items[0]) == programs.item_to_data(first.items[0])
    other = patients.create_patient(session, actor, {"first_name": "A", "last_name": "B"})
    with pytest.raises(NotFound):
        programs.create_program(session, actor, other.id, copy_of=first.id)


def test_update_program_names_each_bad_field(session, world):
    actor, patient, _ = world
    program = programs.create_program(session, actor, patient.id)
    bad = {
        "review_on": "soon",
        "paper": "A3",
        "items": [
            {"exercise": "step-up", "sets": 21, "reps": 0, "hold_seconds": 601},
            {"exercise": "figure-4-stretch", "times_per_day": 11, "days_per_week": 8, "side": "up"},
            {"exercise": "no-such-thing"},
        ],
    }
    with pytest.raises(ValidationError) as caught:
        programs.update_program(session, actor, program.id, program.version, bad)
    assert set(caught.value.fields) == {
        "review_on",
        "paper",
        "items[0].sets",
        "items[0].reps",
        "items[0].hold_seconds",
        "items[1].times_per_day",
        "items[1].days_per_week",
        "items[1].side",
        "items[2].exercise",
    }
    assert program.version == 1


def test_update_program_refuses_a_stale_version(session, world):
    actor, patient, _ = world
    program = programs.create_program(session, actor, patient.id, {"title": "A"})
    programs.update_program(session, actor, program.id, 1, {"title": "B"})
    with pytest.raises(Conflict) as caught:
        programs.update_program(session, actor, program.id, 1, {"title": "C"})
    assert caught.value.current_version == 2
    assert program.title == "B"


def test_update_program_bumps_version_when_only_items_change(session, world, db_url):
    actor, patient, _ = world
    program = programs.create_program(session, actor, patient.id)
    session.commit()
    programs.update_program(session, actor, program.id, 1, {"items": [{"exercise": "step-up"}]})
    session.commit()
    assert program.version == 2
    programs.update_program(
        session, actor, program.id, 2, {"items": [{"exercise": "step-up", "sets": 4}]}
    )
    assert program.version == 3


def test_programs_of_another_clinic_are_not_found(session, world):
    actor, patient, _ = world
    program = programs.create_program(session, actor, patient.id)
    _clinic, other_user = clinic_and_user(session, "Hillside")
    other = actor_for(other_user)
    with pytest.raises(NotFound):
        programs.get_program(session, other, program.id)
    with pytest.raises(NotFound):
        programs.update_program(session, other, program.id, 1, {"title": "x"})
    with pytest.raises(NotFound):
        programs.create_program(session, other, patient.id)
    with pytest.raises(NotFound):
        program_lists.list_programs(session, other, patient.id)


def test_program_to_data_round_trips(session, world):
    actor, patient, _ = world
    program = programs.create_program(
        session, actor, patient.id, protocol="tight-hips-low-back-pain"
    )
    data = programs.program_to_data(program)
    assert data["version"] == 1 and len(data["items"]) == 7
    copy = programs.create_program(
        session,
        actor,
        patient.id,
        {k: v for k, v in data.items() if k not in ("id", "patient_id", "version")},
    )
    assert programs.program_to_data(copy)["items"] == data["items"]


def test_create_and_update_program_leave_audit_events(session, world):
    from sqlalchemy import select

    from hepbuilder.db.models import AuditEvent

    actor, patient, _ = world
    program = programs.create_program(session, actor, patient.id)
    programs.update_program(session, actor, program.id, 1, {"title": "Hips"})
    events = session.execute(
        select(AuditEvent.action, AuditEvent.patient_id, AuditEvent.user_id)
        .where(AuditEvent.action.like("program.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert events == [
        ("program.create", patient.id, actor.user_id),
        ("program.update", patient.id, actor.user_id),
    ]


def test_copy_of_another_therapists_program_is_the_acting_therapists(session, world):
    actor, patient, _ = world
    from hepbuilder.db.models import Clinic
    from hepbuilder.services.actor import Actor
    from tests.builders import make_user

    colleague = make_user(session, session.get(Clinic, actor.clinic_id))
    theirs = programs.create_program(
        session, Actor(clinic_id=actor.clinic_id, user_id=colleague.id), patient.id
    )
    copy = programs.create_program(session, actor, patient.id, copy_of=theirs.id)
    assert theirs.created_by_id == colleague.id
    assert copy.created_by_id == actor.user_id


def test_update_program_that_changes_nothing_keeps_version_and_writes_no_event(session, world):
    from sqlalchemy import func, select

    from hepbuilder.db.models import AuditEvent

    actor, patient, _ = world
    program = programs.create_program(
        session, actor, patient.id, {"title": "Week 1", "items": [{"exercise": "step-up"}]}
    )
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    same = programs.program_to_data(program)
    saved = programs.update_program(session, actor, program.id, program.version, same)
    assert saved.version == 1
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
