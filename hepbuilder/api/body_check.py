"""Reading JSON API request bodies: the strict JSON reader and the check against a schema.

`decode_json` is the strict reader: UTF-8 only, no NaN or Infinity, no duplicate keys, nesting at
most MAX_DEPTH levels; anything else is a 400 (MalformedBody). `check_body` checks the result
against one of the schemas in hepbuilder.api.schemas and names every bad field (422).
"""

import datetime as dt
import json
import math
import re

from hepbuilder.domain.errors import DomainError, ValidationError
from hepbuilder.domain.phone import PHONE_MESSAGE
from hepbuilder.domain.records import parse_timestamp

from .schemas import COMPONENTS, EMAIL, NOT_BLANK, PHONE, SLUG

MAX_DEPTH = 16
NUL_MESSAGE = "must not contain NUL (\\u0000) characters"


class MalformedBody(DomainError):
    """The body is not JSON we can read (the error mapper answers 400 for a plain DomainError)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def decode_json(raw: bytes) -> object:
    """Parse a request body strictly, or raise MalformedBody naming what is wrong."""
    if not raw.strip():
        raise MalformedBody("The request body is empty; send a JSON object.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("The request body is not UTF-8 text.") from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except RecursionError:
        raise MalformedBody(f"The JSON is nested more than {MAX_DEPTH} levels deep.") from None
    except ValueError as exc:
        raise MalformedBody(f"The request body is not valid JSON ({exc}).") from None
    if _depth(data) > MAX_DEPTH:
        raise MalformedBody(f"The JSON is nested more than {MAX_DEPTH} levels deep.")
    if _has_lone_surrogate(data):
        raise MalformedBody("The JSON holds a lone surrogate (\\ud800-\\udfff), which is no text.")
    return data


def _has_lone_surrogate(data: object) -> bool:
    """True when a string (key or value) holds an escaped half of a UTF-16 pair, such as
    "\\ud800": valid JSON, but no character any database or PDF can store."""
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(data, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_has_lone_surrogate(item) for item in data)
    return False


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return data


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _depth(data: object) -> int:
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, level + 1) for child in children)
    return deepest


def pattern_matches(pattern: str, value: str) -> bool:
    """JSON Schema's (ECMA) `pattern`: a search, where `$` is the very end (not before a newline)."""
    return re.search(pattern.replace("$", r"\Z"), value) is not None


def check_body(data: object, schema: dict) -> dict:
    """Check `data` against a request schema above; raise ValidationError naming each field.

    Whole-number floats (3.0) count as integers, as JSON Schema says, and come back as ints.
    """
    errors: dict[str, str] = {}
    value = _check(data, schema, "", errors)
    if errors:
        raise ValidationError(errors)
    return value


def _types(schema: dict) -> list[str]:
    kind = schema.get("type")
    return kind if isinstance(kind, list) else [kind]


def _type_words(types: list[str]) -> str:
    words = {
        "string": "text",
        "integer": "a whole number",
        "boolean": "true or false",
        "object": "an object",
        "array": "a list",
        "null": "null",
    }
    return " or ".join(words[t] for t in types)


