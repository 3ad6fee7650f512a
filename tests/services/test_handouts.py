"""Handout services: freeze a program into a numbered, immutable snapshot with changes marked."""

import base64
import datetime as dt
import hashlib
import io
import json

import pdfplumber
import pypdf
import pytest
from PIL import Image
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, Clinic, Handout
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.spec import parse_spec
from hepbuilder.pdf import render_handout
from hepbuilder.services import (
    exercise_photos,
    exercises,
    handout_lists,
    handouts,
    patients,
    programs,
)
from tests.builders import make_user
from tests.pdf_pages import pdf_text

from ._data import actor_for, clinic_and_user, library_rows


def fake_render(spec):
    return b"%PDF-fake " + json.dumps(spec.to_dict(), sort_keys=True).encode()


@pytest.fixture
def world(session, monkeypatch):
    monkeypatch.setattr(handouts, "render_pdf", fake_render)
    clinic, user = clinic_and_user(session, seeded=True)
    actor = actor_for(user)
    exercises = library_rows(session, clinic)
    patient = patients.create_patient(
        session, actor, {"first_name": "Zoë", "last_name": "Łukasiewicz"}
    )
    program = programs.create_program(
        session, actor, patient.id, protocol="unstable-hips-trendelenburg"
    )
    return actor, patient, program, exercises


def _save(session, actor, program, items):
    return programs.update_program(session, actor, program.id, program.version, {"items": items})


def test_issue_handout_stores_spec_pdf_and_hash(session, world):
    actor, patient, program, _ = world
    clinic = session.get(Clinic, actor.clinic_id)
    clinic.logo = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    handout = handouts.issue_handout(session, actor, program.id)
    spec = handouts.handout_spec(handout)
    assert spec["patient"] == {"name": "Zoë Łukasiewicz"}
    assert spec["therapist"] == {"name": "Sam Rivera", "credentials": "DPT"}
    assert spec["clinic"]["name"] == "Riverside Physio"
    assert spec["clinic"]["logo"].startswith("data:image/png;base64,")
    assert spec["items"][0]["exercise"]["slug"] == "foam-roller-lateral-hip"
    assert spec["items"][0]["exercise"]["steps"]  # inline, not a slug
    assert "change" not in spec["items"][0] and spec["stopped"] == []
    assert parse_spec(spec).patient_name == "Zoë Łukasiewicz"  # valid snapshot, no library needed
    pdf = session.scalar(select(Handout.pdf).where(Handout.id == handout.id))
    assert handout.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert (handout.number, handout.title) == (1, "Unstable hips / Trendelenburg gait")
    assert handouts.suggested_filename(handout) == f"handout-{handout.issued_on.isoformat()}-1.pdf"


def test_issue_handout_marks_new_changed_and_stopped(session, world):
    actor, patient, program, _ = world
    handouts.issue_handout(session, actor, program.id)
    data = programs.program_to_data(program)["items"]
    data[1]["sets"] = 5  # monster walk dose changed
    data.pop(0)  # foam roller stopped
    data.append({"exercise": "figure-4-stretch"})  # new
    _save(session, actor, program, data)
    second = handouts.issue_handout(session, actor, program.id)
    spec = handouts.handout_spec(second)
    changes = {item["exercise"]["slug"]: item.get("change") for item in spec["items"]}
    assert changes == {
        "monster-walk": "dose-changed",
        "banded-lunge": None,
        "step-up": None,
        "figure-4-stretch": "new",
    }
    assert spec["stopped"] == ["Foam roller for the outer hip"]
    assert second.number == 2


def test_issued_handout_never_changes_when_the_library_or_program_does(session, world):
    actor, patient, program, exercises = world
    handout = handouts.issue_handout(session, actor, program.id)
    before = (handout.snapshot_json, handouts.handout_spec(handout), handout.pdf_sha256)
    exercises["monster-walk"].name = "Renamed walk"
    exercises["monster-walk"].steps = ["Different"]
    _save(session, actor, program, [{"exercise": "step-up"}])
    session.flush()
    session.expire_all()
    again = session.get(Handout, handout.id)
    assert (again.snapshot_json, handouts.handout_spec(again), again.pdf_sha256) == before
    assert "Renamed walk" not in json.dumps(handouts.handout_spec(again))


def test_issue_handout_needs_an_item_and_a_current_version(session, world):
    actor, patient, program, _ = world
    empty = programs.create_program(session, actor, patient.id)
    with pytest.raises(ValidationError) as caught:
        handouts.issue_handout(session, actor, empty.id)
    assert "items" in caught.value.fields
    with pytest.raises(Conflict) as conflict:
        handouts.issue_handout(session, actor, program.id, expected_version=program.version + 1)
    assert conflict.value.current_version == program.version
    with pytest.raises(ValidationError) as bad_version:
        handouts.issue_handout(session, actor, program.id, expected_version="seven")
    assert "version" in bad_version.value.fields


