"""Clinic settings (admin only): brand, logo uploads, users, API tokens, the audit trail."""

import functools
import io

import pytest
from PIL import Image, ImageCms, PngImagePlugin
from sqlalchemy import select

from hepbuilder.db.models import ApiToken, AuditEvent, Clinic, User
from hepbuilder.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from hepbuilder.services import api_tokens, audit, branding, clinics, images, users
from hepbuilder.services.actor import Actor, system_actor
from hepbuilder.services.audit import record_event
from tests.builders import image_bytes, make_clinic, make_patient, make_user, signs_in


def actor_for(user: User) -> Actor:
    return Actor(
        clinic_id=user.clinic_id, user_id=user.id, role=user.role, remote_addr="203.0.113.9"
    )


@pytest.fixture
def clinic(session):
    return make_clinic(session, name="Riverside Physio")


@pytest.fixture
def admin(session, clinic):
    return make_user(session, clinic, role="admin", name="Ada Admin")


@pytest.fixture
def actor(admin):
    return actor_for(admin)


@functools.cache
def pixel_bomb() -> bytes:
    """A 10000 × 10000 PNG (100 megapixels) that is about 12 kB on disk."""
    return image_bytes((10_000, 10_000), "1", color=0)


def actions(session, clinic_id) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.clinic_id == clinic_id, AuditEvent.action.not_like("sign_in.%"))
            .order_by(AuditEvent.id)
        )
    )


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda s, a: branding.get_branding(s, a),
        lambda s, a: branding.update_branding(s, a, {"name": "Mine now"}),
        lambda s, a: branding.set_logo(s, a, image_bytes()),
        lambda s, a: branding.remove_logo(s, a),
        lambda s, a: branding.get_logo(s, a),
        lambda s, a: users.list_users(s, a),
        lambda s, a: users.create_user(
            s, a, {"email": "x@example.net", "name": "X", "role": "admin", "password": "x" * 12}
        ),
        lambda s, a: users.set_user_active(s, a, 1, False),
        lambda s, a: users.set_user_role(s, a, 1, "admin"),
        lambda s, a: api_tokens.list_api_tokens(s, a),
        lambda s, a: api_tokens.create_api_token(s, a, "PMS"),
        lambda s, a: api_tokens.revoke_api_token(s, a, 1),
        lambda s, a: audit.list_audit_events(s, a),
        lambda s, a: clinics.admin_summary(s, a),
    ],
)
def test_clinic_settings_refuse_therapists_and_api_tokens(session, clinic, call):
    therapist = make_user(session, clinic, role="therapist")
    with pytest.raises(PermissionDenied):
        call(session, actor_for(therapist))
    with pytest.raises(PermissionDenied):
        call(session, Actor(clinic_id=clinic.id, api_token_id=1))


# --- brand -----------------------------------------------------------------------------------


def test_update_branding_saves_normalised_fields_and_audits(session, clinic, actor):
    branding.update_branding(
        session,
        actor,
        {
            "name": "  Riverside Physio & Rehab ",
            "address": "  12 Quay Street \n\n  Riverside  ",
            "phone": "+44 20 7946 0000",
            "email": "desk@riverside.example",
            "website": "https://riverside.example/hep",
            "brand_color": "#2A9D8F",
        },
    )
    session.refresh(clinic)
    assert clinic.name == "Riverside Physio & Rehab"
    assert clinic.address == "12 Quay Street\nRiverside"
    assert clinic.brand_color == "#2a9d8f"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "clinic.branding"))
    assert event.user_id == actor.user_id and event.remote_addr == "203.0.113.9"
    assert event.detail["fields"] == ["address", "brand_color", "email", "name", "phone", "website"]


def test_update_branding_without_changes_records_nothing(session, clinic, actor):
    branding.update_branding(
        session, actor, {"name": clinic.name, "brand_color": clinic.brand_color}
    )
    assert actions(session, clinic.id) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("brand_color", "teal"),
        ("brand_color", "#12345"),
        ("brand_color", "#12345g"),
        ("brand_color", "red;}body{"),
        ("name", "   "),
        ("name", "x" * 201),
        ("email", "not-an-email"),
        ("website", "javascript:alert(1)"),
        ("website", "not a website"),
        ("phone", "1" * 81),
        ("phone", "call us"),
    ],
)
def test_update_branding_names_the_bad_field_and_changes_nothing(
    session, clinic, actor, field, value
):
    before = (clinic.name, clinic.brand_color)
    with pytest.raises(ValidationError) as caught:
        branding.update_branding(session, actor, {"name": "Changed name", field: value})
    assert list(caught.value.fields) == [field]
    session.refresh(clinic)
    assert (clinic.name, clinic.brand_color) == before


