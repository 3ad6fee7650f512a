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
from hepbuilder.domain.exercise import SLUG_RE
from hepbuilder.domain.records import TIMESTAMP_PATTERN, parse_timestamp
from hepbuilder.domain.spec import MAX_ITEMS, PAPERS

MAX_DEPTH = 16
MAX_ID = 2**31 - 1
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Python's whitespace (what str.strip() removes), spelled out: `\s` and `\S` mean different
# things in Python and in the ECMA regexes of JSON Schema, so the schemas never use them.
WHITESPACE = (
    r"\t\n\u000b\u000c\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Text is NUL-free everywhere (no database stores NUL); required text has a visible character.
NUL_FREE = "^[^\\u0000]*$"
NOT_BLANK = f"^[^\\u0000]*[^{WHITESPACE}\\u0000][^\\u0000]*$"
NUL_MESSAGE = "must not contain NUL (\\u0000) characters"


class MalformedBody(DomainError):
    """The body is not JSON we can read (the error mapper answers 400 for a plain DomainError)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def _text(max_length: int, *, required: bool = False, **extra) -> dict:
    schema = {"type": "string", "maxLength": max_length, "pattern": NUL_FREE, **extra}
    if required:
        schema.update(minLength=1, pattern=NOT_BLANK)
    return schema


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
DATE = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
TIMESTAMP = {
    "type": "string",
    "format": "date-time",
    "pattern": TIMESTAMP_PATTERN,
    "description": "RFC 3339, in UTC when the server writes it",
    "example": "2026-12-01T08:30:00Z",
}
SLUG = {"type": "string", "minLength": 1, "maxLength": 80, "pattern": SLUG_RE.pattern}
EMAIL = {
    **_nullable(_text(254)),
    "pattern": f"^[{WHITESPACE}]*$|^[{WHITESPACE}]*[^ \\u0000]*@[^ \\u0000]*[{WHITESPACE}]*$",
    "description": "Empty, or an address with an @ and no spaces.",
}


def ref(name: str) -> dict:
    """A reference to one of the shared shapes in COMPONENTS (the OpenAPI `components`)."""
    return {"$ref": f"#/components/schemas/{name}"}


def _read_only(description: str, schema: dict) -> dict:
    return {
        **schema,
        "readOnly": True,
        "description": f"{description} Read-only: sent back, it must be unchanged.",
    }


SIDE = {
    "type": "string",
    "enum": list(SIDES),
    "description": (
        '"each": both sides in turn; "left" / "right": that side only; "none": the exercise '
        "has no side."
    ),
}

DOSE_PROPERTIES = {
    **{
        name: {"type": ["integer", "null"], "minimum": low, "maximum": high}
        for name, (low, high) in DOSE_LIMITS.items()
    },
    "side": {"anyOf": [ref("Side"), {"type": "null"}], "description": 'null: "none"'},
}

DOSE = {
    "type": "object",
    "description": "How much and how often: sets, reps, hold, times a day, days a week, side.",
    "properties": DOSE_PROPERTIES,
    "additionalProperties": False,
}

ITEM = {
    "type": "object",
    "description": (
        "One exercise in a program and its dose. `exercise` is a slug from GET /exercises. "
        "An item sent with none of the dose fields gets the exercise's default dose; the server "
        "always answers with every field."
    ),
    "properties": {
        "exercise": SLUG,
        **DOSE_PROPERTIES,
        "notes": _nullable(_text(10_000)),
    },
    "required": ["exercise"],
    "additionalProperties": False,
}

THERAPIST_EMAIL = {
    **_nullable(_text(254)),
    "description": (
        "The email of an active user of the clinic, named as therapist on the program and its "
        "handouts. Left out: the token's default therapist."
    ),
}

PROGRAM_FIELDS = {
    "title": _nullable(_text(200)),
    "notes": _nullable(_text(10_000)),
    "review_on": _nullable(DATE),
    "paper": {"type": "string", "enum": list(PAPERS)},
    "large_print": {"type": "boolean"},
    "therapist_email": THERAPIST_EMAIL,
    "items": {"type": "array", "items": ref("Item"), "maxItems": MAX_ITEMS},
}

PROGRAM_CREATE = {
    "type": "object",
    "description": (
        "With `protocol`, the program starts from that protocol (its name as title, its items "
        "and doses); `items` sent with it then change the protocol's item for the same exercise "
        "(only the fields sent) or are added at the end. Without `protocol`, `items` are the "
        "program's items."
    ),
    "properties": {"patient_id": ID, "protocol": SLUG, **PROGRAM_FIELDS},
    "required": ["patient_id"],
    "additionalProperties": False,
}

PROGRAM_READ_ONLY = {
    "id": _read_only("The program's id.", ID),
    "patient_id": _read_only("The program's patient.", ID),
    "url": _read_only("The program in the web builder.", _text(200)),
    "created_at": _read_only("When it was created.", TIMESTAMP),
    "updated_at": _read_only("When it was last changed.", TIMESTAMP),
}

PROGRAM_UPDATE = {
    "type": "object",
    "description": (
        "Fields left out keep their value; `items`, when given, replace all items. "
        "`version` is the version you last read: a stale one is refused with 409 "
        "`version_conflict`. What GET returned may be sent back whole: its read-only fields "
        "are accepted when unchanged. A PUT that changes nothing keeps the version."
    ),
    "properties": {"version": ID, **PROGRAM_FIELDS, **PROGRAM_READ_ONLY},
    "required": ["version"],
    "additionalProperties": False,
}

HANDOUT_ISSUE = {
    "type": "object",
    "properties": {"version": ID, "therapist_email": THERAPIST_EMAIL},
    "additionalProperties": False,
}

PATIENT_FIELDS = {
    "external_id": {
        **_nullable(_text(100)),
        "description": "The PMS's own id for the patient; unique in the clinic.",
    },
    "first_name": _text(100, required=True),
    "last_name": _text(100, required=True),
    "email": EMAIL,
    "date_of_birth": {**_nullable(DATE), "description": "Not in the future, not before 1880."},
    "phone": _nullable(_text(50)),
    "notes": _nullable(_text(10_000)),
}

PATIENT_CREATE = {
    "type": "object",
    "properties": PATIENT_FIELDS,
    "required": ["first_name", "last_name"],
    "additionalProperties": False,
}

PATIENT_PATCH = {
    "type": "object",
    "description": (
        "Only the fields sent change. What GET returned may be sent back whole: its read-only "
        "fields are accepted when unchanged. Archive and restore have their own operations."
    ),
    "properties": {
        **PATIENT_FIELDS,
        "id": _read_only("The patient's id.", ID),
        "url": _read_only("The patient's page.", _text(200)),
        "is_archived": _read_only("Archived or not.", {"type": "boolean"}),
        "created_at": _read_only("When it was created.", TIMESTAMP),
        "updated_at": _read_only("When it was last changed.", TIMESTAMP),
    },
    "additionalProperties": False,
}

# Response bodies (documentation only: the server writes them, in hepbuilder.api.routes).

ERROR_CODES = {
    "bad_request": "400: the body is not JSON we can read.",
    "unauthorized": "401: no token, or an unknown or revoked one.",
    "forbidden": "403: the token may not do this.",
    "not_found": "404: nothing by that id in the token's clinic.",
    "method_not_allowed": "405: the path exists, the method does not.",
    "conflict": "409: changed by someone else at the same moment; try again.",
    "version_conflict": "409: the program was saved since the `version` you sent.",
    "external_id_taken": "409: another patient has this external_id (`existing_id`).",
    "idempotency_key_reused": "409: the Idempotency-Key came with a different request before.",
    "idempotency_key_in_use": "409: a request with this Idempotency-Key is still running.",
    "too_large": "413: the body is over 8 MB.",
    "unsupported_media_type": "415: a body that is not `application/json`.",
    "invalid": "422: fields or query parameters break a rule; each is named in `fields`.",
    "rate_limited": "429: the token made too many requests this minute (see Retry-After).",
    "server_error": "500: our fault; the X-Request-Id helps us find it.",
}

ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "enum": list(ERROR_CODES),
                    "description": "What went wrong, for programs: "
                    + " ".join(f"`{code}`: {text}" for code, text in ERROR_CODES.items()),
                },
                "message": {"type": "string", "description": "One sentence, for people"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": 'Each bad field by path ("items[2].sets"): what is wrong.',
                },
                "existing_id": {"type": "integer", "description": "With `external_id_taken`"},
                "current_version": {
                    "type": ["integer", "null"],
                    "description": "With `version_conflict` (null when it is not known)",
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

_STRINGS = {"type": "array", "items": {"type": "string"}}
_OPTIONAL_TEXT = {"type": ["string", "null"], "description": "null when empty"}

EXERCISE = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "summary": {"type": "string"},
        "category": {"type": "string"},
        "body_region": {"type": "string"},
        "position": {"type": "string"},
        "targets": _STRINGS,
        "equipment": _STRINGS,
        "steps": _STRINGS,
        "cues": _STRINGS,
        "precautions": _STRINGS,
        "defaults": ref("Dose"),
        "is_archived": {"type": "boolean"},
        "url": {"type": "string", "description": "The exercise's page in the web app"},
    },
    "required": ["slug", "name", "category", "body_region", "targets", "equipment", "defaults"],
}

PATIENT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "external_id": _OPTIONAL_TEXT,
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "email": _OPTIONAL_TEXT,
        "date_of_birth": {"type": ["string", "null"], "format": "date"},
        "phone": _OPTIONAL_TEXT,
        "notes": _OPTIONAL_TEXT,
        "is_archived": {"type": "boolean"},
        "url": {"type": "string", "description": "The patient's page in the web app"},
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    },
    "required": [
        "id",
        "external_id",
        "first_name",
        "last_name",
        "email",
        "date_of_birth",
        "is_archived",
        "created_at",
        "updated_at",
    ],
}

PROGRAM = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "patient_id": {"type": "integer"},
        "version": {"type": "integer"},
        "title": _OPTIONAL_TEXT,
        "notes": _OPTIONAL_TEXT,
        "review_on": {"type": ["string", "null"], "format": "date"},
        "paper": {"type": "string", "enum": list(PAPERS)},
        "large_print": {"type": "boolean"},
        "therapist_email": {
            "type": ["string", "null"],
            "description": "The program's therapist (null: nobody named)",
        },
        "items": {"type": "array", "items": ref("Item")},
        "url": {"type": "string", "description": "The program in the web builder"},
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    },
    "required": [
        "id",
        "patient_id",
        "version",
        "title",
        "notes",
        "items",
        "created_at",
        "updated_at",
    ],
}

HANDOUT = {
    "type": "object",
    "description": "An issued handout: frozen, never changed (so `updated_at` is `created_at`).",
    "properties": {
        "id": {"type": "integer"},
        "number": {"type": "integer", "description": "1, 2, 3... per patient"},
        "title": _OPTIONAL_TEXT,
        "issued_on": {"type": "string", "format": "date", "description": "The date printed on it"},
        "issued_at": TIMESTAMP,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "patient_id": {"type": "integer"},
        "program_id": {"type": "integer"},
        "program_version": {
            "type": ["integer", "null"],
            "description": "The program version it froze (null for handouts issued before v1.1)",
        },
        "therapist": {
            "type": ["object", "null"],
            "description": "The therapist printed on it (null: none)",
            "properties": {
                "name": {"type": "string"},
                "credentials": _OPTIONAL_TEXT,
                "email": _OPTIONAL_TEXT,
            },
            "required": ["name", "credentials", "email"],
        },
        "pdf_url": {"type": "string"},
        "fhir_url": {"type": "string", "description": "The handout as a FHIR R4 Bundle"},
        "share_url": {
            "type": ["string", "null"],
            "description": "The patient's private link, when there is one",
        },
        "deliveries": {
            "type": "array",
            "description": "Emails of this handout, oldest first",
            "items": {"type": "object"},
        },
    },
    "required": [
        "id",
        "number",
        "issued_at",
        "patient_id",
        "program_id",
        "program_version",
        "therapist",
        "pdf_url",
        "fhir_url",
        "share_url",
        "deliveries",
    ],
}

PROTOCOL = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "description": _OPTIONAL_TEXT,
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "exercise": {"type": "string"},
                    "dose": {
                        "anyOf": [ref("Dose"), {"type": "null"}],
                        "description": "null: the exercise's default dose",
                    },
                    "notes": _OPTIONAL_TEXT,
                },
                "required": ["exercise", "dose", "notes"],
            },
        },
    },
    "required": ["slug", "name", "description", "items"],
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


# The shapes `ref` points at; the OpenAPI document's components, and what `check_body` resolves.
COMPONENTS = {
    "Side": SIDE,
    "Dose": DOSE,
    "Item": ITEM,
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
        elif schema.get("format") == "date-time":
            errors[name] = "must be a time written like 2026-12-01T08:30:00Z (RFC 3339)"
        elif schema is SLUG or schema.get("pattern") == SLUG["pattern"]:
            errors[name] = "must be a slug: lowercase letters, digits and single hyphens"
        else:
            errors[name] = schema.get("description") or "is not in the expected form"
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
    properties = schema.get("properties", {})
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
