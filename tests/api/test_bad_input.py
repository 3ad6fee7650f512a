"""Bad input gets its documented error, naming the field, and nothing is half-created."""

import io
import json

import pytest
from sqlalchemy import func, select

from hepbuilder.db.models import Patient, Program


def _post_raw(api, path, data: bytes, content_type="application/json"):
    return api.post(path, data=data, headers={"Content-Type": content_type})


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"first_name": "A", "last_name": "B"',
        b"",
        b"   ",
        b'{"first_name": "\xff\xfe", "last_name": "B"}',
        b'{"first_name": "A", "last_name": "B", "notes": NaN}',
        b'{"first_name": "A", "first_name": "B", "last_name": "C"}',
        b'{"a": ' * 30 + b"1" + b"}" * 30,
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "broken",
        "unclosed",
        "empty",
        "blank",
        "not-utf8",
        "nan",
        "duplicate-key",
        "deep",
        "deeper",
    ],
)
def test_api_malformed_json_is_400(session, api, raw):
    response = _post_raw(api, "/api/v1/patients", raw)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and error["message"]
    assert session.scalar(select(func.count()).select_from(Patient)) == 0


def test_api_body_over_8_mb_is_413(api):
    body = b'{"notes": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = _post_raw(api, "/api/v1/patients", body)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_api_chunked_body_over_8_mb_is_413_not_read_cut_short(api):
    """Without Content-Length the stream stops at the limit: what it read is not the body."""
    body = b'{"first_name": "A", "last_name": "B", "notes": "' + b"x" * (9 * 1024 * 1024) + b'"}'
    response = api.post(
        "/api/v1/patients",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    small = api.post(
        "/api/v1/patients",
        input_stream=io.BytesIO(b'{"first_name": "A", "last_name": "B"}'),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert small.status_code == 201, small.get_json()


def test_api_query_that_is_not_utf8_is_400(api):
    for query in ("external_id=M%DCL-1", "name=M%FCller", "external_id=%ff%fe"):
        response = api.get("/api/v1/patients", query_string=query)
        assert response.status_code == 400, query
        assert response.get_json()["error"]["code"] == "bad_request"


def test_api_query_parameter_sent_twice_is_422_naming_it(api):
    for path, query in (
        ("/api/v1/patients", "external_id=4711&external_id=zzz"),
        ("/api/v1/patients", "limit=1&limit=50"),
        ("/api/v1/programs", "patient_id=13&patient_id=2"),
    ):
        response = api.get(path, query_string=query)
        assert response.status_code == 422, (path, query)
        name = query.split("=", 1)[0]
        assert response.get_json()["error"]["fields"] == {name: "is sent 2 times; send it once"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ([], {"body": "must be an object"}),
        ("text", {"body": "must be an object"}),
        ({}, {"first_name": "is required", "last_name": "is required"}),
        (
            {"first_name": 7, "last_name": ["B"]},
            {"first_name": "must be text", "last_name": "must be text"},
        ),
        ({"first_name": "  ", "last_name": "B"}, {"first_name": "is required"}),
        (
            {"first_name": "A", "last_name": "B", "shoe_size": 44},
            {"shoe_size": "is not a field here"},
        ),
        (
            {"first_name": "A", "last_name": "B", "date_of_birth": "02/03/1948"},
            {"date_of_birth": None},
        ),
        (
            {"first_name": "A", "last_name": "B", "date_of_birth": "1948-02-30"},
            {"date_of_birth": None},
        ),
        (
            {"first_name": "A", "last_name": "B", "date_of_birth": "2999-01-01"},
            {"date_of_birth": None},
        ),
        ({"first_name": "A", "last_name": "B", "email": "not an email"}, {"email": None}),
        ({"first_name": "A" * 101, "last_name": "B"}, {"first_name": None}),
    ],
)
def test_api_invalid_patient_is_422_naming_each_field(session, api, body, fields):
    response = api.post("/api/v1/patients", json=body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == set(fields)
    for name, text in fields.items():
        if text is not None:
            assert error["fields"][name] == text
    assert session.scalar(select(func.count()).select_from(Patient)) == 0


def _program(patient_id, *items):
    return {"patient_id": patient_id, "title": "T", "items": list(items)}


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"exercise": "no-such-exercise"}, "items[1].exercise"),
        ({"exercise": "step-up", "sets": 21}, "items[1].sets"),
        ({"exercise": "step-up", "reps": 0}, "items[1].reps"),
        ({"exercise": "step-up", "hold_seconds": 601}, "items[1].hold_seconds"),
        ({"exercise": "step-up", "times_per_day": 11}, "items[1].times_per_day"),
        ({"exercise": "step-up", "days_per_week": 8}, "items[1].days_per_week"),
        ({"exercise": "step-up", "sets": "3"}, "items[1].sets"),
        ({"exercise": "step-up", "sets": 2.5}, "items[1].sets"),
        ({"exercise": "step-up", "sets": True}, "items[1].sets"),
        ({"exercise": "step-up", "side": "both"}, "items[1].side"),
        ({"exercise": "step-up", "change": "new"}, "items[1].change"),
        ({"sets": 3}, "items[1].exercise"),
        ("step-up", "items[1]"),
    ],
)
def test_api_program_with_one_bad_item_creates_nothing(session, api, patient, item, field):
    good = {"exercise": "figure-4-stretch", "sets": 2}
    response = api.post("/api/v1/programs", json=_program(patient["id"], good, item))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert session.scalar(select(func.count()).select_from(Program)) == 0


