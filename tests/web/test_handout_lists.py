"""Lists of a patient's handouts stay cheap as the history grows (#13): the patient page shows the
newest HANDOUTS_SHOWN with a link to older ones (by number), and neither it nor the API's list
reads a snapshot; each runs as many statements for 1 handout as for many (SQL counted through a
SQLAlchemy event, as in test_hot_paths). The API list still says what the snapshot says."""

import json
import re

import pytest
from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, Handout
from hepbuilder.services.actor import Actor
from hepbuilder.services.handout_lists import HANDOUTS_SHOWN
from hepbuilder.services.patient_links import LinkSigner
from hepbuilder.services.patient_records import erase_patient
from tests.builders import (
    make_handout,
    make_patient,
    make_token,
    make_user,
    queue_handout_email,
    see_committed,
    seeded_clinic,
    sign_in,
)
from tests.web.test_hot_paths import fetch, statements

SIGNER = LinkSigner(key=b"list-test-key", base_url="https://hep.example.test")
COPIED = (
    "program_id",
    "title",
    "snapshot_json",
    "therapist_name",
    "therapist_credentials",
    "share_url",
    "pdf",
    "pdf_sha256",
    "issued_by_id",
    "issued_on",
    "program_version",
)


@pytest.fixture
def world(client, session):
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, name="Sam Rivera", credentials="DPT")
    session.commit()
    sign_in(client, user)
    return clinic, user


def copy_handouts(session, first: Handout, up_to: int, **columns) -> None:
    """Handouts numbered first.number + 1 .. up_to for the same patient, copies of `first`
    (rendering each for real would add nothing here); `columns` change them."""
    for number in range(first.number + 1, up_to + 1):
        values = {name: getattr(first, name) for name in COPIED} | columns
        session.add(
            Handout(clinic_id=first.clinic_id, patient_id=first.patient_id, number=number, **values)
        )
    session.flush()


def reads_snapshot(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith("SELECT") and "snapshot_json" in s]


def numbers_listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td data-label="No.">(\d+)</td>', page)]


def test_the_patient_page_reads_no_snapshot_and_runs_as_many_statements_for_1_handout_as_for_75(
    client, session, db_url, world
):
    clinic, user = world
    patient = make_patient(session, clinic)
    first = make_handout(session, patient, user=user, links=SIGNER)
    session.commit()
    one = fetch(client, db_url, f"/patients/{patient.id}")
    copy_handouts(session, first, 75)
    session.commit()
    many = fetch(client, db_url, f"/patients/{patient.id}")
    assert reads_snapshot(one) == [] and reads_snapshot(many) == []
    assert len(many) == len(one)
    page = client.get(f"/patients/{patient.id}").text
    assert numbers_listed(page) == list(range(75, 75 - HANDOUTS_SHOWN, -1))
    assert "Send handout 75 by email" in page  # the newest handout, as before


def test_older_handouts_are_a_link_away_a_page_at_a_time(client, session, db_url, world):
    clinic, user = world
    patient = make_patient(session, clinic)
    first = make_handout(session, patient, user=user)
    count = 2 * HANDOUTS_SHOWN + 5
    copy_handouts(session, first, count)
    session.commit()
    path = f"/patients/{patient.id}"
    seen_numbers, pages = [], 0
    while path:
        page = client.get(path).text
        pages += 1
        seen_numbers += numbers_listed(page)
        older = re.search(r'href="([^"]+)#handouts-heading" rel="next">Older handouts</a>', page)
        if pages > 1:  # an older page: back to the newest, and which handouts these are
            assert f'href="/patients/{patient.id}#handouts-heading">Newest handouts</a>' in page
            assert f"Handouts {numbers_listed(page)[0]} to {numbers_listed(page)[-1]} of {count}."
        else:
            assert f"The newest {HANDOUTS_SHOWN} of {count}." in page
            assert "Newest handouts" not in page
        path = older and older.group(1).replace("&amp;", "&")
    assert seen_numbers == list(range(count, 0, -1))  # each once, newest first
    assert pages == 3
    # the older pages still offer the newest handout for email
    older_page = client.get(f"/patients/{patient.id}?before=6").text
    assert numbers_listed(older_page) == [5, 4, 3, 2, 1]
    assert f"Send handout {count} by email" in older_page
    assert "Older handouts" not in older_page
    assert "No older handouts." in client.get(f"/patients/{patient.id}?before=1").text
    for nonsense in ("0", "-3", "abc", "9" * 40):  # the newest handouts, as with no `before`
        page = client.get(f"/patients/{patient.id}?before={nonsense}")
        assert page.status_code == 200 and numbers_listed(page.text)[0] == count
    # one patient.view each time, the older pages saying so (the audit trail words it)
    see_committed(session)
    shown = [
        event.detail.get("shown")
        for event in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.patient_id == patient.id, AuditEvent.action == "patient.view")
            .order_by(AuditEvent.id)
        )
    ]
    assert shown == [None, "handouts", "handouts", "handouts", "handouts"] + [None] * 4


