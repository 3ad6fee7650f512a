"""Request and response bodies of the JSON API, written once as JSON Schema.

The same schemas check every request body here (`check_body`) and describe it in the OpenAPI
document (hepbuilder.api.openapi), so the two cannot drift. They check shape only (types, lengths,
unknown fields); the services check the rules (a known exercise slug, a free external id, a date of
birth that is not in the future), so the web pages and the API share every rule.

`decode_json` is the strict reader: UTF-8 only, no NaN or Infinity, no duplicate keys, nesting at
most MAX_DEPTH levels; anything else is a 400 (MalformedBody).
"""

import datetime as dt
import json
import math
import re

from hepbuilder.domain.dose import DOSE_LIMITS, SIDES
from hepbuilder.domain.errors import DomainError, ValidationError
from hepbuilder.domain.exercise import BODY_REGIONS, CATEGORIES, POSITIONS
from hepbuilder.domain.spec import MAX_ITEMS, PAPERS

MAX_DEPTH = 16
MAX_ID = 2**31 - 1
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Python's whitespace (what str.strip() removes), spelled out: `\s` and `\S` mean different
# things in Python and in the ECMA regexes of JSON Schema, so the schemas never use them.
WHITESPACE = (
    r"\t\n\u000b\u000c\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
NOT_BLANK = f"[^{WHITESPACE}]"
NUL_MESSAGE = "must not contain NUL (\\u0000) characters"


class MalformedBody(DomainError):
    """The body is not JSON we can read (the error mapper answers 400 for a plain DomainError)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def _text(max_length: int, *, required: bool = False, **extra) -> dict:
    schema = {"type": "string", "maxLength": max_length, **extra}
    if required:
        schema.update(minLength=1, pattern=NOT_BLANK)
    return schema


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DATE = {"type": "string", "format": "date", "pattern": DATE_PATTERN}

ITEM_REQUEST = {
    "type": "object",
    "description": (
        "One exercise in a program and its dose. `exercise` is a slug from GET /exercises. "
        "An item that sets none of the dose fields gets the exercise's default dose."
    ),
    "properties": {
        "exercise": {"type": "string", "minLength": 1, "maxLength": 80},
        **{
            name: {"type": ["integer", "null"], "minimum": low, "maximum": high}
            for name, (low, high) in DOSE_LIMITS.items()
        },
        "side": {"type": ["string", "null"], "enum": [*SIDES, None]},
        "notes": _nullable(_text(10_000)),
    },
    "required": ["exercise"],
    "additionalProperties": False,
}

PROGRAM_FIELDS = {
    "title": _nullable(_text(200)),
    "notes": _nullable(_text(10_000)),
    "review_on": _nullable(DATE),
    "paper": {"type": "string", "enum": list(PAPERS)},
    "large_print": {"type": "boolean"},
    "items": {"type": "array", "items": ITEM_REQUEST, "maxItems": MAX_ITEMS},
}

PROGRAM_CREATE = {
    "type": "object",
    "properties": {"patient_id": ID, **PROGRAM_FIELDS},
    "required": ["patient_id"],
    "additionalProperties": False,
}

PROGRAM_UPDATE = {
    "type": "object",
    "description": (
        "Fields left out keep their value; `items`, when given, replace all items. "
        "`version` is the version you last read: a stale one is refused with 409."
    ),
    "properties": {"version": ID, **PROGRAM_FIELDS},
    "required": ["version"],
    "additionalProperties": False,
}

HANDOUT_ISSUE = {
    "type": "object",
    "properties": {"version": ID},
    "additionalProperties": False,
}

PATIENT_CREATE = {
    "type": "object",
    "properties": {
        "external_id": _nullable(_text(100)),
        "first_name": _text(100, required=True),
        "last_name": _text(100, required=True),
        "email": {
            **_nullable(_text(254)),
            "pattern": f"^[{WHITESPACE}]*$|^[{WHITESPACE}]*[^ ]*@[^ ]*[{WHITESPACE}]*$",
            "description": "Empty, or an address with an @ and no spaces.",
        },
        "date_of_birth": {**_nullable(DATE), "description": "Not in the future, not before 1880."},
        "phone": _nullable(_text(50)),
        "notes": _nullable(_text(10_000)),
    },
    "required": ["first_name", "last_name"],
    "additionalProperties": False,
}

_LINES = {"type": "array", "items": _text(600, required=True), "maxItems": 30}
_SLUGS = {"type": "array", "items": _text(80, required=True), "maxItems": 40}

EXERCISE_FIELDS = {
    "name": _text(120, required=True),
    "summary": _text(2000, required=True),
    "category": {"type": "string", "enum": list(CATEGORIES)},
    "body_region": {"type": "string", "enum": list(BODY_REGIONS)},
    "position": {"type": "string", "enum": list(POSITIONS)},
    "targets": {**_SLUGS, "description": "Muscle slugs from the clinic's muscle list"},
    "equipment": _SLUGS,
    "steps": {**_LINES, "minItems": 1},
    "cues": _LINES,
    "precautions": _LINES,
    "conditions": {
        **_SLUGS,
        "description": "e.g. low-back-pain; search finds the exercise by them",
    },
    "photos": {
        "type": "array",
        "items": _text(200, required=True),
        "maxItems": 4,
        "description": "Paths of photos already stored for the exercise (uploaded on the web), "
        "in the order shown; send back what GET gave, or fewer to stop showing one",
    },
    "defaults": {
        "type": "object",
        "properties": {
            **{
                name: {"type": ["integer", "null"], "minimum": low, "maximum": high}
                for name, (low, high) in DOSE_LIMITS.items()
            },
            "side": {"type": "string", "enum": list(SIDES)},
        },
        "additionalProperties": False,
    },
    "illustration": {
        "type": ["object", "null"],
        "description": "Pose data, as in the library's YAML `illustration:` block",
    },
    "source": _nullable(_text(2000)),
}

EXERCISE_CREATE = {
    "type": "object",
    "description": (
        "A library entry. `slug` may be left out: it is made from the name, and a slug the "
        "clinic has used before (even for a retired exercise) is never given again."
    ),
    "properties": {"slug": _text(80, pattern="^[a-z0-9]+(-[a-z0-9]+)*$"), **EXERCISE_FIELDS},
    "required": ["name", "summary", "category", "body_region", "position", "steps"],
    "additionalProperties": False,
}

EXERCISE_UPDATE = {
    "type": "object",
    "description": (
        "Fields left out keep their value. `version` is the version you last read (GET): a "
        "stale one is refused with 409 and the current version in `error.current_version`. "
        "The previous text is kept as a version."
    ),
    "properties": {"version": ID, **EXERCISE_FIELDS},
    "required": ["version"],
    "additionalProperties": False,
}

PROTOCOL_CREATE = {
    "type": "object",
    "properties": {
        "slug": _text(80, pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
        "name": _text(120, required=True),
        "description": _nullable(_text(2000)),
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_ITEMS,
            "items": {
                "type": "object",
                "properties": {
                    "exercise": {"type": "string", "minLength": 1, "maxLength": 80},
                    "dose": {
                        "type": ["object", "null"],
                        "description": "Left out: the exercise's default dose",
                    },
                    "notes": _nullable(_text(1000)),
                },
                "required": ["exercise"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["name", "items"],
    "additionalProperties": False,
}

PROTOCOL = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "items": {"type": "array", "items": {"type": "object"}},
        "is_archived": {"type": "boolean"},
    },
    "required": ["slug", "name", "description", "items"],
}

# Response bodies (documentation only: the server writes them, `to_json` functions below).

ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": 'Each bad field by path ("items[2].sets"): what is wrong.',
                },
                "existing_id": {"type": "integer", "description": "409 for a taken external_id"},
                "current_version": {
                    "type": ["integer", "null"],
                    "description": "409 for a stale program version",
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

DOSE_OUT = {
    **{name: {"type": ["integer", "null"]} for name in DOSE_LIMITS},
    "side": {"type": "string", "enum": list(SIDES)},
}

EXERCISE = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "summary": {"type": "string"},
        "category": {"type": "string"},
        "body_region": {"type": "string"},
        "position": {"type": "string"},
        "targets": {"type": "array", "items": {"type": "string"}},
        "equipment": {"type": "array", "items": {"type": "string"}},
        "steps": {"type": "array", "items": {"type": "string"}},
        "cues": {"type": "array", "items": {"type": "string"}},
        "precautions": {"type": "array", "items": {"type": "string"}},
        "conditions": {"type": "array", "items": {"type": "string"}},
        "photos": {"type": "array", "items": {"type": "string"}},
        "defaults": {"type": "object", "properties": DOSE_OUT},
        "source": {"type": "string"},
        "is_archived": {"type": "boolean"},
        "version": {"type": "integer", "description": "Send it back with PUT"},
        "url": {"type": "string", "description": "The exercise's page in the web app"},
    },
    "required": ["slug", "name", "category", "body_region", "targets", "equipment", "defaults"],
}

PATIENT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "external_id": {"type": ["string", "null"]},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "email": {"type": "string"},
        "date_of_birth": {"type": ["string", "null"], "format": "date"},
        "phone": {"type": "string"},
        "notes": {"type": "string"},
        "is_archived": {"type": "boolean"},
        "url": {"type": "string", "description": "The patient's page in the web app"},
    },
    "required": ["id", "external_id", "first_name", "last_name", "email", "date_of_birth"],
}

ITEM = {
    "type": "object",
    "properties": {
        "exercise": {"type": "string"},
        **DOSE_OUT,
        "notes": {"type": "string"},
    },
    "required": ["exercise", *DOSE_LIMITS, "side", "notes"],
}

PROGRAM = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "patient_id": {"type": "integer"},
        "version": {"type": "integer"},
        "title": {"type": "string"},
        "notes": {"type": "string"},
        "review_on": {"type": ["string", "null"], "format": "date"},
        "paper": {"type": "string", "enum": list(PAPERS)},
        "large_print": {"type": "boolean"},
        "items": {"type": "array", "items": ITEM},
        "url": {"type": "string", "description": "The program in the web builder"},
    },
    "required": ["id", "patient_id", "version", "title", "notes", "items"],
}

HANDOUT_ISSUED = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "pdf_url": {"type": "string"},
        "share_url": {
            "type": ["string", "null"],
            "description": "The patient's private link, when there is one",
        },
    },
    "required": ["id", "pdf_url", "share_url"],
}


def page_of(item_schema: dict) -> dict:
    """A list response: one page of items and the link to the next page (null on the last)."""
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": item_schema},
            "next": {"type": ["string", "null"]},
        },
        "required": ["items", "next"],
    }


# Reading request bodies


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
    return data


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


def _check(value: object, schema: dict, where: str, errors: dict) -> object:
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
        return [
            _check(entry, schema["items"], f"{name}[{index}]", errors)
            for index, entry in enumerate(value)
        ]
    if kind == "object":
        return _check_object(value, schema, where, errors)
    return value


def _check_string(value: str, schema: dict, name: str, errors: dict) -> str | None:
    if "\x00" in value:
        errors[name] = NUL_MESSAGE
    elif len(value) > schema.get("maxLength", len(value)):
        errors[name] = f"must be at most {schema['maxLength']:,} characters"
    elif len(value) < schema.get("minLength", 0):
        errors[name] = "is required"
    elif "pattern" in schema and not pattern_matches(schema["pattern"], value):
        if schema["pattern"] == NOT_BLANK:
            errors[name] = "is required"
        elif schema.get("format") == "date":
            errors[name] = "must be a date written YYYY-MM-DD"
        else:
            errors[name] = schema.get("description") or "is not in the expected form"
    elif schema.get("format") == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            errors[name] = "is not a real date"
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