def test_issue_handout_refuses_a_review_date_that_has_passed(session, world):
    # The handout would tell the patient to bring the diary to a review that is over.
    actor, _patient, program, _ = world
    today = dt.date.today()
    for passed in (today - dt.timedelta(days=1), today - dt.timedelta(days=400)):
        program = programs.update_program(
            session, actor, program.id, program.version, {"review_on": passed}
        )
        with pytest.raises(ValidationError) as caught:
            handouts.issue_handout(session, actor, program.id)
        assert caught.value.fields["review_on"] == (
            f"The review date, {passed.day} {passed:%B} {passed.year}, has passed: set a later "
            "one, or clear it, before issuing."
        )
    assert session.scalar(select(Handout)) is None
    for fine in (today, None):  # a review today, or none, is issued
        program = programs.update_program(
            session, actor, program.id, program.version, {"review_on": fine}
        )
        assert handouts.issue_handout(session, actor, program.id).number >= 1


def test_issue_problems_names_every_field_at_once(session, world):
    actor, patient, _program, _ = world
    empty = programs.create_program(
        session, actor, patient.id, {"review_on": dt.date(2026, 11, 20)}
    )
    assert set(handouts.issue_problems(empty, today=dt.date(2026, 12, 1))) == {
        "items",
        "review_on",
    }
    assert handouts.issue_problems(empty, today=dt.date(2026, 11, 20)).keys() == {"items"}


def test_issue_handout_retries_a_taken_number(session, world, monkeypatch):
    actor, patient, program, _ = world
    handouts.issue_handout(session, actor, program.id)
    answers = iter([1, 2])  # as if another request took number 1 between our read and write
    monkeypatch.setattr(handouts, "_next_number", lambda _session, _patient_id: next(answers))
    second = handouts.issue_handout(session, actor, program.id)
    assert second.number == 2
    assert sorted(h.number for h in handout_lists.list_handouts(session, actor, patient.id)) == [
        1,
        2,
    ]


def test_handout_reads_are_audited_and_scoped(session, world):
    actor, patient, program, _ = world
    handout = handouts.issue_handout(session, actor, program.id)
    found, pdf = handouts.get_handout_pdf(session, actor, handout.id)
    assert found.id == handout.id and pdf.startswith(b"%PDF")
    handouts.get_handout_pdf(session, actor, handout.id, purpose="view")
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.handout_id == handout.id).order_by(AuditEvent.id)
    ).all()
    assert actions == ["handout.issue", "handout.download", "handout.view"]
    _clinic, other_user = clinic_and_user(session, "Hillside")
    other = actor_for(other_user)
    with pytest.raises(NotFound):
        handouts.get_handout_pdf(session, other, handout.id)
    with pytest.raises(NotFound):
        handouts.issue_handout(session, other, program.id)
    with pytest.raises(NotFound):
        handout_lists.list_handouts(session, other, patient.id)


def test_issue_handout_renders_a_real_pdf(session, world, monkeypatch):
    monkeypatch.undo()
    actor, patient, program, _ = world
    data = programs.program_to_data(program)["items"]
    data[1]["sets"] = 4
    data[1]["reps"] = 12
    _save(session, actor, program, data)
    handout = handouts.issue_handout(session, actor, program.id)
    _found, pdf = handouts.get_handout_pdf(session, actor, handout.id)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Zoë Łukasiewicz" in text
    assert "4 sets of 12" in text


def test_two_handouts_issued_at_once_get_different_numbers(session, world, db_url):
    import threading

    from hepbuilder.db.session import session_factory

    actor, patient, program, _ = world
    session.commit()
    barrier = threading.Barrier(2)
    numbers, errors = [], []

    def issue():
        with session_factory(db_url)() as own:
            try:
                barrier.wait(timeout=10)
                numbers.append(handouts.issue_handout(own, actor, program.id).number)
                own.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(numbers) == [1, 2]


def test_issue_handout_says_what_a_changed_dose_was(session, world):
    actor, patient, program, _ = world
    items = [{"exercise": "figure-4-stretch", "sets": 2, "hold_seconds": 30, "side": "each"}]
    _save(session, actor, program, items)
    handouts.issue_handout(session, actor, program.id)
    items[0].update(sets=3, hold_seconds=45)
    _save(session, actor, program, items)
    spec = handouts.handout_spec(handouts.issue_handout(session, actor, program.id))
    assert spec["items"][0]["change"] == "dose-changed"
    assert spec["items"][0]["was"] == {"sets": 2, "hold_seconds": 30, "side": "each"}
    pdf = render_handout(parse_spec(spec))
    text = pdf_text(pdf)
    assert "Dose changed: was 2 sets, hold 30 seconds; now 3 sets, hold 45 seconds." in text


