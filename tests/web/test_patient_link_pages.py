"""A patient's private link, /p/<token>: the latest handout for a phone, its PDF, earlier ones;
audited; private headers; and one plain 404 for every token that does not open a program."""

import datetime as dt
import re

import pytest
from sqlalchemy import select, update

from hepbuilder.db.models import AuditEvent, Handout, PatientLink
from hepbuilder.domain.dose import describe_dose, parse_dose
from hepbuilder.domain.steps import steps_for_dose
from hepbuilder.services import handouts, patient_links
from hepbuilder.services.actor import Actor
from hepbuilder.services.audit import PATIENT_ACTIONS
from hepbuilder.services.handouts import handout_own_fields, handout_spec
from hepbuilder.services.patient_links import LinkSigner, token_hash
from tests.builders import make_handout, make_patient, make_program, make_user, seeded_clinic
from tests.conftest import _test_app

LINK_KEY = "patient-link-test-key"
SIGNER = LinkSigner(key=LINK_KEY.encode(), base_url="https://hep.example.test")
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


@pytest.fixture
def visitor(db_url, tmp_path, monkeypatch):
    """A signed-out browser (a patient) on an app with the test link key."""
    return _test_app(db_url, tmp_path / "instance", monkeypatch, LINK_KEY=LINK_KEY).test_client()


def issued(session, **patient):
    clinic = seeded_clinic(
        session, name="Riverside Physio", phone="0161 555 0100", brand_color="#7b2d8e"
    )
    user = make_user(session, clinic, name="Sam Rivera")
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz", **patient)
    handout = make_handout(session, patient, user=user, links=SIGNER)
    session.commit()
    return clinic, patient, handout


def path_of(handout) -> str:
    return handout_own_fields(handout)["share_url"].removeprefix("https://hep.example.test")


def test_private_link_shows_the_latest_handout_made_for_reading_alone(session, visitor):
    _clinic, _patient, handout = issued(session)
    spec = handout_spec(handout)

    page = visitor.get(path_of(handout))

    assert page.status_code == 200
    text = page.text
    assert "Riverside Physio" in text and "For Zoë Łukasiewicz" in text and "Sam Rivera" in text
    for item in spec["items"]:
        exercise = item["exercise"]
        assert exercise["name"] in text
        printed = steps_for_dose(tuple(exercise["steps"]), parse_dose(item))  # as the PDF
        assert all(step.replace("'", "&#39;") in text for step in printed), printed
        assert all(cue.replace("'", "&#39;") in text for cue in exercise["cues"])
        assert all(p.replace("'", "&#39;") in text for p in exercise["precautions"])
    doses = [describe_dose(parse_dose(item)) for item in spec["items"]]
    assert all(f'class="exercise__dose">{words}<' in text for words in doses), doses
    assert text.count('<figure class="exercise__picture">') == len(spec["items"])
    frames = [len(item["exercise"]["illustration"]["frames"]) for item in spec["items"]]
    assert text.count("<svg") == sum(frames)  # a picture of several frames: one SVG a frame
    assert "Stop and call Riverside Physio on 0161 555 0100:" in text
    assert f'href="{path_of(handout)}/handouts/1.pdf"' in text
    assert 'href="/p/brand/7b2d8e.css"' in text


def test_private_link_fills_in_the_hold_and_keeps_the_steps_of_the_dose(session, visitor):
    """A step's {hold} is the item's hold in words, as the handout prints it; never the
    placeholder itself."""
    clinic = seeded_clinic(session, name="Riverside Physio")
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    program = make_program(
        session, patient, items=[{"exercise": "abdominal-bracing", "hold_seconds": 8}]
    )
    handout = handouts.issue_handout(session, Actor(clinic_id=clinic.id), program.id, links=SIGNER)
    session.commit()
    text = visitor.get(path_of(handout)).text
    assert "{hold}" not in text
    assert "Hold the brace for 8 seconds, breathing in and out the whole time." in text


def test_private_link_captions_each_picture_as_the_handout_does(session, visitor):
    from hepbuilder.illustrations import illustration_caption

    _clinic, _patient, handout = issued(session)
    text = visitor.get(path_of(handout)).text
    captions = [
        illustration_caption(item["exercise"]["illustration"], item.get("side", "none"))
        for item in handout_spec(handout)["items"]
    ]
    assert any(captions)
    for words in filter(None, captions):
        assert f'<figcaption class="exercise__caption">{words}</figcaption>' in text


