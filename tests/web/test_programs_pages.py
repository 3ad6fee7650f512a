"""The program builder through the test client: start, edit doses, reorder, add, conflicts, preview."""

import re

from sqlalchemy import select

from hepbuilder.db.models import Program
from hepbuilder.services import programs
from hepbuilder.services.actor import Actor
from tests.builders import (
    make_clinic,
    make_patient,
    make_program,
    make_user,
    see_committed,
    seeded_clinic,
    sign_in,
)
from tests.pages import field_error


def builder_form(program, **changes) -> dict:
    """What the builder page posts for `program` as saved, with `changes` on top."""
    data = programs.program_to_data(program)
    form = {
        "version": str(data["version"]),
        "title": data["title"],
        "notes": data["notes"],
        "review_on": data["review_on"] or "",
        "paper": data["paper"],
    }
    if data["large_print"]:
        form["large_print"] = "y"
    for index, item in enumerate(data["items"]):
        for key, value in item.items():
            form[f"items-{index}-{key}"] = "" if value is None else str(value)
    form.update(changes)
    return form


def world(client, session, **patient):
    clinic = seeded_clinic(session)
    user = make_user(session, clinic, name="Sam Rivera", credentials="DPT")
    patient = make_patient(
        session, clinic, **({"first_name": "Zoë", "last_name": "Łukasiewicz"} | patient)
    )
    session.commit()
    sign_in(client, user)
    return clinic, user, patient


def reload(session, program_id):
    see_committed(session)
    return programs.get_program(
        session, Actor(clinic_id=session.get(Program, program_id).clinic_id), program_id
    )


def test_start_from_protocol_opens_the_builder_with_its_items(client, session):
    _clinic, _user, patient = world(client, session)
    response = client.post(
        f"/patients/{patient.id}/programs",
        data={"start": "protocol", "protocol": "unstable-hips-trendelenburg"},
    )
    program = session.scalar(select(Program))
    assert response.status_code == 302 and response.location == f"/programs/{program.id}"
    page = client.get(response.location)
    assert page.status_code == 200
    for name in ("Monster walk", "Step-up", "Unstable hips / Trendelenburg gait"):
        assert name.lower() in page.text.lower()
    assert 'name="version" type="hidden" value="1"' in page.text or 'value="1"' in page.text


def test_start_blank_and_as_copy(client, session):
    _clinic, _user, patient = world(client, session)
    first = make_program(session, patient, title="Week 1", items=[{"exercise": "step-up"}])
    session.commit()
    client.post(f"/patients/{patient.id}/programs", data={"start": "blank"})
    client.post(
        f"/patients/{patient.id}/programs", data={"start": "copy", "copy_of": str(first.id)}
    )
    titles = sorted(p.title for p in session.scalars(select(Program)))
    assert titles == ["", "Week 1", "Week 1"]


def test_bad_doses_come_back_with_input_kept_and_a_message_beside_each(client, session):
    _clinic, _user, patient = world(client, session)
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    bad = builder_form(
        program,
        **{
            "items-0-sets": "21",
            "items-1-reps": "abc",
            "items-2-hold_seconds": "601",
            "items-3-times_per_day": "0",
            "items-3-days_per_week": "8",
            "action": "save",
        },
    )
    response = client.post(f"/programs/{program.id}", data=bad)
    assert response.status_code == 422
    assert 'value="21"' in response.text and 'value="abc"' in response.text
    assert field_error(response.text, "items-0-sets") == "Use 1 to 20."
    assert field_error(response.text, "items-1-reps") == "Use a whole number from 1 to 100."
    assert field_error(response.text, "items-2-hold_seconds") == "Use 1 to 600 seconds."
    assert field_error(response.text, "items-3-times_per_day") == "Use 1 to 10."
    assert field_error(response.text, "items-3-days_per_week") == "Use 1 to 7."
    assert reload(session, program.id).version == 1  # nothing saved


def test_save_changes_dose_and_shows_it_in_words(client, session):
    _clinic, _user, patient = world(client, session)
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    form = builder_form(
        program,
        **{
            "items-1-sets": "4",
            "items-1-reps": "12",
            "items-1-side": "each",
            "items-1-times_per_day": "2",
            "action": "save",
        },
    )
    response = client.post(f"/programs/{program.id}", data=form)
    assert response.status_code == 302
    page = client.get(response.location)
    assert "4 sets of 12" in page.text and "twice a day" in page.text
    saved = reload(session, program.id)
    assert (saved.version, saved.items[1].sets, saved.items[1].reps) == (2, 4, 12)


def test_move_up_remove_and_add_buttons_work_without_javascript(client, session):
    _clinic, _user, patient = world(client, session)
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    slugs = lambda: [i.exercise.slug for i in reload(session, program.id).items]  # noqa: E731
    response = client.post(f"/programs/{program.id}", data=builder_form(program, action="up-2"))
    assert response.status_code == 302 and response.location.endswith("#item-1")
    assert slugs() == ["foam-roller-lateral-hip", "banded-lunge", "monster-walk", "step-up"]
    program = reload(session, program.id)
    client.post(f"/programs/{program.id}", data=builder_form(program, action="remove-0"))
    program = reload(session, program.id)
    client.post(
        f"/programs/{program.id}", data=builder_form(program, action="add-figure-4-stretch")
    )
    program = reload(session, program.id)
    assert [i.exercise.slug for i in program.items] == [
        "banded-lunge",
        "monster-walk",
        "step-up",
        "figure-4-stretch",
    ]
    added = program.items[-1]
    assert (added.sets, added.hold_seconds, added.side) == (
        1,
        60,
        "each",
    )  # the exercise's defaults


