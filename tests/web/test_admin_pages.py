"""The admin pages: access, brand and logo upload, users, API tokens, audit trail, CSRF."""

import functools
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from hepbuilder.db.models import ApiToken, AuditEvent, Clinic, User
from hepbuilder.services import api_tokens
from hepbuilder.services.actor import Actor, system_actor
from hepbuilder.services.audit import record_event
from tests.builders import (
    DEFAULT_PASSWORD,
    image_bytes,
    make_clinic,
    make_patient,
    make_user,
    see_committed,
    sign_in,
)
from tests.pages import field_error

BRANDING = {
    "name": "Riverside Physio",
    "address": "12 Quay Street\nRiverside",
    "phone": "+44 20 7946 0000",
    "email": "desk@riverside.example",
    "website": "riverside.example",
    "brand_color": "#2a9d8f",
    "email_mode": "attach",
    "link_expiry_days": "180",
}

ADMIN_PAGES = [
    ("GET", "/admin"),
    ("GET", "/admin/branding"),
    ("POST", "/admin/branding"),
    ("GET", "/admin/branding/logo.png"),
    ("POST", "/admin/branding/logo/remove"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/1/deactivate"),
    ("POST", "/admin/users/1/reactivate"),
    ("POST", "/admin/users/1/role"),
    ("GET", "/admin/tokens"),
    ("POST", "/admin/tokens"),
    ("POST", "/admin/tokens/1/revoke"),
    ("GET", "/admin/webhooks"),
    ("POST", "/admin/webhooks"),
    ("POST", "/admin/webhooks/1/disable"),
    ("POST", "/admin/webhooks/deliveries/1/retry"),
    ("GET", "/admin/audit"),
]


def input_value(html: str, field_id: str) -> str | None:
    match = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def shown_secret(html: str) -> str | None:
    match = re.search(r'<textarea[^>]*\bid="token-secret"[^>]*>([^<]*)</textarea>', html)
    return match.group(1) if match else None


@functools.cache
def pixel_bomb() -> bytes:
    return image_bytes((10_000, 10_000), "1", color=0)


@pytest.fixture
def clinic(session):
    return make_clinic(session, name="Riverside Physio")


@pytest.fixture
def admin(session, clinic):
    return make_user(session, clinic, role="admin", name="Ada Admin", email="ada@riverside.example")


@pytest.fixture
def admin_client(client, session, admin):
    session.commit()
    sign_in(client, admin)
    return client


def post_branding(client, logo: bytes | None = None, filename="logo.png", **changes):
    """POST the brand form as multipart, encoded in memory (Werkzeug's test client would spool a
    large body to a temporary file it never closes, which fails the run on a ResourceWarning)."""
    data = MultiDict({**BRANDING, **changes})
    if logo is not None:
        data["logo"] = FileStorage(io.BytesIO(logo), filename=filename, content_type="image/png")
    boundary, body = encode_multipart(data)
    return client.post(
        "/admin/branding", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def stored_logo(session, clinic) -> bytes | None:
    see_committed(session)
    return session.scalar(select(Clinic.logo).where(Clinic.id == clinic.id))


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES)
def test_therapist_gets_403_on_every_admin_page(client, session, clinic, method, path):
    therapist = make_user(session, clinic, role="therapist")
    session.commit()
    sign_in(client, therapist)
    response = client.open(path, method=method, data={"name": "x", "role": "admin"})
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path"), ADMIN_PAGES)
def test_signed_out_visitor_is_sent_to_sign_in(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_admin_sees_the_admin_link_and_a_therapist_does_not(client, session, clinic, admin):
    therapist = make_user(session, clinic)
    session.commit()
    sign_in(client, therapist)
    assert 'href="/admin"' not in client.get("/exercises").text
    client.post("/logout")
    sign_in(client, admin)
    assert 'href="/admin"' in client.get("/exercises").text


@pytest.mark.parametrize(
    "path", ["/admin", "/admin/branding", "/admin/users", "/admin/tokens", "/admin/audit"]
)
def test_admin_pages_render(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 'aria-current="page"' in response.text


# --- brand -----------------------------------------------------------------------------------


def test_branding_saves_and_shows(admin_client, session, clinic):
    response = post_branding(admin_client, name="Riverside Physio & Rehab")
    assert response.status_code == 302 and response.location == "/admin/branding"
    page = admin_client.get("/admin/branding").text
    assert "The clinic&#39;s details are saved" in page
    assert input_value(page, "name") == "Riverside Physio &amp; Rehab"
    assert input_value(page, "brand_color") == "#2a9d8f"
    assert 'type="color"' in page and 'value="#2a9d8f"' in page
    assert "/brand/2a9d8f.css" in page  # the site picks up the colour too
    see_committed(session)
    saved = session.get(Clinic, clinic.id)
    assert (saved.name, saved.address, saved.website) == (
        "Riverside Physio & Rehab",
        "12 Quay Street\nRiverside",
        "riverside.example",
    )
    assert (
        session.scalar(select(AuditEvent.action).where(AuditEvent.action != "sign_in.success"))
        == "clinic.branding"
    )


def test_branding_page_sets_how_handouts_reach_patients(admin_client, session, clinic):
    assert "Send only the private link, no attachment" in admin_client.get("/admin/branding").text
    response = post_branding(admin_client, email_mode="link", link_expiry_days="90")
    assert response.status_code == 302
    see_committed(session)
    saved = session.get(Clinic, clinic.id)
    assert (saved.email_mode, saved.link_expiry_days) == ("link", 90)
    for bad in ("0", "3651", "ninety"):
        refused = post_branding(admin_client, link_expiry_days=bad)
        assert refused.status_code == 422
        assert "days" in field_error(refused.text, "link_expiry_days")
    assert post_branding(admin_client, email_mode="fax").status_code == 422


def test_every_branding_field_is_labelled(admin_client):
    page = admin_client.get("/admin/branding").text
    for field_id in ("name", "address", "phone", "email", "website", "brand_color", "logo"):
        assert re.search(rf'<label[^>]*for="{field_id}"', page), field_id
    assert 'enctype="multipart/form-data"' in page


def test_bad_colour_is_shown_beside_the_field_and_input_is_kept(admin_client, session, clinic):
    response = post_branding(admin_client, brand_color="#12g", name="Kept Name")
    assert response.status_code == 422
    assert "#1f6f8b" in field_error(response.text, "brand_color")
    assert input_value(response.text, "brand_color") == "#12g"
    assert input_value(response.text, "name") == "Kept Name"
    see_committed(session)
    assert session.get(Clinic, clinic.id).name == "Riverside Physio"  # nothing saved


def test_bad_website_and_email_are_shown_beside_their_fields(admin_client):
    response = post_branding(admin_client, website="javascript:alert(1)", email="desk at riverside")
    assert response.status_code == 422
    assert field_error(response.text, "website")
    assert field_error(response.text, "email")


def test_a_clinic_phone_pasted_with_non_breaking_spaces_is_saved_with_plain_ones(
    admin_client, session, clinic
):
    response = post_branding(admin_client, phone="+44\u00a020\u202f7946\u00a00000")
    assert response.status_code == 302, field_error(response.text, "phone")
    see_committed(session)
    assert session.get(Clinic, clinic.id).phone == "+44 20 7946 0000"


def test_a_clinic_email_replies_could_not_go_to_is_refused_and_nothing_is_saved(
    admin_client, session, clinic
):
    # The handout email's Reply-To is the clinic's address, checked by the rule of every address.
    for typed in ("front..desk@riverside.example", "desk@riverside.local"):
        response = post_branding(admin_client, email=typed)
        assert response.status_code == 422, typed
        assert field_error(response.text, "email").startswith("That is not an email address: ")
        assert input_value(response.text, "email") == typed
    see_committed(session)
    assert session.get(Clinic, clinic.id).email == ""
    assert post_branding(admin_client, email="Desk@Riverside.example").status_code == 302
    see_committed(session)
    assert session.get(Clinic, clinic.id).email == "Desk@Riverside.example"  # printed as typed


def test_branding_text_is_escaped(admin_client):
    post_branding(admin_client, name="<script>alert(1)</script>", address="<b>bold</b>")
    page = admin_client.get("/admin/branding").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page


def test_png_logo_is_accepted_reencoded_and_previewed(admin_client, session, clinic):
    upload = image_bytes((1500, 500), "RGBA", color=(10, 20, 30, 128))
    response = post_branding(admin_client, logo=upload)
    assert response.status_code == 302
    logo = stored_logo(session, clinic)
    image = Image.open(io.BytesIO(logo))
    assert image.format == "PNG" and image.mode == "RGBA" and max(image.size) == 600

    page = admin_client.get("/admin/branding").text
    assert "/admin/branding/logo.png" in page
    served = admin_client.get("/admin/branding/logo.png")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.headers["Cache-Control"] == "no-store"
    assert served.data == logo


def test_jpeg_logo_with_exif_is_stored_as_png_without_exif(admin_client, session, clinic):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 1
    upload = image_bytes((2000, 1000), "RGB", "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(upload)).getexif()
    assert post_branding(admin_client, logo=upload, filename="photo.jpg").status_code == 302
    image = Image.open(io.BytesIO(stored_logo(session, clinic)))
    assert image.format == "PNG" and image.size == (600, 300)
    assert not image.getexif() and "exif" not in image.info
    assert len(stored_logo(session, clinic)) <= 2 * 1024 * 1024


@pytest.mark.parametrize(
    ("upload", "filename", "words"),
    [
        (b"I am only text, though my name ends in .png\n", "logo.png", "not a PNG, JPEG or WebP"),
        (pixel_bomb(), "bomb.png", "too many pixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024 + 10), "huge.png", "at most 2 MB"),
    ],
    ids=["text-renamed-png", "pixel-bomb", "over-2-mb"],
)
def test_bad_logo_is_refused_beside_the_field(
    admin_client, session, clinic, upload, filename, words
):
    response = post_branding(admin_client, logo=upload, filename=filename, name="Kept Name")
    assert response.status_code == 422
    assert words in field_error(response.text, "logo")
    assert input_value(response.text, "name") == "Kept Name"
    assert stored_logo(session, clinic) is None
    see_committed(session)
    assert session.get(Clinic, clinic.id).name == "Riverside Physio"  # nothing half-saved


def test_body_over_the_request_limit_gets_413(admin_client):
    response = post_branding(admin_client, logo=b"\0" * (9 * 1024 * 1024))
    assert response.status_code == 413


@pytest.mark.parametrize("changes", [{"brand_color": "blue"}, {"name": ""}], ids=["rule", "shape"])
def test_logo_kept_aside_when_another_field_is_wrong(admin_client, session, clinic, changes):
    response = post_branding(admin_client, logo=image_bytes(), **changes)
    assert response.status_code == 422
    assert "Choose the logo file again" in field_error(response.text, "logo")
    assert stored_logo(session, clinic) is None


def test_logo_can_be_removed(admin_client, session, clinic):
    post_branding(admin_client, logo=image_bytes())
    assert stored_logo(session, clinic) is not None
    response = admin_client.post("/admin/branding/logo/remove")
    assert response.status_code == 302
    assert stored_logo(session, clinic) is None
    assert admin_client.get("/admin/branding/logo.png").status_code == 404


# --- users -----------------------------------------------------------------------------------

NEW_USER = {
    "name": "Tess Therapist",
    "email": "tess@riverside.example",
    "credentials": "DPT",
    "role": "therapist",
    "password": "a long password",
}


def test_admin_adds_a_user_who_can_then_sign_in(admin_client, app, session, clinic):
    response = admin_client.post("/admin/users", data=NEW_USER)
    assert response.status_code == 302
    page = admin_client.get("/admin/users").text
    assert "Tess Therapist" in page and "tess@riverside.example" in page
    user = session.scalar(select(User).where(User.email == "tess@riverside.example"))
    assert user.clinic_id == clinic.id and user.role == "therapist"
    other = app.test_client()
    sign_in(other, user, password="a long password")


def test_duplicate_email_is_shown_beside_the_field(admin_client):
    admin_client.post("/admin/users", data=NEW_USER)
    response = admin_client.post("/admin/users", data={**NEW_USER, "name": "Second Tess"})
    assert response.status_code == 422
    assert "already" in field_error(response.text, "email")
    assert input_value(response.text, "name") == "Second Tess"
    assert input_value(response.text, "password") == ""  # passwords are never echoed


def test_bad_new_user_fields_are_shown_beside_them(admin_client):
    response = admin_client.post(
        "/admin/users", data={**NEW_USER, "email": "not-an-email", "password": "short"}
    )
    assert response.status_code == 422
    assert field_error(response.text, "email") and field_error(response.text, "password")


def test_a_new_user_email_is_written_as_an_address_but_may_be_at_an_internal_domain(
    admin_client, session
):
    """The rule of every address, but for where it goes: a user's email is what they sign in
    with and the app never mails it, so a clinic's internal clinic.local domain is fine."""
    for typed in ("tess..t@riverside.example", "tess@@riverside.example", "tess@riverside..org"):
        response = admin_client.post("/admin/users", data={**NEW_USER, "email": typed})
        assert response.status_code == 422, typed
        assert field_error(response.text, "email").startswith("That is not an email address: ")
    see_committed(session)
    assert session.scalar(select(User).where(User.email.like("tess%"))) is None
    internal = admin_client.post("/admin/users", data={**NEW_USER, "email": "Tess@Riverside.local"})
    assert internal.status_code == 302
    see_committed(session)
    assert session.scalar(select(User.email).where(User.email.like("tess%"))) == (
        "tess@riverside.local"
    )


def test_admin_cannot_deactivate_themself(admin_client, session, admin):
    response = admin_client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in response.text
    see_committed(session)
    assert session.get(User, admin.id).is_active
    assert f"/admin/users/{admin.id}/deactivate" not in response.text  # no button for yourself


def test_admin_sets_a_new_password_for_a_user_who_forgot_theirs(admin_client, app, session, clinic):
    user = make_user(session, clinic, name="Theo Forgetful", email="theo@riverside.example")
    session.commit()
    theirs = app.test_client()
    sign_in(theirs, user)
    assert f'href="/admin/users/{user.id}/password"' in admin_client.get("/admin/users").text
    form = admin_client.get(f"/admin/users/{user.id}/password")
    assert form.status_code == 200 and "New password for Theo Forgetful" in form.text

    differ = admin_client.post(
        f"/admin/users/{user.id}/password",
        data={"password": "temporary pass 1", "password_again": "temporary pass 2"},
    )
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    response = admin_client.post(
        f"/admin/users/{user.id}/password",
        data={"password": "temporary pass 1", "password_again": "temporary pass 1"},
        follow_redirects=True,
    )
    assert "Theo Forgetful has a new password" in response.text
    assert theirs.get("/patients").location.startswith("/login")  # their session ended
    sign_in(app.test_client(), user, "temporary pass 1")
    refused = app.test_client().post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert refused.status_code == 422
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
    assert event.detail["user_id"] == user.id
    assert "temporary pass" not in str(event.detail)


def test_admin_password_reset_is_for_others_in_the_clinic_only(
    admin_client, app, session, clinic, admin
):
    own = admin_client.get(f"/admin/users/{admin.id}/password")
    assert own.location == "/account/password"  # their own goes through the current password
    stranger = make_user(session, make_clinic(session, name="Elsewhere"))
    therapist = make_user(session, clinic)
    session.commit()
    assert admin_client.get(f"/admin/users/{stranger.id}/password").status_code == 404
    as_therapist = app.test_client()
    sign_in(as_therapist, therapist)
    assert as_therapist.get(f"/admin/users/{admin.id}/password").status_code == 403


def test_last_admin_cannot_step_down(admin_client, session, admin):
    response = admin_client.post(
        f"/admin/users/{admin.id}/role", data={"role": "therapist"}, follow_redirects=True
    )
    assert "last active administrator" in response.text
    see_committed(session)
    assert session.get(User, admin.id).role == "admin"


def test_deactivated_user_cannot_sign_in_and_reactivation_restores(
    admin_client, app, session, clinic
):
    user = make_user(session, clinic, email="gone@riverside.example")
    session.commit()
    elsewhere = app.test_client()
    sign_in(elsewhere, user)

    response = admin_client.post(f"/admin/users/{user.id}/deactivate", follow_redirects=True)
    assert "can no longer sign in" in response.text
    refused = app.test_client().post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert refused.status_code == 422
    assert elsewhere.get("/exercises").status_code == 302  # the open session ends too

    admin_client.post(f"/admin/users/{user.id}/reactivate")
    sign_in(app.test_client(), user)


def test_make_administrator_and_back(admin_client, session, clinic):
    user = make_user(session, clinic)
    session.commit()
    admin_client.post(f"/admin/users/{user.id}/role", data={"role": "admin"})
    see_committed(session)
    assert session.get(User, user.id).role == "admin"
    admin_client.post(f"/admin/users/{user.id}/role", data={"role": "therapist"})
    see_committed(session)
    assert session.get(User, user.id).role == "therapist"


def test_another_clinics_user_is_not_found(admin_client, session):
    stranger = make_user(session, make_clinic(session))
    session.commit()
    assert admin_client.post(f"/admin/users/{stranger.id}/deactivate").status_code == 404
    assert "Elsewhere" not in admin_client.get("/admin/users").text


# --- API tokens ------------------------------------------------------------------------------


def test_new_token_secret_is_shown_once_and_only_its_hash_is_stored(admin_client, session):
    response = admin_client.post(
        "/admin/tokens", data={"name": "Cliniko bridge", "scopes": "programs"}
    )
    assert response.status_code == 200
    assert "Copy it now: it won't be shown again." in response.text
    secret = shown_secret(response.text)
    assert secret and secret.startswith("hep_")
    assert response.headers["Cache-Control"] == "no-store"

    token = session.scalar(select(ApiToken))
    assert token.token_hash == api_tokens.hash_token(secret) and secret not in token.token_hash
    later = admin_client.get("/admin/tokens").text
    assert secret not in later
    assert "Cliniko bridge" in later and f"{token.prefix}…" in later

    api = admin_client.application.test_client()
    assert (
        api.get("/api/v1/exercises", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )


def test_sending_the_token_form_twice_creates_one_token(admin_client, session):
    form = admin_client.get("/admin/tokens").text
    once = re.search(r'name="once" type="hidden" value="([^"]+)"', form).group(1)
    first = admin_client.post(
        "/admin/tokens", data={"name": "PMS", "once": once, "scopes": "programs"}
    )
    assert shown_secret(first.text)
    again = admin_client.post(
        "/admin/tokens",
        data={"name": "PMS", "once": once, "scopes": "programs"},
        follow_redirects=True,
    )  # what a reload of the page showing the secret sends
    assert again.status_code == 200
    assert "That form was already sent" in again.text and not shown_secret(again.text)
    see_committed(session)
    assert len(session.scalars(select(ApiToken)).all()) == 1
    next_once = re.search(r'name="once" type="hidden" value="([^"]+)"', first.text).group(1)
    assert next_once != once  # the form under the secret makes another token
    admin_client.post(
        "/admin/tokens", data={"name": "Second", "once": next_once, "scopes": "programs"}
    )
    see_committed(session)
    assert len(session.scalars(select(ApiToken)).all()) == 2


def test_revoked_token_is_refused(admin_client, session):
    response = admin_client.post("/admin/tokens", data={"name": "PMS", "scopes": "programs"})
    secret = shown_secret(response.text)
    token = session.scalar(select(ApiToken))
    response = admin_client.post(f"/admin/tokens/{token.id}/revoke", follow_redirects=True)
    assert "is revoked" in response.text and "Revoked" in response.text
    see_committed(session)
    assert api_tokens.find_api_token(session, secret) is None
    api = admin_client.application.test_client()
    assert (
        api.get("/api/v1/exercises", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )


def test_token_needs_a_name(admin_client):
    response = admin_client.post("/admin/tokens", data={"name": "  "})
    assert response.status_code == 422
    assert field_error(response.text, "name")


def test_another_clinics_token_cannot_be_revoked(admin_client, session):
    token, secret = api_tokens.create_api_token(
        session, system_actor(make_clinic(session).id), "Theirs"
    )
    session.commit()
    assert admin_client.post(f"/admin/tokens/{token.id}/revoke").status_code == 404
    assert api_tokens.find_api_token(session, secret) is not None
    assert "Theirs" not in admin_client.get("/admin/tokens").text


# --- audit trail -----------------------------------------------------------------------------


def test_audit_page_lists_the_clinics_events_only(admin_client, session, clinic, admin):
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    record_event(
        session,
        Actor(clinic_id=clinic.id, user_id=admin.id, remote_addr="198.51.100.7"),
        "handout.download",
        patient_id=patient.id,
    )
    other = make_clinic(session, name="Other Clinic")
    other_patient = make_patient(session, other, first_name="Never", last_name="Shown")
    record_event(session, Actor(clinic_id=other.id), "handout.email", patient_id=other_patient.id)
    session.commit()

    page = admin_client.get("/admin/audit").text
    assert "handout.download" in page and "Zoë Łukasiewicz" in page
    assert "Ada Admin" in page and "198.51.100.7" in page
    assert "handout.email" not in page and "Never Shown" not in page

    one = admin_client.get(f"/admin/audit?patient={patient.id}").text
    assert "handout.download" in one and "Show everything" in one
    assert (
        "handout.download" not in admin_client.get(f"/admin/audit?patient={other_patient.id}").text
    )


def test_audit_page_pages_to_older_events(admin_client, session, clinic):
    actor = Actor(clinic_id=clinic.id)
    for number in range(60):
        record_event(session, actor, f"test.event{number:02d}")
    session.commit()
    first = admin_client.get("/admin/audit").text
    assert "test.event59" in first and "test.event00" not in first
    older = re.search(r'href="(/admin/audit\?before=\d+)"', first).group(1)
    second = admin_client.get(older).text
    assert "test.event00" in second and "test.event59" not in second


def test_admin_changes_show_in_the_audit_trail(admin_client):
    post_branding(admin_client)
    admin_client.post("/admin/tokens", data={"name": "PMS", "scopes": "programs"})
    admin_client.post("/admin/users", data=NEW_USER)
    page = admin_client.get("/admin/audit").text
    for action in ("clinic.branding", "token.create", "user.create"):
        assert action in page
    assert "created the API token PMS" in page  # the event in words


# --- CSRF ------------------------------------------------------------------------------------


def signed_in_with_csrf(csrf_app, user):
    client = csrf_app.test_client()
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    response = client.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def test_every_admin_form_carries_a_csrf_token(csrf_app, session, clinic, admin):
    other = make_user(session, clinic)
    api_tokens.create_api_token(session, system_actor(clinic.id), "PMS")
    session.commit()
    client = signed_in_with_csrf(csrf_app, admin)
    post_branding(client)  # refused (no token), but harmless
    for path in ("/admin/branding", "/admin/users", "/admin/tokens"):
        page = client.get(path).text
        forms = re.findall(r'<form method="post".*?</form>', page, re.S)
        assert forms, path
        for form in forms:
            assert re.search(r'name="csrf_token"[^>]*value="[^"]+"', form), (path, form[:200])
    assert other.id  # the users page had a deactivate form for `other`


def test_admin_post_without_csrf_token_is_refused(csrf_app, session, clinic, admin):
    session.commit()
    client = signed_in_with_csrf(csrf_app, admin)
    response = client.post("/admin/tokens", data={"name": "Sneaky"})
    assert response.status_code == 400
    assert session.scalar(select(ApiToken)) is None


def test_new_token_gets_the_scopes_chosen_on_the_admin_page(admin_client, session):
    page = admin_client.get("/admin/tokens").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="scopes"[^>]*value="programs"', page)
    response = admin_client.post(
        "/admin/tokens", data={"name": "Central library", "scopes": ["library"]}
    )
    assert response.status_code == 200
    token = session.scalar(select(ApiToken).where(ApiToken.name == "Central library"))
    assert token.scopes == "library"
    assert "Library" in admin_client.get("/admin/tokens").get_data(as_text=True)
    none = admin_client.post("/admin/tokens", data={"name": "Nothing"})
    assert none.status_code == 422 and "Choose at least one." in none.get_data(as_text=True)


def test_a_therapist_opening_an_admin_page_is_told_in_plain_words(client, session, clinic):
    """403 with "Only an admin can open this page" and a way back, not werkzeug's "It is either
    read-protected or not readable by the server"."""
    therapist = make_user(session, clinic, role="therapist")
    session.commit()
    sign_in(client, therapist)
    response = client.get("/admin")
    assert response.status_code == 403
    text = response.text
    assert "<h1>Only an admin can open this page</h1>" in text
    assert "<title>Only an admin can open this page" in text
    assert "ask one of them" in text and 'href="/">Go to the start page</a>' in text
    assert "read-protected" not in text and "Forbidden" not in text


def test_unknown_pages_and_wrong_methods_get_plain_pages_too(client, session, clinic):
    therapist = make_user(session, clinic, role="therapist")
    session.commit()
    sign_in(client, therapist)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "<h1>Page not found</h1>" in missing.text
    assert "We could not find that page." in missing.text
    assert "requested URL was not found" not in missing.text
    wrong = client.delete("/patients")
    assert wrong.status_code == 405 and "That action is not allowed here." in wrong.text
    assert "not allowed for the requested URL" not in wrong.text


def test_a_clinic_phone_number_without_digits_is_refused_beside_the_field(
    admin_client, session, clinic
):
    response = post_branding(admin_client, phone="call us", name="Kept Name")
    assert response.status_code == 422
    assert field_error(response.text, "phone") == (
        "Enter a phone number using digits, e.g. 091 555 0100."
    )
    assert input_value(response.text, "phone") == "call us"
    see_committed(session)
    assert session.get(Clinic, clinic.id).name == "Riverside Physio"  # nothing saved
    assert post_branding(admin_client, phone="0161 555 0100 x204").status_code == 302
    see_committed(session)
    assert session.get(Clinic, clinic.id).phone == "0161 555 0100 x204"


NOTHING_SAVED = "Nothing was saved: please correct the field"


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("/admin/branding", {**BRANDING, "email": "front..desk@riverside.example"}),
        ("/admin/users", {**NEW_USER, "email": "not-an-email"}),
        ("/admin/tokens", {"name": "", "scopes": "programs"}),
        ("/admin/webhooks", {"url": "ftp://pms.example/hook"}),
        ("/admin/users/{other}/password", {"password": "short", "password_again": "short"}),
    ],
)
def test_a_refused_admin_form_says_nothing_was_saved(admin_client, session, clinic, path, refused):
    other = make_user(session, clinic, name="Tess Therapist")
    session.commit()
    path = path.format(other=other.id)
    assert NOTHING_SAVED not in admin_client.get(path).text
    response = admin_client.post(path, data=refused)
    assert response.status_code == 422, path
    assert NOTHING_SAVED in response.text


def test_a_brand_with_a_bad_phone_email_and_website_names_all_three_at_once(admin_client):
    response = post_branding(
        admin_client, phone="ask reception", email="front..desk@riverside.example", website="x y"
    )
    assert response.status_code == 422
    assert field_error(response.text, "phone").startswith("Enter a phone number using digits")
    assert field_error(response.text, "email").startswith("That is not an email address: ")
    assert field_error(response.text, "website")
