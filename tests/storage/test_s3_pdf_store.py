"""Handout PDFs in an S3-compatible store (HEPBUILDER_PDF_STORE=s3), against a real S3 server
(moto's, on 127.0.0.1): issuing writes the object before the row, every reader gets the
identical bytes back, a damaged or missing object is a clear 503, erasure deletes the objects,
and the database's PDFs move to the bucket without loss."""

import hashlib
import io
import logging
import zipfile

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hepbuilder.cli import main
from hepbuilder.config import SettingError
from hepbuilder.db.models import Handout, OutboxMessage
from hepbuilder.services.handouts import handout_own_fields
from hepbuilder.services.outbox import send_due
from hepbuilder.web import create_app
from tests.api.conftest import make_api_client
from tests.builders import (
    make_handout,
    make_patient,
    make_program,
    make_user,
    queue_handout_email,
    see_committed,
    seeded_clinic,
    sign_in,
)
from tests.storage.conftest import needs_moto_and_boto3
from tests.web.test_programs_pages import builder_form

needs_moto_and_boto3()

PATIENT_NAME = ("Zoë", "Łukasiewicz")


def _world(session, role="admin"):
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, role=role, name="Sam Rivera")
    patient = make_patient(session, clinic, first_name=PATIENT_NAME[0], last_name=PATIENT_NAME[1])
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    return clinic, user, patient, program


def _issue_on_the_web(client, session, program) -> Handout:
    response = client.post(f"/programs/{program.id}", data=builder_form(program, action="issue"))
    assert response.status_code == 302, response.text
    see_committed(session)
    return session.scalar(select(Handout).where(Handout.program_id == program.id))


def _stored_bytes(session, handout_id: int) -> bytes:
    see_committed(session)
    return session.scalar(select(Handout.pdf).where(Handout.id == handout_id))


def test_a_handout_issued_on_the_web_is_an_object_and_every_download_gives_its_bytes(
    s3_app, session, bucket
):
    clinic, user, _patient, program = _world(session)
    client = s3_app.test_client()
    sign_in(client, user)
    handout = _issue_on_the_web(client, session, program)
    key = bucket.key(clinic.id, handout.pdf_sha256)
    assert bucket.keys() == [key]  # named by clinic and content: no patient data in the key
    stored = bucket.read(key)
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == handout.pdf_sha256
    head = bucket.client.head_object(Bucket=bucket.name, Key=key)
    assert head["ContentType"] == "application/pdf"
    assert (handout.pdf_store, _stored_bytes(session, handout.id)) == ("s3", b"")

    for path in (f"/handouts/{handout.id}/download", f"/handouts/{handout.id}/pdf"):
        answer = client.get(path)
        assert (answer.status_code, answer.mimetype) == (200, "application/pdf"), path
        assert answer.data == stored, path
    token_path = handout_own_fields(handout)["share_url"].removeprefix("https://hep.example.test")
    patient_view = s3_app.test_client().get(f"{token_path}/handouts/1.pdf")
    assert patient_view.status_code == 200 and patient_view.data == stored


def test_a_handout_issued_through_the_api_is_an_object_and_the_api_download_gives_its_bytes(
    s3_app, session, bucket
):
    api = make_api_client(session, s3_app.test_client())
    patient = api.post("/api/v1/patients", json={"first_name": "Zoë", "last_name": "Ł"})
    body = {"patient_id": patient.get_json()["id"], "items": [{"exercise": "monster-walk"}]}
    program = api.post("/api/v1/programs", json=body).get_json()
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts")
    assert issued.status_code == 201, issued.get_json()
    handout = session.get(Handout, issued.get_json()["id"])
    stored = bucket.read(bucket.key(api.clinic_id, handout.pdf_sha256))
    assert hashlib.sha256(stored).hexdigest() == handout.pdf_sha256
    assert _stored_bytes(session, handout.id) == b""
    download = api.get(issued.get_json()["pdf_url"])
    assert (download.status_code, download.data) == (200, stored)