def test_a_move_keeps_unsaved_invalid_input(client, session):
    _clinic, _user, patient = world(client, session)
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    response = client.post(
        f"/programs/{program.id}",
        data=builder_form(program, **{"items-2-sets": "99", "action": "up-2"}),
    )
    assert response.status_code == 422
    assert field_error(response.text, "items-1-sets") == "Use 1 to 20."  # moved with its row
    assert 'id="items-1-sets"' in response.text and 'value="99"' in response.text


def test_stale_version_shows_conflict_and_what_is_saved_now(client, session):
    _clinic, _user, patient = world(client, session)
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    opened = builder_form(program)
    client.post(f"/programs/{program.id}", data={**opened, "title": "Theirs", "action": "save"})
    mine = {**opened, "title": "Mine", "items-0-sets": "3", "action": "save"}
    response = client.post(f"/programs/{program.id}", data=mine)
    assert response.status_code == 409
    assert "Someone else saved this program" in response.text
    assert "Theirs" in response.text and 'value="Mine"' in response.text
    assert reload(session, program.id).title == "Theirs"
    assert re.search(
        r'name="version" type="hidden" value="2"|type="hidden" value="2"', response.text
    )
    again = client.post(f"/programs/{program.id}", data={**mine, "version": "2"})
    assert again.status_code == 302 and reload(session, program.id).title == "Mine"


def test_long_program_warns(client, session):
    _clinic, _user, patient = world(client, session)
    program = make_program(session, patient, protocol="tight-hips-low-back-pain")
    session.commit()
    assert "consider 8 or fewer" not in client.get(f"/programs/{program.id}").text
    for slug in ("step-up", "monster-walk"):
        program = reload(session, program.id)
        client.post(f"/programs/{program.id}", data=builder_form(program, action=f"add-{slug}"))
    assert "This program has 9 exercises" in client.get(f"/programs/{program.id}").text


def test_picker_searches_the_library(client, session):
    _clinic, _user, patient = world(client, session)
    program = make_program(session, patient)
    session.commit()
    fragment = client.get(f"/programs/{program.id}/picker?q=figure")
    assert fragment.status_code == 200
    assert 'value="add-figure-4-stretch"' in fragment.text and "Monster walk" not in fragment.text
    page = client.get(f"/programs/{program.id}?q=monster")
    assert 'value="add-monster-walk"' in page.text
    everything = client.get(f"/programs/{program.id}/picker")
    assert everything.text.count('name="action" value="add-') == 12
    assert "more match" in everything.text


def test_dose_words_endpoint(client, session):
    world(client, session)
    assert client.get("/programs/dose-words?sets=3&reps=10&side=each").json == {
        "text": "3 sets of 10, each side"
    }
    assert client.get("/programs/dose-words?sets=30").json == {"text": ""}


def test_preview_is_an_inline_pdf_and_stores_nothing(client, session):
    _clinic, _user, patient = world(client, session)
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    response = client.get(f"/programs/{program.id}/preview")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.data.startswith(b"%PDF")
    assert (
        client.post(
            f"/programs/{program.id}", data=builder_form(program, action="preview")
        ).location
        == f"/programs/{program.id}?preview=1#preview"
    )


def test_preview_of_a_program_with_no_exercises_says_what_to_do_instead_of_a_broken_frame(
    client, session
):
    _clinic, _user, patient = world(client, session)
    empty = make_program(session, patient)
    session.commit()
    page = client.get(f"/programs/{empty.id}?preview=1").get_data(as_text=True)
    assert "Add at least one exercise to see a preview." in page
    assert "pdf-frame" not in page  # no frame showing the error page's broken icon
    refused = client.get(f"/programs/{empty.id}/preview")
    assert refused.status_code == 422
    assert "Add at least one exercise to see a preview." in refused.get_data(as_text=True)


def test_preview_warns_about_a_name_the_handout_cannot_print(client, session):
    _clinic, _user, patient = world(client, session, first_name="अनीता", last_name="Sharma")
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    page = client.get(f"/programs/{program.id}?preview=1").get_data(as_text=True)
    assert "The patient&#39;s name has &#34;अ&#34; (DEVANAGARI LETTER A)" in page
    assert "which cannot be printed" in page
    assert "cannot be printed" not in client.get(f"/programs/{program.id}").get_data(as_text=True)


def test_another_clinics_program_is_not_found(client, session):
    world(client, session)
    other_patient = make_patient(session, make_clinic(session))
    other = make_program(session, other_patient)
    session.commit()
    assert client.get(f"/programs/{other.id}").status_code == 404
    assert client.post(f"/programs/{other.id}", data={"version": "1"}).status_code == 404
    assert client.get(f"/programs/{other.id}/preview").status_code == 404
    assert (
        client.post(f"/patients/{other_patient.id}/programs", data={"start": "blank"}).status_code
        == 404
    )
