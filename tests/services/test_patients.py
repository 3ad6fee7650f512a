"""Patient services: search, create, edit, archive, restore; scoped to the clinic and audited."""

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, Patient
from hepbuilder.db.session import session_factory
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.services import patients as svc

from ._data import actor_for, clinic_and_user


@pytest.fixture
def actor(session):
    _clinic, user = clinic_and_user(session)
    return actor_for(user)


def _new(session, actor, first="Zoë", last="Łukasiewicz", **extra):
    return svc.create_patient(session, actor, {"first_name": first, "last_name": last, **extra})


def test_search_patients_ignores_case_and_accents(session, actor):
    _new(session, actor, "María", "Núñez", external_id="PMS-77", date_of_birth="1948-03-02")
    _new(session, actor, "Ann", "Smith")
    _new(session, actor)
    assert [p.last_name for p in svc.search_patients(session, actor, "nunez").items] == ["Núñez"]
    assert [p.last_name for p in svc.search_patients(session, actor, "MARIA nú").items] == ["Núñez"]
    assert [p.last_name for p in svc.search_patients(session, actor, "LUKAS zoe").items] == [
        "Łukasiewicz"
    ]
    assert [p.last_name for p in svc.search_patients(session, actor, "pms-77").items] == ["Núñez"]
    assert [p.last_name for p in svc.search_patients(session, actor, "1948-03-02").items] == [
        "Núñez"
    ]
    assert [p.last_name for p in svc.search_patients(session, actor, "02/03/1948").items] == [
        "Núñez"
    ]
    assert svc.search_patients(session, actor, "50%").total == 0


def test_search_patients_counts_every_match_beyond_the_first_page(session, actor):
    """The total when the first page is full: counted for a term the trigram index can look up
    ("kwam") and for one too short for it ("wa"), without archived or erased patients."""
    for number in range(7):
        _new(session, actor, "Kwame", f"Asante{number}")
    svc.archive_patient(session, actor, _new(session, actor, "Kwame", "Boateng").id)
    erased = _new(session, actor, "Kwame", "Mensah")
    erased.is_archived, erased.erased_at = True, dt.datetime(2026, 11, 30, 9, 0)
    session.flush()
    for q in ("kwam", "wa"):
        first = svc.search_patients(session, actor, q, per_page=2)
        assert [p.last_name for p in first.items] == ["Asante0", "Asante1"]
        assert (first.total, first.pages) == (7, 4)
        archived = svc.search_patients(session, actor, q, archived=True, per_page=1)
        assert ([p.last_name for p in archived.items], archived.total) == (["Boateng"], 1)


def test_search_patients_pages_in_name_order(session, actor):
    for last in ["Young", "Adams", "Ölund", "Baker", "Carter"]:
        _new(session, actor, "Pat", last)
    first = svc.search_patients(session, actor, "", per_page=2)
    assert [p.last_name for p in first.items] == ["Adams", "Baker"]
    assert (first.total, first.pages, first.has_next, first.has_prev) == (5, 3, True, False)
    third = svc.search_patients(session, actor, "", page=3, per_page=2)
    assert [p.last_name for p in third.items] == ["Young"]
    second = svc.search_patients(session, actor, "", page=2, per_page=2)
    assert [p.last_name for p in second.items] == ["Carter", "Ölund"]


def test_a_searched_term_pages_in_name_order_with_its_total_on_every_page(session, actor):
    """A term the index looks up ("pat") reads its page and total in one statement; the pages
    go on in name order, and a page past the end still says how many there are."""
    for last in ["Young", "Adams", "Ölund", "Baker", "Carter"]:
        _new(session, actor, "Patience", last)
    _new(session, actor, "Kwame", "Zulu")
    pages = [svc.search_patients(session, actor, "pat", page=n, per_page=2) for n in (1, 2, 3, 4)]
    assert [[p.last_name for p in page.items] for page in pages] == [
        ["Adams", "Baker"],
        ["Carter", "Ölund"],
        ["Young"],
        [],
    ]
    assert [(page.total, page.pages) for page in pages] == [(5, 3)] * 4


def test_create_patient_checks_fields(session, actor):
    with pytest.raises(ValidationError) as caught:
        svc.create_patient(
            session,
            actor,
            {
                "first_name": " ",
                "last_name": "X" * 101,
                "email": "nope",
                "date_of_birth": "2999-01-01",
            },
        )
    assert set(caught.value.fields) == {"first_name", "last_name", "email", "date_of_birth"}


