"""Issuing from the builder, the handout page, download, print view; audited and scoped."""

import datetime as dt
import re

from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, Handout
from hepbuilder.services import handouts
from tests.builders import (
    make_patient,
    make_program,
    make_user,
    see_committed,
    seeded_clinic,
    sign_in,
)
from tests.pdf_pages import pdf_text
from tests.web.test_programs_pages import builder_form, reload


def world(client, session):
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, name="Sam Rivera", credentials="DPT")
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    sign_in(client, user)
    return user, patient, program


def test_issue_saves_freezes_and_opens_the_handout(client, session):
    user, patient, program = world(client, session)
    form = builder_form(program, **{"items-1-sets": "4", "items-1-reps": "12", "action": "issue"})
    response = client.post(f"/programs/{program.id}", data=form)
    handout = session.scalar(select(Handout))
    assert response.status_code == 302 and response.location == f"/handouts/{handout.id}"
    assert (handout.number, handout.issued_by_id) == (1, user.id)
    page = client.get(response.location)
    assert "Handout 1" in page.text and "4 sets of 12" in page.text
    assert reload(session, program.id).version == 2
    download = client.get(f"/handouts/{handout.id}/download")
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="handout-{handout.issued_on.isoformat()}-1.pdf"'
    )
    text = pdf_text(download.data)
    assert "Zoë Łukasiewicz" in text and "4 sets of 12" in text


def test_second_issue_marks_changes_against_the_first(client, session):
    _user, _patient, program = world(client, session)
    client.post(f"/programs/{program.id}", data=builder_form(program, action="issue"))
    program = reload(session, program.id)
    form = builder_form(program, **{"items-1-sets": "5", "action": "remove-0"})
    client.post(f"/programs/{program.id}", data=form)
    program = reload(session, program.id)
    client.post(
        f"/programs/{program.id}", data=builder_form(program, action="add-figure-4-stretch")
    )
    program = reload(session, program.id)
    response = client.post(f"/programs/{program.id}", data=builder_form(program, action="issue"))
    see_committed(session)
    second = session.scalar(select(Handout).where(Handout.number == 2))
    spec = handouts.handout_spec(second)
    changes = {item["exercise"]["slug"]: item.get("change") for item in spec["items"]}
    assert changes["monster-walk"] == "dose-changed" and changes["figure-4-stretch"] == "new"
    assert spec["stopped"] == ["Foam roller for the outer hip"]
    page = client.get(response.location)
    assert (
        "Dose changed" in page.text
        and "New" in page.text
        and "Stopped since the last handout" in page.text
    )


def test_issue_with_no_items_says_so(client, session):
    _user, patient, _program = world(client, session)
    empty = make_program(session, patient)
    session.commit()
    response = client.post(f"/programs/{empty.id}", data=builder_form(empty, action="issue"))
    assert response.status_code == 422
    assert "Add at least one exercise before issuing." in response.text
    assert session.scalar(select(Handout)) is None


def test_issue_with_a_review_date_that_has_passed_says_so_beside_the_date(client, session):
    _user, _patient, program = world(client, session)
    passed = dt.date.today() - dt.timedelta(days=11)
    form = builder_form(program, action="issue")
    form["review_on"] = passed.isoformat()
    response = client.post(f"/programs/{program.id}", data=form)
    assert response.status_code == 422
    # the error is the date field's own (its id, which the field's aria-describedby names),
    # and what was typed is kept
    words = f"The review date, {passed.day} {passed:%B} {passed.year}, has passed"
    assert f'<p class="field__error" id="review_on-error">{words}' in response.text
    assert re.search(
        r'<input[^>]*aria-describedby="review_on-error"[^>]*value="' + passed.isoformat(),
        response.text,
    )
    assert session.scalar(select(Handout)) is None


def test_view_download_and_print_are_audited(client, session):
    user, patient, program = world(client, session)
    client.post(f"/programs/{program.id}", data=builder_form(program, action="issue"))
    handout = session.scalar(select(Handout))
    view = client.get(f"/handouts/{handout.id}/pdf")
    assert view.headers["Content-Disposition"].startswith("inline")
    client.get(f"/handouts/{handout.id}/download")
    printing = client.get(f"/handouts/{handout.id}/print")
    assert f'src="/handouts/{handout.id}/pdf"' in printing.text and "print-frame" in printing.text
    see_committed(session)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.handout_id == handout.id).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.detail.get("shown")) for e in events] == [
        ("handout.issue", None),
        ("handout.view", None),
        ("handout.download", None),
        ("handout.view", "print"),
    ]
    client.get(f"/handouts/{handout.id}")
    see_committed(session)
    page_view = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (page_view.action, page_view.detail) == ("handout.view", {"shown": "page"})
    assert {(e.user_id, e.patient_id, e.remote_addr) for e in events} == {
        (user.id, patient.id, "127.0.0.1")
    }
    assert "Handout" in client.get(f"/patients/{patient.id}").text


def test_another_clinics_handout_is_not_found(client, session):
    world(client, session)
    other_clinic = seeded_clinic(session)
    other_user = make_user(session, other_clinic)
    other_patient = make_patient(session, other_clinic)
    other_program = make_program(session, other_patient, protocol="unstable-hips-trendelenburg")
    from hepbuilder.services import handouts
    from hepbuilder.services.actor import Actor

    handouts.issue_handout(
        session, Actor(clinic_id=other_clinic.id, user_id=other_user.id), other_program.id
    )
    session.commit()
    other = session.scalar(select(Handout).where(Handout.clinic_id == other_clinic.id))
    for path in ("", "/pdf", "/download", "/print"):
        assert client.get(f"/handouts/{other.id}{path}").status_code == 404
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "handout.download")) is None
