"""Bad input on every form: markup shown literally (in pages and the PDF), SQL metacharacters
stored as typed, 1 MB fields, NUL bytes, invalid UTF-8 and lone surrogates, out-of-range numbers,
impossible dates, other clinics' ids and missing or expired form tokens. Each is either stored
exactly as typed or refused with a clear answer; a refusal stores nothing, and no answer is a 500
or shows a stack trace."""

import io
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import pypdf
import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from hepbuilder.db.models import ApiToken, Clinic, Handout, Patient, Program, ProgramItem, User
from hepbuilder.web.auth import CSRF_MESSAGE
from tests.builders import (
    DEFAULT_PASSWORD,
    make_patient,
    make_program,
    make_token,
    make_user,
    patient_world,
    see_committed,
    seeded_clinic,
    sign_in,
)
from tests.conftest import WorldOnce
from tests.web.test_programs_pages import builder_form

MARKUP = '<script>alert(1)</script><b>x</b><img src="/etc/passwd"/>'
SQL = "Robert'); DROP TABLE patient;-- 100% _x_ \\"
MEGABYTE = "x" * (1024 * 1024 + 1)
TABLES = (Patient, Program, ProgramItem, Clinic, User, ApiToken)


@dataclass
class Form:
    path: str  # with {patient}, {program}
    base: object  # callable(world) -> the form as it would be sent correctly
    fields: tuple[str, ...]  # text fields where anything may be typed


def _patient_base(_world) -> dict:
    return {"first_name": "Ada", "last_name": "Lovelace", "notes": "Knee"}


FORMS = {
    "new patient": Form("/patients/new", _patient_base, ("first_name", "last_name", "notes")),
    "edit patient": Form(
        "/patients/{patient}/edit",
        lambda w: {"first_name": "Zoë", "last_name": "Łukasiewicz", "email": "zoe@example.net"},
        ("first_name", "last_name", "external_id", "phone", "notes"),
    ),
    "program builder": Form(
        "/programs/{program}",
        lambda w: builder_form(w["program"], action="save"),
        ("title", "notes", "items-0-notes"),
    ),
    "clinic brand": Form(
        "/admin/branding",
        lambda w: {"name": "Riverside Physio", "address": "1 Quay", "brand_color": "#1f6f8b"},
        ("name", "address", "phone"),
    ),
    "new user": Form(
        "/admin/users",
        lambda w: {
            "name": "New Person",
            "email": "new.person@example.net",
            "role": "therapist",
            "password": "a long unusual passphrase 7",
        },
        ("name", "credentials"),
    ),
    "new API token": Form("/admin/tokens", lambda w: {"name": "Our PMS"}, ("name",)),
}
FIELD_CASES = [(form, field) for form in FORMS for field in FORMS[form].fields]


def _stored(session) -> dict:
    """Every row of the tables a form may change, as plain tuples (to compare before/after)."""
    see_committed(session)
    rows = {}
    for model in TABLES:
        columns = [c for c in model.__table__.columns if not c.name.endswith(("_at", "_seen"))]
        query = select(*columns).order_by(*model.__table__.primary_key.columns)
        rows[model.__tablename__] = [tuple(row) for row in session.execute(query)]
    return rows


def _build_world(_app, session, clients) -> dict:
    admin, patient, program, _handout = patient_world(session, role="admin")
    sign_in(clients["admin"], admin)
    return {"admin": admin.id, "patient": patient.id, "program": program.id}


WORLD = WorldOnce(_build_world)  # built once per run on SQLite (tests/conftest.py)


@pytest.fixture
def world(app, client, session) -> dict:
    """Clinic A's admin, signed in on `client`, her patient and program (and its handout)."""
    ids = WORLD(app, session, {"admin": client})
    return {
        "admin": session.get(User, ids["admin"]),
        "patient": session.get(Patient, ids["patient"]),
        "program": session.get(Program, ids["program"]),
    }


def _post(client, world, form_name: str, changes: dict | None = None, raw: bytes | None = None):
    form = FORMS[form_name]
    path = form.path.format(patient=world["patient"].id, program=world["program"].id)
    if raw is not None:  # raw: b"field=..." replacing that field of the correct form
        name = raw.split(b"=", 1)[0].decode()
        base = {key: value for key, value in form.base(world).items() if key != name}
        body = urlencode(base).encode() + b"&" + raw
        return client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    return client.post(path, data={**form.base(world), **(changes or {})})


def _no_stack_trace(response) -> None:
    assert response.status_code < 500, response.status_code
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("form_name", "field"), FIELD_CASES)
def test_markup_in_a_text_field_is_shown_literally(client, session, world, form_name, field):
    response = _post(client, world, form_name, {field: MARKUP})
    _no_stack_trace(response)
    page = client.get(response.location).text if response.status_code == 302 else response.text
    assert "<script>alert(1)</script>" not in page and '<img src="/etc/passwd"/>' not in page
    if response.status_code == 302 and form_name != "new API token":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in page, field


@pytest.mark.parametrize(("form_name", "field"), FIELD_CASES)
def test_sql_metacharacters_are_stored_as_typed(client, session, world, form_name, field):
    response = _post(client, world, form_name, {field: SQL})
    _no_stack_trace(response)
    stored = _stored(session)
    assert stored["patient"], "the patient table is still there"
    if response.status_code == 302:
        assert any(SQL in map(str, row) for rows in stored.values() for row in rows), field