def test_private_link_page_loads_nothing_from_elsewhere_and_has_no_inline_code(session, visitor):
    _clinic, _patient, handout = issued(session)
    text = visitor.get(path_of(handout)).text
    assert "<script" not in text and "style=" not in text and "<style" not in text
    assert not re.search(r"\son[a-z]+=", text)  # no inline event handlers
    sources = re.findall(r'(?:src|href)="([^"]+)"', text)
    assert sources and all(s.startswith(("/", "tel:", "mailto:")) for s in sources), sources


def test_private_link_responses_are_private(session, visitor):
    _clinic, _patient, handout = issued(session)
    for path in (path_of(handout), path_of(handout) + "/handouts/1.pdf", "/p/nothing-here"):
        response = visitor.get(path)
        for name, value in PRIVATE_HEADERS.items():
            assert response.headers[name] == value, (path, name)
    assert "set-cookie" not in {k.lower() for k in visitor.get(path_of(handout)).headers.keys()}


def test_the_pdf_through_the_link_is_the_stored_one_and_every_use_is_audited(session, visitor):
    _clinic, patient, handout = issued(session)
    visitor.get(path_of(handout), environ_base={"REMOTE_ADDR": "203.0.113.9"})
    download = visitor.get(
        path_of(handout) + "/handouts/1.pdf", environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="exercise-program-{handout.issued_on.isoformat()}.pdf"'
    )
    assert download.data == session.scalar(select(Handout.pdf).where(Handout.id == handout.id))
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("patient_link.%")).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.patient_id, e.handout_id, e.remote_addr, e.user_id) for e in events] == [
        ("patient_link.open", patient.id, handout.id, "203.0.113.9", None),
        ("patient_link.download", patient.id, handout.id, "203.0.113.9", None),
    ]


def test_last_months_link_opens_todays_handout_with_earlier_ones_listed(session, visitor):
    _clinic, patient, first = issued(session)
    second = make_handout(session, patient, protocol="tight-hips-low-back-pain", links=SIGNER)
    session.commit()
    assert path_of(first) == path_of(second)  # one link per patient, printed on both
    text = visitor.get(path_of(first)).text
    assert handout_spec(second)["title"] in text
    assert "Earlier programs" in text
    assert f'href="{path_of(first)}/handouts/1.pdf"' in text
    assert f'href="{path_of(first)}/handouts/2.pdf"' in text


def test_the_page_runs_as_many_statements_for_2_handouts_as_for_12_lists_10_earlier_and_each_downloads(
    session, visitor, db_url
):
    from tests.web.test_hot_paths import statements

    _clinic, patient, first = issued(session)
    path = path_of(first)
    counts = {}
    for total in (2, 12):
        while session.scalar(select(Handout.number).order_by(Handout.number.desc())) < total:
            make_handout(session, patient, links=SIGNER)
        session.commit()
        assert visitor.get(path).status_code == 200
        with statements(db_url) as seen:
            text = visitor.get(path).text
        counts[total] = len(seen)
        # the latest's button and each earlier one, up to a phone screen's worth
        assert text.count("/handouts/") == min(total, 1 + patient_links.EARLIER_SHOWN)
    assert counts[2] == counts[12], counts
    assert "Show all" not in visitor.get(f"{path}?earlier=all").text
    every = visitor.get(f"{path}?earlier=all").text
    assert every.count("/handouts/") == 12
    assert f'<a href="{path}?earlier=all">Show all 11 earlier programs</a>' in text
    pdfs = dict(session.execute(select(Handout.number, Handout.pdf)).all())
    for number in (1, 7, 12):
        answer = visitor.get(f"{path}/handouts/{number}.pdf")
        assert answer.status_code == 200 and answer.data == pdfs[number], number
    assert visitor.get(f"{path}/handouts/13.pdf").status_code == 404


def test_the_token_is_long_and_url_safe_and_only_its_hash_is_stored(session):
    _clinic, patient, handout = issued(session)
    token = path_of(handout).removeprefix("/p/")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 24 bytes: 192 bits
    link = session.scalar(select(PatientLink).where(PatientLink.patient_id == patient.id))
    assert link.token_hash == token_hash(token)
    assert token not in repr({c.name: getattr(link, c.name) for c in PatientLink.__table__.c})


