"""Response bodies of the JSON API as JSON Schema: documentation only (the server writes them, in
hepbuilder.api.routes), for the OpenAPI document's components. The request bodies, which the
same schemas also check, are in hepbuilder.api.schemas."""

from hepbuilder.api.schemas import TIMESTAMP, ref
from hepbuilder.domain.spec import PAPERS
from hepbuilder.services.outbox import STATUSES as OUTBOX_STATUSES

ERROR_CODES = {
    "bad_request": "400: the body is not JSON we can read.",
    "unauthorized": "401: no token, or an unknown or revoked one.",
    "forbidden": "403: the token may not do this.",
    "not_found": "404: nothing by that id in the token's clinic.",
    "method_not_allowed": "405: the path exists, the method does not.",
    "conflict": "409: changed by someone else at the same moment; try again.",
    "version_conflict": "409: the program was saved since the `version` you sent "
    "(`current_version`; `fields.version`).",
    "external_id_taken": "409: another patient has this external_id (`existing_id`; "
    "`fields.external_id`).",
    "idempotency_key_reused": "409: the Idempotency-Key came with a different request before.",
    "idempotency_key_in_use": "409: a request with this Idempotency-Key is still running.",
    "too_large": "413: the body is over 8 MB.",
    "uri_too_long": "414: the address (path and query) is over 4,096 characters.",
    "unsupported_media_type": "415: a body that is not `application/json`.",
    "invalid": "422: fields or query parameters break a rule; each is named in `fields`.",
    "rate_limited": "429: the token made too many requests this minute (see Retry-After).",
    "server_error": "500: our fault; the X-Request-Id helps us find it.",
    "unavailable": "503: the S3 store of handout PDFs cannot give or take one now; try later.",
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
                    "description": 'Each bad field by path ("items[2].sets"): what is wrong. '
                    "A 409 about one field of the request names it too: `external_id` "
                    '("is already used by patient 12"), a stale `version`, or the `slug` of an '
                    "exercise added by someone else at the same moment; `{}` when a 409 is about "
                    "no one field (an Idempotency-Key, email not set up).",
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
        "conditions": _STRINGS,
        "photos": _STRINGS,
        "source": {"type": ["string", "null"]},
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
        "external_id": _OPTIONAL_TEXT,
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "email": {
            **_OPTIONAL_TEXT,
            "description": "null when empty; one saved before addresses were checked as a "
            "handout's `to` is (see PatientCreate) may be any text",
        },
        "date_of_birth": {"type": ["string", "null"], "format": "date"},
        "phone": {
            **_OPTIONAL_TEXT,
            "description": "null when empty; one saved before phone numbers were checked (see "
            "PatientCreate) may be any text",
        },
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
            "description": "Emails of this handout, newest first",
            "items": {"$ref": "#/components/schemas/Delivery"},
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
        "conditions": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Condition slugs: whom the protocol is for",
        },
        "progression": {
            "type": ["string", "null"],
            "description": "When and how to move the patient on; null when empty",
        },
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
    "required": ["slug", "name", "description", "conditions", "progression", "items"],
}


DELIVERY_QUEUED = {
    "type": "object",
    "properties": {"id": {"type": "integer", "description": "The delivery's id"}},
    "required": ["id"],
}

DELIVERY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {
            "type": "string",
            "enum": list(OUTBOX_STATUSES),
            "description": (
                "queued: waiting (or waiting for its next try); sending: a worker has it now; "
                "sent: the mail server accepted it; failed: every try failed (see last_error)."
            ),
        },
        "attempts": {"type": "integer", "minimum": 0},
        "last_error": {"type": ["string", "null"], "description": "Why the last try failed"},
        "sent_at": {
            **TIMESTAMP,
            "type": ["string", "null"],
            "description": "When the mail server took it",
        },
        "created_at": {**TIMESTAMP, "description": "When it was queued"},
        "updated_at": {**TIMESTAMP, "description": "When its status or attempts last changed"},
    },
    "required": ["id", "status", "attempts", "last_error", "sent_at", "created_at", "updated_at"],
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