def test_issue_handout_compares_with_the_same_programs_last_handout(session, world):
    actor, patient, program, _ = world
    handouts.issue_handout(session, actor, program.id)
    other = programs.create_program(session, actor, patient.id)
    _save(session, actor, other, [{"exercise": "couch-stretch"}])
    first_of_other = handouts.handout_spec(handouts.issue_handout(session, actor, other.id))
    # the patient's other program is not "the last handout": nothing new, nothing stopped
    assert first_of_other["stopped"] == []
    assert "change" not in first_of_other["items"][0]
    again = handouts.handout_spec(handouts.issue_handout(session, actor, program.id))
    assert again["stopped"] == [] and all("change" not in item for item in again["items"])


def test_issue_handout_compares_an_exercise_that_appears_twice_item_by_item(session, world):
    actor, patient, program, _ = world
    twice = [
        {"exercise": "step-up", "sets": 1, "reps": 10, "hold_seconds": 2, "side": "left"},
        {"exercise": "step-up", "sets": 1, "reps": 10, "hold_seconds": 2, "side": "right"},
    ]
    _save(session, actor, program, twice)
    handouts.issue_handout(session, actor, program.id)
    twice[1]["reps"] = 15
    _save(session, actor, program, twice + [{"exercise": "step-up", "side": "each"}])
    spec = handouts.handout_spec(handouts.issue_handout(session, actor, program.id))
    assert [item.get("change") for item in spec["items"]] == [None, "dose-changed", "new"]
    assert spec["items"][1]["was"]["reps"] == 10
    # the third step-up gave no amounts: it takes the exercise's default dose
    assert (spec["items"][2]["sets"], spec["items"][2]["reps"]) == (1, 10)


def test_issue_handout_prints_the_exercises_photos_and_freezes_them_in_the_snapshot(session):
    clinic, user = clinic_and_user(session, seeded=True)
    admin = actor_for(make_user(session, clinic, role="admin"))
    for shade in (40, 200):
        upload = io.BytesIO()
        Image.linear_gradient("L").resize((1000, 750)).point(lambda v, s=shade: (v + s) % 256).save(
            upload, "PNG"
        )
        exercise_photos.add_photo(session, admin, "step-up", upload.getvalue())
    actor = actor_for(user)
    patient = patients.create_patient(session, actor, {"first_name": "Pat", "last_name": "Lee"})
    program = programs.create_program(session, actor, patient.id)
    _save(session, actor, program, [{"exercise": "step-up", "sets": 2, "reps": 8}])
    handout = handouts.issue_handout(session, actor, program.id)
    spec = handouts.handout_spec(handout)
    photos = spec["items"][0]["exercise"]["photos"]
    assert [photo["label"] for photo in photos] == ["Start", "Finish"]
    for photo in photos:  # sized for print when frozen, as JPEG
        assert photo["data"].startswith("data:image/jpeg;base64,")
        with Image.open(io.BytesIO(base64.b64decode(photo["data"].split(",", 1)[1]))) as image:
            assert image.format == "JPEG" and image.size == (800, 600)
    pdf = session.scalar(select(Handout.pdf).where(Handout.id == handout.id))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        images = [image for page in document.pages for image in page.images]
    assert [image["srcsize"] for image in images] == [(800, 600), (800, 600)]
    assert render_handout(parse_spec(spec)) == pdf  # the stored snapshot alone gives the same bytes


def test_issue_handout_reads_each_exercise_as_to_domain_gives_it(session, world):
    actor, _patient, _program, rows = world
    other, _user = clinic_and_user(session, "Harbour Physio", seeded=True)
    theirs = library_rows(session, other)["step-up"]
    found = exercises.exercises_by_id(
        session, actor.clinic_id, [row.id for row in rows.values()] + [theirs.id]
    )
    assert theirs.id not in found  # another clinic's exercise is not found
    assert found == {row.id: exercises.to_domain(row) for row in rows.values()}
    assert exercises.exercises_by_id(session, actor.clinic_id, []) == {}


def test_issue_handout_prints_an_edited_exercise_as_edited(session, world):
    actor, _patient, program, rows = world
    first = handouts.handout_spec(handouts.issue_handout(session, actor, program.id))
    walk = rows["monster-walk"]
    walk.name = "Banded side walk"
    walk.steps = ["Put the band round both ankles.", "Step sideways, ten steps each way."]
    walk.equipment_rows[0].equipment = "ankle-band"
    session.flush()
    second = handouts.handout_spec(handouts.issue_handout(session, actor, program.id))
    printed = {item["exercise"]["slug"]: item["exercise"] for item in second["items"]}
    assert printed["monster-walk"]["name"] == "Banded side walk"
    assert printed["monster-walk"]["steps"] == walk.steps
    assert printed["monster-walk"]["equipment"][0] == "ankle-band"
    assert printed["monster-walk"] == exercises.to_domain(walk).to_dict()
    before = {item["exercise"]["slug"]: item["exercise"] for item in first["items"]}
    assert before["monster-walk"]["name"] != "Banded side walk"  # the first handout is frozen
