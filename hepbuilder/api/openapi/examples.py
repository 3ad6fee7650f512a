"""Example requests and answers for the OpenAPI document (tests check each against its schema)."""

from hepbuilder.domain.records import stale_version

CREATED = "2026-12-01T08:30:00Z"
UPDATED = "2026-12-01T08:45:12Z"

DOSE = {
    "sets": 2,
    "reps": None,
    "hold_seconds": 60,
    "times_per_day": 1,
    "days_per_week": 7,
    "side": "each",
}

EXERCISE = {
    "slug": "figure-4-stretch",
    "name": "Figure-4 stretch",
    "summary": "Stretches the muscles at the back and side of the hip.",
    "category": "stretch",
    "body_region": "hip",
    "position": "supine",
    "targets": ["piriformis", "gluteus-maximus"],
    "equipment": [],
    "steps": [
        "Lie on your back with both knees bent.",
        "Cross one ankle over the other knee.",
        "Pull the lower leg towards you until you feel a stretch.",
    ],
    "cues": ["Keep your head and shoulders on the floor."],
    "precautions": ["Stop if you feel pain in the knee."],
    "defaults": DOSE,
    "conditions": ["low-back-pain", "hip-stiffness"],
    "photos": [],
    "source": "Adapted for patients from the clinic article.",
    "is_archived": False,
    "version": 1,
    "url": "/exercises/figure-4-stretch",
}

EXERCISE_CREATE = {
    "name": "Glute bridge",
    "summary": "Strengthens the buttock muscles that support your back.",
    "category": "strength",
    "body_region": "hip",
    "position": "supine",
    "targets": ["gluteus-maximus"],
    "steps": ["Lie on your back with your knees bent.", "Lift your hips, then lower slowly."],
    "defaults": {"sets": 2, "reps": 10, "side": "none"},
}

EXERCISE_UPDATE = {"version": 1, "summary": "Strengthens the muscles at the back of the hip."}

PROTOCOL_CREATE = {
    "name": "Hip strength, week 1",
    "description": "Start here after the first visit.",
    "conditions": ["hip-instability"],
    "progression": "Add a second set when 10 steps each way feel easy.",
    "items": [{"exercise": "monster-walk"}, {"exercise": "step-up", "notes": "Start low."}],
}

PATIENT_CREATE = {
    "external_id": "4711",
    "first_name": "Zoë",
    "last_name": "Łukasiewicz",
    "email": "zoe@example.com",
    "date_of_birth": "1958-07-21",
}

PATIENT = {
    "id": 1,
    "external_id": "4711",
    "first_name": "Zoë",
    "last_name": "Łukasiewicz",
    "email": "zoe@example.com",
    "date_of_birth": "1958-07-21",
    "phone": None,
    "notes": None,
    "is_archived": False,
    "url": "/patients/1",
    "created_at": CREATED,
    "updated_at": UPDATED,
}

PATIENT_PATCH = {"email": "zoe.l@example.com", "phone": "+44 20 7946 0000"}

ITEMS = [
    {"exercise": "figure-4-stretch", **DOSE, "notes": None},
    {
        "exercise": "monster-walk",
        "sets": 3,
        "reps": 10,
        "hold_seconds": None,
        "times_per_day": 1,
        "days_per_week": 5,
        "side": "none",
        "notes": "Band just above the knees.",
    },
]

PROGRAM_CREATE = {
    "patient_id": 1,
    "title": "Hip mobility for low back pain",
    "therapist_email": "sam@riverside.example",
    "items": [
        {"exercise": "figure-4-stretch", "sets": 2, "hold_seconds": 60, "side": "each"},
        {"exercise": "monster-walk", "sets": 3, "reps": 10},
    ],
}

PROGRAM = {
    "id": 1,
    "patient_id": 1,
    "version": 1,
    "title": "Hip mobility for low back pain",
    "notes": None,
    "review_on": "2026-12-15",
    "paper": "A4",
    "large_print": False,
    "therapist_email": "sam@riverside.example",
    "items": ITEMS,
    "url": "/programs/1",
    "created_at": CREATED,
    "updated_at": CREATED,
}

