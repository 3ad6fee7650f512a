"""Builders for handout specs (plain data, no database): an exercise, an item, a whole spec, and
one whose exercise carries photos."""

import base64
import io

from PIL import Image

from hepbuilder.library.loader import load_library

LAST_STEP = "Slowly return to where you started and rest for a breath."


def make_exercise(number: int = 1, **overrides) -> dict:
    """An inline exercise (the snapshot form), distinct per number."""
    exercise = {
        "slug": f"test-exercise-{number}",
        "name": f"Test exercise number {number}",
        "summary": "A made-up exercise for tests.",
        "category": "mobility",
        "body_region": "hip",
        "position": "supine",
        "steps": [
            "Lie on your back with both knees bent and your feet flat on the floor.",
            f"Let exercise {number}'s knee fall gently out to the side, keeping your pelvis still.",
            LAST_STEP,
        ],
        "cues": ["Breathe out as you move.", "Keep your back relaxed on the floor."],
        "precautions": ["Stop if you feel pinching pain at the front of the hip."],
    }
    exercise.update(overrides)
    return exercise


def make_item(number: int = 1, **overrides) -> dict:
    item = {
        "exercise": make_exercise(number),
        "sets": 3,
        "reps": 10,
        "hold_seconds": 5,
        "times_per_day": 2,
        "days_per_week": 7,
        "side": "each",
    }
    item.update(overrides)
    return item


def make_spec(items: int = 3, **overrides) -> dict:
    spec = {
        "clinic": {
            "name": "Harbour Physio",
            "address": "1 Quay Street, Galway",
            "phone": "091 555 0100",
            "email": "desk@harbour.example",
            "website": "harbour.example",
            "brand_color": "#1f6f8b",
        },
        "patient": {"name": "Pat Example"},
        "therapist": {"name": "Sam Rivera", "credentials": "DPT"},
        "title": "Hip mobility for low back pain",
        "issued_on": "2026-11-25",
        "review_on": "2026-12-09",
        "notes": "Warm up with a short walk first.",
        "items": [make_item(n) for n in range(1, items + 1)],
    }
    spec.update(overrides)
    return spec


def photo_bytes(size=(1000, 750), kind="PNG", shade=0) -> bytes:
    """A photo-like picture: a gradient with a few marks, so it compresses like a photo."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    for x in range(0, size[0], 7):
        image.putpixel((x, (x * 3 + shade) % size[1]), (200, 40 + shade, 40))
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def data_uri(data: bytes) -> str:
    kind = "jpeg" if data[:2] == b"\xff\xd8" else "png"
    return f"data:image/{kind};base64," + base64.b64encode(data).decode()


def photo_spec(*, paper="A4", large_print=False, photos=None, slug="step-up") -> dict:
    """One library exercise (drawn figure and all) whose inline form carries photos."""
    exercise = load_library().exercises[slug].to_dict()
    if photos is None:
        photos = [
            {"data": data_uri(photo_bytes(shade=0)), "label": "Start"},
            {"data": data_uri(photo_bytes(shade=9)), "label": "Finish"},
        ]
    exercise["photos"] = photos
    spec = make_spec(items=0, paper=paper, large_print=large_print, notes="")
    spec["items"] = [{"exercise": exercise, "sets": 2, "reps": 10, "side": "each"}]
    return spec


LONG_PATIENT = "Zoë Maria-Magdalena Łukasiewicz-Konstantinopoulou"
SHARE_TOKEN = "Bcp3D8XdiXTQlWZGHC6TH0xkcm_vxnaM"  # a real share link's 32 URL-safe characters
SHARE_URL = "https://hep.riverside-physio.example/p/" + SHARE_TOKEN
LONG_SHARE_URL = "https://hep.riverside-physio-and-sports-injury.example/p/" + SHARE_TOKEN
KNEE_DOSES = (
    ("quad-sets", {"sets": 2, "reps": 10, "hold_seconds": 10, "times_per_day": 3, "side": "left"}),
    (
        "short-arc-quad",
        {"sets": 1, "reps": 12, "hold_seconds": 5, "times_per_day": 2, "side": "left"},
    ),
    (
        "glute-bridge",
        {"sets": 3, "reps": 12, "hold_seconds": 5, "days_per_week": 3, "side": "none"},
    ),
    ("calf-raise", {"sets": 2, "reps": 15, "days_per_week": 5, "side": "none"}),
    (
        "clamshell",
        {
            "sets": 3,
            "reps": 10,
            "days_per_week": 3,
            "side": "left",
            "notes": "Keep your heels together and don't roll backwards.",
        },
    ),
    (
        "forward-step-down",
        {"sets": 2, "reps": 10, "times_per_day": 2, "days_per_week": 3, "side": "left"},
    ),
)


def knee_spec(*, paper="A4", large_print=False, share_url=SHARE_URL) -> dict:
    """The QA tester's handout: six library knee exercises (one with a note), a therapist's
    note, a long double-barrelled patient name, a 32-character share link, four diary weeks."""
    exercises = load_library().exercises
    spec = make_spec(items=0, paper=paper, large_print=large_print, share_url=share_url)
    spec["clinic"].update(
        name="Riverside Physio & Sports Clinic",
        phone="01632 960 123",
        country="GB",
        address="12 River Road\nRiverside RS1 2AB",
        email="frontdesk@riverside.example",
        website="https://riverside.example",
    )
    spec.update(
        patient={"name": LONG_PATIENT},
        therapist={"name": "Jo Marsh", "credentials": "BSc MCSP"},
        title="Left knee, week 1",
        issued_on="2026-12-01",
        review_on="2026-12-29",
        notes="Do these slowly. Mild aching up to 3/10 is fine. Ice the knee for 10 minutes "
        "afterwards if it is sore.",
    )
    spec["items"] = [
        {"exercise": exercises[slug].to_dict(), "times_per_day": 1, **dose}
        for slug, dose in KNEE_DOSES
    ]
    return spec


def slug_spec(**overrides) -> dict:
    """A spec that uses library slugs, as `hepbuilder render` receives it."""
    spec = {
        "clinic": {"name": "Harbour Physio", "phone": "091 555 0100"},
        "patient": {"name": "Pat Example"},
        "title": "Hips",
        "issued_on": "2026-11-25",
        "items": [
            {
                "exercise": "figure-4-stretch",
                "sets": 2,
                "hold_seconds": 60,
                "times_per_day": 1,
                "side": "each",
            },
            {"exercise": "monster-walk", "sets": 3, "reps": 12, "side": "none"},
        ],
    }
    spec.update(overrides)
    return spec
