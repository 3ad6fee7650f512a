"""The audit page's queries: a kind is a literal action prefix, and on PostgreSQL every way the
page narrows the trail is read from an index (migration 0021), newest first without a sort where
the index gives that order, so a page costs the same at 10 million rows (bench/audit.py)."""

import datetime as dt
import itertools

import pytest
from sqlalchemy import event, insert, text

from hepbuilder.db.models import AuditEvent
from hepbuilder.services.actor import Actor
from hepbuilder.services.audit import AuditFilter, list_audit_events
from tests.builders import make_clinic, make_patient, make_user


def _event(session, clinic, action, **columns):
    session.add(AuditEvent(clinic_id=clinic.id, action=action, detail={}, **columns))


def test_a_kind_matches_only_actions_that_begin_with_it_literally(session):
    clinic = make_clinic(session)
    admin = make_user(session, clinic, role="admin")
    _event(session, clinic, "sign_in.success")
    _event(session, clinic, "signXin.success")  # "_" is a LIKE wildcard: it must not match
    _event(session, clinic, "sign_inner.view")  # a longer first part is another kind
    session.flush()
    actor = Actor(clinic_id=clinic.id, user_id=admin.id, role="admin")
    page = list_audit_events(session, actor, AuditFilter(kind="sign_in"))
    assert [entry.action for entry in page.entries] == ["sign_in.success"]


def _audit_plans(session, actor, filters) -> str:
    """EXPLAIN of the audit_event query list_audit_events sends, with its own parameters."""
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM audit_event" in statement:
            sent.append((statement, parameters))

    connection = session.connection()
    event.listen(connection.engine, "before_cursor_execute", keep)
    try:
        list_audit_events(session, actor, filters, before_id=10**9)
    finally:
        event.remove(connection.engine, "before_cursor_execute", keep)
    statement, parameters = sent[-1]
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return "\n".join(row[0] for row in rows)


@pytest.mark.parametrize(
    ("narrowed_by", "index", "sorted_"),
    [
        ("nothing", "ix_audit_event_clinic_id_id", False),
        ("patient", "ix_audit_event_clinic_patient_id", False),
        ("user", "ix_audit_event_clinic_user_id", False),
        ("kind", "ix_audit_event_clinic_action_id", True),
        # On a tiny table either clinic index serves a day (at 10 million rows the planner takes
        # ix_audit_event_clinic_created_at: bench/audit.py).
        ("dates", "ix_audit_event_clinic_", True),
    ],
)
def test_every_audit_page_query_reads_an_index_on_postgresql(session, narrowed_by, index, sorted_):
    if session.bind.dialect.name != "postgresql":
        pytest.skip("the plan is checked on PostgreSQL (HEPBUILDER_TEST_DATABASE_URL)")
    # A group's trail: this clinic's events are a small part of it, and most of the newest
    # belong to another clinic, so walking the whole trail newest first is not the cheap way.
    clinic, other = make_clinic(session), make_clinic(session)
    admin = make_user(session, clinic, role="admin")
    patient = make_patient(session, clinic)
    for _ in range(40):
        _event(session, clinic, "patient.view", patient_id=patient.id, user_id=admin.id)
        _event(session, clinic, "sign_in.success", user_id=admin.id)
    session.flush()
    session.execute(
        insert(AuditEvent),
        [{"clinic_id": other.id, "action": "patient.list", "detail": {}}] * 3000,
    )
    session.execute(text("ANALYZE audit_event"))
    # A tiny table: make the choice plain. At this size a bitmap scan of the clinic's 80 events
    # and a sort may cost the planner less than walking an index backwards (it chose so in one
    # CI run); at 10 million rows it does not (bench/audit.py). What is checked here is that an
    # index serves each way of narrowing, in the page's order where the index has it.
    session.execute(text("SET LOCAL enable_seqscan = off"))
    session.execute(text("SET LOCAL enable_bitmapscan = off"))
    today = dt.date.today()
    filters = {
        "nothing": AuditFilter(),
        "patient": AuditFilter(patient_id=patient.id),
        "user": AuditFilter(user_id=admin.id),
        "kind": AuditFilter(kind="sign_in"),
        "dates": AuditFilter(date_from=today, date_to=today),
    }[narrowed_by]
    actor = Actor(clinic_id=clinic.id, user_id=admin.id, role="admin")
    plan = _audit_plans(session, actor, filters)
    assert index in plan and "Seq Scan on audit_event" not in plan, plan
    if not sorted_:
        # The page's 51 ids come straight from the index, newest first: the scan sits right
        # under the LIMIT, with no sort of the clinic's events between them (the outer query
        # may still order the 51 rows it joins).
        # (The outer query may read the same index again to fetch those rows.)
        lines = plan.splitlines()
        assert any(
            f"Backward using {index} " in line and "Limit" in above
            for above, line in itertools.pairwise(lines)
        ), plan