def _matches(value: object, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (
            isinstance(value, float) and math.isfinite(value) and value.is_integer()
        )
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    raise AssertionError(kind)


# The JSON Schema keywords `check_body` enforces, and those that only describe (documentation,
# examples, annotations). A request schema using any other keyword would be documented but not
# checked: tests/api/test_body_check.py walks every request schema against these two sets.
CHECKED_KEYWORDS = frozenset(
    {
        "$ref", "anyOf", "type", "enum", "minimum", "maximum", "minLength", "maxLength",
        "pattern", "format", "items", "minItems", "maxItems", "properties", "required",
        "additionalProperties",
    }
)  # fmt: skip
DESCRIBING_KEYWORDS = frozenset({"description", "example", "examples", "title", "readOnly"})
# "email" is checked by the schema's `pattern`, which must come with it (the service's address
# check, email-validator's, is what that pattern spells out).
CHECKED_FORMATS = frozenset({"date", "date-time", "email"})


def unchecked_keywords(schema: object, seen: set[int] | None = None) -> set[str]:
    """The keywords (and formats) in `schema`, followed through `$ref`s, that `check_body` would
    neither enforce nor treat as description."""
    seen = set() if seen is None else seen
    if not isinstance(schema, dict) or id(schema) in seen:
        return set()
    seen.add(id(schema))
    found = set(schema) - CHECKED_KEYWORDS - DESCRIBING_KEYWORDS
    if "format" in schema and schema["format"] not in CHECKED_FORMATS:
        found.add(f"format: {schema['format']}")
    if schema.get("format") == "email" and "pattern" not in schema:
        found.add("format: email (without a pattern)")
    if "$ref" in schema:
        found |= unchecked_keywords(COMPONENTS[schema["$ref"].rsplit("/", 1)[1]], seen)
    for child in (*schema.get("properties", {}).values(), *schema.get("anyOf", ())):
        found |= unchecked_keywords(child, seen)
    if isinstance(schema.get("items"), dict):
        found |= unchecked_keywords(schema["items"], seen)
    return found


def _check(value: object, schema: dict, where: str, errors: dict) -> object:
    if "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        return _check_any_of(value, schema["anyOf"], where, errors)
    name = where or "body"
    types = _types(schema)
    kind = next((t for t in types if _matches(value, t)), None)
    if kind is None:
        errors[name] = "must be " + _type_words(types)
        return None
    if kind == "null":
        return None
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(str(choice) for choice in schema["enum"] if choice is not None)
        errors[name] = "must be one of: " + choices
        return None
    if kind == "integer":
        value = int(value)
        if not schema.get("minimum", value) <= value <= schema.get("maximum", value):
            errors[name] = f"must be from {schema['minimum']} to {schema['maximum']}"
        return value
    if kind == "string":
        return _check_string(value, schema, name, errors)
    if kind == "array":
        if len(value) > schema.get("maxItems", len(value)):
            errors[name] = f"must have at most {schema['maxItems']} entries"
            return None
        if len(value) < schema.get("minItems", 0):
            errors[name] = f"must have at least {schema['minItems']} entries"
            return None
        return [
            _check(entry, schema["items"], f"{name}[{index}]", errors)
            for index, entry in enumerate(value)
        ]
    if kind == "object":
        return _check_object(value, schema, where, errors)
    return value


def _check_any_of(value: object, choices: list[dict], where: str, errors: dict) -> object:
    """The value as the first choice it fits; else the first choice's complaints."""
    first: dict[str, str] | None = None
    for choice in choices:
        complaints: dict[str, str] = {}
        checked = _check(value, choice, where, complaints)
        if not complaints:
            return checked
        first = first if first is not None else complaints
    errors.update(first or {})
    return None


# What a value that does not fit a schema's `pattern` is told: by the pattern (one written once in
# schemas.py), else by the format, else the schema's description.
_PATTERN_COMPLAINTS = {
    NOT_BLANK: "is required",
    EMAIL["pattern"]: "must be an email address such as name@example.com",
    SLUG["pattern"]: "must be a slug: lowercase letters, digits and single hyphens",
    PHONE["pattern"]: PHONE_MESSAGE,  # what the web pages and the service say
}
_FORMAT_COMPLAINTS = {
    "date": "must be a date written YYYY-MM-DD",
    "date-time": "must be a time written like 2026-12-01T08:30:00Z (RFC 3339)",
    "email": _PATTERN_COMPLAINTS[EMAIL["pattern"]],  # with whitespace allowed around it
}


def _pattern_complaint(schema: dict) -> str:
    return (
        _PATTERN_COMPLAINTS.get(schema["pattern"])
        or _FORMAT_COMPLAINTS.get(schema.get("format", ""))
        or schema.get("description")
        or "is not in the expected form"
    )


def _check_string(value: str, schema: dict, name: str, errors: dict) -> str | None:
    if "\x00" in value:
        errors[name] = NUL_MESSAGE
    elif len(value) > schema.get("maxLength", len(value)):
        errors[name] = f"must be at most {schema['maxLength']:,} characters"
    elif len(value) < schema.get("minLength", 0):
        errors[name] = "is required"
    elif "pattern" in schema and not pattern_matches(schema["pattern"], value):
        errors[name] = _pattern_complaint(schema)
    elif schema.get("format") == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            errors[name] = "is not a real date"
    elif schema.get("format") == "date-time":
        try:
            parse_timestamp(value)
        except ValueError:
            errors[name] = "is not a real time"
    return value


def _check_object(value: dict, schema: dict, where: str, errors: dict) -> dict:
    if "properties" not in schema:
        return value  # free-form (pose data, a dose): the service checks it
    properties = schema["properties"]
    prefix = f"{where}." if where else ""
    checked = {}
    for key, entry in value.items():
        if key not in properties:
            if schema.get("additionalProperties", True) is False:
                errors[prefix + str(key)[:80]] = "is not a field here"
            continue
        checked[key] = _check(entry, properties[key], prefix + key, errors)
    for key in schema.get("required", ()):
        if key not in value:
            errors[prefix + key] = "is required"
    return checked
