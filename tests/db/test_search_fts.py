"""Substring search reads an FTS5 trigram index on SQLite (migration 0016), with the results
plain LIKE gives: the same rows for accents, short terms and wildcards a user types, kept in
step with every insert, edit and delete, and holding nothing of an erased patient's name."""

import pytest
from alembic import command
from sqlalchemy import delete, event, select, text

from hepbuilder.db.like import search_in_clinic
from hepbuilder.db.migrate import alembic_config, upgrade
from hepbuilder.db.models import AuditEvent, Clinic, Exercise, Patient
from hepbuilder.db.session import get_engine, session_factory
from hepbuilder.domain.text import fold
from hepbuilder.services import patient_records, patients
from hepbuilder.services.actor import Actor
from tests.builders import make_clinic, make_patient, make_user, seeded_clinic

NAMES = [
    ("Zoë", "Núñez", "MRN-100_1"),
    ("Ana", "Nunes", "MRN-1001"),
    ("Søren", "Ørsted", "50%OFF"),
    ("Jo", "Ma", None),
    ("Mary-Ann", "O'Brien", 'A\\B"C'),
    ("Łucja", "Łukasiewicz", "pms-278122"),
    ("Maria", "Manning", "X_Y%Z"),
]
QUERIES = [
    "nunez",  # finds Núñez (accents folded)
    "núñez",
    "NUN",
    "ez",  # two letters: plain LIKE
    "m",
    "100_1",  # "_" is a letter, not any character: not MRN-1001
    "0_1",
    "50%o",  # "%" is a letter
    "%",
    "_",
    "x_y%",
    'b"c',
    "a\\b",
    "'brien",
    "lukas",
    "manning maria",
    "pms-278",
    "nowhere",
]


def _sqlite_only(session):
    if session.bind.dialect.name != "sqlite":
        pytest.skip("the FTS5 index exists on SQLite only")


def _plan(session, query) -> str:
    compiled = query.compile(session.bind, compile_kwargs={"literal_binds": True})
    rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    return "\n".join(row[-1] for row in rows)


def _patients(session, clinic, names=NAMES):
    for first, last, external in names:
        make_patient(session, clinic, first_name=first, last_name=last, external_id=external)
    session.flush()


def _found(session, clinic, term: str) -> list[int]:
    conditions = search_in_clinic(Patient, clinic.id, [term.split()] if term.strip() else [])
    return list(session.scalars(select(Patient.id).where(*conditions).order_by(Patient.id)))


def _substring_of(session, clinic, term: str) -> list[int]:
    """What `LIKE '%term%'` (any of its words) means, worked out in Python over the clinic."""
    rows = session.execute(
        select(Patient.id, Patient.search_text)
        .where(Patient.clinic_id == clinic.id)
        .order_by(Patient.id)
    )
    return [i for i, search_text in rows if any(word in search_text for word in term.split())]


@pytest.mark.parametrize("model", [Patient, Exercise])
def test_search_text_match_reads_the_fts5_index_on_sqlite(session, model):
    _sqlite_only(session)
    plan = _plan(session, select(model.id).where(*search_in_clinic(model, 1, [["ame1"]])))
    assert f"SCAN {model.__tablename__}_fts VIRTUAL TABLE" in plan, plan


def test_the_patient_search_starts_from_the_fts5_index(session):
    _sqlite_only(session)
    clinic = make_clinic(session)
    _patients(session, clinic)
    actor = Actor(clinic_id=clinic.id)
    statements = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(session.bind, "before_cursor_execute", keep)
    try:
        assert [p.last_name for p in patients.search_patients(session, actor, "nunez").items] == [
            "Núñez"
        ]
    finally:
        event.remove(session.bind, "before_cursor_execute", keep)
    statement, parameters = next(s for s in statements if "FROM patient" in s[0])
    plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    steps = "\n".join(row[-1] for row in plan)
    assert "SCAN patient_fts VIRTUAL TABLE" in steps, steps
    # it starts from what the index found, not from the clinic's rows in name order
    assert "SEARCH patient USING INTEGER PRIMARY KEY" in steps, steps


def test_a_two_letter_term_is_plain_like_without_the_index(session):
    _sqlite_only(session)
    plan = _plan(session, select(Patient.id).where(*search_in_clinic(Patient, 1, [["ma"]])))
    assert "patient_fts" not in plan, plan


@pytest.mark.parametrize("q", QUERIES)
def test_search_text_match_finds_exactly_the_rows_like_finds(session, q):
    clinic = make_clinic(session)
    _patients(session, clinic)
    other = make_clinic(session)
    _patients(session, other)  # the same names in another clinic are not found
    for term in fold(q).split():
        assert _found(session, clinic, term) == _substring_of(session, clinic, term), term
    page = patients.search_patients(session, Actor(clinic_id=clinic.id), q)
    expected = set(_substring_of(session, clinic, fold(q).split()[0]))
    for word in fold(q).split()[1:]:
        expected &= set(_substring_of(session, clinic, word))
    assert {p.id for p in page.items} == expected


