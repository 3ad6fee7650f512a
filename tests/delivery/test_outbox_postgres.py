"""Two workers at once against PostgreSQL: 200 queued emails, each delivered exactly once.

Uses its own database `hb_delivery` on the server HEPBUILDER_TEST_DATABASE_URL names (created
when missing), so other suites sharing that server are not disturbed.
"""

import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from hepbuilder.db.migrate import upgrade
from hepbuilder.db.models import Base, OutboxMessage
from hepbuilder.db.session import session_factory
from tests.builders import make_handout, make_patient, queue_handout_email, seeded_clinic
from tests.delivery.conftest import LINK_KEY, MAIL_FROM, signer

MESSAGES = 200
DATABASE = "hb_delivery"


@pytest.fixture
def postgres_url():
    base = os.environ.get("HEPBUILDER_TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        pytest.skip(
            "HEPBUILDER_TEST_DATABASE_URL is not a PostgreSQL URL: the two-worker test needs one"
        )
    url = make_url(base).set(database=DATABASE)
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DATABASE}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    rendered = url.render_as_string(hide_password=False)
    engine = create_engine(rendered)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(rendered)
    yield rendered
    engine = create_engine(rendered)
    with engine.begin() as connection:
        names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def test_two_workers_at_once_deliver_each_of_200_emails_exactly_once(
    postgres_url, mail_server, tmp_path
):
    with session_factory(postgres_url)() as session:
        # link-only emails: this test is about exactly-once delivery, not the attachment
        clinic = seeded_clinic(session, name="Riverside Physio", email_mode="link")
        patient = make_patient(session, clinic, email="pat@example.com")
        handout = make_handout(session, patient, links=signer())
        for number in range(MESSAGES):
            queue_handout_email(session, handout, to=f"patient{number}@example.com")
        session.commit()
    env = {
        **os.environ,
        "HEPBUILDER_DATABASE_URL": postgres_url,
        "HEPBUILDER_SMTP_HOST": "127.0.0.1",
        "HEPBUILDER_SMTP_PORT": str(mail_server.port),
        "HEPBUILDER_MAIL_FROM": MAIL_FROM,
        "HEPBUILDER_LINK_KEY": LINK_KEY,
        "HEPBUILDER_SECRET_KEY": "test",
        "HEPBUILDER_INSTANCE_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "hepbuilder", "outbox", "send", "--now"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0]
    sent_by_worker = [int(re.search(r"(\d+) sent", out).group(1)) for out in outputs]
    assert sum(sent_by_worker) == MESSAGES, outputs
    received = Counter(rcpt for env_ in mail_server.inbox.envelopes for rcpt in env_.rcpt_tos)
    assert len(received) == MESSAGES
    assert set(received.values()) == {1}
    with session_factory(postgres_url)() as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent": MESSAGES}
