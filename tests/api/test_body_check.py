"""The API's own JSON Schema checker enforces every rule the OpenAPI description states."""

import pytest

from hepbuilder.api.body_check import check_body, unchecked_keywords
from hepbuilder.api.openapi import build_document
from hepbuilder.domain.errors import ValidationError


def _request_schemas() -> dict[str, dict]:
    """Each operation's request body schema, as the routes check it (the named component)."""
    document = build_document()
    components = document["components"]["schemas"]
    found = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body:
                ref = body["content"]["application/json"]["schema"]["$ref"]
                found[f"{method.upper()} {path}"] = components[ref.rsplit("/", 1)[1]]
    return found


@pytest.mark.parametrize(("operation", "schema"), list(_request_schemas().items()))
def test_every_request_schema_uses_only_keywords_the_checker_enforces(operation, schema):
    assert unchecked_keywords(schema) == set(), operation


def test_a_schema_keyword_the_checker_does_not_know_is_reported():
    assert unchecked_keywords({"type": "string", "uniqueItems": True}) == {"uniqueItems"}
    assert unchecked_keywords({"type": "string", "format": "uri"}) == {"format: uri"}


def test_min_items_is_enforced_with_the_field_named():
    schema = {
        "type": "object",
        "properties": {"steps": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
    }
    with pytest.raises(ValidationError) as refused:
        check_body({"steps": []}, schema)
    assert refused.value.fields == {"steps": "must have at least 1 entries"}