@pytest.mark.parametrize("value", ["#1F6F8B", "1f6f8b", " #1f6f8b "])
def test_brand_color_is_normalised_to_lower_case_hash_form(session, clinic, actor, value):
    assert branding.update_branding(session, actor, {"brand_color": value}).brand_color == "#1f6f8b"


@pytest.mark.parametrize(
    "value", ["physio.example", "www.physio.example/hep", "http://physio.example"]
)
def test_website_accepts_bare_domains_and_http_addresses(session, actor, value):
    assert branding.update_branding(session, actor, {"website": value}).website == value


def test_update_branding_is_scoped_to_the_actors_clinic(session, clinic, actor):
    other = make_clinic(session, name="Other Clinic")
    branding.update_branding(session, actor, {"name": "Renamed"})
    session.refresh(other)
    assert other.name == "Other Clinic"


# --- logo ------------------------------------------------------------------------------------


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


def test_set_logo_reencodes_png_keeping_transparency_and_scaling_down(session, clinic, actor):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "someone@example.net")
    upload = image_bytes((1800, 600), "RGBA", color=(200, 30, 30, 100), pnginfo=info)
    branding.set_logo(session, actor, upload)
    stored = session.scalar(select(Clinic.logo).where(Clinic.id == clinic.id))
    logo = open_png(stored)
    assert logo.mode == "RGBA" and logo.size == (600, 200)
    red, green, blue, alpha = logo.getpixel((10, 10))
    assert alpha == 100 and abs(red - 200) <= 3 and abs(green - 30) <= 3 and abs(blue - 30) <= 3
    assert "Author" not in logo.info and not getattr(logo, "text", {})
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "clinic.logo.set"))
    assert (event.detail["width"], event.detail["height"]) == (600, 200)


def test_logo_from_jpeg_is_turned_upright_and_stripped_of_exif_and_icc(session, actor):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = image_bytes((800, 400), "RGB", "JPEG", exif=exif.tobytes(), icc_profile=icc)
    assert Image.open(io.BytesIO(upload)).getexif()  # the upload really carries EXIF

    logo = open_png(images.normalize_logo(upload))
    assert logo.size == (300, 600)  # upright, long side 600
    assert not logo.getexif()
    assert "exif" not in logo.info and "icc_profile" not in logo.info


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_logo_accepts_png_jpeg_and_webp(fmt):
    logo = open_png(images.normalize_logo(image_bytes((120, 60), fmt=fmt)))
    assert logo.size == (120, 60)  # small logos are not enlarged


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (b"", "empty"),
        (b"Dear admin, this is a text file renamed logo.png\n", "not a PNG, JPEG or WebP"),
        (image_bytes((40, 40), fmt="GIF"), "not a PNG, JPEG or WebP"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "not a PNG, JPEG or WebP"),
        (image_bytes((400, 400))[:120], "could not be read"),
        (pixel_bomb(), "too many pixels"),
        (image_bytes((5000, 4500), "1", color=0), "5000 × 4500 pixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (images.MAX_LOGO_BYTES + 1), "at most 2 MB"),
    ],
    ids=["empty", "text", "gif", "svg", "truncated", "pixel-bomb", "20mp", "too-many-bytes"],
)
def test_logo_refuses_what_is_not_a_small_png_jpeg_or_webp(session, clinic, actor, upload, words):
    with pytest.raises(ValidationError) as caught:
        branding.set_logo(session, actor, upload)
    assert words in caught.value.fields["logo"]
    assert session.scalar(select(Clinic.logo).where(Clinic.id == clinic.id)) is None


def test_pixel_bomb_is_small_on_disk(session):
    assert len(pixel_bomb()) < 100_000


def test_remove_logo_clears_it_and_audits(session, clinic, actor):
    branding.set_logo(session, actor, image_bytes())
    branding.remove_logo(session, actor)
    branding.remove_logo(session, actor)  # nothing to remove: no second event
    assert branding.get_logo(session, actor) is None
    assert actions(session, clinic.id) == ["clinic.logo.set", "clinic.logo.remove"]


# --- users -----------------------------------------------------------------------------------


def new_user_data(**overrides):
    return {
        "email": "Tess@Riverside.example",
        "name": "Tess Therapist",
        "role": "therapist",
        "password": "a long password",
        "credentials": "DPT",
        **overrides,
    }