def test_the_patient_export_zip_holds_the_pdf_from_the_bucket(s3_app, session, bucket):
    clinic, user, patient, program = _world(session)
    client = s3_app.test_client()
    sign_in(client, user)
    handout = _issue_on_the_web(client, session, program)
    answer = client.get(f"/patients/{patient.id}/export")
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    pdfs = [name for name in archive.namelist() if name.startswith("handouts/")]
    assert len(pdfs) == 1
    assert archive.read(pdfs[0]) == bucket.read(bucket.key(clinic.id, handout.pdf_sha256))


def test_erasing_a_patient_deletes_their_objects_once_the_erasure_committed(
    s3_app, session, bucket
):
    clinic, user, patient, program = _world(session)
    neighbour = make_patient(session, clinic, first_name="Ada", last_name="Lovelace")
    kept = make_handout(session, neighbour)  # through the session: the database store
    session.commit()
    client = s3_app.test_client()
    sign_in(client, user)
    handout = _issue_on_the_web(client, session, program)
    neighbours_program = make_program(session, neighbour, protocol="knee-osteoarthritis")
    session.commit()
    neighbours = _issue_on_the_web(client, session, neighbours_program)
    digest = handout.pdf_sha256
    assert bucket.key(clinic.id, digest) in bucket.keys()

    answer = client.post(f"/patients/{patient.id}/erase", data={"confirmation": "Zoë Łukasiewicz"})
    assert answer.status_code == 302, answer.text
    see_committed(session)
    queued = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "pdf.delete"))
    (message,) = queued
    assert message.patient_id is None and message.payload == {"pdf_sha256": [digest]}

    result = send_due(s3_app.extensions["hepbuilder.sessions"], None)
    assert result.counts == {"sent": 1}
    assert bucket.keys() == [bucket.key(clinic.id, neighbours.pdf_sha256)]
    assert kept.pdf_store == "database"
    assert client.get(f"/handouts/{handout.id}/download").status_code == 404


def test_an_object_the_store_refuses_to_delete_is_retried_and_deleted_later(
    s3_app, session, bucket, caplog
):
    clinic, user, patient, program = _world(session)
    client = s3_app.test_client()
    sign_in(client, user)
    handout = _issue_on_the_web(client, session, program)
    key = bucket.key(clinic.id, handout.pdf_sha256)
    answer = client.post(f"/patients/{patient.id}/erase", data={"confirmation": "Zoë Łukasiewicz"})
    assert answer.status_code == 302, answer.text
    pdf = bucket.read(key)
    bucket.client.delete_object(Bucket=bucket.name, Key=key)
    bucket.client.delete_bucket(Bucket=bucket.name)  # the store now refuses: NoSuchBucket

    with caplog.at_level(logging.ERROR, logger="hepbuilder.db.pdf_store"):
        result = send_due(s3_app.extensions["hepbuilder.sessions"], None)
    assert result.counts == {"queued": 1}
    see_committed(session)
    message = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "pdf.delete"))
    assert message.status == "queued" and message.attempts == 1
    assert "did not delete an erased patient's PDF" in message.last_error
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert key in logged and "NoSuchBucket" in logged
    for word in (*PATIENT_NAME, "Sam Rivera", "Riverside"):
        assert word not in logged and word not in message.last_error

    bucket.client.create_bucket(Bucket=bucket.name)
    bucket.client.put_object(Bucket=bucket.name, Key=key, Body=pdf)
    message.next_attempt_at = message.created_at  # due again now, not after the back-off
    session.commit()
    assert send_due(s3_app.extensions["hepbuilder.sessions"], None).counts == {"sent": 1}
    assert bucket.keys() == []


