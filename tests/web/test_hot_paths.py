"""The hot paths stay cheap as data grows (#13): the SQL a page runs is counted through a
SQLAlchemy event, not timed. The number of statements of the patient list, the patient page and
the builder does not grow with the patients, handouts or items shown; a listing's audit events
go in one INSERT; a GET writes the session row at most once a minute; reading pages hold no
write lock while they are built (SQLite); issuing from the builder reads the program once; a
save writes only the items that changed."""

import contextlib
import datetime as dt

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import DBAPIError

from hepbuilder.db.models import AuditEvent, Handout, Patient, ProgramItem, UserSession
from hepbuilder.db.session import get_engine, read_only_transaction, session_factory
from hepbuilder.services import programs
from hepbuilder.services.actor import Actor
from tests.builders import (
    make_handout,
    make_patient,
    make_program,
    make_token,
    make_user,
    see_committed,
    seeded_clinic,
    sign_in,
)
from tests.web.test_programs_pages import builder_form

SLUGS = ["step-up", "clamshell", "glute-bridge", "side-lying-hip-abduction", "monster-walk"]


@contextlib.contextmanager
def statements(db_url):
    """Collects every SQL statement the app's engine runs meanwhile (one per executemany)."""
    seen: list[str] = []

    def collect(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    engine = get_engine(db_url)
    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", collect)


def fetch(client, db_url, path: str) -> list[str]:
    """GET `path` (twice: the first may load what every later request finds cached) and the
    statements of the second."""
    assert client.get(path).status_code == 200
    with statements(db_url) as seen:
        response = client.get(path)
    assert response.status_code == 200, path
    return seen


def writes(seen: list[str], table: str) -> list[str]:
    return [s for s in seen if s.startswith(("INSERT INTO " + table, "UPDATE " + table))]


@pytest.fixture
def world(client, session):
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, name="Sam Rivera")
    session.commit()
    sign_in(client, user)
    return clinic, user


def test_the_patient_list_runs_as_many_statements_for_1_patient_as_for_30(
    client, session, db_url, world
):
    clinic, _user = world
    make_patient(session, clinic, last_name="Aardvark")
    session.commit()
    one = fetch(client, db_url, "/patients")
    for number in range(29):
        make_patient(session, clinic, last_name=f"Baker {number}")
    session.commit()
    many = fetch(client, db_url, "/patients")
    counts = [s for s in many if s.startswith("SELECT count(*)")]
    assert len(counts) == 1  # a second page exists: how many in all (one page needs no count)
    assert len(many) == len(one) + 1
    assert len(writes(many, "audit_event")) == 1  # 25 patients listed: one INSERT
    see_committed(session)
    listed = session.scalar(
        select(func.count()).where(AuditEvent.action == "patient.list").select_from(AuditEvent)
    )
    assert listed == 1 + 1 + 25 + 25  # one event per patient on the page, each time


def test_the_patient_page_runs_as_many_statements_for_1_handout_as_for_30(
    client, session, db_url, world
):
    clinic, user = world
    patient = make_patient(session, clinic)
    first = make_handout(session, patient, user=user)
    session.commit()
    one = fetch(client, db_url, f"/patients/{patient.id}")
    for number in range(2, 31):  # copies of the first: rendering 29 PDFs would add nothing
        session.add(
            Handout(
                clinic_id=clinic.id,
                patient_id=patient.id,
                program_id=first.program_id,
                number=number,
                title=first.title,
                snapshot_json=first.snapshot_json,
                pdf=first.pdf,
                pdf_sha256=first.pdf_sha256,
                issued_by_id=first.issued_by_id,
                issued_on=first.issued_on,
                program_version=first.program_version,
            )
        )
    session.commit()
    assert client.get(f"/patients/{patient.id}").text.count("/download") >= 30
    many = fetch(client, db_url, f"/patients/{patient.id}")
    assert len(many) == len(one)
    assert writes(many, "") == writes(many, "audit_event") and len(writes(many, "")) == 1


