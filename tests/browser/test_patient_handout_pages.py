"""A long history on the patient page, in a real browser without JavaScript, at desktop and phone
width: the newest handouts, then "Older handouts" to the rest, and back to the newest; on a
phone nothing scrolls sideways.

With HEPBUILDER_SCREENSHOTS=DIR the pages are kept as DIR/patient-handouts-*.png.
"""

import pytest

from hepbuilder.services.handout_lists import HANDOUTS_SHOWN
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_library_editor_browser import sign_in
from tests.builders import make_handout, make_patient, make_user, seeded_clinic
from tests.web.test_handout_lists import copy_handouts


def numbers_shown(page) -> list[int]:
    return [int(text) for text in page.locator("td[data-label='No.']").all_inner_texts()]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_older_handouts_are_reached_by_a_link_without_javascript(
    live_server, browser, session, screenshot, viewport
):
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, name="Sam Rivera")
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    first = make_handout(session, patient, user=user, title="Hip mobility, weeks six to twelve")
    count = HANDOUTS_SHOWN + 7
    copy_handouts(session, first, count)
    session.commit()

    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, user)
        page.goto(f"{live_server.url}/patients/{patient.id}")
        name = "desktop" if viewport is DESKTOP else "phone"
        assert numbers_shown(page) == list(range(count, count - HANDOUTS_SHOWN, -1))
        assert page.get_by_text(f"The newest {HANDOUTS_SHOWN} of {count}.").is_visible()
        pager = page.get_by_role("navigation", name="Handout pages")
        screenshot(page, f"patient-handouts-{name}")
        pager.get_by_role("link", name="Older handouts").click()
        assert numbers_shown(page) == list(range(7, 0, -1))
        assert page.get_by_text(f"Handouts 7 to 1 of {count}.").is_visible()
        assert pager.get_by_role("link", name="Older handouts").count() == 0
        screenshot(page, f"patient-handouts-older-{name}")
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
        pager.get_by_role("link", name="Newest handouts").click()
        assert numbers_shown(page)[0] == count
    finally:
        context.close()
