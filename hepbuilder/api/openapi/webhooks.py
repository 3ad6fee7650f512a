"""OpenAPI `webhooks`: the events hepbuilder POSTs to a clinic's endpoints, with their payloads.

The event types and their meanings come from services.webhooks.EVENTS; the payloads are written
by the services that emit them (handouts, handout_emails, programs, patients)."""

from hepbuilder.services.webhooks import EVENTS

TAG = "Webhooks"
EXAMPLE_URL = "https://hep.example/api/v1"
_ID = {"type": "integer", "minimum": 1}
_PATIENT = {
    "patient_id": {**_ID, "description": "The patient's id in hepbuilder."},
    "patient_external_id": {
        "type": ["string", "null"],
        "description": "The PMS's own id for the patient, when it set one.",
    },
}
_HANDOUT = {
    "handout_id": {**_ID, "description": "The handout's id (GET /handouts/{handout_id})."},
    "number": {**_ID, "description": "1, 2, 3… per patient."},
    "url": {"type": "string", "format": "uri", "description": "The handout resource (JSON)."},
    "pdf_url": {
        "type": "string",
        "format": "uri",
        "description": "The PDF, to fetch with the API token and file in the patient's chart.",
    },
    **_PATIENT,
}
_HANDOUT_EXAMPLE = {
    "handout_id": 7,
    "number": 2,
    "url": f"{EXAMPLE_URL}/handouts/7",
    "pdf_url": f"{EXAMPLE_URL}/handouts/7.pdf",
    "patient_id": 3,
    "patient_external_id": "PMS-4711",
}
_DELIVERY_ID = {**_ID, "description": "The email's delivery id (GET /deliveries/{delivery_id})."}

# event type -> (data properties, required names, example data)
EVENT_DATA = {
    "handout.issued": (
        {
            **_HANDOUT,
            "program_id": _ID,
            "program_version": {**_ID, "description": "The program's version it froze."},
            "issued_on": {"type": "string", "format": "date"},
            "pdf_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        },
        [*_HANDOUT, "program_id", "program_version", "issued_on", "pdf_sha256"],
        {
            **_HANDOUT_EXAMPLE,
            "program_id": 4,
            "program_version": 3,
            "issued_on": "2026-12-01",
            "pdf_sha256": "9f2c" + "0" * 60,
        },
    ),
    "handout.emailed": (
        {**_HANDOUT, "delivery_id": _DELIVERY_ID, "attached": {"type": "boolean"}},
        [*_HANDOUT, "delivery_id", "attached"],
        {**_HANDOUT_EXAMPLE, "delivery_id": 12, "attached": True},
    ),
    "delivery.failed": (
        {
            **_HANDOUT,
            "delivery_id": _DELIVERY_ID,
            "channel": {"type": "string", "enum": ["email"]},
            "attempts": {**_ID, "description": "How many times it was tried."},
        },
        ["delivery_id", "channel", "attempts"],
        {**_HANDOUT_EXAMPLE, "delivery_id": 12, "channel": "email", "attempts": 6},
    ),
    "program.updated": (
        {"program_id": _ID, "version": {**_ID, "description": "The new version."}, **_PATIENT},
        ["program_id", "version", *_PATIENT],
        {"program_id": 4, "version": 4, "patient_id": 3, "patient_external_id": "PMS-4711"},
    ),
    "patient.updated": (
        {
            **_PATIENT,
            "fields": {
                "type": "array",
                "items": {"type": "string"},
                "description": "The names of the fields that changed (not their values).",
            },
        },
        [*_PATIENT, "fields"],
        {"patient_id": 3, "patient_external_id": "PMS-4711", "fields": ["email"]},
    ),
    "patient.erased": (
        _PATIENT,
        list(_PATIENT),
        {"patient_id": 3, "patient_external_id": "PMS-4711"},
    ),
}

SIGNATURE = {
    "name": "Hepbuilder-Signature",
    "in": "header",
    "required": True,
    "description": (
        '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` under the endpoint\'s signing '
        "secret (shown once when the endpoint was made). Recompute it over the raw body, "
        "compare in constant time, and refuse a `t` more than a few minutes old."
    ),
    "schema": {"type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$"},
}


def _name(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.split(".")) + "Event"


def event_schema(event_type: str) -> dict:
    properties, required, _example = EVENT_DATA[event_type]
    return {
        "type": "object",
        "description": EVENTS[event_type],
        "properties": {
            "id": {
                "type": "string",
                "description": "The event's id: the same on every retry, so a receiver can "
                "ignore one it has seen.",
            },
            "type": {"type": "string", "enum": [event_type]},
            "created_at": {"type": "string", "format": "date-time"},
            "data": {
                "type": "object",
                "properties": properties,
                "required": list(required),
                "additionalProperties": False,
            },
        },
        "required": ["id", "type", "created_at", "data"],
        "additionalProperties": False,
    }


def _webhook(event_type: str) -> dict:
    _properties, _required, example = EVENT_DATA[event_type]
    return {
        "post": {
            "operationId": _name(event_type)[0].lower() + _name(event_type)[1:],
            "tags": [TAG],
            "summary": f"{event_type}: {EVENTS[event_type].split(' (')[0].rstrip('.')}",
            "description": (
                f"{EVENTS[event_type]} POSTed to every active endpoint subscribed to "
                f"`{event_type}`, signed. Answer 2xx within 10 seconds; anything else (or no "
                "answer) is retried after about 1 min, 5 min, 30 min, 2 h and 12 h. Redirects "
                "are not followed. 410 Gone switches the endpoint off."
            ),
            "security": [],
            "parameters": [SIGNATURE],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{_name(event_type)}"},
                        "example": {
                            "id": "evt_3f1c9a0e6b2d4c8f9e7a5b1d2c3e4f50",
                            "type": event_type,
                            "created_at": "2026-12-01T08:30:00Z",
                            "data": example,
                        },
                    }
                },
            },
            "responses": {
                "200": {"description": "Received (any 2xx counts)."},
                "410": {"description": "Gone: hepbuilder switches this endpoint off."},
            },
        }
    }


WEBHOOKS = {event_type: _webhook(event_type) for event_type in EVENTS}
COMPONENT_SCHEMAS = {_name(event_type): event_schema(event_type) for event_type in EVENTS}