def test_the_builder_page_runs_as_many_statements_for_1_item_as_for_5(
    client, session, db_url, world
):
    clinic, _user = world
    patient = make_patient(session, clinic)
    program = make_program(session, patient, items=[{"exercise": SLUGS[0]}])
    session.commit()
    one = fetch(client, db_url, f"/programs/{program.id}")
    programs.update_program(
        session,
        Actor(clinic_id=clinic.id),
        program.id,
        program.version,
        {"items": [{"exercise": slug} for slug in SLUGS]},
    )
    session.commit()
    page = client.get(f"/programs/{program.id}").text
    assert all(f'value="{slug}"' in page for slug in SLUGS)
    many = fetch(client, db_url, f"/programs/{program.id}")
    assert len(many) == len(one)
    # the program is read once: its items' exercises are not looked up again by slug
    assert sum(s.startswith("SELECT program.id, program.clinic_id") for s in many) == 1


def test_a_get_writes_the_session_row_at_most_once_a_minute(client, session, db_url, world):
    assert client.get("/patients").status_code == 200
    with statements(db_url) as seen:
        for _ in range(3):
            assert client.get("/patients").status_code == 200
    assert writes(seen, "user_session") == []  # seen less than a minute ago: nothing written
    for row in session.scalars(select(UserSession)):
        row.last_seen_at -= dt.timedelta(minutes=2)
    session.commit()
    with statements(db_url) as seen:
        for _ in range(3):
            assert client.get("/patients").status_code == 200
    assert len(writes(seen, "user_session")) == 1  # marked seen once, then not again
    see_committed(session)
    row = session.scalar(select(UserSession))
    assert dt.datetime.now(dt.UTC).replace(tzinfo=None) - row.last_seen_at < dt.timedelta(minutes=1)


def test_reading_pages_take_the_write_lock_only_for_their_audit_event(
    client, session, db_url, world
):
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    clinic, user = world
    patient = make_patient(session, clinic)
    make_handout(session, patient, user=user)
    program = make_program(session, patient, items=[{"exercise": SLUGS[0]}])
    session.commit()
    for path, immediate in (
        (f"/patients/{patient.id}", 1),  # its patient.view event
        (f"/programs/{program.id}", 1),  # its program.view event
        (f"/programs/{program.id}/picker?q=glute", 0),  # reads only
    ):
        seen = fetch(client, db_url, path)
        transactions = []
        for statement in seen:
            if statement.startswith("BEGIN"):
                transactions.append([statement])
            else:
                transactions[-1].append(statement)
        assert [t[0] for t in transactions].count("BEGIN IMMEDIATE") == immediate, path
        for transaction in transactions:  # only the audit event's transaction writes
            wrote = [s for s in transaction if s.startswith(("INSERT", "UPDATE", "DELETE"))]
            assert (transaction[0] == "BEGIN IMMEDIATE") == bool(wrote), (path, transaction)


def test_a_read_only_transaction_refuses_writes_and_the_next_one_writes(db_url, session, world):
    clinic, _user = world
    make_patient(session, clinic)
    session.commit()
    with session_factory(db_url)() as db:
        read_only_transaction(db)
        assert db.scalar(select(func.count()).select_from(Patient)) == 1
        with pytest.raises((PermissionError, DBAPIError)):
            db.execute(update(Patient).values(notes="written"))
        db.rollback()
        db.execute(update(Patient).values(notes="written"))  # a new transaction may write
        db.commit()
    see_committed(session)
    assert session.scalar(select(Patient.notes)) == "written"


def test_issuing_from_the_builder_reads_the_program_once(client, session, db_url, world):
    clinic, _user = world
    patient = make_patient(session, clinic)
    program = make_program(session, patient, items=[{"exercise": slug} for slug in SLUGS[:3]])
    session.commit()
    version = program.version
    with statements(db_url) as seen:
        response = client.post(
            f"/programs/{program.id}", data=builder_form(program, action="issue", title="Week 2")
        )
    assert response.status_code == 302 and "/handouts/" in response.location
    assert sum(s.startswith("SELECT program.id, program.clinic_id") for s in seen) == 1
    see_committed(session)
    handout = session.scalar(select(Handout))
    assert handout.title == "Week 2" and handout.program_version == version + 1


