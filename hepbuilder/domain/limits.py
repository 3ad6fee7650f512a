"""How long each text field may be: one table per entity, the only place these numbers are written.

Read by the web forms, the services, the API's JSON Schema, the handout spec parser and the
database column sizes; tests/unit/test_field_limits.py checks that every one of them agrees.
"""

PATIENT_LIMITS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 50,
    "external_id": 100,
    "notes": 10_000,
}
PROGRAM_LIMITS: dict[str, int] = {"title": 200, "notes": 10_000}
ITEM_LIMITS: dict[str, int] = {"notes": 10_000}
BRAND_LIMITS: dict[str, int] = {
    "name": 200,
    "address": 500,
    "phone": 80,
    "email": 200,
    "website": 200,
    "emergency_number": 40,
    "out_of_hours": 300,
}
USER_LIMITS: dict[str, int] = {"email": 254, "name": 200, "credentials": 80}
API_TOKEN_LIMITS: dict[str, int] = {"name": 120}
# Where a handout is emailed (the API's `to`, the web's "Another address"): RFC 5321's longest
# address, as email-validator allows; a patient's or a user's email always fits.
HANDOUT_EMAIL_LIMITS: dict[str, int] = {"to": 254}
# A protocol (protocols.yaml, the protocol page, the API): what it is for and when to move on.
PROTOCOL_LIMITS: dict[str, int] = {"description": 2000, "progression": 2000}

# A webhook endpoint: the longest URL accepted (a 2,000-character URL is refused).
WEBHOOK_LIMITS: dict[str, int] = {"url": 500}

# A clinic's logo: what an upload may weigh, and how many pixels its header may declare before
# anything is decoded (the same bound for the brand page and for a logo inside a handout spec).
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 20_000_000

# A photo inside a handout spec (an exercise's `photos`): what one may weigh, how many pixels its
# header may declare, and how long the words under it may be. The handout service puts far
# smaller ones there (sized for print by the renderer); these bound a spec written by hand.
SPEC_PHOTO_MAX_BYTES = 2 * 1024 * 1024
SPEC_PHOTO_MAX_PIXELS = 20_000_000
PHOTO_LABEL_MAX_CHARS = 60
