"""TLS to the mail server: a certificate we cannot verify is refused, its CA configured makes it work."""

import pytest

from hepbuilder.db.models import OutboxMessage
from hepbuilder.db.session import session_factory
from hepbuilder.services.outbox import send_due
from tests.builders import (
    make_handout,
    make_patient,
    queue_handout_email,
    see_committed,
    seeded_clinic,
)
from tests.delivery.conftest import signer, start_server, worker_settings


@pytest.fixture(params=["starttls", "implicit"])
def tls_server(request, certificates):
    """aiosmtpd with the test CA's certificate: STARTTLS (required) or implicit TLS (SMTPS)."""
    context = certificates.server_context()
    if request.param == "starttls":
        server = start_server(tls_context=context, require_starttls=True)
        flags = {"smtp_starttls": True}
    else:
        server = start_server(ssl_context=context)
        flags = {"smtp_tls": True}
    yield server, flags
    server.stop()


def queued(session):
    clinic = seeded_clinic(session)
    patient = make_patient(session, clinic, email="pat@example.com")
    message = queue_handout_email(session, make_handout(session, patient, links=signer()))
    session.commit()
    return message


def test_mail_server_with_an_unknown_certificate_is_refused(session, db_url, tls_server):
    server, flags = tls_server
    message = queued(session)

    result = send_due(session_factory(db_url), worker_settings(db_url, server.port, **flags))

    assert result.counts == {"queued": 1}
    assert server.inbox.envelopes == []
    see_committed(session)
    error = session.get(OutboxMessage, message.id).last_error
    assert "certificate we cannot verify" in error


def test_mail_server_is_accepted_when_its_ca_is_configured(
    session, db_url, tls_server, certificates
):
    server, flags = tls_server
    queued(session)
    settings = worker_settings(db_url, server.port, smtp_ca_file=str(certificates.ca_file), **flags)

    result = send_due(session_factory(db_url), settings)

    assert result.counts == {"sent": 1}
    assert len(server.inbox.envelopes) == 1
