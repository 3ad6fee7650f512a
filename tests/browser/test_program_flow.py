"""The therapist's day in a real browser: patient, protocol, dose, reorder, picker, issue, download.

Screenshots of every step go to $HEPBUILDER_SCREENSHOTS (default /tmp/shots) as flow-*.png.
"""

import os
import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from hepbuilder.db.models import Exercise
from tests.builders import DEFAULT_PASSWORD, make_user, seeded_clinic
from tests.pdf_pages import pdf_text

SHOTS = Path(os.environ.get("HEPBUILDER_SCREENSHOTS") or "/tmp/shots")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"flow-{name}.png"), full_page=True)


def item_names(page) -> list[str]:
    return [
        " ".join(text.split()) for text in page.locator("li.item .item__name").all_inner_texts()
    ]


def test_build_issue_and_download_a_program(live_server, page, session):
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, name="Sam Rivera", credentials="DPT")
    session.commit()
    names = dict(session.execute(select(Exercise.slug, Exercise.name)).all())

    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    shot(page, "1-patients")

    page.get_by_role("link", name="New patient").click()
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("Łukasiewicz")
    page.get_by_label("Date of birth").fill("1951-06-14")
    page.get_by_label("External id").fill("PMS-2231")
    shot(page, "2-new-patient")
    page.get_by_role("button", name="Add patient").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zoë Łukasiewicz")
    shot(page, "3-patient")

    page.get_by_label("From a protocol").select_option(label="Unstable hips / Trendelenburg gait")
    page.get_by_role("button", name="Start from protocol").click()
    expect(page).to_have_url(re.compile(r"/programs/\d+$"))
    expect(page.locator("li.item")).to_have_count(4)
    shot(page, "4-builder-from-protocol")

    # Change a dose: monster walk (second item) to 4 sets of 12; the plain words follow live.
    walk = page.locator("li.item").nth(1)
    walk.get_by_label("Sets").fill("4")
    walk.get_by_label("Reps").fill("12")
    expect(walk.locator("[data-dose-words]")).to_contain_text("4 sets of 12")
    # Two items edited one right after the other: each one's words follow its own dose.
    first, last = page.locator("li.item").nth(0), page.locator("li.item").nth(3)
    first.get_by_label("Sets").fill("5")
    last.get_by_label("Sets").fill("6")
    expect(first.locator("[data-dose-words]")).to_contain_text("5 sets")
    expect(last.locator("[data-dose-words]")).to_contain_text("6 sets")

    # Move the third item (banded lunge) up, with the keyboard-reachable button.
    lunge = names["banded-lunge"]
    page.get_by_role("button", name=f"Move {lunge} up").click()
    assert item_names(page)[1] == lunge
    expect(page.get_by_role("button", name=f"Move {lunge} up")).to_be_focused()
    shot(page, "5-dose-changed-and-moved")

    # Add figure-4-stretch through the picker's live search.
    page.get_by_label("Search the library").fill("figure 4")
    add = page.get_by_role("button", name=f"Add {names['figure-4-stretch']}")
    expect(page.get_by_role("button", name=f"Add {names['monster-walk']}")).to_have_count(0)
    expect(add).to_be_visible()
    shot(page, "6-picker")
    add.click()
    expect(page.locator("li.item")).to_have_count(5)
    assert item_names(page) == [
        names["foam-roller-lateral-hip"],
        lunge,
        names["monster-walk"],
        names["step-up"],
        names["figure-4-stretch"],
    ]
    expect(page.locator("li.item").nth(2).locator("[data-dose-words]")).to_contain_text(
        "4 sets of 12"
    )
    shot(page, "7-added")

    page.get_by_role("button", name="Preview PDF").click()
    expect(page.locator("iframe.pdf-frame")).to_be_visible()
    shot(page, "8-preview")

    page.get_by_role("button", name="Issue handout").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Handout 1")
    shot(page, "9-handout")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert re.fullmatch(r"handout-\d{4}-\d{2}-\d{2}-1\.pdf", download.suggested_filename)
    data = Path(download.path()).read_bytes()
    text = pdf_text(data)
    assert "Zoë Łukasiewicz" in text
    for slug in (
        "foam-roller-lateral-hip",
        "banded-lunge",
        "monster-walk",
        "step-up",
        "figure-4-stretch",
    ):
        assert names[slug] in text, names[slug]
    assert "4 sets of 12" in text

    page.get_by_role("link", name="Print").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Print handout 1")
    expect(page.get_by_role("link", name="Open the PDF")).to_be_visible()
    shot(page, "10-print")

    page.get_by_role("link", name="Zoë Łukasiewicz").first.click()
    expect(page.get_by_role("heading", name="Handouts issued")).to_be_visible()
    shot(page, "11-patient-history")


def test_builder_fits_a_phone_and_moves_by_keyboard(live_server, phone_page, session):
    from tests.builders import make_patient, make_program

    clinic = seeded_clinic(session)
    user = make_user(session, clinic)
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    page = phone_page
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/programs/{program.id}")
    expect(page.locator("li.item")).to_have_count(4)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "12-builder-phone")

    # Keyboard only: focus "Move Step-up up", press Enter twice; then save with the Save button.
    step_up = page.locator("li.item").nth(3).locator(".item__name").inner_text().strip()
    page.get_by_role("button", name=f"Move {step_up} up").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert item_names(page)[1] == step_up
    page.locator(".builder__actions").get_by_role("button", name="Save").click()
    expect(page.locator(".flash--success")).to_contain_text("Saved.")
    assert item_names(page)[1] == step_up


def test_drag_and_drop_reorders_and_saves(live_server, page, session):
    from tests.builders import make_patient, make_program

    clinic = seeded_clinic(session)
    user = make_user(session, clinic)
    patient = make_patient(session, clinic)
    program = make_program(session, patient, protocol="unstable-hips-trendelenburg")
    session.commit()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/programs/{program.id}")
    before = item_names(page)
    page.evaluate("document.getElementById('items').scrollIntoView()")
    handle = page.locator("li.item").nth(0).locator(".item__handle").bounding_box()
    target = page.locator("li.item").nth(1).bounding_box()
    page.mouse.move(handle["x"] + 5, handle["y"] + 5)
    page.mouse.down()
    page.mouse.move(handle["x"] + 10, handle["y"] + 30, steps=5)
    page.mouse.move(target["x"] + 40, target["y"] + target["height"] * 0.8, steps=15)
    page.mouse.up()
    after = item_names(page)
    assert after == [before[1], before[0], *before[2:]]
    page.locator(".builder__actions").get_by_role("button", name="Save").click()
    expect(page.locator(".flash--success")).to_contain_text("Saved.")
    assert item_names(page) == after
