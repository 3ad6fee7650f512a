"""The outbox worker: SMTP down then up, back-off, failing for good, leases, one row per submission."""

import datetime as dt
import os
import socket

from click.testing import CliRunner
from sqlalchemy import select, update

from hepbuilder.cli import main
from hepbuilder.db.models import AuditEvent, OutboxMessage, utcnow
from hepbuilder.db.session import get_engine, session_factory
from hepbuilder.services import outbox
from hepbuilder.services.outbox import RETRY_DELAYS, send_due
from tests.builders import (
    make_handout,
    make_patient,
    queue_handout_email,
    see_committed,
    seeded_clinic,
)
from tests.delivery.conftest import (
    LINK_KEY,
    MAIL_FROM,
    Inbox,
    free_port,
    signer,
    start_server,
    worker_settings,
)


def queued_email(session):
    clinic = seeded_clinic(session, name="Riverside Physio")
    patient = make_patient(session, clinic, email="pat@example.com")
    handout = make_handout(session, patient, links=signer())
    message = queue_handout_email(session, handout)
    session.commit()
    return message


def nothing_listens_on(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def row(session, message_id: int) -> OutboxMessage:
    see_committed(session)
    return session.get(OutboxMessage, message_id)


def cli_env(db_url: str, port: int) -> dict:
    return {
        "HEPBUILDER_DATABASE_URL": db_url,
        "HEPBUILDER_SMTP_HOST": "127.0.0.1",
        "HEPBUILDER_SMTP_PORT": str(port),
        "HEPBUILDER_MAIL_FROM": MAIL_FROM,
        "HEPBUILDER_LINK_KEY": LINK_KEY,
        "HEPBUILDER_SECRET_KEY": "test",
    }


def test_smtp_down_keeps_the_email_queued_then_outbox_send_now_delivers_it_once(
    session, db_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("HEPBUILDER_INSTANCE_DIR", str(tmp_path))
    message = queued_email(session)
    port = free_port()
    assert nothing_listens_on(port)
    runner = CliRunner()

    down = runner.invoke(main, ["outbox", "send"], env=cli_env(db_url, port))

    assert down.exit_code == 0, down.output
    assert "1 to retry" in down.output
    waiting = row(session, message.id)
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert "Cannot reach the mail server 127.0.0.1:" in waiting.last_error
    assert waiting.next_attempt_at > utcnow() + RETRY_DELAYS[0] - dt.timedelta(seconds=30)

    server = start_server(port)
    try:
        again = runner.invoke(main, ["outbox", "send"], env=cli_env(db_url, port))
        assert "nothing was due" in again.output  # the back-off holds without --now
        now = runner.invoke(main, ["outbox", "send", "--now"], env=cli_env(db_url, port))
        assert now.exit_code == 0 and "1 sent" in now.output
        second = runner.invoke(main, ["outbox", "send", "--now"], env=cli_env(db_url, port))
        assert "nothing was due" in second.output
    finally:
        server.stop()
    assert len(server.inbox.envelopes) == 1
    sent = row(session, message.id)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, "")


def test_failed_attempts_back_off_then_the_email_fails_with_its_last_error(session, db_url):
    message = queued_email(session)
    settings = worker_settings(db_url, free_port())
    sessions = session_factory(db_url)
    delays = []
    for _attempt in range(len(RETRY_DELAYS) + 1):
        before = utcnow()
        send_due(sessions, settings, ignore_backoff=True)
        current = row(session, message.id)
        if current.status == "queued":
            delays.append(current.next_attempt_at - before)
    assert [round(d.total_seconds() / 60) for d in delays] == [1, 5, 30, 120, 720]
    failed = row(session, message.id)
    assert (failed.status, failed.attempts) == ("failed", 6)
    assert "Cannot reach the mail server" in failed.last_error
    assert send_due(sessions, settings, ignore_backoff=True).total == 0


def test_a_crashed_workers_claim_comes_back_when_its_lease_runs_out(session, db_url, mail_server):
    message = queued_email(session)
    sessions = session_factory(db_url)
    with sessions() as crashed_worker:
        assert outbox.claim(crashed_worker) == [message.id]
    settings = worker_settings(db_url, mail_server.port)
    assert send_due(sessions, settings).total == 0  # still leased to the crashed worker
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(claimed_until=utcnow() - dt.timedelta(seconds=1))
    )
    session.commit()
    assert send_due(sessions, settings).counts == {"sent": 1}
    assert len(mail_server.inbox.envelopes) == 1


