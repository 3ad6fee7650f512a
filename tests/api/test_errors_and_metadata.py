"""v1.1 errors and metadata: codes, request ids, timestamps, incremental sync, rate limits,
null text, media types and caching."""

import datetime as dt
import logging
import re

from sqlalchemy import update

from hepbuilder.api.openapi import build_document
from hepbuilder.db.models import Patient
from tests.api.conftest import PATIENT, make_api_client
from tests.conftest import _test_app

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_error_codes_are_distinct_and_listed_in_openapi(api, program):
    codes = build_document()["components"]["schemas"]["Error"]["properties"]["error"]
    listed = set(codes["properties"]["code"]["enum"])
    for code in [
        "version_conflict",
        "external_id_taken",
        "idempotency_key_reused",
        "idempotency_key_in_use",
        "not_found",
        "invalid",
        "rate_limited",
        "unsupported_media_type",
    ]:
        assert code in listed
        assert f"`{code}`" in build_document()["info"]["description"]
    stale = api.put(f"/api/v1/programs/{program['id']}", json={"version": 99, "title": "x"})
    assert stale.get_json()["error"]["code"] == "version_conflict"
    assert api.get("/api/v1/programs/999999").get_json()["error"]["code"] == "not_found"


def test_every_api_response_carries_a_request_id_echoed_when_sent(api, client):
    sent = api.get("/api/v1/exercises", headers={"X-Request-Id": "pms-call.42:a"})
    assert sent.headers["X-Request-Id"] == "pms-call.42:a"
    made = client.get("/api/v1/patients")  # 401, no token
    assert made.status_code == 401
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-Id"])
    assert client.get("/api/v1/nowhere").headers["X-Request-Id"]


def test_malformed_or_overlong_request_id_is_replaced(api):
    for bad in ["has space", "x" * 129, "semi;colon"]:
        response = api.get("/api/v1/exercises", headers={"X-Request-Id": bad})
        assert response.headers["X-Request-Id"] != bad
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])


def test_request_id_is_logged_beside_the_route_without_patient_data(api, patient, caplog):
    with caplog.at_level(logging.INFO, logger="hepbuilder.api"):
        api.get(
            "/api/v1/patients",
            query_string={"external_id": "PMS-1"},
            headers={"X-Request-Id": "find-me-1"},
        )
        api.get(f"/api/v1/patients/{patient['id']}", headers={"X-Request-Id": "find-me-2"})
    lines = [r.getMessage() for r in caplog.records if r.name == "hepbuilder.api"]
    first = next(line for line in lines if "find-me-1" in line)
    assert "route=/api/v1/patients " in first and "status=200" in first
    second = next(line for line in lines if "find-me-2" in line)
    assert "route=/api/v1/patients/<int:patient_id> " in second
    logged = "\n".join(lines)
    for secret in ["PMS-1", "Zoë", "Łukasiewicz", api.secret]:
        assert secret not in logged


def test_patients_programs_and_handouts_carry_utc_timestamps(api, patient, program):
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    for body in (patient, program, issued):
        assert RFC3339_UTC.match(body["created_at"]), body
        assert RFC3339_UTC.match(body["updated_at"]), body
    assert RFC3339_UTC.match(issued["issued_at"])


def test_updated_since_lists_only_what_changed_since(session, api, patient):
    other = api.post("/api/v1/patients", json={**PATIENT, "external_id": "PMS-2"}).get_json()
    long_ago = dt.datetime(2020, 1, 1)
    session.execute(update(Patient).where(Patient.id == patient["id"]).values(updated_at=long_ago))
    session.commit()
    since = "2021-01-01T00:00:00Z"
    listed = api.get("/api/v1/patients", query_string={"updated_since": since}).get_json()
    assert [p["id"] for p in listed["items"]] == [other["id"]]
    everything = api.get(
        "/api/v1/patients", query_string={"updated_since": "2019-12-31T23:00:00-01:00"}
    )
    assert len(everything.get_json()["items"]) == 2
    bad = api.get("/api/v1/patients", query_string={"updated_since": "yesterday"})
    assert bad.status_code == 422
    assert list(bad.get_json()["error"]["fields"]) == ["updated_since"]


def test_updated_since_on_programs_and_handouts(api, program):
    api.post(f"/api/v1/programs/{program['id']}/handouts")
    future = "2999-01-01T00:00:00Z"
    past = "2000-01-01T00:00:00Z"
    for path in ["/api/v1/programs", "/api/v1/handouts"]:
        assert api.get(path, query_string={"updated_since": future}).get_json()["items"] == []
        assert len(api.get(path, query_string={"updated_since": past}).get_json()["items"]) == 1


def test_rate_limit_per_token_is_shared_by_app_servers(db_url, tmp_path, monkeypatch, session):
    servers = [
        _test_app(db_url, tmp_path / f"i{n}", monkeypatch, API_RATE_LIMIT=3).test_client()
        for n in range(2)
    ]
    api = make_api_client(session, servers[0])
    other = make_api_client(session, servers[0], clinic=None)
    answers = []
    for n in range(4):
        answers.append(
            servers[n % 2].get(
                "/api/v1/exercises", headers={"Authorization": f"Bearer {api.secret}"}
            )
        )
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert all(a.headers["RateLimit-Limit"] == "3" for a in answers)
    limited = answers[-1]
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["RateLimit-Reset"] == limited.headers["Retry-After"]
    fresh = servers[1].get("/api/v1/exercises", headers={"Authorization": f"Bearer {other.secret}"})
    assert fresh.status_code == 200  # another token has its own count


def test_default_rate_limit_is_generous_and_sent(api):
    response = api.get("/api/v1/exercises")
    assert int(response.headers["RateLimit-Limit"]) >= 600


def test_null_sent_for_optional_text_comes_back_null(api, patient):
    body = {**PATIENT, "external_id": "N-1", "email": None, "phone": None, "notes": None}
    created = api.post("/api/v1/patients", json=body).get_json()
    assert created["email"] is None and created["phone"] is None and created["notes"] is None
    program = api.post(
        "/api/v1/programs",
        json={
            "patient_id": patient["id"],
            "title": None,
            "notes": None,
            "items": [{"exercise": "step-up", "notes": None}],
        },
    ).get_json()
    assert program["title"] is None and program["notes"] is None
    assert program["items"][0]["notes"] is None


def test_body_that_is_not_json_is_415(api, program):
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/xml"]:
        response = api.post(
            "/api/v1/patients", data=b'{"first_name": "A"}', headers={"Content-Type": content_type}
        )
        assert response.status_code == 415, content_type
        assert response.get_json()["error"]["code"] == "unsupported_media_type"
    empty = api.post(f"/api/v1/programs/{program['id']}/handouts")  # no body needs no type
    assert empty.status_code == 201


def test_every_api_response_with_patient_data_is_no_store(api, patient, program):
    issued = api.post(f"/api/v1/programs/{program['id']}/handouts").get_json()
    for path in [
        "/api/v1/patients",
        f"/api/v1/patients/{patient['id']}",
        f"/api/v1/programs/{program['id']}",
        "/api/v1/handouts",
        f"/api/v1/handouts/{issued['id']}",
        issued["pdf_url"],
        "/api/v1/patients/999999",
    ]:
        assert api.get(path).headers["Cache-Control"] == "no-store", path
