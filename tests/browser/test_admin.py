"""The admin area in a real browser: brand colour picker and logo upload, a token shown once, phones."""

import io
import re

from PIL import Image
from playwright.sync_api import expect

from hepbuilder.services import api_tokens
from hepbuilder.services.actor import Actor, system_actor
from hepbuilder.services.audit import record_event
from tests.builders import DEFAULT_PASSWORD, make_clinic, make_patient, make_user

PHONE_WIDTH = 390
ADMIN_PATHS = ("/admin", "/admin/branding", "/admin/users", "/admin/tokens", "/admin/audit")


def a_clinic_with_history(session):
    clinic = make_clinic(
        session,
        name="Riverside Physio & Rehabilitation",
        address="12 Quay Street\nRiverside RV1 2AB",
        phone="+44 20 7946 0000",
        email="desk@riverside.example",
        website="riverside.example",
    )
    admin = make_user(
        session, clinic, role="admin", name="Ada Admin", email="ada@riverside.example"
    )
    make_user(
        session,
        clinic,
        name="Tess Therapist",
        credentials="DPT",
        email="tess.therapist.long.address@riverside.example",
    )
    make_user(session, clinic, name="Former Colleague", is_active=False)
    token, _ = api_tokens.create_api_token(session, system_actor(clinic.id), "Cliniko bridge")
    revoked, _ = api_tokens.create_api_token(session, system_actor(clinic.id), "Old PMS")
    api_tokens.revoke_api_token(session, system_actor(clinic.id), revoked.id)
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    record_event(
        session,
        Actor(clinic_id=clinic.id, user_id=admin.id, remote_addr="2001:db8:85a3::8a2e:370:7334"),
        "handout.download",
        patient_id=patient.id,
    )
    record_event(
        session,
        Actor(clinic_id=clinic.id, api_token_id=token.id, remote_addr="198.51.100.7"),
        "handout.email",
        patient_id=patient.id,
    )
    session.commit()
    return admin


def sign_in(page, url, user):
    page.goto(url + "/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def logo_file(tmp_path):
    image = Image.new("RGBA", (1200, 360), (0, 0, 0, 0))
    for x in range(40, 320):
        for y in range(40, 320):
            if (x - 180) ** 2 + (y - 180) ** 2 < 140**2:
                image.putpixel((x, y), (42, 157, 143, 255))
    path = tmp_path / "logo.png"
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_admin_sets_brand_and_creates_a_token(live_server, session, page, tmp_path, screenshot):
    admin = a_clinic_with_history(session)
    sign_in(page, live_server.url, admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Admin")
    screenshot(page, "admin-overview-desktop")

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Brand").click()
    picker = page.get_by_label("Pick the brand colour")
    expect(picker).to_be_visible()  # admin.js shows it
    picker.fill("#2a9d8f")
    expect(page.get_by_label("Brand colour", exact=True)).to_have_value("#2a9d8f")
    page.get_by_label("New logo").set_input_files(str(logo_file(tmp_path)))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash--success")).to_contain_text("The new logo is in place")
    expect(page.get_by_alt_text("The clinic's current logo")).to_be_visible()
    assert page.evaluate("document.querySelector('.logo-preview img').naturalWidth") == 600
    screenshot(page, "admin-branding-desktop")

    page.get_by_label("Brand colour", exact=True).fill("#12345z")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#brand_color-error")).to_contain_text("six hex digits")
    expect(page.get_by_label("Brand colour", exact=True)).to_have_value("#12345z")
    screenshot(page, "admin-branding-error-desktop")

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="API tokens").click()
    page.get_by_label("Token name").fill("Nookal sync")
    page.get_by_role("button", name="Create the token").click()
    expect(page.get_by_text("Copy it now: it won't be shown again.")).to_be_visible()
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("hep_")
    screenshot(page, "admin-tokens-desktop")
    page.goto(live_server.url + "/admin/tokens")  # a new GET: the secret is gone
    assert secret not in page.content()

    for path in ("/admin/users", "/admin/audit"):
        page.goto(live_server.url + path)
        screenshot(page, f"admin-{path.rsplit('/', 1)[-1]}-desktop")


# Table cells whose text runs out of them (an IPv6 address kept on one line, say), which the
# table's scrolling box hides from the page's own width.
CLIPPED_CELLS = """[...document.querySelectorAll('td')]
  .filter(td => td.scrollWidth > td.clientWidth + 1)
  .map(td => td.textContent.trim().slice(0, 40))"""


def test_admin_pages_fit_a_phone(live_server, session, phone_page, screenshot):
    admin = a_clinic_with_history(session)
    sign_in(phone_page, live_server.url, admin)
    for path in ADMIN_PATHS:
        phone_page.goto(live_server.url + path)
        expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
        name = "admin-" + (path.rsplit("/", 1)[-1] if path != "/admin" else "overview")
        screenshot(phone_page, f"{name}-phone")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_WIDTH, f"{path} scrolls sideways on a phone"
        clipped = phone_page.evaluate(CLIPPED_CELLS)
        assert not clipped, f"{path}: text wider than its cell on a phone: {clipped}"
    phone_page.goto(live_server.url + "/admin/tokens")
    phone_page.get_by_label("Token name").fill("Phone token")
    phone_page.get_by_role("button", name="Create the token").click()
    expect(phone_page.get_by_label("Token", exact=True)).to_have_value(re.compile(r"^hep_"))
    phone_page.wait_for_load_state("load")  # measured before the style sheets apply, it overflows
    screenshot(phone_page, "admin-tokens-secret-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
