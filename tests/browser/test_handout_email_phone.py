"""The handout email as a patient reads it on a 390 px phone: the private link, long as it is,
wraps inside the screen instead of pushing the message sideways.

With HEPBUILDER_SCREENSHOTS=DIR the message is kept as DIR/handout-email-phone.png.
"""

from hepbuilder.services.actor import system_actor
from hepbuilder.services.handout_emails import build_message
from hepbuilder.services.patient_links import LinkSigner, link_state
from tests.browser.conftest import PHONE
from tests.builders import make_handout, make_patient, make_user, seeded_clinic

# A deployment on a long host name: the private link is one word of about 120 characters.
LONG_BASE = "https://home-exercises.riverside-physiotherapy-and-sports-rehabilitation.example"


def test_the_handout_emails_private_link_wraps_on_a_phone(new_page, session, screenshot):
    signer = LinkSigner(key=b"email-phone-link-key", base_url=LONG_BASE)
    clinic = seeded_clinic(
        session,
        name="Riverside Physiotherapy and Sports Rehabilitation",
        phone="0161 555 0100",
        email="front-desk.appointments@riverside-physiotherapy-and-sports-rehabilitation.example",
        website="riverside-physiotherapy-and-sports-rehabilitation.example",
    )
    user = make_user(session, clinic, name="Sam Rivera")
    patient = make_patient(session, clinic, first_name="Zoë", email="zoe@example.com")
    handout = make_handout(session, patient, user=user, links=signer)
    link_url = link_state(session, system_actor(clinic.id), patient.id, signer).url
    assert len(link_url) > 100, link_url
    message = build_message(
        clinic=clinic,
        patient=patient,
        handout=handout,
        pdf=None,
        to="zoe@example.com",
        mail_from="handouts@riverside.example",
        link_url=link_url,
    )
    html = message.get_body(("html",)).get_content()

    page = new_page(PHONE)
    page.set_content(html)
    screenshot(page, "handout-email-phone")
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the email scrolls sideways on a phone: {widths}"
    link = page.get_by_role("link", name=link_url)
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
