"""Protocols on the web: admins create, edit, reorder, archive and approve them; a therapist saves
a program as a protocol that waits for approval, and stars the protocols they use."""

from sqlalchemy import select

from hepbuilder.db.models import Protocol
from hepbuilder.services import programs
from hepbuilder.services.actor import Actor
from tests.builders import make_patient, make_program, make_user, see_committed, sign_in


def signed_in_as(client, session, clinic, role):
    user = make_user(session, clinic, role=role)
    session.commit()
    sign_in(client, user)
    return user


def protocol(session, clinic, slug):
    see_committed(session)
    return session.scalar(
        select(Protocol).where(Protocol.clinic_id == clinic.id, Protocol.slug == slug)
    )


NEW = {
    "name": "Glute medius basics",
    "description": "Side of the hip.",
    "items-0-exercise": "monster-walk",
    "items-0-sets": "3",
    "items-0-reps": "10",
    "items-0-side": "none",
    "items-1-exercise": "step-up",
    "items-1-side": "none",
    "action": "save",
}


def test_admin_creates_a_protocol_with_doses_and_defaults(client, session, clinic):
    signed_in_as(client, session, clinic, "admin")
    response = client.post("/admin/library/protocols/new", data=NEW)
    assert response.status_code == 302
    row = protocol(session, clinic, "glute-medius-basics")
    assert [item["exercise"] for item in row.items] == ["monster-walk", "step-up"]
    assert row.items[0]["dose"]["sets"] == 3 and row.items[1]["dose"] is None
    assert not row.is_pending


def test_protocol_conditions_and_progression_are_saved_and_shown_to_therapists(
    client, session, clinic
):
    signed_in_as(client, session, clinic, "admin")
    data = {
        **NEW,
        "conditions": "Hip instability, gluteal tendinopathy",
        "progression": "Add a set when 3 x 10 is easy <b>not bold</b>.",
    }
    assert client.post("/admin/library/protocols/new", data=data).status_code == 302
    row = protocol(session, clinic, "glute-medius-basics")
    assert row.conditions == ["hip-instability", "gluteal-tendinopathy"]
    assert row.progression == "Add a set when 3 x 10 is easy <b>not bold</b>."
    edit_page = client.get("/admin/library/protocols/glute-medius-basics").get_data(as_text=True)
    assert 'value="hip instability, gluteal tendinopathy"' in edit_page
    signed_in_as(client, session, clinic, "therapist")
    page = client.get("/protocols").get_data(as_text=True)
    assert "For: Hip instability, Gluteal tendinopathy" in page
    assert "Add a set when 3 x 10 is easy &lt;b&gt;not bold&lt;/b&gt;." in page
    assert "For: Hip instability, Trendelenburg gait" in page  # the bundled protocol's


def test_admin_reorders_adds_and_removes_items_without_javascript(client, session, clinic):
    signed_in_as(client, session, clinic, "admin")
    page = client.post("/admin/library/protocols/new", data={**NEW, "action": "down-0"})
    html = page.get_data(as_text=True)
    assert html.index('value="step-up"') < html.index('value="monster-walk"')
    page = client.post(
        "/admin/library/protocols/new",
        data={**NEW, "action": "add", "add_exercise": "pigeon-stretch"},
    )
    assert 'name="items-2-exercise" type="hidden" value="pigeon-stretch"' in page.get_data(
        as_text=True
    )
    page = client.post("/admin/library/protocols/new", data={**NEW, "action": "remove-0"})
    assert 'value="monster-walk"' not in page.get_data(as_text=True).split("add_exercise")[0]
    assert protocol(session, clinic, "glute-medius-basics") is None  # nothing saved yet


def test_admin_edits_and_archives_a_protocol(client, session, clinic):
    signed_in_as(client, session, clinic, "admin")
    slug = "unstable-hips-trendelenburg"
    data = {
        "name": "Unstable hips",
        "description": "",
        "items-0-exercise": "step-up",
        "items-0-side": "none",
        "action": "save",
    }
    assert client.post(f"/admin/library/protocols/{slug}", data=data).status_code == 302
    see_committed(session)
    row = protocol(session, clinic, slug)
    assert row.name == "Unstable hips" and row.is_customized
    client.post(f"/admin/library/protocols/{slug}/archive")
    see_committed(session)
    actor = Actor(clinic_id=clinic.id)
    assert slug not in [p.slug for p in programs.list_protocols(session, actor)]
    client.post(f"/admin/library/protocols/{slug}/restore")
    see_committed(session)
    assert slug in [p.slug for p in programs.list_protocols(session, actor)]


def test_protocol_with_an_unknown_exercise_is_refused(client, session, clinic):
    signed_in_as(client, session, clinic, "admin")
    response = client.post(
        "/admin/library/protocols/new", data={**NEW, "items-1-exercise": "no-such"}
    )
    assert response.status_code == 422
    assert "unknown exercise" in response.get_data(as_text=True)


def test_therapist_saves_a_program_as_a_pending_protocol_an_admin_approves(client, session, clinic):
    therapist = signed_in_as(client, session, clinic, "therapist")
    patient = make_patient(session, clinic)
    program = make_program(
        session,
        patient,
        created_by=therapist,
        items=[{"exercise": "step-up", "sets": 2, "reps": 8, "notes": "Low step"}],
    )
    session.commit()
    response = client.post(f"/programs/{program.id}/protocol", data={"name": "Knee-friendly start"})
    assert response.status_code == 302
    row = protocol(session, clinic, "knee-friendly-start")
    assert row.is_pending and row.created_by_id == therapist.id
    assert row.items == [
        {
            "exercise": "step-up",
            "dose": {
                "sets": 2,
                "reps": 8,
                "hold_seconds": None,
                "times_per_day": None,
                "days_per_week": None,
                "side": "none",
            },
            "notes": "Low step",
        }
    ]
    offered = [p.slug for p in programs.list_protocols(session, Actor(clinic_id=clinic.id))]
    assert "knee-friendly-start" not in offered
    start = client.post(
        f"/patients/{patient.id}/programs", data={"start": "protocol", "protocol": row.slug}
    )
    assert start.status_code == 404  # not offered until approved
    assert client.post(f"/admin/library/protocols/{row.slug}/approve").status_code == 403
    admin_client = client.application.test_client()
    admin = make_user(session, clinic, role="admin")
    session.commit()
    sign_in(admin_client, admin)
    assert "Waiting for approval" in admin_client.get("/admin/library/protocols").get_data(
        as_text=True
    )
    admin_client.post(f"/admin/library/protocols/{row.slug}/approve")
    offered = [p.slug for p in programs.list_protocols(session, Actor(clinic_id=clinic.id))]
    assert "knee-friendly-start" in offered


def test_starred_protocols_come_first_when_a_program_is_started(client, session, clinic):
    user = signed_in_as(client, session, clinic, "therapist")
    actor = Actor(clinic_id=clinic.id, user_id=user.id)
    last = programs.list_protocols(session, actor)[-1]
    client.post(f"/protocols/{last.slug}/star", data={"starred": "1"})
    see_committed(session)
    assert programs.list_protocols(session, actor)[0].slug == last.slug
    page = client.get("/protocols").get_data(as_text=True)
    assert "★ Starred" in page and 'href="/exercises/step-up"' in page


def test_admin_protocol_pages_refuse_therapists(client, session, clinic):
    signed_in_as(client, session, clinic, "therapist")
    assert client.get("/admin/library/protocols").status_code == 403
    assert client.post("/admin/library/protocols/new", data=NEW).status_code == 403
