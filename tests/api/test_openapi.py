"""The OpenAPI document describes exactly the routes the blueprint serves."""

import json
import re
from urllib.parse import urlencode

import pytest

from hepbuilder.api import paging
from hepbuilder.api.body_check import check_body
from hepbuilder.api.openapi import build_document
from hepbuilder.api.schemas import PATIENT_CREATE, PROGRAM_CREATE
from hepbuilder.domain.errors import ValidationError


def _served(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method.lower(), path))
    return routes


def test_openapi_paths_are_exactly_the_routes(app):
    document = build_document()
    documented = {
        (method, path) for path, operations in document["paths"].items() for method in operations
    }
    assert documented == _served(app)


def test_openapi_request_schemas_are_the_ones_that_check_requests(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["PatientCreate"] == PATIENT_CREATE
    assert schemas["ProgramCreate"] == PROGRAM_CREATE
    assert schemas["ProgramCreate"]["additionalProperties"] is False


def test_openapi_every_operation_documents_its_errors():
    for path, operations in build_document()["paths"].items():
        for method, operation in operations.items():
            if path == "/openapi.json":
                continue
            assert {"401", "403"} <= operation["responses"].keys(), (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= operation["responses"].keys(), (method, path)


def test_a_request_the_schema_allows_can_be_414_and_every_operation_lists_414(api):
    text = "\U0001f600" * paging.TEXT_MAX_CHARS  # allowed: 200 characters, 2,400 percent-encoded
    # in the address itself: the test client's RAW_URI leaves out a separate query_string
    response = api.get("/api/v1/exercises?" + urlencode({"q": text, "equipment": text}))
    assert response.status_code == 414
    assert response.get_json()["error"]["code"] == "uri_too_long"
    for path, operations in build_document()["paths"].items():
        for method, operation in operations.items():
            if path == "/openapi.json":
                continue
            answer = operation["responses"].get("414", {}).get("content", {})
            assert answer.get("application/json", {}).get("schema") == {
                "$ref": "#/components/schemas/Error"
            }, (method, path)


def test_405_is_said_once_for_the_whole_api_not_on_operations():
    """No operation answers 405: it is the answer for a method that is no operation of the path,
    so the description says it once (with the Allow header) instead of every operation."""
    document = build_document()
    for operations in document["paths"].values():
        for operation in operations.values():
            assert "405" not in operation["responses"]
    assert "405 `method_not_allowed`" in document["info"]["description"]
    assert "`Allow`" in document["info"]["description"]


def test_check_body_names_nested_fields():
    body = {"patient_id": 1, "items": [{"exercise": "a"}, {"exercise": "b", "sets": 0}]}
    with pytest.raises(ValidationError) as caught:
        check_body(body, PROGRAM_CREATE)
    assert caught.value.fields == {"items[1].sets": "must be from 1 to 20"}


def _operations(document: dict):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_openapi_every_operation_has_summary_description_tag_and_examples():
    document = build_document()
    tags = {tag["name"] for tag in document["tags"]}
    for path, method, operation in _operations(document):
        where = (method, path)
        assert operation["summary"] and operation["description"], where
        assert set(operation["tags"]) <= tags and operation["tags"], where
        if "requestBody" in operation:
            assert "example" in operation["requestBody"]["content"]["application/json"], where
        success = next(r for status, r in operation["responses"].items() if status < "300")
        for media in success.get("content", {}).values():
            binary = media["schema"].get("format") == "binary"  # a PDF: nothing to show in JSON
            assert binary or "example" in media, where


def _validate(document: dict, schema: dict, example: object, where) -> None:
    import jsonschema_rs

    rooted = {**schema, "components": document["components"]}
    errors = [
        error.message for error in jsonschema_rs.Draft202012Validator(rooted).iter_errors(example)
    ]
    assert errors == [], where


def test_openapi_examples_match_their_schemas():
    document = build_document()
    for path, method, operation in _operations(document):
        media = [*operation.get("requestBody", {}).get("content", {}).values()]
        for response in operation["responses"].values():
            media += response.get("content", {}).values()
        for entry in media:
            if "example" in entry and "schema" in entry:
                _validate(document, entry["schema"], entry["example"], (method, path))


def test_openapi_server_url_is_absolute_with_a_public_url(client, app):
    assert build_document()["servers"] == [{"url": "/api/v1"}]
    served = client.get("/api/v1/openapi.json").get_json()
    assert served["servers"] == [{"url": f"{app.config['PUBLIC_URL']}/api/v1"}]


def test_openapi_shared_shapes_are_defined_once_in_components():
    text = json.dumps(build_document())
    components = build_document()["components"]["schemas"]
    assert {"Side", "Dose", "Item"} <= components.keys()
    assert text.count('"left"') == 1  # the side enum appears once: in Side
    assert '"#/components/schemas/Item"' in json.dumps(components["ProgramCreate"])
    assert '"#/components/schemas/Dose"' in json.dumps(components["Exercise"])


def test_openapi_lists_every_error_code_the_server_answers_with():
    from hepbuilder.api.openapi.responses import ERROR_CODES
    from hepbuilder.web.errors import _CODES

    assert set(_CODES.values()) <= set(ERROR_CODES)


def test_openapi_webhooks_document_every_event_with_a_signed_payload_example():
    from hepbuilder.services.webhooks import EVENTS

    document = build_document()
    assert list(document["webhooks"]) == list(EVENTS)
    for event_type, item in document["webhooks"].items():
        post = item["post"]
        assert post["tags"] == ["Webhooks"] and post["summary"] and post["description"]
        assert post["parameters"][0]["name"] == "Hepbuilder-Signature"
        body = post["requestBody"]["content"]["application/json"]
        name = body["schema"]["$ref"].rsplit("/", 1)[1]
        assert document["components"]["schemas"][name]["properties"]["type"]["enum"] == [event_type]
        _validate(document, body["schema"], body["example"], event_type)
        with pytest.raises(AssertionError):  # the schema holds the data to what is documented
            _validate(document, body["schema"], {**body["example"], "data": {}}, event_type)
        assert "410" in post["responses"]
