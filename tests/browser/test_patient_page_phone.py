"""The therapist's patient page on a 390 px phone: its tables of programs and handouts fit the
screen (no sideways scrolling of the whole page), with nothing cut off.

With HEPBUILDER_SCREENSHOTS=DIR the page is kept as DIR/patient-page-phone.png.
"""

from hepbuilder.services.patient_links import LinkSigner
from tests.browser.test_library_editor_browser import sign_in
from tests.builders import make_handout, make_patient, make_user, seeded_clinic


def test_patient_page_fits_a_phone_without_sideways_scrolling(
    live_server, phone_page, session, screenshot
):
    live_server.app.config["LINK_KEY"] = "browser-link-key"
    signer = LinkSigner(key=b"browser-link-key", base_url=live_server.url)
    clinic = seeded_clinic(session, name="Riverside Physio")
    user = make_user(session, clinic, role="admin", name="Sam Rivera")
    patient = make_patient(
        session,
        clinic,
        first_name="Zoë",
        last_name="Łukasiewicz-Abernethy",
        external_id="MRN-884422-RIVERSIDE",
        email="zoe.lukasiewicz-abernethy@example.test",
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