def bad_paths(session, visitor) -> dict[str, str]:
    _clinic, patient, handout = issued(session)
    good = path_of(handout)
    token = good.removeprefix("/p/")
    other_key = LinkSigner(key=b"another key", base_url="").token(patient.clinic_id, patient.id, 1)
    # revoked: a second patient whose link was renewed
    revoked_patient = make_patient(session, patient_clinic(session, patient))
    old = path_of(make_handout(session, revoked_patient, links=SIGNER))
    patient_links.renew_link(
        session, Actor(clinic_id=patient.clinic_id), revoked_patient.id, SIGNER
    )
    # expired: a third patient whose last handout is older than the clinic's expiry
    expired_patient = make_patient(session, patient_clinic(session, patient))
    expired = path_of(make_handout(session, expired_patient, links=SIGNER))
    session.execute(
        update(PatientLink)
        .where(PatientLink.patient_id == expired_patient.id)
        .values(active_since=dt.datetime(2020, 1, 1))
    )
    session.commit()
    return {
        "unknown": "/p/" + "B" * 32,
        "made with another key": "/p/" + other_key,
        "too short": "/p/" + token[:-1],
        "too long": "/p/" + token + "A",
        "wrong alphabet": "/p/" + token[:-1] + "!",
        "dot": "/p/" + token[:-1] + ".",
        "revoked": old,
        "expired": expired,
        "nested": good + "/extra/path",
        "empty": "/p/",
        "unknown pdf": good + "/handouts/99.pdf",
    }


def patient_clinic(session, patient):
    from hepbuilder.db.models import Clinic

    return session.get(Clinic, patient.clinic_id)


def test_every_bad_token_gets_the_same_plain_404(session, visitor):
    paths = bad_paths(session, visitor)
    bodies = set()
    for reason, path in paths.items():
        response = visitor.get(path)
        assert response.status_code == 404, reason
        assert response.headers["Cache-Control"] == "no-store", reason
        bodies.add(response.text)
    assert len(bodies) == 1
    [body] = bodies
    assert "This link does not work" in body
    assert "Riverside" not in body and "Zoë" not in body
    assert session.scalar(select(AuditEvent).where(AuditEvent.action.in_(PATIENT_ACTIONS))) is None


def test_an_archived_patients_link_stops_working(session, visitor):
    from hepbuilder.services import patients

    _clinic, patient, handout = issued(session)
    patients.archive_patient(session, Actor(clinic_id=patient.clinic_id), patient.id)
    session.commit()
    assert visitor.get(path_of(handout)).status_code == 404


def test_a_new_handout_turns_an_expired_link_on_again(session, visitor):
    _clinic, patient, handout = issued(session)
    session.execute(update(PatientLink).values(active_since=dt.datetime(2020, 1, 1)))
    session.commit()
    assert visitor.get(path_of(handout)).status_code == 404
    make_handout(session, patient, links=SIGNER)
    session.commit()
    assert visitor.get(path_of(handout)).status_code == 200


def test_private_link_shows_the_photos_the_handout_printed(session, visitor):
    import base64
    import io

    from PIL import Image

    from hepbuilder.services import exercise_photos

    clinic = seeded_clinic(session, name="Riverside Physio")
    admin = make_user(session, clinic, role="admin")
    for shade in (40, 200):
        upload = io.BytesIO()
        Image.new("RGB", (400, 300), (shade, 120, 90)).save(upload, "PNG")
        exercise_photos.add_photo(
            session, Actor(clinic_id=clinic.id, user_id=admin.id, role="admin"), "monster-walk",
            upload.getvalue(),
        )  # fmt: skip
    patient = make_patient(session, clinic)
    handout = make_handout(session, patient, user=admin, links=SIGNER)
    session.commit()
    spec = handout_spec(handout)
    index = [item["exercise"]["slug"] for item in spec["items"]].index("monster-walk") + 1
    text = visitor.get(path_of(handout)).text
    for number, label in enumerate(("Start", "Finish"), start=1):
        address = f"{path_of(handout)}/photos/{index}/{number}.jpg"
        assert f'<img src="{address}"' in text and f"<figcaption>{label}</figcaption>" in text
        served = visitor.get(address)
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        printed = spec["items"][index - 1]["exercise"]["photos"][number - 1]["data"]
        printed = printed.split(",", 1)[1]
        assert served.data == base64.b64decode(printed)
        assert served.headers["Cache-Control"] == "no-store"
    pictures = text.count('<figure class="exercise__picture">')
    assert pictures == len(spec["items"]) - 1  # the others keep their drawing
    assert visitor.get(f"{path_of(handout)}/photos/{index}/3.jpg").status_code == 404
    assert visitor.get(f"{path_of(handout)}/photos/99/1.jpg").status_code == 404
    assert visitor.get(f"/p/{'x' * 32}/photos/{index}/1.jpg").status_code == 404