def test_create_user_adds_to_the_admins_clinic_hashed_and_audited(session, clinic, actor):
    user = users.create_user(session, actor, new_user_data())
    assert (user.clinic_id, user.email, user.role, user.credentials) == (
        clinic.id,
        "tess@riverside.example",
        "therapist",
        "DPT",
    )
    assert "a long password" not in user.password_hash
    assert signs_in(session, "tess@riverside.example", "a long password") == [user]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.detail == {"user_id": user.id, "email": user.email, "role": "therapist"}
    assert "password" not in str(event.detail)


def test_create_user_reports_bad_fields_and_taken_emails(session, clinic, actor):
    with pytest.raises(ValidationError) as caught:
        users.create_user(session, actor, new_user_data(email="nope", role="owner"))
    assert set(caught.value.fields) == {"email", "role"}
    with pytest.raises(ValidationError) as caught:
        users.create_user(session, actor, new_user_data(password="short"))
    assert set(caught.value.fields) == {"password"}
    users.create_user(session, actor, new_user_data())
    with pytest.raises(Conflict):
        users.create_user(session, actor, new_user_data(email="tess@riverside.example"))


def test_list_users_shows_only_the_clinic(session, clinic, admin, actor):
    make_user(session, make_clinic(session), name="Elsewhere")
    inactive = make_user(session, clinic, name="Zed", is_active=False)
    therapist = make_user(session, clinic, name="Bea")
    assert users.list_users(session, actor) == [admin, therapist, inactive]


def test_deactivated_user_cannot_sign_in_and_can_be_reactivated(session, clinic, actor):
    user = make_user(session, clinic)
    users.set_user_active(session, actor, user.id, False)
    assert signs_in(session, user.email, "correct horse battery") == []
    users.set_user_active(session, actor, user.id, True)
    assert signs_in(session, user.email, "correct horse battery") == [user]
    assert actions(session, clinic.id) == ["user.deactivate", "user.reactivate"]


def test_admin_cannot_deactivate_themself(session, clinic, admin, actor):
    make_user(session, clinic, role="admin")
    with pytest.raises(ValidationError, match="your own account"):
        users.set_user_active(session, actor, admin.id, False)
    assert admin.is_active


def test_last_active_admin_cannot_be_demoted(session, clinic, admin, actor):
    with pytest.raises(ValidationError, match="last active administrator"):
        users.set_user_role(session, actor, admin.id, "therapist")
    assert admin.role == "admin"


def test_last_active_admin_cannot_be_deactivated_even_by_a_stale_admin(
    session, clinic, admin, actor
):
    other = make_user(session, clinic, role="admin")
    make_user(session, clinic, role="admin", is_active=False)  # an inactive admin does not count
    users.set_user_role(session, actor_for(other), admin.id, "therapist")
    # `actor` still says admin (say, a request that started before the demotion):
    with pytest.raises(ValidationError, match="last active administrator"):
        users.set_user_active(session, actor, other.id, False)
    assert other.is_active


def test_admin_may_step_down_while_another_admin_remains(session, clinic, admin, actor):
    make_user(session, clinic, role="admin")
    users.set_user_role(session, actor, admin.id, "therapist")
    assert admin.role == "therapist"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role"))
    assert (event.detail["role"], event.detail["previous"]) == ("therapist", "admin")


def test_users_of_other_clinics_are_not_found(session, actor):
    stranger = make_user(session, make_clinic(session))
    with pytest.raises(NotFound):
        users.set_user_active(session, actor, stranger.id, False)
    with pytest.raises(NotFound):
        users.set_user_role(session, actor, stranger.id, "admin")
    assert stranger.is_active and stranger.role == "therapist"


# --- API tokens ------------------------------------------------------------------------------


def test_create_api_token_keeps_only_a_hash_and_audits_without_the_secret(session, clinic, actor):
    token, secret = api_tokens.create_api_token(session, actor, "  Cliniko bridge ")
    row = session.scalar(select(ApiToken).where(ApiToken.id == token.id))
    assert row.name == "Cliniko bridge" and row.clinic_id == clinic.id
    assert secret not in (row.token_hash, row.prefix) and secret.startswith(row.prefix)
    assert row.token_hash == api_tokens.hash_token(secret)
    assert api_tokens.find_api_token(session, secret) == row
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "token.create"))
    assert secret not in str(event.detail) and event.detail["prefix"] == row.prefix


def test_revoked_token_no_longer_opens_the_api(session, clinic, actor):
    token, secret = api_tokens.create_api_token(session, actor, "PMS")
    api_tokens.revoke_api_token(session, actor, token.id)
    api_tokens.revoke_api_token(session, actor, token.id)  # again: no second event
    assert api_tokens.find_api_token(session, secret) is None
    assert actions(session, clinic.id) == ["token.create", "token.revoke"]
    assert api_tokens.list_api_tokens(session, actor)[0].revoked_at is not None


