"""Lists of a patient's handouts stay cheap as the history grows (#13): the API's list reads no
snapshot and runs as many statements for 1 handout as for many (SQL counted through a SQLAlchemy
event, as in test_hot_paths). The API list still says what the snapshot says."""

import json

import pytest
from sqlalchemy import select

from hepbuilder.db.models import Handout
from hepbuilder.services.actor import Actor
from hepbuilder.services.patient_links import LinkSigner
from hepbuilder.services.patient_records import erase_patient
from tests.builders import (
    make_handout,
    make_patient,
    make_token,
    make_user,
    queue_handout_email,
    seeded_clinic,
    sign_in,
)
from tests.web.test_hot_paths import statements

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
