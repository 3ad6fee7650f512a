"""Handout emails received by a real SMTP server (aiosmtpd on localhost), parsed as a mail client would."""

import datetime as dt
import re

from sqlalchemy import select

from hepbuilder.db.models import AuditEvent, Handout, OutboxMessage
from hepbuilder.db.session import session_factory
from hepbuilder.services.outbox import send_due
from tests.builders import (
    make_handout,
    make_patient,
    make_user,
    queue_handout_email,
    see_committed,
    seeded_clinic,
)
from tests.delivery.conftest import MAIL_FROM, signer, worker_settings


def riverside(session, **clinic):
    clinic = seeded_clinic(
        session,
        name=clinic.pop("name", "Riverside Physio"),
        email="front-desk@riverside.example",
        phone="0161 555 0100",
        address="1 River Street\nManchester",
        **clinic,
    )
    user = make_user(session, clinic, name="Sam Rivera")
    patient = make_patient(
        session, clinic, first_name="Zoë", last_name="Łukasiewicz", email="zoe@example.com"
    )
    return clinic, user, patient


def deliver(db_url, port, **settings):
    return send_due(session_factory(db_url), worker_settings(db_url, port, **settings))


def test_handout_email_arrives_with_headers_both_parts_and_the_stored_pdf(
    session, db_url, mail_server
):
    clinic, user, patient = riverside(session)
    review = dt.date.today() + dt.timedelta(days=8)  # a review date that has passed is not issued
    handout = make_handout(session, patient, user=user, links=signer(), review_on=review)
    message = queue_handout_email(session, handout, user=user)
    session.commit()

    result = deliver(db_url, mail_server.port)

    assert result.counts == {"sent": 1}
    [mail] = mail_server.inbox.messages
    assert mail["From"].addresses[0].display_name == "Riverside Physio"
    assert mail["From"].addresses[0].addr_spec == MAIL_FROM
    assert mail["Reply-To"].addresses[0].addr_spec == "front-desk@riverside.example"
    assert mail["To"].addresses[0].addr_spec == "zoe@example.com"
    assert mail["Subject"] == "Your exercise program from Riverside Physio"
    assert mail["Message-ID"].endswith("@riverside.example>") and mail["Date"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    link = handout_spec_share_url(session, handout)
    for part in (text, html):
        assert link in part
        assert "Zoë" in part and "0161 555 0100" in part and "front-desk@riverside.example" in part
        assert f"{review.day} {review:%B} {review.year}" in part and "1 River Street" in part
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"exercise-program-{handout.issued_on.isoformat()}.pdf"
    stored = session.scalar(select(Handout.pdf).where(Handout.id == handout.id))
    assert attachment.get_content() == stored
    see_committed(session)
    row = session.get(OutboxMessage, message.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["handout.email", "handout.email.sent"]


def handout_spec_share_url(session, handout) -> str:
    from hepbuilder.services.handouts import handout_spec

    url = handout_spec(handout)["share_url"]
    assert url.startswith("https://hep.example.test/p/")
    return url


def test_link_only_clinic_sends_the_link_without_an_attachment(session, db_url, mail_server):
    _clinic, user, patient = riverside(session, email_mode="link")
    handout = make_handout(session, patient, user=user, links=signer())
    queue_handout_email(session, handout, user=user)
    session.commit()

    deliver(db_url, mail_server.port)

    [mail] = mail_server.inbox.messages
    assert list(mail.iter_attachments()) == []
    assert handout_spec_share_url(session, handout) in mail.get_body(("plain",)).get_content()
    assert "attached" not in mail.get_body(("plain",)).get_content()


def test_the_html_parts_private_link_may_break_anywhere_to_fit_a_phone(
    session, db_url, mail_server
):
    # One long word (https://host/p/<token>) pushed the message past a 390 px screen; mail apps
    # keep inline styles, so the link carries its own (tests/browser/ looks at it on a phone).
    _clinic, user, patient = riverside(session)
    handout = make_handout(session, patient, user=user, links=signer())
    queue_handout_email(session, handout, user=user)
    session.commit()

    deliver(db_url, mail_server.port)

    [mail] = mail_server.inbox.messages
    html = mail.get_body(("html",)).get_content()
    link = handout_spec_share_url(session, handout)
    tag = re.search(rf'<a href="{re.escape(link)}" style="([^"]*)">', html)
    assert tag, html
    assert "word-break: break-all" in tag.group(1) and "overflow-wrap: anywhere" in tag.group(1)


def test_unicode_names_are_encoded_and_decode_back_exactly(session, db_url, mail_server):
    _clinic, user, patient = riverside(session, name="Physio Łódź – Zoë’s Clinic")
    handout = make_handout(session, patient, user=user, links=signer())
    queue_handout_email(session, handout, to="renee@exämple.org", user=user)
    session.commit()

    deliver(db_url, mail_server.port)

    [envelope] = mail_server.inbox.envelopes
    assert envelope.rcpt_tos == ["renee@xn--exmple-cua.org"]
    raw_headers = envelope.original_content.split(b"\r\n\r\n", 1)[0]
    assert all(byte < 128 for byte in raw_headers)
    [mail] = mail_server.inbox.messages
    assert mail["From"].addresses[0].display_name == "Physio Łódź – Zoë’s Clinic"
    assert mail["Subject"] == "Your exercise program from Physio Łódź – Zoë’s Clinic"
    assert "Hello Zoë," in mail.get_body(("plain",)).get_content()


def test_line_breaks_in_a_clinic_name_never_start_a_new_header(session, db_url, mail_server):
    _clinic, user, patient = riverside(
        session, name="Riverside\r\nBcc: victim@evil.example\r\nX-Injected: 1"
    )
    handout = make_handout(session, patient, user=user, links=signer())
    queue_handout_email(session, handout, user=user)
    session.commit()

    deliver(db_url, mail_server.port)

    [envelope] = mail_server.inbox.envelopes
    assert envelope.rcpt_tos == ["zoe@example.com"]
    [mail] = mail_server.inbox.messages
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    # (Python folds this one onto a continuation line; a reader unfolds it to one line)
    assert str(mail["Subject"]).strip() == (
        "Your exercise program from Riverside Bcc: victim@evil.example X-Injected: 1"
    )
    assert len(mail.get_all("Subject")) == 1