@pytest.mark.parametrize(("form_name", "field"), FIELD_CASES)
def test_a_one_megabyte_field_is_refused_and_stores_nothing(
    client, session, world, form_name, field
):
    before = _stored(session)
    response = _post(client, world, form_name, {field: MEGABYTE})
    _no_stack_trace(response)
    assert response.status_code == 413 and "too large" in response.text
    assert _stored(session) == before


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"a%00b", id="NUL"),
        pytest.param(b"%ED%A0%80", id="lone surrogate"),
        pytest.param(b"%FF%FE", id="invalid UTF-8"),
        pytest.param(b"caf%C3", id="truncated UTF-8"),
    ],
)
@pytest.mark.parametrize(("form_name", "field"), FIELD_CASES)
def test_text_that_cannot_be_stored_is_refused_with_400(
    client, session, world, form_name, field, raw
):
    before = _stored(session)
    response = _post(client, world, form_name, raw=field.encode() + b"=" + raw)
    _no_stack_trace(response)
    assert response.status_code == 400
    assert "cannot be stored" in response.text or "not valid text" in response.text
    assert _stored(session) == before


@pytest.mark.parametrize("raw", [b"%ED%A0%80", b"%FF"])
@pytest.mark.parametrize("path", ["/patients", "/exercises", "/admin/audit"])
def test_a_query_that_is_not_utf8_is_refused_with_400(client, world, path, raw):
    response = client.get(f"{path}?q={raw.decode()}")
    _no_stack_trace(response)
    assert response.status_code == 400 and "not valid text" in response.text


@pytest.mark.parametrize("value", ["-1", "0", "99999999999999999999", "1e3", "NaN", "2.5"])
@pytest.mark.parametrize("field", ["items-0-sets", "items-0-reps", "items-0-hold_seconds"])
def test_out_of_range_numbers_in_the_builder_are_refused_beside_the_field(
    client, session, world, field, value
):
    before = _stored(session)
    response = _post(client, world, "program builder", {field: value})
    _no_stack_trace(response)
    assert response.status_code == 422
    assert 'class="field__error"' in response.text or "field--error" in response.text
    assert _stored(session) == before


@pytest.mark.parametrize("value", ["0000-00-00", "9999-12-31", "1800-01-01", "2026-02-30"])
def test_impossible_dates_of_birth_are_refused(client, session, world, value):
    before = _stored(session)
    for form_name in ("new patient", "edit patient"):
        response = _post(client, world, form_name, {"date_of_birth": value})
        _no_stack_trace(response)
        assert response.status_code == 422, (form_name, value)
    assert _stored(session) == before


@pytest.mark.parametrize("value", ["0000-00-00", "9999-12-31", "2026-13-01"])
def test_impossible_review_dates_are_refused(client, session, world, value):
    before = _stored(session)
    response = _post(client, world, "program builder", {"review_on": value})
    _no_stack_trace(response)
    assert response.status_code == 422 and "field__error" in response.text
    assert _stored(session) == before


@pytest.mark.parametrize("value", ["0000-00-00", "9999-12-31", -1, 99999999999999999999])
def test_api_impossible_dates_and_numbers_are_422(client, session, world, value):
    _token, secret = make_token(session, world["admin"].clinic)
    session.commit()
    before = _stored(session)
    answer = client.post(
        "/api/v1/patients",
        json={"first_name": "A", "last_name": "B", "date_of_birth": value},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 422 and "date_of_birth" in answer.get_json()["error"]["fields"]
    assert _stored(session) == before


def test_another_clinics_program_cannot_be_copied(client, session, world):
    other = seeded_clinic(session, name="Hillside")
    theirs = make_program(
        session, make_patient(session, other), protocol="tight-hips-low-back-pain"
    )
    session.commit()
    before = _stored(session)
    response = client.post(
        f"/patients/{world['patient'].id}/programs", data={"start": "copy", "copy_of": theirs.id}
    )
    _no_stack_trace(response)
    assert response.status_code in (404, 422)
    assert _stored(session) == before


def test_markup_reaches_the_pdf_as_printed_text(client, session, world):
    patient, program = world["patient"], world["program"]
    client.post(f"/patients/{patient.id}/edit", data={"first_name": MARKUP, "last_name": "L"})
    see_committed(session)
    program = session.get(Program, program.id)
    form = builder_form(program, notes=MARKUP, **{"items-0-notes": MARKUP, "action": "issue"})
    assert client.post(f"/programs/{program.id}", data=form).status_code == 302
    see_committed(session)
    handout = session.scalar(select(Handout).order_by(Handout.id.desc()))
    pdf = client.get(f"/handouts/{handout.id}/pdf").data
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert text.count("<script>alert(1)</script><b>x</b>") >= 3, text[:500]


def _form_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_form_without_its_token_or_with_an_expired_one_is_refused(csrf_app, session, monkeypatch):
    user = make_user(session)
    session.commit()
    client = csrf_app.test_client()
    login = {"email": user.email, "password": DEFAULT_PASSWORD}
    client.post("/login", data={**login, "csrf_token": _form_token(client.get("/login").text)})
    before = _stored(session)
    missing = client.post("/patients/new", data=_patient_base(None))
    assert missing.status_code == 400 and CSRF_MESSAGE in missing.text
    token = _form_token(client.get("/patients/new").text)
    later = int(time.time()) + 2 * 3600  # the clock: the form was left open two hours
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: later)
    expired = client.post("/patients/new", data={**_patient_base(None), "csrf_token": token})
    assert expired.status_code == 400 and CSRF_MESSAGE in expired.text
    _no_stack_trace(expired)
    assert _stored(session) == before