def test_the_emailed_handout_attaches_the_pdf_from_the_bucket(s3_app, session, bucket):
    from tests.delivery.conftest import start_server, worker_settings

    clinic, user, patient, program = _world(session)
    patient.email = "zoe@example.com"
    session.commit()
    client = s3_app.test_client()
    sign_in(client, user)
    handout = _issue_on_the_web(client, session, program)
    queue_handout_email(session, handout)
    session.commit()
    server = start_server()
    try:
        settings = worker_settings(session.get_bind().url.render_as_string(False), server.port)
        result = send_due(s3_app.extensions["hepbuilder.sessions"], settings)
    finally:
        server.stop()
    assert result.counts == {"sent": 1}
    (mail,) = server.inbox.messages
    (attachment,) = mail.iter_attachments()
    assert attachment.get_content() == bucket.read(bucket.key(clinic.id, handout.pdf_sha256))


def test_a_damaged_or_missing_object_is_a_clear_503_logged_without_patient_data(
    s3_app, session, bucket, caplog
):
    clinic, user, _patient, program = _world(session)
    api = make_api_client(session, s3_app.test_client(), clinic=clinic)
    client = s3_app.test_client()
    sign_in(client, user)
    handout = _issue_on_the_web(client, session, program)
    key = bucket.key(clinic.id, handout.pdf_sha256)
    bucket.client.put_object(Bucket=bucket.name, Key=key, Body=b"%PDF-1.4 not the handout")

    with caplog.at_level(logging.ERROR, logger="hepbuilder.db.pdf_store"):
        page = client.get(f"/handouts/{handout.id}/download")
        assert page.status_code == 503
        assert "cannot be read from the file store" in page.text
        assert b"not the handout" not in page.data
        answer = api.get(f"/api/v1/handouts/{handout.id}.pdf")
        assert answer.status_code == 503
        assert answer.get_json()["error"]["code"] == "unavailable"
        bucket.client.delete_object(Bucket=bucket.name, Key=key)
        assert client.get(f"/handouts/{handout.id}/pdf").status_code == 503
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "does not match the SHA-256" in logged and "NoSuchKey" in logged
    assert key in logged
    for word in (*PATIENT_NAME, "Sam Rivera", "Riverside"):
        assert word not in logged


def test_when_the_store_cannot_be_reached_nothing_is_issued(
    db_url, tmp_path, monkeypatch, session, bucket
):
    from tests.conftest import _test_app
    from tests.storage.conftest import _free_port

    unreachable = {**bucket.overrides, "S3_ENDPOINT_URL": f"http://127.0.0.1:{_free_port()}"}
    app = _test_app(db_url, tmp_path / "instance", monkeypatch, **unreachable)
    _clinic, user, _patient, program = _world(session)
    client = app.test_client()
    sign_in(client, user)
    answer = client.post(f"/programs/{program.id}", data=builder_form(program, action="issue"))
    assert answer.status_code == 503
    assert "nothing was issued" in answer.text
    see_committed(session)
    assert session.scalar(select(Handout.id)) is None


def test_a_row_in_s3_is_still_read_after_the_deployment_switched_back_to_the_database(
    s3_app, db_url, tmp_path, monkeypatch, session, bucket
):
    from tests.conftest import _test_app

    _clinic, user, patient, program = _world(session)
    client = s3_app.test_client()
    sign_in(client, user)
    handout = _issue_on_the_web(client, session, program)
    stored = client.get(f"/handouts/{handout.id}/download").data

    back = _test_app(
        db_url, tmp_path / "back", monkeypatch, **{**bucket.overrides, "PDF_STORE": "database"}
    )
    client = back.test_client()
    sign_in(client, user)
    assert client.get(f"/handouts/{handout.id}/download").data == stored
    see_committed(session)
    program_two = make_program(session, patient, protocol="knee-osteoarthritis")
    session.commit()
    second = _issue_on_the_web(client, session, program_two)
    assert second.pdf_store == "database" and _stored_bytes(session, second.id)[:4] == b"%PDF"
    assert len(bucket.keys()) == 1

    nowhere = _test_app(db_url, tmp_path / "nowhere", monkeypatch)  # no S3 store set up at all
    client = nowhere.test_client()
    sign_in(client, user)
    assert client.get(f"/handouts/{handout.id}/download").status_code == 503