def test_the_index_follows_every_insert_edit_and_delete(session):
    clinic = make_clinic(session)
    actor = Actor(clinic_id=clinic.id)
    _patients(session, clinic)
    renamed = make_patient(session, clinic, first_name="Quentin", last_name="Quixley")
    gone = make_patient(session, clinic, first_name="Vera", last_name="Vondrakova")
    session.flush()
    assert _found(session, clinic, "quixl") == [renamed.id]
    patients.update_patient(session, actor, renamed.id, {"last_name": "Zanetti"})
    session.execute(delete(AuditEvent).where(AuditEvent.patient_id == gone.id))
    session.delete(gone)
    session.flush()
    assert _found(session, clinic, "quixl") == []
    assert _found(session, clinic, "zanet") == [renamed.id]
    assert _found(session, clinic, "vondra") == []
    for term in ("nun", "man", "zanetti quentin", "quentin"):
        assert _found(session, clinic, term) == _substring_of(session, clinic, term)


def test_exercise_alternatives_match_as_like_does(session):
    clinic = seeded_clinic(session)
    texts = dict(
        session.execute(
            select(Exercise.id, Exercise.search_text).where(Exercise.clinic_id == clinic.id)
        ).all()
    )
    some_word = next(iter(texts.values())).split()[0]
    found_any = False
    for alternatives in (["glute", "hip"], [some_word], ["lunge", "ab"], ["%", "knee"], ["zzq"]):
        query = select(Exercise.id).where(*search_in_clinic(Exercise, clinic.id, [alternatives]))
        expected = {i for i, t in texts.items() if any(a in t for a in alternatives)}
        assert set(session.scalars(query)) == expected, alternatives
        found_any = found_any or bool(expected)
    assert found_any


def _index_bytes(session) -> bytes:
    return b"".join(session.scalars(text("SELECT block FROM patient_fts_data")))


def test_an_erased_patients_name_leaves_no_trigram_in_the_index(session):
    _sqlite_only(session)
    clinic = make_clinic(session)
    admin = make_user(session, clinic, role="admin")
    _patients(session, clinic)
    erased = make_patient(session, clinic, first_name="Qwxyzvbk", last_name="Jorunnhvit")
    session.flush()
    trigrams = [b"qwx", b"wxy", b"xyz", b"yzv", b"zvb", b"vbk", b"run", b"nnh", b"hvi"]
    assert any(t in _index_bytes(session) for t in trigrams)  # the check can see them
    actor = Actor(clinic_id=clinic.id, user_id=admin.id, role="admin")
    patient_records.erase_patient(session, actor, erased.id, "Qwxyzvbk Jorunnhvit")
    assert [t for t in trigrams if t in _index_bytes(session)] == []
    assert _found(session, clinic, "qwxyz") == []
    assert _found(session, clinic, "nunez") == _substring_of(session, clinic, "nunez") != []


def test_the_migration_indexes_the_patients_already_there(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    upgrade(url, "0015")
    with get_engine(url).begin() as connection:
        clinic_id = connection.execute(
            Clinic.__table__.insert().values(name="Old", slug="old")
        ).inserted_primary_key[0]
        connection.execute(
            text(
                "INSERT INTO patient (clinic_id, first_name, last_name, email, phone, notes,"
                " search_text, is_archived, created_at, updated_at) VALUES (:c, 'Zoë', 'Núñez',"
                " '', '', '', 'nunez zoe', 0, '2026-12-01', '2026-12-01')"
            ),
            {"c": clinic_id},
        )
    upgrade(url)
    with session_factory(url)() as session:
        page = patients.search_patients(session, Actor(clinic_id=clinic_id), "Núñez")
        assert [p.first_name for p in page.items] == ["Zoë"]
        assert "patient_fts" in _plan(
            session, select(Patient.id).where(*search_in_clinic(Patient, clinic_id, [["nunez"]]))
        )
    command.downgrade(alembic_config(url), "0015")
    with get_engine(url).connect() as connection:
        left = connection.scalars(text("SELECT name FROM sqlite_master WHERE name LIKE '%fts%'"))
        assert list(left) == []
    get_engine(url).dispose()


def test_every_searched_table_has_its_three_index_triggers_at_head(session):
    """A later migration that rebuilds patient or exercise (batch_alter_table on SQLite) drops
    its triggers with it; the index would then miss new rows and mistake edited ones."""
    _sqlite_only(session)
    triggers = set(session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    for table_name in ("patient", "exercise"):
        for change in ("insert", "update", "delete"):
            assert f"{table_name}_fts_{change}" in triggers
