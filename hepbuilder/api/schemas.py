"""Request bodies of the JSON API, written once as JSON Schema, and the pieces response bodies
share with them (ids, dates, `ref`; the responses are in hepbuilder.api.openapi.responses).

The same schemas check every request body (hepbuilder.api.body_check) and describe it in the
OpenAPI document (hepbuilder.api.openapi), so the two cannot drift. They check shape only (types,
lengths, unknown fields); the services check the rules (a known exercise slug, a free external id,
a date of birth that is not in the future), so the web pages and the API share every rule.
"""

from hepbuilder.domain.dose import DOSE_LIMITS, SIDES
from hepbuilder.domain.exercise import BODY_REGIONS, CATEGORIES, POSITIONS, SLUG_RE
from hepbuilder.domain.limits import (
    HANDOUT_EMAIL_LIMITS,
    ITEM_LIMITS,
    PATIENT_LIMITS,
    PROGRAM_LIMITS,
    PROTOCOL_LIMITS,
    USER_LIMITS,
)
from hepbuilder.domain.phone import MIN_PHONE_DIGITS, PHONE_PATTERN
from hepbuilder.domain.records import TIMESTAMP_PATTERN
from hepbuilder.domain.spec import MAX_ITEMS, PAPERS
from hepbuilder.services import email_addresses

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
    **_nullable(_text(PATIENT_LIMITS["email"])),
    # services.email_addresses' rule (the handout `to`'s pattern), around optional whitespace
    # (the service strips it)
    "pattern": f"^[{WHITESPACE}]*$|{email_addresses.address_pattern(f'[{WHITESPACE}]*')}",
    "description": "Empty, or an address such as name@example.com, as for a handout's `to`: "
    "written in ASCII (an internationalised domain in its `xn--` form), with no spaces, quotes "
    "or IP address, and not under a special-use domain (.test, .local, .localhost, .invalid, "
    ".onion, .arpa).",
}

PHONE = {
    **_nullable(_text(PATIENT_LIMITS["phone"])),
    # domain.phone's rule, around optional whitespace (the service strips it)
    "pattern": f"^[{WHITESPACE}]*$|^[{WHITESPACE}]*(?:{PHONE_PATTERN})[{WHITESPACE}]*$",
    "description": (
        f"Empty, or a phone number such as +353 91 555 0100: at least {MIN_PHONE_DIGITS} "
        "digits, written with digits, spaces and + - ( ) . / only; an extension may follow "
        'as "ext 12" or "x12". A non-breaking space (U+00A0, U+2007, U+202F) counts as a '
        "space and is stored as a plain one."
    ),
    "example": "+353 91 555 0100",
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
        "notes": _nullable(_text(ITEM_LIMITS["notes"])),
    },
    "required": ["exercise"],
    "additionalProperties": False,
}

THERAPIST_EMAIL = {
    **_nullable(_text(USER_LIMITS["email"])),
    "description": (
        "The email of an active user of the clinic, named as therapist on the program and its "
        "handouts. Left out: the token's default therapist."
    ),
}

PROGRAM_FIELDS = {
    "title": _nullable(_text(PROGRAM_LIMITS["title"])),
    "notes": _nullable(_text(PROGRAM_LIMITS["notes"])),
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
        **_nullable(_text(PATIENT_LIMITS["external_id"])),
        "description": "The PMS's own id for the patient; unique in the clinic.",
    },
    "first_name": _text(PATIENT_LIMITS["first_name"], required=True),
    "last_name": _text(PATIENT_LIMITS["last_name"], required=True),
    "email": EMAIL,
    "date_of_birth": {**_nullable(DATE), "description": "Not in the future, not before 1880."},
    "phone": PHONE,
    "notes": _nullable(_text(PATIENT_LIMITS["notes"])),
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
        "fields are accepted when unchanged, but a `phone` or an `email` saved before they "
        "were checked must be corrected, or left out, to be sent back. Archive and restore have "
        "their own operations."
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
    "defaults": {**ref("Dose"), "description": "The exercise's default dose"},
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

EXERCISE_READ_ONLY = {
    "slug": _read_only("The exercise's slug (its address).", SLUG),
    "url": _read_only("The exercise's page.", _text(200)),
    "is_archived": _read_only(
        "Retired or not (archive and restore have their own calls).", {"type": "boolean"}
    ),
}

EXERCISE_UPDATE = {
    "type": "object",
    "description": (
        "Fields left out keep their value. `version` is the version you last read (GET): a "
        "stale one is refused with 409 and the current version in `error.current_version`. "
        "What GET returned may be sent back whole: its read-only fields are accepted when "
        "unchanged. The previous text is kept as a version."
    ),
    "properties": {"version": ID, **EXERCISE_FIELDS, **EXERCISE_READ_ONLY},
    "required": ["version"],
    "additionalProperties": False,
}

PROTOCOL_CREATE = {
    "type": "object",
    "properties": {
        "slug": _text(80, pattern="^[a-z0-9]+(-[a-z0-9]+)*$"),
        "name": _text(120, required=True),
        "description": _nullable(_text(PROTOCOL_LIMITS["description"])),
        "conditions": {
            "type": "array",
            "maxItems": 20,
            "items": SLUG,
            "description": "Condition slugs, as an exercise's (whom the protocol is for)",
        },
        "progression": _nullable(_text(PROTOCOL_LIMITS["progression"])),
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_ITEMS,
            "items": {
                "type": "object",
                "properties": {
                    "exercise": SLUG,
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


# Delivery: a handout by email

HANDOUT_EMAIL = {
    "type": "object",
    "description": "Leave the body out (or `to`) to send to the patient's own email address.",
    "properties": {
        "to": {
            "type": "string",
            "format": "email",
            "maxLength": HANDOUT_EMAIL_LIMITS["to"],
            "pattern": email_addresses.ADDRESS_PATTERN,
            "description": (
                "Send to this address instead of the patient's, e.g. carer@example.org: "
                "written in ASCII (an internationalised domain in its `xn--` form, which must "
                "be valid Punycode), with no spaces, quotes or IP address, and not under a "
                "special-use domain (.test, .local, .localhost, .invalid, .onion, .arpa)."
            ),
            "example": "carer@example.org",
        }
    },
    "additionalProperties": False,
}

# The shapes `ref` points at; the OpenAPI document's components, and what `check_body` resolves.
COMPONENTS = {
    "Side": SIDE,
    "Dose": DOSE,
    "Item": ITEM,
}
