"""Substring search reads a trigram index on PostgreSQL (pg_trgm GIN, migration 0012; with the
clinic in it, migration 0020)."""

import datetime as dt

import pytest
from sqlalchemy import false, select, text

from hepbuilder.db.like import contains, count_matches, search_in_clinic
from hepbuilder.db.models import Exercise, Patient
from hepbuilder.services.patients import patient_search_text
from tests.builders import make_clinic, make_patient


def _plan(session, query) -> str:
    compiled = query.compile(session.bind, compile_kwargs={"literal_binds": True})
    return "\n".join(session.scalars(text(f"EXPLAIN {compiled}")))


@pytest.mark.parametrize("model", [Patient, Exercise])
def test_search_text_like_uses_the_trigram_index_on_postgresql(session, model):
    if session.bind.dialect.name != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only (HEPBUILDER_TEST_DATABASE_URL)")
    clinic = make_clinic(session)
    for number in range(30):
        make_patient(session, clinic, last_name=f"Name{number}")
    session.flush()
    session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: make the choice plain
    plan = _plan(session, select(model.id).where(contains(model.search_text, "ame1")))
    assert f"ix_{model.__tablename__}_search_trgm" in plan, plan


def test_a_clinics_patient_search_reads_only_that_clinic_in_the_trigram_index(session):
    """The clinic is a condition of the GIN index itself (btree_gin, migration 0020), not a
    filter after it, for the page and for its count: a trigram in every clinic's rows (the
    `pms` of external ids, the `194` of dates of birth) costs what it costs in one clinic."""
    if session.bind.dialect.name != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only (HEPBUILDER_TEST_DATABASE_URL)")
    clinics = [make_clinic(session) for _ in range(2)]
    now = dt.datetime(2026, 12, 1, 9, 0)
    rows = []
    for number in range(2000):
        external, born = f"PMS-{100000 + number}", dt.date(1940, 1, 1) + dt.timedelta(number)
        rows.append(
            dict(
                clinic_id=clinics[number % 2].id,
                external_id=external,
                first_name="Kwame",
                last_name=f"Name{number}",
                date_of_birth=born,
                search_text=patient_search_text("Kwame", f"Name{number}", external, born),
                is_archived=False,
                created_at=now,
                updated_at=now,
            )
        )
    session.execute(Patient.__table__.insert(), rows)
    session.execute(text("ANALYZE patient"))
    # 2,000 rows: reading the clinic's rows costs little, and the planner would; leave it only
    # the trigram index, for this savepoint
    savepoint = session.begin_nested()
    session.execute(text("SET LOCAL enable_seqscan = off"))
    session.execute(text("ALTER TABLE patient DROP CONSTRAINT uq_patient_clinic_id"))
    session.execute(text("DROP INDEX ix_patient_clinic_search"))
    terms = [["pms-100044"]]
    conditions = [
        *search_in_clinic(Patient, clinics[0].id, terms),
        Patient.is_archived == false(),
        Patient.erased_at.is_(None),
    ]
    for query in (select(Patient.id), select(count_matches(Patient, terms)).select_from(Patient)):
        plan = _plan(session, query.where(*conditions))
        index_scan = plan.split("Bitmap Index Scan on ix_patient_search_trgm")
        assert len(index_scan) == 2, plan
        assert f"Index Cond: ((clinic_id = {clinics[0].id}) AND" in index_scan[1], plan
    savepoint.rollback()