def test_create_patient_external_id_is_unique_per_clinic(session, actor):
    first = _new(session, actor, external_id="PMS-1")
    with pytest.raises(Conflict) as caught:
        _new(session, actor, "Other", "Person", external_id="PMS-1")
    assert caught.value.existing_id == first.id
    _other_clinic, other_user = clinic_and_user(session, "Hillside")
    assert _new(session, actor_for(other_user), external_id="PMS-1").id != first.id


def _race_for_external_id(db_url, actor, second_request) -> dict:
    """Two requests for the same external id at the same moment, on two connections: the first
    has inserted "PMS-RACE" but not committed when the second (in a thread) checks and inserts;
    the first commits while the second waits on the database. Returns what the second raised."""
    outcome: dict = {}
    with session_factory(db_url)() as first:
        taken = _new(first, actor, "First", "Request", external_id="PMS-RACE")

        def second():
            with session_factory(db_url)() as other:
                try:
                    second_request(other)
                    other.commit()
                except Exception as error:  # noqa: BLE001 - the test inspects what was raised
                    outcome["error"] = error
                    other.rollback()

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second request's check has run; its insert waits on ours
        first.commit()
        outcome["taken_id"] = taken.id
        thread.join(timeout=30)
    return outcome


def test_create_patient_racing_for_an_external_id_gets_a_conflict_naming_the_winner(
    session, actor, db_url
):
    session.commit()
    outcome = _race_for_external_id(
        db_url, actor, lambda other: _new(other, actor, "Second", "Request", external_id="PMS-RACE")
    )
    assert isinstance(outcome.get("error"), Conflict), outcome
    assert outcome["error"].existing_id == outcome["taken_id"]
    assert session.scalars(select(Patient.first_name)).all() == ["First"]


def test_update_patient_racing_for_an_external_id_gets_a_conflict_naming_the_winner(
    session, actor, db_url
):
    moving = _new(session, actor, "Second", "Request", external_id="PMS-OLD")
    session.commit()
    outcome = _race_for_external_id(
        db_url,
        actor,
        lambda other: svc.update_patient(other, actor, moving.id, {"external_id": "PMS-RACE"}),
    )
    assert isinstance(outcome.get("error"), Conflict), outcome
    assert outcome["error"].existing_id == outcome["taken_id"]
    session.expire_all()
    assert session.get(Patient, moving.id).external_id == "PMS-OLD"


def test_patients_of_another_clinic_are_not_found(session, actor):
    patient = _new(session, actor, external_id="PMS-9")
    _other_clinic, other_user = clinic_and_user(session, "Hillside")
    other = actor_for(other_user)
    with pytest.raises(NotFound):
        svc.get_patient(session, other, patient.id)
    with pytest.raises(NotFound):
        svc.update_patient(session, other, patient.id, {"first_name": "Hacked"})
    with pytest.raises(NotFound):
        svc.archive_patient(session, other, patient.id)
    assert svc.find_patient_by_external_id(session, other, "PMS-9") is None
    assert svc.search_patients(session, other, "").total == 0
    assert svc.find_patient_by_external_id(session, actor, "PMS-9").id == patient.id


def test_update_patient_changes_only_given_fields_and_search_text(session, actor):
    patient = _new(session, actor, email="zoe@example.net", date_of_birth=dt.date(1950, 5, 1))
    svc.update_patient(session, actor, patient.id, {"last_name": "Nowak"})
    assert patient.email == "zoe@example.net"
    assert patient.date_of_birth == dt.date(1950, 5, 1)
    assert svc.search_patients(session, actor, "nowak").total == 1
    assert svc.search_patients(session, actor, "lukasiewicz").total == 0


def test_archive_hides_and_restore_brings_back(session, actor):
    patient = _new(session, actor)
    svc.archive_patient(session, actor, patient.id)
    assert svc.search_patients(session, actor, "zoe").total == 0
    assert [p.id for p in svc.search_patients(session, actor, "zoe", archived=True).items] == [
        patient.id
    ]
    assert svc.get_patient(session, actor, patient.id).is_archived
    svc.restore_patient(session, actor, patient.id)
    assert svc.search_patients(session, actor, "zoe").total == 1


def test_patient_changes_are_audited_with_who_and_where(session, actor):
    patient = _new(session, actor)
    svc.update_patient(session, actor, patient.id, {"phone": "091 555 0100"})
    svc.archive_patient(session, actor, patient.id)
    svc.restore_patient(session, actor, patient.id)
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == [
        "patient.create",
        "patient.update",
        "patient.archive",
        "patient.restore",
    ]
    assert {(e.user_id, e.patient_id, e.remote_addr) for e in events} == {
        (actor.user_id, patient.id, "203.0.113.9")
    }
    assert events[1].detail == {"fields": ["phone"]}
