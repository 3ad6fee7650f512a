"""The therapist's patient page on a 390 px phone: its tables of programs and handouts fit the
screen (no sideways scrolling of the whole page), with nothing cut off.

With HEPBUILDER_SCREENSHOTS=DIR the page is kept as DIR/patient-page-phone.png.
"""

from hepbuilder.services.patient_links import LinkSigner
from tests.browser.test_library_editor_browser import sign_in
from tests.builders import make_handout, make_patient, make_user, seeded_clinic


def link_signer(live_server) -> LinkSigner:
    """A signer that makes the private links the live server opens."""
    live_server.app.config["LINK_KEY"] = "browser-link-key"
    return LinkSigner(key=b"browser-link-key", base_url=live_server.url)


def test_patient_page_fits_a_phone_without_sideways_scrolling(
    live_server, phone_page, session, screenshot
):
    signer = link_signer(live_server)
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, role="admin", name="Sam Rivera")
    patient = make_patient(
        session,
        clinic,
        first_name="Zoë",
        last_name="Łukasiewicz-Abernethy",
        external_id="MRN-884422-RIVERSIDE",
        email="zoe.lukasiewicz-abernethy@example.net",
        phone="+44 117 496 0321",
    )
    for _ in range(2):
        make_handout(
            session,
            patient,
            user=user,
            links=signer,
            title="Hip mobility and strength after a total hip replacement, weeks six to twelve",
        )
    session.commit()

    sign_in(phone_page, live_server.url, user)
    phone_page.goto(f"{live_server.url}/patients/{patient.id}")
    screenshot(phone_page, "patient-page-phone")
    widths = phone_page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    # every table cell is inside the screen: nothing of a program or a handout is out of reach
    overflow = phone_page.evaluate(
        "[...document.querySelectorAll('main td, main th')]"
        ".map(cell => cell.getBoundingClientRect())"
        ".filter(box => box.width > 0 && (box.left < -0.5 || box.right > innerWidth + 0.5))"
        ".length"
    )
    assert overflow == 0
    assert phone_page.get_by_role("link", name="Download").first.is_visible()


# the innermost elements that reach past the screen's right edge, as "tag.class"
WIDER_THAN_THE_SCREEN = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 0.5))
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''))
  .slice(0, 12)"""


def test_a_long_one_word_surname_wraps_on_every_page_that_names_the_patient(
    live_server, new_page, session, screenshot
):
    """ "Wolfeschlegelsteinhausenbergerdorff" made the patient, program and handout pages 975 px
    and 542 px wide on a 390 px phone; headings and names wrap, so no page is wider than the
    screen."""
    from hepbuilder.services.handouts import handout_spec
    from tests.browser.conftest import DESKTOP, PHONE

    signer = link_signer(live_server)
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, role="therapist", name="Sam Rivera")
    patient = make_patient(
        session,
        clinic,
        first_name="Hubert",
        last_name="Wolfeschlegelsteinhausenbergerdorff",
        email="hubert.wolfeschlegelsteinhausenbergerdorff@example.net",
    )
    handout = make_handout(session, patient, user=user, links=signer)
    session.commit()
    pages = {
        "patient": f"/patients/{patient.id}",
        "program": f"/programs/{handout.program_id}",
        "handout": f"/handouts/{handout.id}",
        "patients": "/patients?q=Wolfe",
        "private-link": handout_spec(handout)["share_url"],
    }
    for viewport, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page = new_page(size)
        sign_in(page, live_server.url, user)
        for name, path in pages.items():
            page.goto(path if path.startswith("http") else live_server.url + path)  # to "load"
            screenshot(page, f"longname-{name}-{viewport}")
            width = page.evaluate("document.documentElement.scrollWidth")
            wide = page.evaluate(WIDER_THAN_THE_SCREEN)
            assert width <= size["width"], f"{name} is {width} px wide on a {viewport}: {wide}"


def test_the_phone_header_names_the_signed_in_user(live_server, phone_page, session):
    """At 390 px the account link read "Password"; it shows the user's first name."""
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, name="Samantha Rivera")
    session.commit()
    sign_in(phone_page, live_server.url, user)
    phone_page.goto(f"{live_server.url}/patients")
    link = phone_page.locator(".site-account__link")
    assert link.inner_text() == "Samantha" and link.is_visible()
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
