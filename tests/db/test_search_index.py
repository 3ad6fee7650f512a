"""Substring search reads a trigram index on PostgreSQL (pg_trgm GIN, migration 0012)."""

import pytest
from sqlalchemy import select, text

from hepbuilder.db.like import contains
from hepbuilder.db.models import Exercise, Patient
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
