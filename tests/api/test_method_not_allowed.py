"""Every API path answers a method it does not take with 405 `method_not_allowed`, an `Allow`
header naming the methods it does take, and the API's JSON error shape."""

import re
from collections import defaultdict

import pytest

from tests.api.conftest import ApiClient
from tests.builders import make_clinic, make_token

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SAMPLE_VALUES = {"int": "1"}  # any other converter (a slug, an external id): a library slug
SAMPLE_TEXT = "figure-4-stretch"


def _sample_path(rule: str) -> str:
    """The rule with each variable filled in by a value its converter takes."""
    return re.sub(
        r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>",
        lambda match: SAMPLE_VALUES.get(match.group(1), SAMPLE_TEXT),
        rule,
    )


def _api_paths(app) -> dict[str, set[str]]:
    """Each API path (rules filled in with sample values) and every method a rule of it takes,
    read from the URL map, not from werkzeug's matcher."""
    taken: dict[str, set[str]] = defaultdict(set)
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            taken[_sample_path(rule.rule)] |= set(rule.methods or ())
    return taken


@pytest.fixture
def api_both_scopes(session, client) -> ApiClient:
    """A token that may do everything (so no 403 for a scope stands in for the 405)."""
    clinic = make_clinic(session)
    token, secret = make_token(session, clinic, scopes=("programs", "library"))
    session.commit()
    return ApiClient(client=client, secret=secret, clinic_id=clinic.id, token_id=token.id)


def _send(api: ApiClient, method: str, path: str, body: str | None, content_type: str | None):
    headers = api._headers({"Content-Type": content_type} if content_type else None)
    return api.client.open(path, method=method, headers=headers, data=body)


def test_every_api_path_answers_a_method_it_does_not_take_with_405_allow_and_json(
    app, api_both_scopes
):
    paths = _api_paths(app)
    assert "/api/v1/exercises/figure-4-stretch/restore" in paths
    wrong = []
    for path, taken in sorted(paths.items()):
        for method in sorted(set(METHODS) - taken):
            # No body, a JSON body, and a body that is not JSON (which would be a 415 if the
            # path took the method): the method is what is wrong, each time.
            for body, content_type in [
                (None, None),
                ("{}", "application/json"),
                ("x", "text/plain"),
            ]:
                if body is not None and method == "GET":
                    continue
                response = _send(api_both_scopes, method, path, body, content_type)
                allow = {m.strip() for m in response.headers.get("Allow", "").split(",") if m}
                error = (response.get_json(silent=True) or {}).get("error") or {}
                if (
                    response.status_code != 405
                    or allow != taken
                    or error.get("code") != "method_not_allowed"
                    or not error.get("message")
                    or error.get("fields") != {}
                    or response.headers.get("Cache-Control") != "no-store"
                ):
                    wrong.append((method, path, content_type, response.status_code, allow, error))
    assert not wrong, "\n".join(map(str, wrong))


def test_put_to_restore_an_exercise_is_405_not_an_update_of_a_slug_with_a_slash(api_both_scopes):
    response = _send(
        api_both_scopes,
        "PUT",
        "/api/v1/exercises/figure-4-stretch/restore",
        "{}",
        "application/json",
    )
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"OPTIONS", "POST"}
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_an_api_client_is_told_about_the_api_not_a_page(api_both_scopes):
    missing = api_both_scopes.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == (
        "No operation of this API has this address; GET /api/v1/openapi.json lists them."
    )
    wrong = api_both_scopes.client.open(
        "/api/v1/exercises", method="DELETE", headers=api_both_scopes._headers(None)
    )
    assert wrong.status_code == 405
    assert wrong.get_json()["error"]["message"] == (
        "This address does not take DELETE; its Allow header lists the methods it takes."
    )
