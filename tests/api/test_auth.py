"""Bearer tokens: who may call the API, and the record of each token's use."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from hepbuilder.db.models import ApiToken
from hepbuilder.services import api_tokens
from hepbuilder.services.actor import system_actor
from tests.builders import see_committed

ENDPOINTS = [
    ("get", "/api/v1/exercises"),
    ("get", "/api/v1/exercises/step-up"),
    ("get", "/api/v1/patients"),
    ("post", "/api/v1/patients"),
    ("get", "/api/v1/patients/1"),
    ("post", "/api/v1/programs"),
    ("get", "/api/v1/programs/1"),
    ("put", "/api/v1/programs/1"),
    ("post", "/api/v1/programs/1/handouts"),
    ("get", "/api/v1/handouts/1.pdf"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz", "hep_abc"]
)
def test_api_without_a_valid_token_is_401_in_the_error_shape(
    client, api, method, path, authorization
):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = getattr(client, method)(path, headers=headers, json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and error["message"] and error["fields"] == {}


def test_api_revoked_token_is_401(session, api):
    api_tokens.revoke_api_token(session, system_actor(api.clinic_id), api.token_id)
    session.commit()
    assert api.get("/api/v1/exercises").status_code == 401


def _last_used(session, token_id):
    see_committed(session)
    return session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))


def test_api_token_use_is_recorded_at_most_once_a_minute(session, api):
    assert _last_used(session, api.token_id) is None
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    assert api.get("/api/v1/exercises").status_code == 200
    first = _last_used(session, api.token_id)
    assert first is not None and first >= before
    # Within the minute, further calls leave the row alone (no write per request).
    assert api.get("/api/v1/exercises").status_code == 200
    assert _last_used(session, api.token_id) == first
    # A minute later the next call records again, even a failing one.
    earlier = first - dt.timedelta(minutes=2)
    session.execute(
        update(ApiToken).where(ApiToken.id == api.token_id).values(last_used_at=earlier)
    )
    session.commit()
    assert api.get("/api/v1/patients/999").status_code == 404
    assert _last_used(session, api.token_id) > earlier + dt.timedelta(minutes=1)


def test_api_openapi_document_needs_no_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert "/patients" in document["paths"]


def test_api_unknown_address_and_method_answer_in_the_error_shape(api):
    missing = api.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = api.client.delete("/api/v1/patients", headers=api._headers(None))
    assert wrong.status_code == 405
    assert "POST" in wrong.headers["Allow"]
    assert wrong.get_json()["error"]["code"] == "method_not_allowed"
