"""A patient opens their private link on a phone, with JavaScript off: readable, no sideways
scrolling, nothing loaded from elsewhere, and the download button gives the stored PDF.

The screenshot goes to $HEPBUILDER_SCREENSHOTS (default /tmp/shots) as patient-link-phone.png.
"""

import os
from pathlib import Path

from sqlalchemy import select

from hepbuilder.db.models import Handout
from hepbuilder.services.handouts import handout_spec
from hepbuilder.services.images import normalize_logo
from hepbuilder.services.patient_links import LinkSigner
from tests.browser.conftest import PHONE
from tests.builders import make_handout, make_patient, make_user, seeded_clinic

SHOTS = Path(os.environ.get("HEPBUILDER_SCREENSHOTS") or "/tmp/shots")
LOGO = Path(__file__).resolve().parents[2] / "bench" / "logo.png"


def test_private_link_on_a_phone_without_javascript(live_server, browser, session):
    live_server.app.config["LINK_KEY"] = "browser-link-key"
    signer = LinkSigner(key=b"browser-link-key", base_url=live_server.url)
    clinic = seeded_clinic(
        session,
        name="Riverside Physio",
        phone="0161 555 0100",
        email="front-desk@riverside.example",
        address="1 River Street\nManchester M1 1AA",
        logo=normalize_logo(LOGO.read_bytes()),
    )
    user = make_user(session, clinic, name="Sam Rivera", credentials="DPT")
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    make_handout(session, patient, user=user, links=signer, protocol="tight-hips-low-back-pain")
    handout = make_handout(session, patient, user=user, links=signer)
    session.commit()
    url = handout_spec(handout)["share_url"]

    context = browser.new_context(viewport=PHONE, java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        response = page.goto(url)
        assert response.status == 200
        assert page.get_by_role("heading", level=1).inner_text()
        assert page.get_by_text("Stay safe: how much discomfort is OK").is_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "patient-link-phone.png"), full_page=True)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
        smallest = page.evaluate(
            "Math.min(...[...document.querySelectorAll('p, li, dd, a')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
        )
        assert smallest >= 15, f"text as small as {smallest}px"
        assert requested and all(u.startswith(live_server.url) for u in requested), requested
        # a picture for every exercise (a picture of several frames is one SVG a frame)
        assert page.locator(".exercise__picture").count() == len(handout_spec(handout)["items"])

        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(SHOTS / "patient-link-desktop.png"), full_page=False)
        page.set_viewport_size(PHONE)
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download your program (PDF)").click()
        downloaded = Path(download_info.value.path()).read_bytes()
        stored = session.scalar(select(Handout.pdf).where(Handout.id == handout.id))
        assert downloaded == stored
    finally:
        context.close()


def test_therapist_emails_a_handout_and_sees_it_sent(live_server, page, session):
    from hepbuilder.db.session import session_factory
    from hepbuilder.services.outbox import send_due
    from tests.browser.conftest import DESKTOP
    from tests.builders import DEFAULT_PASSWORD
    from tests.delivery.conftest import start_server, worker_settings

    server = start_server()
    live_server.app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=server.port,
        MAIL_FROM="handouts@riverside.example",
        LINK_KEY="browser-link-key",
    )
    signer = LinkSigner(key=b"browser-link-key", base_url=live_server.url)
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, name="Sam Rivera")
    patient = make_patient(session, clinic, first_name="Zoë", email="zoe@example.com")
    handout = make_handout(session, patient, user=user, links=signer)
    session.commit()
    try:
        page.goto(live_server.url + "/login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server.url}/handouts/{handout.id}")
        page.get_by_role("button", name="Send by email").click()
        assert page.get_by_text("Waiting to be sent").is_visible()
        send_due(
            session_factory(live_server.app.config["DATABASE_URL"]),
            worker_settings(
                live_server.app.config["DATABASE_URL"], server.port, link_key="browser-link-key"
            ),
        )
        page.reload()
        assert page.locator(".deliveries").get_by_text("Sent", exact=True).is_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "handout-emailed-desktop.png"), full_page=True)
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/patients/{patient.id}")
        page.screenshot(path=str(SHOTS / "patient-delivery-phone.png"), full_page=True)
        for panel in (".link-panel", ".email-panel"):
            box = page.locator(panel).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], panel
        page.set_viewport_size(DESKTOP)
    finally:
        server.stop()
    [mail] = server.inbox.messages
    assert mail["To"].addresses[0].addr_spec == "zoe@example.com"