def _plain(html: str) -> str:
    """The page's words as a reader sees them: no tags, entities undone, spaces collapsed."""
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize(
    ("country", "number", "advice"),
    [
        (
            "GB",
            "999",
            "For urgent advice that is not an emergency, call NHS 111 or go to 111.nhs.uk.",
        ),
        (
            "US",
            "911",
            "For urgent advice after hours, call your doctor's office or go to urgent care.",
        ),
    ],
)
def test_a_hip_programs_page_has_the_handouts_get_help_box_above_the_exercises(
    session, visitor, country, number, advice
):
    """The phone page shows the red-flag box the PDF's first page prints (a patient who never
    opens the PDF still sees when to call the emergency number), worded for the clinic's
    country, with the pain rule, both above the exercises."""
    import io

    from pypdf import PdfReader

    clinic, _patient, handout = issued(session)
    clinic.country = country
    handout = make_handout(session, _patient, links=SIGNER)  # a snapshot of the new country
    session.commit()
    page = _plain(visitor.get(path_of(handout)).text)
    pdf = _plain(" ".join(PdfReader(io.BytesIO(handout.pdf)).pages[0].extract_text().split()))

    box = [
        "Get help straight away",
        f"Call {number} now, or go to the emergency department if you have any of these:",
        "numbness or tingling around your back passage or genitals, or in the area you would "
        "sit on a saddle",
        "new trouble passing urine or controlling your bladder or bowels",
        "weakness or numbness in one or both legs that is getting worse",
        "back pain with a fever or feeling unwell, or after a fall or an accident",
        f"Do not wait for your next appointment. {advice}",
    ]
    rule = [
        "Stay safe: how much discomfort is OK",
        "Stop and call Riverside Physio on 0161 555 0100:",
    ]
    for words in box + rule:
        assert words in page, words
        assert words in pdf, words  # the same words as the handout
    exercises = page.index("Your exercises (")
    assert page.index("Get help straight away") < exercises
    assert page.index("Stay safe: how much discomfort is OK") < exercises


def test_a_knee_programs_page_has_no_get_help_box_as_its_handout_has_none(session, visitor):
    clinic = seeded_clinic(session, name="Riverside Physio", country="GB")
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    program = make_program(session, patient, items=[{"exercise": "seated-knee-extension"}])
    handout = handouts.issue_handout(session, Actor(clinic_id=clinic.id), program.id, links=SIGNER)
    session.commit()
    page = _plain(visitor.get(path_of(handout)).text)
    assert "Stay safe: how much discomfort is OK" in page
    assert "Get help straight away" not in page and "Call 999 now" not in page


@pytest.mark.parametrize(("side", "shown"), [("each", True), ("left", False)])
def test_private_link_shows_the_other_side_frame_only_for_an_each_side_dose(
    session, visitor, side, shown
):
    clinic = seeded_clinic(session, name="Riverside Physio")
    patient = make_patient(session, clinic)
    program = make_program(session, patient, items=[{"exercise": "active-90-90", "side": side}])
    handout = handouts.issue_handout(session, Actor(clinic_id=clinic.id), program.id, links=SIGNER)
    session.commit()
    text = visitor.get(path_of(handout)).text
    label = '<span class="frame__label" aria-hidden="true">{}</span>'
    assert label.format("Both knees up") in text and "<title>Both knees up</title>" in text
    assert (label.format("Then the other side") in text) is shown
    assert text.count('<li class="frame">') == (3 if shown else 2)
    assert "[each side]" not in text
    # as the handout prints it before the steps
    one_side = "For your left leg only (the one shown in colour)."
    assert (one_side in text) is not shown