# What changes, with the version read. The whole record from GET may be sent instead; its
# read-only fields are accepted when unchanged (the schema marks them readOnly).
PROGRAM_UPDATE = {
    "version": 1,
    "title": "Hip mobility, week 2",
    "items": [{**ITEMS[0], "sets": 3}, ITEMS[1]],
}

PROTOCOL = {
    "slug": "unstable-hips-trendelenburg",
    "name": "Unstable hips / Trendelenburg gait",
    "description": "Glute medius stability work.",
    "conditions": ["hip-instability", "trendelenburg-gait"],
    "progression": "Move to a higher step when 3 sets of 10 step-ups are easy.",
    "items": [
        {"exercise": "monster-walk", "dose": None, "notes": None},
        {"exercise": "step-up", "dose": {**DOSE, "sets": 3, "reps": 8}, "notes": "Start low."},
    ],
}

HANDOUT_ISSUE = {"version": 1, "therapist_email": "sam@riverside.example"}

HANDOUT = {
    "id": 1,
    "number": 1,
    "title": "Hip mobility for low back pain",
    "issued_on": "2026-12-01",
    "issued_at": UPDATED,
    "created_at": UPDATED,
    "updated_at": UPDATED,
    "patient_id": 1,
    "program_id": 1,
    "program_version": 1,
    "therapist": {"name": "Sam Rivera", "credentials": "DPT", "email": "sam@riverside.example"},
    "pdf_url": "/api/v1/handouts/1.pdf",
    "fhir_url": "/api/v1/handouts/1/fhir",
    "share_url": None,
    "deliveries": [],
}


def page(*items: dict) -> dict:
    return {"items": list(items), "next": None}


MESSAGES = {
    "bad_request": "The request body is not valid JSON (Expecting value: line 1 column 1).",
    "unauthorized": "That API token is unknown or has been revoked.",
    "forbidden": "This token may not do that.",
    "not_found": "There is no such patient.",
    "version_conflict": "Someone else saved this program since you opened it.",
    "too_large": "That upload or request is too large.",
    "uri_too_long": "That address is too long.",
    "unsupported_media_type": "Send the body as JSON: Content-Type: application/json.",
    "invalid": "items[1].sets: must be from 1 to 20",
    "rate_limited": "This token made more than 600 requests this minute; wait 12 seconds.",
    "unavailable": (
        "This handout's PDF cannot be read from the file store right now. Please try again "
        "later; if it keeps happening, tell the clinic's administrator."
    ),
}


def error(status: int, code: str) -> dict:
    body = {"code": code, "message": MESSAGES[code], "fields": {}}
    if code == "invalid":
        body["fields"] = {"items[1].sets": "must be from 1 to 20"}
    if code == "version_conflict":
        body["fields"] = {"version": stale_version("program", 2, 3)}
        body["current_version"] = 3
    return {"error": body}


FHIR_BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "timestamp": UPDATED,
    "entry": [
        {
            "fullUrl": "urn:uuid:0b6e6ad4-3f5c-5d2e-9a51-4a1f4e0d7c11",
            "resource": {
                "resourceType": "CarePlan",
                "status": "active",
                "intent": "plan",
                "subject": {
                    "identifier": {
                        "system": "urn:hepbuilder:clinic:riverside-physio:external-id",
                        "value": "4711",
                    }
                },
                "activity": [
                    {
                        "detail": {
                            "code": {
                                "coding": [
                                    {"system": "http://snomed.info/sct", "code": "229065009"}
                                ],
                                "text": "Figure-4 stretch",
                            },
                            "status": "scheduled",
                            "description": "2 sets, hold 60 seconds, once a day, each side.",
                        }
                    }
                ],
            },
        }
    ],
}

HANDOUT_EMAIL = {"to": "carer@example.org"}
DELIVERY_QUEUED = {"id": 7}
DELIVERY = {
    "id": 7,
    "status": "sent",
    "attempts": 1,
    "last_error": None,
    "sent_at": "2026-12-01T09:00:12Z",
    "created_at": "2026-12-01T09:00:10Z",
    "updated_at": "2026-12-01T09:00:12Z",
}