def test_no_database_connection_is_held_while_the_mail_server_answers(session, db_url):
    """A slow mail server (SMTP allows 30 s) must not hold a pooled connection, a PostgreSQL
    snapshot or SQLite's read lock: the sender ends its reads before it connects."""
    message = queued_email(session)  # committed: the test's session holds no connection now
    engine = get_engine(db_url)
    held = []

    class Watching(Inbox):
        async def handle_DATA(self, server, smtp_session, envelope):
            held.append(engine.pool.checkedout())
            return await super().handle_DATA(server, smtp_session, envelope)

    server = start_server(handler=Watching())
    try:
        assert send_due(session_factory(db_url), worker_settings(db_url, server.port)).counts == {
            "sent": 1
        }
    finally:
        server.stop()
    assert held == [0]
    assert row(session, message.id).status == "sent"
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "handout.email.sent"  # written after the send, with the outcome


def test_a_worker_told_to_stop_finishes_its_batch_and_leaves_the_rest_queued(
    session, db_url, mail_server
):
    """A restart's SIGTERM must not wait for a whole backlog: the pass stops after the batch it
    holds, and what it did not claim stays queued, unleased, for the next worker."""
    clinic = seeded_clinic(session, name="Riverside Physio")
    patient = make_patient(session, clinic, email="pat@example.com")
    handout = make_handout(session, patient, links=signer())
    for number in range(outbox.CLAIM_BATCH + 5):
        queue_handout_email(session, handout, to=f"patient{number}@example.com")
    session.commit()
    asked = []

    def stopping() -> bool:
        asked.append(True)
        return len(asked) > 1  # told to stop while delivering the first batch

    settings = worker_settings(db_url, mail_server.port)
    result = send_due(session_factory(db_url), settings, stopping=stopping)
    assert result.counts == {"sent": outbox.CLAIM_BATCH}
    assert len(mail_server.inbox.envelopes) == outbox.CLAIM_BATCH
    see_committed(session)
    left = session.scalars(select(OutboxMessage).where(OutboxMessage.status != "sent")).all()
    assert [(m.status, m.claimed_until) for m in left] == [("queued", None)] * 5
    assert send_due(session_factory(db_url), settings).counts == {"sent": 5}  # the next worker


def test_the_worker_hands_each_kind_to_its_own_sender(session, db_url):
    clinic = seeded_clinic(session)
    delivered = []

    def fake_kind_sender(_session, message, _context):
        delivered.append(message.payload["n"])

    outbox.register_sender("test-kind", fake_kind_sender)
    try:
        outbox.enqueue(session, clinic.id, "test-kind", {"n": 1})
        outbox.enqueue(session, clinic.id, "no-such-kind", {"n": 2})
        session.commit()
        result = send_due(session_factory(db_url), worker_settings(db_url, free_port()))
    finally:
        outbox.SENDERS.pop("test-kind")
    assert delivered == [1]
    assert result.counts == {"sent": 1, "queued": 1}
    unknown = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "no-such-kind"))
    assert "No sender for messages of kind 'no-such-kind'" in row(session, unknown.id).last_error


def test_the_same_submission_queues_one_email(session):
    clinic = seeded_clinic(session)
    patient = make_patient(session, clinic, email="pat@example.com")
    handout = make_handout(session, patient, links=signer())
    first = queue_handout_email(session, handout, once="form-123")
    second = queue_handout_email(session, handout, once="form-123")
    third = queue_handout_email(session, handout, once="form-456")
    session.commit()
    assert first.id == second.id != third.id
    assert len(session.scalars(select(OutboxMessage)).all()) == 2


def test_outbox_send_loop_stops_on_sigterm(db_url, tmp_path):
    import signal
    import subprocess
    import sys

    env = {**os.environ, **cli_env(db_url, free_port()), "HEPBUILDER_INSTANCE_DIR": str(tmp_path)}
    with subprocess.Popen(
        [sys.executable, "-m", "hepbuilder", "outbox", "send", "--loop", "--interval", "0.2"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            line = process.stderr.readline()
            assert "Delivering queued messages" in line
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()


def test_outbox_send_on_a_database_never_migrated_says_so_in_one_sentence(tmp_path):
    env = cli_env(f"sqlite:///{tmp_path / 'empty.db'}", free_port())
    result = CliRunner().invoke(
        main, ["outbox", "send"], env={**env, "HEPBUILDER_INSTANCE_DIR": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert "Cannot read the outbox" in result.output and "hepbuilder db upgrade" in result.output
    assert "Traceback" not in result.output