def test_a_patient_page_with_few_handouts_has_no_pager(client, session, world):
    clinic, user = world
    patient = make_patient(session, clinic)
    first = make_handout(session, patient, user=user)
    copy_handouts(session, first, HANDOUTS_SHOWN)
    session.commit()
    page = client.get(f"/patients/{patient.id}").text
    assert numbers_listed(page) == list(range(HANDOUTS_SHOWN, 0, -1))
    assert "Older handouts" not in page and "Handout pages" not in page


def test_an_email_of_an_older_handout_still_names_its_number(client, session, world):
    clinic, user = world
    patient = make_patient(session, clinic, email="zoe@example.com")
    first = make_handout(session, patient, user=user)
    queue_handout_email(session, first, user=user)
    copy_handouts(session, first, HANDOUTS_SHOWN + 3)
    session.commit()
    page = client.get(f"/patients/{patient.id}").text
    assert 1 not in numbers_listed(page)
    assert re.search(r"Handout 1 · 0 attempts", page)


def api_list(client, db_url, secret: str, patient_id: int):
    headers = {"Authorization": f"Bearer {secret}"}
    path = f"/api/v1/handouts?patient_id={patient_id}"
    assert client.get(path, headers=headers).status_code == 200
    with statements(db_url) as seen:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    return seen, response.get_json()


def test_the_api_list_reads_no_snapshot_and_runs_as_many_statements_for_1_handout_as_for_30(
    client, session, db_url, world
):
    clinic, user = world
    other = make_user(session, clinic, name="Alex Kim")
    patient = make_patient(session, clinic, email="zoe@example.com")
    first = make_handout(session, patient, user=user, links=SIGNER)
    queue_handout_email(session, first, user=user)
    _token, secret = make_token(session, clinic)
    session.commit()
    seen_one, body_one = api_list(client, db_url, secret, patient.id)
    copy_handouts(session, first, 15)
    fifteenth = session.scalar(select(Handout).filter_by(patient_id=patient.id, number=15))
    named = {"issued_by_id": other.id, "therapist_name": other.name, "therapist_credentials": ""}
    copy_handouts(session, fifteenth, 30, **named)  # 16 to 30 name another therapist
    for number in (2, 2, 20):  # emails of several listed handouts, two of one
        handout = session.scalar(select(Handout).filter_by(patient_id=patient.id, number=number))
        queue_handout_email(session, handout, user=user, to=f"copy{number}@example.com")
    session.commit()
    seen_many, body_many = api_list(client, db_url, secret, patient.id)
    assert reads_snapshot(seen_one) == [] and reads_snapshot(seen_many) == []
    assert len(seen_many) == len(seen_one)
    listed = body_many["items"]
    assert len(listed) == 25 and body_many["next"]
    headers = {"Authorization": f"Bearer {secret}"}
    for item in listed:  # each as the single handout's endpoint gives it
        assert client.get(f"/api/v1/handouts/{item['id']}", headers=headers).get_json() == item
    by_number = {item["number"]: item for item in listed}
    assert [len(by_number[n]["deliveries"]) for n in (1, 2, 3, 20)] == [1, 2, 0, 1]
    assert by_number[2]["deliveries"][0]["id"] > by_number[2]["deliveries"][1]["id"]
    assert by_number[1]["therapist"] == {
        "name": "Sam Rivera",
        "credentials": "DPT",
        "email": user.email,
    }
    assert by_number[20]["therapist"] == {
        "name": "Alex Kim",
        "credentials": None,
        "email": other.email,
    }
    assert by_number[1]["share_url"].startswith("https://hep.example.test/p/")
    assert body_one["items"][0] == by_number[1]


def test_an_issued_handout_keeps_beside_its_snapshot_what_the_api_lists(session, world):
    clinic, user = world
    patient = make_patient(session, clinic)
    handout = make_handout(session, patient, user=user, links=SIGNER)
    plain = make_handout(session, patient)  # no therapist, no link
    session.commit()
    snapshot = json.loads(handout.snapshot_json)
    assert (
        (handout.therapist_name, handout.therapist_credentials, handout.share_url)
        == (
            snapshot["therapist"]["name"],
            snapshot["therapist"]["credentials"],
            snapshot["share_url"],
        )
        == ("Sam Rivera", "DPT", handout.share_url)
    )
    assert handout.share_url.startswith("https://hep.example.test/p/")
    assert (plain.therapist_name, plain.therapist_credentials, plain.share_url) == ("", "", "")


def test_erasing_a_patient_clears_what_the_handouts_copied_from_their_snapshots(session, world):
    clinic, user = world
    admin = make_user(session, clinic, role="admin")
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    make_handout(session, patient, user=user, links=SIGNER)
    session.commit()
    actor = Actor(clinic_id=clinic.id, user_id=admin.id, role="admin")
    erase_patient(session, actor, patient.id, "Zoë Łukasiewicz")
    session.commit()
    row = session.scalar(select(Handout).where(Handout.patient_id == patient.id))
    assert (row.therapist_name, row.therapist_credentials, row.share_url) == ("", "", "")