def test_picture_frames_are_large_and_labelled_on_a_phone(live_server, browser, session):
    """At 390 px a picture of several frames is one SVG a frame, every frame at least 160 px
    wide (a two-frame picture at least 300 px in all; three frames two to a row, the third
    below), all frames of a picture at one size, and every frame label ("Relaxed", "Thigh
    tight") text at least 14 px tall under its own frame; inside the SVG it was about 5 px.
    On a desktop the frames stand side by side. A screen reader hears the exercise's name once
    (the frames' list) and each frame by its label."""
    from tests.builders import make_program

    live_server.app.config["LINK_KEY"] = "browser-link-key"
    signer = LinkSigner(key=b"browser-link-key", base_url=live_server.url)
    clinic = seeded_clinic(session, name="Riverside Physio")
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    items = [
        {"exercise": "quad-sets"},
        {"exercise": "glute-bridge"},
        {"exercise": "monster-walk"},
        {"exercise": "active-90-90", "side": "each"},  # its third frame is for "each" only
    ]
    program = make_program(session, patient, items=items)
    from hepbuilder.services import handouts
    from hepbuilder.services.actor import Actor

    handout = handouts.issue_handout(session, Actor(clinic_id=clinic.id), program.id, links=signer)
    session.commit()
    spec = handout_spec(handout)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(spec["share_url"])
        pictures = page.locator(".exercise__picture")
        assert pictures.count() == len(items)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for index, item in enumerate(spec["items"]):
            picture = pictures.nth(index)
            exercise = item["exercise"]
            expected = [frame.get("label") for frame in exercise["illustration"]["frames"]]
            expected = [label.removeprefix("[each side] ") for label in expected]
            frames = picture.get_by_role("list", name=exercise["name"]).get_by_role("img")
            assert frames.count() == len(expected) == picture.locator("svg").count()
            boxes = [frames.nth(n).bounding_box() for n in range(frames.count())]
            for box in boxes:
                assert box["width"] >= 160, (exercise["slug"], box)
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
            sizes = {(round(box["width"]), round(box["height"])) for box in boxes}
            assert len(sizes) == 1, (exercise["slug"], sizes)  # one scale for every frame
            assert picture.locator(".frames").bounding_box()["width"] >= 300
            if len(expected) == 3:  # two to a row, the third below
                assert boxes[0]["y"] == boxes[1]["y"] < boxes[2]["y"], boxes
            names = [frames.nth(n).evaluate("e => e.querySelector('title').textContent")
                     for n in range(frames.count())]  # fmt: skip
            assert names == expected
            assert picture.get_by_role("img", name=expected[-1], exact=True).count() == 1
            labels = picture.locator(".frame__label")
            assert labels.all_inner_texts() == expected
            for number in range(labels.count()):
                label = labels.nth(number)
                size = label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
                box = label.bounding_box()
                assert size >= 14 and box["height"] >= 14, (expected, size)
                frame = boxes[number]  # under its own frame
                assert (
                    frame["x"] <= box["x"]
                    and box["x"] + box["width"] <= frame["x"] + frame["width"]
                )
                assert frame["y"] + frame["height"] <= box["y"] + 1, (frame, box)
            texts = picture.locator("svg text")  # the SVG's own labels: hidden or readable
            for number in range(texts.count()):
                box = texts.nth(number).bounding_box()
                assert box is None or box["height"] >= 14, box
            picture.screenshot(
                path=str(SHOTS / f"patient-link-figure-phone-{exercise['slug']}.png")
            )
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        page.screenshot(path=str(SHOTS / "patient-link-figures-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})
        for index in range(pictures.count()):  # side by side
            frames = pictures.nth(index).locator("svg")
            tops = {round(frames.nth(n).bounding_box()["y"]) for n in range(frames.count())}
            assert len(tops) == 1, tops
        pictures.nth(2).screenshot(path=str(SHOTS / "patient-link-figure-desktop-monster-walk.png"))
        page.screenshot(path=str(SHOTS / "patient-link-figures-desktop.png"), full_page=True)
    finally:
        context.close()
