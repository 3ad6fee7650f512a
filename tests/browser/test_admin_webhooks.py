"""The webhooks admin page in a real browser: add an endpoint (secret shown once, with a Copy
button from admin.js), the delivery log with a failed delivery, and a phone's width."""

from playwright.sync_api import expect
from sqlalchemy import update

from hepbuilder.db.models import OutboxMessage
from tests.browser.test_admin import PHONE_WIDTH, sign_in
from tests.builders import make_endpoint, make_handout, make_patient, make_user, seeded_clinic


def a_clinic_with_deliveries(session):
    clinic = seeded_clinic(session, name="Riverside Physio")
    admin = make_user(session, clinic, role="admin", name="Ada Admin")
    make_endpoint(
        session,
        clinic,
        "https://integrations.cliniko-bridge.example/hepbuilder/webhooks/riverside-physio-main",
    )
    off, _ = make_endpoint(session, clinic, "https://old-pms.example/hooks", ["handout.issued"])
    off.is_active = False
    off.disabled_reason = "The receiver answered 410 Gone, so it was switched off."
    make_handout(session, make_patient(session, clinic, external_id="MRN-1"))
    first = session.query(OutboxMessage).order_by(OutboxMessage.id).first()
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == first.id)
        .values(
            status="failed",
            attempts=6,
            last_error="The receiver answered 500. Response: upstream chart service unavailable",
        )
    )
    session.commit()
    return admin


def test_admin_adds_a_webhook_and_sees_the_log(live_server, session, page, screenshot):
    admin = a_clinic_with_deliveries(session)
    sign_in(page, live_server.url, admin)
    page.goto(live_server.url + "/admin")
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    expect(page.get_by_role("button", name="Send again")).to_be_visible()

    page.get_by_label("Address", exact=True).fill("https://pms.example/hooks")
    page.get_by_role("button", name="Add the endpoint").click()
    secret = page.get_by_label("Signing secret", exact=True).input_value()
    assert secret.startswith("whsec_")
    expect(page.get_by_role("button", name="Copy")).to_be_visible()  # admin.js shows it
    screenshot(page, "admin-webhooks-desktop")

    page.get_by_role("button", name="Send again").click()
    expect(page.locator(".flash--success")).to_contain_text("queued again")
    assert secret not in page.content()


def test_webhooks_page_fits_a_phone(live_server, session, phone_page, screenshot):
    admin = a_clinic_with_deliveries(session)
    sign_in(phone_page, live_server.url, admin)
    phone_page.goto(live_server.url + "/admin/webhooks")
    phone_page.wait_for_load_state("load")
    screenshot(phone_page, "admin-webhooks-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