def test_tokens_are_listed_and_revoked_only_within_the_clinic(session, clinic, actor):
    other = make_clinic(session)
    foreign, foreign_secret = api_tokens.create_api_token(session, system_actor(other.id), "Theirs")
    live, _ = api_tokens.create_api_token(session, actor, "Live")
    revoked, _ = api_tokens.create_api_token(session, actor, "Revoked")
    api_tokens.revoke_api_token(session, actor, revoked.id)
    assert [t.name for t in api_tokens.list_api_tokens(session, actor)] == ["Live", "Revoked"]
    with pytest.raises(NotFound):
        api_tokens.revoke_api_token(session, actor, foreign.id)
    assert api_tokens.find_api_token(session, foreign_secret) == foreign
    assert live.revoked_at is None


def test_token_name_is_required(session, actor):
    with pytest.raises(ValidationError) as caught:
        api_tokens.create_api_token(session, actor, "   ")
    assert list(caught.value.fields) == ["name"]


# --- audit trail -----------------------------------------------------------------------------


def test_audit_trail_names_who_and_which_patient_newest_first(session, clinic, admin, actor):
    patient = make_patient(session, clinic, first_name="Zoë", last_name="Łukasiewicz")
    token, _ = api_tokens.create_api_token(session, system_actor(clinic.id), "Cliniko bridge")
    record_event(session, actor, "handout.download", patient_id=patient.id)
    record_event(
        session,
        Actor(clinic_id=clinic.id, api_token_id=token.id),
        "patient.create",
        patient_id=patient.id,
    )
    entries = audit.list_audit_events(session, actor).entries
    newest, older = entries[0], entries[1]
    assert (newest.action, newest.who, newest.who_kind) == (
        "patient.create",
        "Cliniko bridge",
        "token",
    )
    assert (older.action, older.who, older.patient_name) == (
        "handout.download",
        "Ada Admin",
        "Zoë Łukasiewicz",
    )
    assert older.remote_addr == "203.0.113.9"


def test_audit_trail_is_clinic_scoped_filters_by_patient_and_pages(session, clinic, actor):
    other = make_clinic(session)
    other_admin = make_user(session, other, role="admin")
    record_event(session, actor_for(other_admin), "secret.elsewhere")
    patient = make_patient(session, clinic)
    for number in range(5):
        record_event(
            session, actor, f"event.{number}", patient_id=patient.id if number % 2 else None
        )
    session.flush()

    first = audit.list_audit_events(session, actor, limit=2)
    assert [e.action for e in first.entries] == ["event.4", "event.3"]
    second = audit.list_audit_events(session, actor, limit=2, before_id=first.next_before_id)
    assert [e.action for e in second.entries] == ["event.2", "event.1"]
    third = audit.list_audit_events(session, actor, limit=2, before_id=second.next_before_id)
    assert third.entries[0].action == "event.0"  # then make_patient's own "patient.create"
    assert third.next_before_id is None

    everything = [e.action for e in audit.list_audit_events(session, actor, limit=500).entries]
    assert "secret.elsewhere" not in everything
    by_patient = audit.list_audit_events(
        session, actor, audit.AuditFilter(patient_id=patient.id)
    ).entries
    assert [e.action for e in by_patient] == ["event.3", "event.1", "patient.create"]


def test_admin_summary_counts_the_clinic_only(session, clinic, actor):
    make_user(session, clinic)
    make_user(session, clinic, is_active=False)
    make_user(session, make_clinic(session), role="admin")
    api_tokens.create_api_token(session, actor, "PMS")
    summary = clinics.admin_summary(session, actor)
    assert (summary.active_users, summary.active_admins, summary.inactive_users) == (2, 1, 1)
    assert summary.live_tokens == 1 and summary.has_logo is False


def test_update_branding_stores_the_urgent_help_settings(session, clinic, actor):
    branding.update_branding(
        session,
        actor,
        {"country": "gb", "emergency_number": "999", "out_of_hours": "Call NHS 111."},
    )
    saved = session.get(Clinic, clinic.id)
    assert (saved.country, saved.emergency_number, saved.out_of_hours) == (
        "GB",
        "999",
        "Call NHS 111.",
    )
    assert "clinic.branding" in actions(session, clinic.id)


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "XX"), ("emergency_number", "1" * 41), ("out_of_hours", "x" * 301)],
)
def test_update_branding_refuses_bad_urgent_help_settings(session, actor, field, value):
    with pytest.raises(ValidationError) as caught:
        branding.update_branding(session, actor, {field: value})
    assert list(caught.value.fields) == [field]
