"""First run in a real browser: set-up, signed in, find an exercise in the library, open it."""

import re

from playwright.sync_api import expect

from hepbuilder.domain.dose import describe_dose
from hepbuilder.library import load_library

PHONE_WIDTH = 390


def test_setup_then_find_figure_4_stretch(live_server, page, phone_page, screenshot):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    expect(page.get_by_role("heading", name="Set up hepbuilder")).to_be_visible()
    screenshot(page, "setup-desktop")

    page.get_by_label("Clinic name").fill("Riverside Physio")
    page.get_by_label("Your name").fill("Sam Rivera")
    page.get_by_label("Email").fill("sam@riverside.example")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Password again").fill("a long enough password")
    # Set-up seeds the bundled library and draws its 64 pictures: several seconds here, where no
    # `serve` warm-up has drawn them first, longer on a busy machine than the default 10 s.
    page.get_by_role("button", name="Set up the clinic").click(timeout=60_000)

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator(".site-brand")).to_contain_text("Riverside Physio")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exercises").click()
    page.get_by_label("Search").fill("piriformis")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/exercises\?q=piriformis"))
    screenshot(page, "library-desktop")

    page.get_by_role("link", name="Figure 4 stretch").click()
    expect(page).to_have_url(re.compile(r"/exercises/figure-4-stretch$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Figure 4 stretch")
    exercise = load_library().exercises["figure-4-stretch"]
    expect(page.locator(".dose__words")).to_have_text(describe_dose(exercise.defaults))
    expect(page.locator("ol.steps > li")).to_have_count(len(exercise.steps))
    screenshot(page, "detail-desktop")

    phone = phone_page
    phone.goto(live_server.url + "/login")
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(phone, "login-phone")
    phone.get_by_label("Email").fill("sam@riverside.example")
    phone.get_by_label("Password").fill("wrong password")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("alert")).to_contain_text("do not match")
    phone.get_by_label("Password").fill("a long enough password")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("button", name="Sign out")).to_be_visible()
    phone.goto(live_server.url + "/exercises?q=hip")
    screenshot(phone, "library-phone")
    phone.goto(live_server.url + "/exercises/figure-4-stretch")
    screenshot(phone, "detail-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, "the page scrolls sideways on a phone"


def test_signed_out_visitor_comes_back_after_sign_in(live_server, page, screenshot):
    page.goto(live_server.url + "/")  # first run: set up
    page.get_by_label("Clinic name").fill("Northside")
    page.get_by_label("Your name").fill("Kim")
    page.get_by_label("Email").fill("kim@example.net")
    page.get_by_label("Password", exact=True).fill("another long password")
    page.get_by_label("Password again").fill("another long password")
    # Set-up seeds the bundled library and draws its 64 pictures: several seconds here, where no
    # `serve` warm-up has drawn them first, longer on a busy machine than the default 10 s.
    page.get_by_role("button", name="Set up the clinic").click(timeout=60_000)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    screenshot(page, "login-desktop")

    page.goto(live_server.url + "/exercises/step-up")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email").fill("kim@example.net")
    page.get_by_label("Password").fill("another long password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/exercises/step-up$"))
