"""The exercise editor and the pose editor in a real browser: the reading grade while typing,
steps reordered, and the pose preview redrawn as a slider moves, at desktop and phone width."""

import re

from playwright.sync_api import expect

from hepbuilder.domain.readability import reading_of
from tests.browser.conftest import PHONE
from tests.builders import DEFAULT_PASSWORD, make_user, seeded_clinic

HARD_STEP = (
    "Subsequently, contemporaneously maintaining abdominal stabilisation, articulate the "
    "contralateral extremity through the available physiological excursion."
)


def sign_in(page, url, user):
    page.goto(url + "/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def at_both_widths(live_server, page, new_page, user, path: str):
    """(page, "desktop"), then (a phone-sized page, "phone"), each signed in as `user` at `path`."""
    for viewport_page, name in ((page, "desktop"), (new_page(PHONE), "phone")):
        sign_in(viewport_page, live_server.url, user)
        viewport_page.goto(live_server.url + path)
        yield viewport_page, name


def assert_no_sideways_scroll(page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: the page scrolls sideways"


def an_admin(session):
    clinic = seeded_clinic(session, name="Riverside Physio")
    admin = make_user(session, clinic, role="admin", name="Ada Admin")
    session.commit()
    return admin


def test_editor_shows_the_reading_grade_while_typing_as_the_server_counts_it(
    live_server, page, session, screenshot
):
    sign_in(page, live_server.url, an_admin(session))
    page.goto(live_server.url + "/admin/library/figure-4-stretch/edit")
    step = page.locator("#steps-1")
    reading = page.locator("#steps-1-reading")
    step.fill("Lie down. Bend your knees.")
    expect(reading).to_have_text(
        f"Grade {reading_of('Lie down. Bend your knees.').grade:.1f} · 5 words"
    )
    step.fill(HARD_STEP)
    expected = reading_of(HARD_STEP)
    expect(reading).to_contain_text(f"Grade {expected.grade:.1f} · {expected.words} words")
    expect(reading).to_have_class("step-reading step-reading--warn")
    screenshot(page, "library-editor-desktop")
    page.get_by_role("button", name="Move step 2 up").click()
    expect(page.locator("#steps-0")).to_have_value(HARD_STEP)
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.locator(".flash--warning").first).to_contain_text(
        "Step 1: This step reads at grade"
    )


def test_steps_tips_and_precautions_show_all_their_text_and_grow_while_typing(
    live_server, page, new_page, session, screenshot
):
    """Each textarea is as tall as its text when the page opens and grows as text is typed, up
    to 8 rows for a step and 12 for the tips and precautions, at desktop and phone width."""
    admin = an_admin(session)
    long_step = " ".join(["Keep your knees together and lift the top knee slowly."] * 3)
    tip = "Keep your knees together and lift the top knee slowly, without rolling back."
    for viewport_page, name in at_both_widths(
        live_server, page, new_page, admin, "/admin/library/figure-4-stretch/edit"
    ):
        typed = {"steps-0": long_step}
        for field_id in ("cues", "precautions"):
            area = viewport_page.locator(f"#{field_id}")
            hidden = area.evaluate("area => area.scrollHeight - area.clientHeight")
            assert hidden <= 0, f"{name}: {hidden} px of the saved {field_id} are hidden"
            typed[field_id] = area.input_value() + "\n" + tip
        for field_id, text in typed.items():
            area = viewport_page.locator(f"#{field_id}")
            area.fill(text)  # an input event, as typing sends
            hidden = area.evaluate("area => area.scrollHeight - area.clientHeight")
            assert hidden <= 0, f"{name}: {hidden} px of the typed {field_id} are hidden"
        assert 2 <= viewport_page.locator("#steps-0").evaluate("area => area.rows") <= 8, name
        viewport_page.locator("#cues").scroll_into_view_if_needed()
        screenshot(viewport_page, f"library-editor-textareas-{name}")
    for field_id, text, most in (("steps-0", "x " * 300, 8), ("cues", "\n".join([tip] * 20), 12)):
        area = viewport_page.locator(f"#{field_id}")
        area.fill(text)
        assert area.evaluate("area => area.rows") == most, f"{field_id} grows no taller"


def test_pose_preview_redraws_as_a_slider_moves_at_desktop_and_phone_width(
    live_server, page, new_page, session, screenshot
):
    admin = an_admin(session)
    for viewport_page, name in at_both_widths(
        live_server, page, new_page, admin, "/admin/library/step-up/pose"
    ):
        figure = viewport_page.locator("#pose-preview svg")
        expect(figure).to_have_count(1)
        before = figure.inner_html()
        with viewport_page.expect_response(lambda r: r.url.endswith("/pose/preview")):
            viewport_page.locator("#camera-yaw_deg").fill("30")
        expect(viewport_page.locator('[data-value-of="camera-yaw_deg"]')).to_have_text("30")
        expect(figure).not_to_have_js_property("innerHTML", before)
        # an arrow shortened until it would print too small to see: drawn, and said so
        warnings = viewport_page.locator("#pose-warnings")
        expect(warnings).to_be_hidden()
        arrow = viewport_page.locator("#arrow0-vector_mm-y")
        with viewport_page.expect_response(lambda r: r.url.endswith("/pose/preview")):
            arrow.fill("60")
        expect(warnings).to_contain_text("Arrow 1 (from the right knee) prints only")
        expect(viewport_page.locator("#pose-errors")).to_be_hidden()
        assert_no_sideways_scroll(viewport_page, name)
        screenshot(viewport_page, f"pose-editor-{name}")
        with viewport_page.expect_response(lambda r: r.url.endswith("/pose/preview")):
            arrow.fill("300")
        expect(warnings).to_be_hidden()


def test_pose_preview_is_marked_out_of_date_while_the_pose_has_problems(
    live_server, page, new_page, session, screenshot
):
    # With the upper arm swung into the trunk the pose cannot be drawn: the last valid picture
    # stays beside the problems, so it is dimmed and said to be that, until the pose is valid.
    # (An exercise whose angles are all whole degrees, as the sliders set them, so putting the
    # two sliders back gives the valid pose again.)
    admin = an_admin(session)
    for viewport_page, name in at_both_widths(
        live_server, page, new_page, admin, "/admin/library/standing-march/pose"
    ):
        figure = viewport_page.locator("#pose-preview")
        note = viewport_page.locator("#pose-stale")
        problems = viewport_page.locator("#pose-errors")
        expect(note).to_be_hidden()
        flex, abduct = (viewport_page.locator(f"#f0-shoulder_near-{dof}_deg") for dof in
                        ("flex", "abduct"))  # fmt: skip
        valid = flex.input_value(), abduct.input_value()
        for slider, value in ((flex, "0"), (abduct, "-30")):
            with viewport_page.expect_response(lambda r: r.url.endswith("/pose/preview")):
                slider.fill(value)
        expect(problems).to_contain_text("right upper arm passes into the trunk")
        expect(note).to_be_visible()
        expect(note).to_have_text(re.compile(r"^Preview of the last valid pose"))
        expect(figure).to_have_class(re.compile(r"\bpose-preview--stale\b"))
        opacity = figure.locator("svg").evaluate("svg => getComputedStyle(svg).opacity")
        assert float(opacity) < 0.5, f"{name}: the last valid picture is not dimmed"
        assert_no_sideways_scroll(viewport_page, name)
        viewport_page.evaluate("window.scrollTo(0, 0)")  # the sticky preview at its place
        screenshot(viewport_page, f"pose-editor-out-of-date-{name}")
        for slider, value in zip((flex, abduct), valid, strict=True):
            with viewport_page.expect_response(lambda r: r.url.endswith("/pose/preview")):
                slider.fill(value)
        expect(problems).to_be_hidden()
        expect(note).to_be_hidden()
        expect(figure).not_to_have_class(re.compile(r"\bpose-preview--stale\b"))
        assert figure.locator("svg").evaluate("svg => getComputedStyle(svg).opacity") == "1"


def test_pose_preview_says_so_when_it_cannot_be_updated(live_server, page, session, screenshot):
    # The network is the edge of the world here: the browser's request is aborted, as a dropped
    # connection would, then let through again.
    sign_in(page, live_server.url, an_admin(session))
    page.goto(live_server.url + "/admin/library/step-up/pose")
    figure, failed = page.locator("#pose-preview"), page.locator("#pose-failed")
    expect(failed).to_be_hidden()
    page.route("**/pose/preview", lambda route: route.abort("internetdisconnected"))
    page.locator("#camera-yaw_deg").fill("30")
    expect(failed).to_be_visible()
    expect(failed).to_contain_text("The preview could not be updated")
    expect(figure).to_have_class(re.compile(r"\bpose-preview--stale\b"))
    expect(page.locator("#pose-stale")).to_be_hidden()  # not "the last valid pose": it may be valid
    screenshot(page, "pose-editor-preview-failed")
    page.unroute("**/pose/preview")
    with page.expect_response(lambda r: r.url.endswith("/pose/preview")):
        page.locator("#camera-yaw_deg").fill("35")
    expect(failed).to_be_hidden()
    expect(figure).not_to_have_class(re.compile(r"\bpose-preview--stale\b"))
