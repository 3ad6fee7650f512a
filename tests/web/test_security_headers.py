"""Headers on every page: a strict CSP, no framing, nosniff, HSTS over HTTPS, no-store; and the
templates carry nothing a strict CSP would block."""

import re

import pytest

from hepbuilder.paths import TEMPLATES_DIR
from hepbuilder.web.security_headers import PAGE_POLICY
from tests.builders import patient_world, sign_in


@pytest.fixture
def world(client, session):
    user, patient, program, handout = patient_world(session, role="admin")
    sign_in(client, user)
    return patient, program, handout


def pages(world) -> list[str]:
    patient, program, handout = world
    return [
        "/patients",
        f"/patients?q={patient.last_name}",
        f"/patients/{patient.id}",
        f"/patients/{patient.id}/edit",
        f"/programs/{program.id}",
        f"/handouts/{handout.id}",
        f"/handouts/{handout.id}/print",
        "/exercises",
        "/admin",
        "/admin/branding",
        "/admin/users",
        "/admin/audit",
        "/account/password",
    ]


def test_every_page_gets_the_strict_headers(client, world):
    for path in pages(world):
        response = client.get(path)
        assert response.status_code == 200, path
        headers = response.headers
        assert headers["Content-Security-Policy"] == PAGE_POLICY, path
        assert "frame-ancestors 'none'" in PAGE_POLICY and "unsafe-inline" not in PAGE_POLICY
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store", path
        assert headers["Strict-Transport-Security"].startswith("max-age=")  # PUBLIC_URL is https


def test_a_pdf_may_be_framed_by_our_own_pages_only_and_is_not_cached(client, world):
    _patient, program, handout = world
    for path in (f"/handouts/{handout.id}/pdf", f"/programs/{program.id}/preview"):
        response = client.get(path)
        assert response.mimetype == "application/pdf"
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"


def test_the_sign_in_page_and_api_answers_get_them_too(client):
    for path in ("/login", "/api/v1/patients"):
        response = client.get(path, follow_redirects=False)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_hsts_over_plain_http(csrf_app):
    response = csrf_app.test_client().get("/login")
    assert "Strict-Transport-Security" not in response.headers


def test_the_brand_colour_comes_from_a_stylesheet(client, world):
    page = client.get("/patients").text
    assert re.search(r'href="/brand/[0-9a-f]{6}\.css"', page)
    css = client.get("/brand/1f6f8b.css")
    assert css.mimetype == "text/css" and "--brand: #1f6f8b" in css.text
    assert client.get("/brand/zzz;x.css").status_code == 404


def test_templates_hold_no_inline_script_handler_or_style():
    """The pages' Content-Security-Policy allows no inline script or style. An email is no page:
    mail clients honour inline styles only (and run no script anywhere)."""
    for path in TEMPLATES_DIR.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        if path.parent.name != "emails":
            assert "style=" not in text and "<style" not in text, path
