"""The audit trail: every web read of patient data leaves an event; the page shows events in words
in the clinic's time zone, filters, pages and exports them; nothing changes or deletes them."""

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent
from tests.builders import make_user, patient_world, see_committed, sign_in


@pytest.fixture
def world(client, session):
    user, patient, program, handout = patient_world(session, role="admin")
    sign_in(client, user)
    return user, patient, program, handout


def events_for(session, patient_id):
    return [
        (event.action, event.detail.get("shown"))
        for event in session.scalars(
            select(AuditEvent).where(AuditEvent.patient_id == patient_id).order_by(AuditEvent.id)
        )
    ]


def test_every_web_read_of_patient_data_is_audited(client, session, world):
    _user, patient, program, handout = world
    reads = [
        (f"/patients?q={patient.last_name}", ("patient.list", None)),
        (f"/patients/{patient.id}", ("patient.view", None)),
        (f"/patients/{patient.id}/edit", ("patient.view", "edit")),
        (f"/programs/{program.id}", ("program.view", None)),
        (f"/programs/{program.id}/preview", ("program.preview", None)),
        (f"/handouts/{handout.id}", ("handout.view", "page")),
        (f"/handouts/{handout.id}/pdf", ("handout.view", None)),
        (f"/handouts/{handout.id}/download", ("handout.download", None)),
        (f"/handouts/{handout.id}/print", ("handout.view", "print")),
    ]
    for path, expected in reads:
        before = len(events_for(session, patient.id))
        assert client.get(path).status_code == 200, path
        see_committed(session)
        assert events_for(session, patient.id)[before:] == [expected], path


def test_the_audit_page_tells_events_in_words_in_the_clinics_time_zone(client, session, world):
    user, patient, _program, handout = world
    client.get(f"/handouts/{handout.id}/download")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "handout.download"))
    session.execute(  # the clock is the edge of the world: pin this event to a known moment
        AuditEvent.__table__.update()
        .where(AuditEvent.id == event.id)
        .values(created_at=dt.datetime(2026, 7, 1, 10, 0, 0))
    )
    session.commit()
    assert (
        client.post("/admin/audit/time-zone", data={"time_zone": "Europe/Berlin"}).status_code
        == 302
    )
    page = client.get("/admin/audit").text
    assert "Sam Rivera downloaded handout 1 of Zoë Łukasiewicz" in page
    assert "2026-07-01 12:00:00" in page and "times in Europe/Berlin" in page
    assert "Sam Rivera set the clinic&#39;s time zone to Europe/Berlin" in page
    refused = client.post("/admin/audit/time-zone", data={"time_zone": "Mars/Olympus"})
    assert "Choose a time zone" in client.get(refused.location).text


def test_the_audit_page_filters_by_patient_user_kind_and_date(client, session, world):
    user, patient, _program, handout = world
    other = make_user(session, user.clinic, name="Theo Other")
    session.commit()
    other_client = client.application.test_client()
    sign_in(other_client, other)
    other_client.get(f"/patients/{patient.id}")
    by_user = client.get(f"/admin/audit?user={other.id}").text
    assert "Theo Other opened the record of Zoë Łukasiewicz" in by_user
    assert "Sam Rivera" not in by_user.split("<tbody>")[1]
    by_kind = client.get("/admin/audit?kind=sign_in").text.split("<tbody>")[1]
    assert "signed in" in by_kind and "opened the record" not in by_kind
    today = dt.date.today()
    assert (
        "opened the record" in client.get(f"/admin/audit?from={today - dt.timedelta(days=1)}").text
    )
    past = client.get("/admin/audit?to=2000-01-01").text
    assert "No events" in past
    assert "Zoë Łukasiewicz" in client.get(f"/admin/audit?patient={patient.id}").text


def test_the_audit_trail_exports_as_csv_with_the_filters(client, session, world):
    _user, patient, _program, handout = world
    client.get(f"/handouts/{handout.id}/download")
    response = client.get(f"/admin/audit.csv?patient={patient.id}&kind=handout")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["event"] for row in rows] == [
        "Sam Rivera downloaded handout 1 of Zoë Łukasiewicz",
        "Sam Rivera issued handout 1 of Zoë Łukasiewicz",
    ]
    assert rows[0]["from"] == "127.0.0.1"


def test_audit_events_cannot_be_changed_or_deleted(session, world):
    event = session.scalar(select(AuditEvent))
    event.action = "rewritten"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    session.delete(session.scalar(select(AuditEvent)))
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()


def test_no_address_edits_or_deletes_audit_events(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert (
                rule.methods <= {"GET", "HEAD", "OPTIONS"}
                or rule.endpoint == "admin.audit_time_zone"
            )


def test_the_audit_page_pages_by_keyset_with_its_filters(client, session, world):
    user, patient, _program, _handout = world
    for _ in range(60):
        client.get(f"/patients/{patient.id}")
    first = client.get(f"/admin/audit?patient={patient.id}").text
    assert "/admin/audit?before=" in first and f"patient={patient.id}" in first
    assert first.count("opened the record of") == 50