def test_api_program_integer_valued_float_counts_as_integer(api, patient):
    response = api.post(
        "/api/v1/programs", json=_program(patient["id"], {"exercise": "step-up", "sets": 3.0})
    )
    assert response.status_code == 201
    assert response.get_json()["items"][0]["sets"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "No patient"}, "patient_id"),
        ({"patient_id": "1"}, "patient_id"),
        ({"patient_id": 0}, "patient_id"),
        ({"patient_id": 2**40}, "patient_id"),
        ({"patient_id": 1, "items": {"exercise": "step-up"}}, "items"),
        ({"patient_id": 1, "items": [{"exercise": "step-up"}] * 101}, "items"),
        ({"patient_id": 1, "paper": "A5"}, "paper"),
        ({"patient_id": 1, "large_print": "yes"}, "large_print"),
        ({"patient_id": 1, "review_on": "soon"}, "review_on"),
    ],
)
def test_api_invalid_program_fields_are_422(session, api, patient, body, field):
    response = api.post("/api/v1/programs", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_api_program_for_a_missing_patient_is_404(api):
    response = api.post("/api/v1/programs", json={"patient_id": 12345, "items": []})
    assert response.status_code == 404


def test_api_ids_past_the_database_range_are_404(api):
    assert api.get(f"/api/v1/patients/{2**63}").status_code == 404
    assert api.get(f"/api/v1/handouts/{2**70}.pdf").status_code == 404


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"cursor": "abc"}, {"color": "red"}],
)
def test_api_bad_query_parameters_are_422(api, query):
    response = api.get("/api/v1/exercises", query_string=query)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == set(query)


def test_api_issue_with_bad_body_is_422_or_400(api, program):
    path = f"/api/v1/programs/{program['id']}/handouts"
    assert api.post(path, json={"version": "1"}).status_code == 422
    assert api.post(path, json={"colour": "red"}).status_code == 422
    assert _post_raw(api, path, b"{oops").status_code == 400


def test_api_error_fields_are_json_serialisable_for_odd_keys(api):
    body = {"first_name": "A", "last_name": "B", "\u0000odd": 1}
    response = api.post("/api/v1/patients", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422


def test_api_text_with_nul_is_422_everywhere(api):
    body = {"first_name": "A\u0000", "last_name": "B"}
    response = api.post("/api/v1/patients", json=body)
    assert response.status_code == 422
    assert "NUL" in response.get_json()["error"]["fields"]["first_name"]
    query = api.get("/api/v1/exercises", query_string={"q": "hip\x00"})
    assert query.status_code == 422 and "q" in query.get_json()["error"]["fields"]
    assert api.get("/api/v1/exercises/step%00up").status_code == 404
