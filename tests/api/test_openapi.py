"""The OpenAPI document describes exactly the routes the blueprint serves."""

import re

import pytest

from hepbuilder.api.openapi import build_document
from hepbuilder.api.schemas import PATIENT_CREATE, PROGRAM_CREATE, check_body
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


def test_check_body_names_nested_fields():
    body = {"patient_id": 1, "items": [{"exercise": "a"}, {"exercise": "b", "sets": 0}]}
    with pytest.raises(ValidationError) as caught:
        check_body(body, PROGRAM_CREATE)
    assert caught.value.fields == {"items[1].sets": "must be from 1 to 20"}