def test_issuing_through_the_api_reads_the_program_once(client, session, db_url, world):
    clinic, _user = world
    patient = make_patient(session, clinic)
    program = make_program(session, patient, items=[{"exercise": slug} for slug in SLUGS[:3]])
    _token, secret = make_token(session, clinic)
    session.commit()
    with statements(db_url) as seen:
        response = client.post(
            f"/api/v1/programs/{program.id}/handouts",
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert response.status_code == 201, response.text
    assert sum(s.startswith("SELECT program.id, program.clinic_id") for s in seen) == 1
    # a handout just issued has not been emailed: its answer looks up no emails
    assert response.get_json()["deliveries"] == []
    assert not [s for s in seen if s.startswith("SELECT") and "outbox_message" in s]


def test_a_save_writes_only_the_items_that_changed(client, session, db_url, world):
    clinic, _user = world
    patient = make_patient(session, clinic)
    program = make_program(session, patient, items=[{"exercise": slug} for slug in SLUGS[:4]])
    session.commit()
    ids = [item.id for item in program.items]
    with statements(db_url) as seen:
        response = client.post(
            f"/programs/{program.id}",
            data=builder_form(program, action="save", **{"items-2-sets": "5"}),
        )
    assert response.status_code == 302
    item_writes = [s for s in seen if "program_item" in s and not s.startswith("SELECT")]
    assert len(item_writes) == 1 and item_writes[0].startswith("UPDATE program_item SET sets")
    see_committed(session)
    saved = list(
        session.scalars(
            select(ProgramItem).where(ProgramItem.program_id == program.id).order_by("position")
        )
    )
    assert [item.id for item in saved] == ids and [item.sets for item in saved][2] == 5

    # moving the last item first: the same rows, new positions; nothing deleted or inserted
    moved = builder_form(programs.get_program(session, Actor(clinic_id=clinic.id), program.id))
    order = [3, 0, 1, 2]
    form = {k: v for k, v in moved.items() if not k.startswith("items-")}
    for new, old in enumerate(order):
        for key, value in moved.items():
            if key.startswith(f"items-{old}-"):
                form[f"items-{new}-" + key.removeprefix(f"items-{old}-")] = value
    with statements(db_url) as seen:
        assert (
            client.post(f"/programs/{program.id}", data=form | {"action": "save"}).status_code
            == 302
        )
    item_writes = [s for s in seen if "program_item" in s and not s.startswith("SELECT")]
    assert item_writes and all(
        s.startswith("UPDATE program_item SET position") for s in item_writes
    )
    see_committed(session)
    session.expire_all()
    saved = list(
        session.scalars(
            select(ProgramItem).where(ProgramItem.program_id == program.id).order_by("position")
        )
    )
    assert [item.id for item in saved] == [ids[i] for i in order]


@pytest.mark.parametrize(
    ("endpoint", "key"),
    [
        ("handouts.show", "handout_id"),
        ("handouts.download", "handout_id"),
        ("handouts.print_view", "handout_id"),
        ("patients.show", "patient_id"),
    ],
)
def test_id_url_builds_what_url_for_builds(app, endpoint, key):
    from flask import url_for

    from hepbuilder.web.addresses import id_url

    with app.test_request_context("/"):
        build = id_url(endpoint, key)
        for value in (1, 42, 10**17):
            assert build(value) == url_for(endpoint, **{key: value})
        with pytest.raises(ValueError):
            build("1/../x")


@pytest.mark.parametrize("script_root", ["", "/clinic-a"])
def test_url_template_builds_what_url_for_builds(app, script_root):
    from flask import url_for

    from hepbuilder.web.addresses import url_template

    with app.test_request_context("/", base_url=f"http://localhost{script_root}"):
        figure = url_template("exercises.figure", "slug", "v")
        for slug, version in (("figure-4-stretch", 3), ("a b/c", 1), ("zoë", 12), ("9", 0)):
            assert figure(slug, version) == url_for("exercises.figure", slug=slug, v=version)
        assert figure("monster-walk", 2).startswith(f"{script_root}/exercises/monster-walk/")


def test_a_signed_in_page_reads_its_session_and_user_in_one_statement(
    client, session, db_url, world
):
    clinic, _user = world
    make_patient(session, clinic, last_name="Aardvark")
    session.commit()
    seen = fetch(client, db_url, "/patients")
    reads = [s for s in seen if s.startswith("SELECT") and "user_account" in s.split(" WHERE")[0]]
    assert len(reads) == 1, reads
    assert "FROM user_session JOIN user_account" in reads[0]
    assert "Sam Rivera" in client.get("/patients").text  # the user (and clinic) it loaded


def test_a_patient_page_checks_its_sign_in_in_the_request_transaction_on_postgresql(
    client, session, db_url, world
):
    """On SQLite the sign-in check is a read-only transaction of its own (no write lock while
    the page is built); on PostgreSQL it is the first read of the request's transaction: one
    connection checkout (and its ping), one BEGIN and one COMMIT fewer on every page."""
    clinic, _user = world
    patient = make_patient(session, clinic, last_name="Aardvark")
    session.commit()
    path = f"/patients/{patient.id}"
    assert client.get(path).status_code == 200
    engine = get_engine(db_url)
    begun: list[bool] = []

    def count(connection):
        begun.append(True)

    event.listen(engine, "begin", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "begin", count)
    assert response.status_code == 200 and "Aardvark" in response.text
    # sign-in check, the page's reads and its audit event, what it reads after committing that
    assert len(begun) == (3 if engine.dialect.name == "sqlite" else 2)
    assert session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.patient_id == patient.id)
    )