def test_move_to_s3_moves_every_pdf_without_loss_and_runs_again_safely(
    session, db_url, bucket, monkeypatch, tmp_path
):
    clinic, _user, patient, _program = _world(session)
    handouts = [make_handout(session, patient) for _ in range(3)]
    session.commit()
    before = {h.id: _stored_bytes(session, h.id) for h in handouts}
    assert all(h.pdf_store == "database" for h in handouts)
    monkeypatch.setenv("HEPBUILDER_DATABASE_URL", db_url)
    monkeypatch.setenv("HEPBUILDER_INSTANCE_DIR", str(tmp_path / "instance"))
    for name, value in bucket.environment.items():
        monkeypatch.setenv(name, value)

    moved = CliRunner().invoke(main, ["pdfs", "move-to-s3", "--batch", "2"])
    assert moved.exit_code == 0, moved.output
    assert "Moved 3 handout PDFs to the S3 store." in moved.output
    see_committed(session)
    for handout in handouts:
        session.refresh(handout)
        assert (handout.pdf_store, _stored_bytes(session, handout.id)) == ("s3", b"")
        assert bucket.read(bucket.key(clinic.id, handout.pdf_sha256)) == before[handout.id]
    again = CliRunner().invoke(main, ["pdfs", "move-to-s3"])
    assert again.exit_code == 0 and "Moved 0 handout PDFs" in again.output

    backup = CliRunner().invoke(main, ["backup", str(tmp_path / "db.backup")])
    assert backup.exit_code == 0, backup.output
    assert "does not hold the PDFs of 3 handouts kept in the S3 store" in backup.output


def test_move_to_s3_without_a_bucket_says_which_setting_is_missing(cli):
    moved = cli("pdfs", "move-to-s3")
    assert moved.exit_code == 1
    assert "HEPBUILDER_S3_BUCKET" in moved.output


def test_a_wrong_pdf_store_setting_stops_the_app_and_the_worker_naming_it(cli, monkeypatch):
    monkeypatch.setenv("HEPBUILDER_PDF_STORE", "s3")
    worker = cli("outbox", "send")
    assert worker.exit_code == 1
    assert "HEPBUILDER_PDF_STORE=s3 needs HEPBUILDER_S3_BUCKET." in worker.output
    with pytest.raises(SettingError, match="HEPBUILDER_S3_BUCKET"):
        create_app()


def test_move_to_s3_leaves_a_pdf_that_does_not_match_its_sha256_in_the_database(
    session, db_url, bucket, monkeypatch, tmp_path, caplog
):
    from sqlalchemy import update

    _clinic, _user, patient, _program = _world(session)
    good, damaged = make_handout(session, patient), make_handout(session, patient)
    session.commit()
    session.execute(update(Handout).where(Handout.id == damaged.id).values(pdf=b"%PDF damaged"))
    session.commit()
    monkeypatch.setenv("HEPBUILDER_DATABASE_URL", db_url)
    for name, value in bucket.environment.items():
        monkeypatch.setenv(name, value)

    with caplog.at_level(logging.ERROR, logger="hepbuilder.services.handout_pdfs"):
        moved = CliRunner().invoke(main, ["pdfs", "move-to-s3"])
    assert moved.exit_code == 1
    assert "Moved 1 handout PDFs" in moved.output
    assert "1 PDFs do not match their recorded SHA-256 and stay in the database" in moved.output
    assert f"Handout {damaged.id}: its stored PDF does not match" in caplog.text
    see_committed(session)
    stores = dict(session.execute(select(Handout.id, Handout.pdf_store)).all())
    assert stores == {good.id: "s3", damaged.id: "database"}
    assert _stored_bytes(session, damaged.id) == b"%PDF damaged"
