"""The database store stays the default, and its download path as it was: the PDF in the row,
read with the row in one query, plus the audit event."""

import hashlib

from sqlalchemy import event, select

from hepbuilder.db.models import Handout
from hepbuilder.services import handouts
from hepbuilder.services.actor import Actor
from tests.builders import patient_world


def test_a_handout_issued_without_settings_keeps_its_pdf_in_its_row(session):
    _user, _patient, _program, handout = patient_world(session)
    stored = session.scalar(select(Handout.pdf).where(Handout.id == handout.id))
    assert handout.pdf_store == "database" and stored.startswith(b"%PDF")
    assert hashlib.sha256(stored).hexdigest() == handout.pdf_sha256


def test_a_download_from_the_database_store_is_one_query_and_the_audit_row(session):
    user, _patient, _program, handout = patient_world(session)
    session.expunge_all()  # nothing loaded: the download reads what it needs
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        _row, pdf = handouts.get_handout_pdf(
            session, Actor(clinic_id=user.clinic_id, user_id=user.id), handout.id
        )
        session.flush()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    reads = [s for s in statements if s.startswith("SELECT")]
    writes = [s for s in statements if s.startswith("INSERT")]
    assert len(reads) == 1 and "handout.pdf" in reads[0], statements
    assert len(writes) == 1 and "audit_event" in writes[0], statements
    assert hashlib.sha256(pdf).hexdigest() == handout.pdf_sha256