def test_the_patient_list_reads_only_the_columns_it_shows(client, session, db_url, world):
    clinic, _user = world
    make_patient(
        session, clinic, last_name="Núñez", first_name="María", external_id="MRN-7", notes="knee"
    )
    session.commit()
    seen = fetch(client, db_url, "/patients?q=nunez")
    listing = [s for s in seen if s.startswith(("SELECT patient.id", "WITH matches"))]
    assert len(listing) == 1
    assert "patient.notes" not in listing[0] and "patient.email" not in listing[0]
    page = client.get("/patients?q=nunez").text
    assert "Núñez, María" in page and "MRN-7" in page and "knee" not in page


def test_an_api_download_reads_the_token_without_its_clinic_and_audits_in_one_insert(
    client, session, db_url, world
):
    clinic, user = world
    patient = make_patient(session, clinic)
    handout = make_handout(session, patient, user=user)
    token, secret = make_token(session, clinic)
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/v1/handouts/{handout.id}.pdf", headers=headers).status_code == 200
    with statements(db_url) as seen:
        response = client.get(f"/api/v1/handouts/{handout.id}.pdf", headers=headers)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    token_reads = [s for s in seen if s.startswith("SELECT api_token.id")]
    assert len(token_reads) == 1 and " JOIN clinic" not in token_reads[0]
    assert len(writes(seen, "audit_event")) == 1
    see_committed(session)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "handout.download").order_by(AuditEvent.id)
    ).all()
    assert [(e.patient_id, e.handout_id, e.api_token_id, e.detail) for e in events] == [
        (patient.id, handout.id, token.id, {})
    ] * 2


def test_issuing_again_reads_each_row_once_and_no_exercise_as_an_orm_object(
    client, session, db_url, world
):
    clinic, _user = world
    patient = make_patient(session, clinic)
    program = make_program(session, patient, items=[{"exercise": slug} for slug in SLUGS])
    _token, secret = make_token(session, clinic)
    session.commit()
    path = f"/api/v1/programs/{program.id}/handouts"
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post(path, headers=headers).status_code == 201
    with statements(db_url) as seen:
        response = client.post(path, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json["number"] == 2
    # the exercises in two light queries (rows; targets and equipment together), not ORM rows
    assert not [s for s in seen if s.startswith("SELECT exercise.id, exercise.clinic_id")]
    assert sum(s.startswith("SELECT exercise.id, exercise.slug") for s in seen) == 1
    # the previous handout: its snapshot alone, in one statement
    assert not [s for s in seen if s.startswith("SELECT handout.id")]
    assert sum(s.startswith("SELECT handout.snapshot_json FROM handout") for s in seen) == 1
    # the patient's row once (the webhook event reuses it), besides the row lock's id
    assert sum(s.startswith("SELECT patient.id, patient.clinic_id") for s in seen) == 1
