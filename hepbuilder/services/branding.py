"""A clinic's brand: its name, contact lines, colour and logo, printed on every new handout."""

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from hepbuilder.db.models import Clinic
from hepbuilder.domain.color import normalize_color
from hepbuilder.domain.emergency import COUNTRY_CODES
from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.limits import BRAND_LIMITS
from hepbuilder.domain.phone import clean_phone, phone_problem

from .actor import Actor, require_admin
from .audit import record_event
from .clinics import get_actor_clinic
from .email_addresses import email_problem
from .images import image_size, normalize_logo

BRANDING_FIELDS = (
    "name",
    "address",
    "phone",
    "email",
    "website",
    "brand_color",
    "country",
    "emergency_number",
    "out_of_hours",
)
# How handouts reach patients: private links expire after this many days without a new handout,
# and emails carry the PDF ("attach") or only the private link ("link").
DELIVERY_FIELDS = ("link_expiry_days", "email_mode")
EMAIL_MODES = ("attach", "link")
MIN_LINK_EXPIRY_DAYS, MAX_LINK_EXPIRY_DAYS = 1, 3650


_BARE_WEBSITE = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?:[/?#]\S*)?$", re.I
)


def get_branding(session: Session, actor: Actor) -> Clinic:
    """The acting admin's clinic (its logo bytes stay deferred until read)."""
    require_admin(actor)
    return get_actor_clinic(session, actor)


def _check_website(text: str) -> str | None:
    """None when `text` is an http(s) address or a bare domain ("physio.example"), else a sentence."""
    if text.lower().startswith(("http://", "https://")):
        parts = urlsplit(text)
        if parts.netloc and " " not in text:
            return None
        return "must be a web address such as https://physio.example"
    if _BARE_WEBSITE.match(text):
        return None
    return "must be a web address such as https://physio.example or physio.example"


def update_branding(session: Session, actor: Actor, data: Mapping[str, str]) -> Clinic:
    """Change the clinic's name, contact lines, brand colour, urgent-help settings (country,
    emergency number, out-of-hours advice) and delivery settings (link expiry, email mode); only
    the keys present in `data`.

    Raises ValidationError naming each bad field (nothing is changed then). Records
    "clinic.branding" with the names of the fields that changed, when any did.
    """
    require_admin(actor)
    clinic = get_actor_clinic(session, actor)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in BRANDING_FIELDS:
        if name not in data:
            continue
        text = str(data[name] or "").strip()
        if name == "address":
            text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        if name == "country":
            text = text.upper()
        limit = BRAND_LIMITS.get(name)
        if limit and len(text) > limit:
            errors[name] = f"must be at most {limit} characters"
        elif name == "name" and not text:
            errors[name] = "is required"
        elif name == "email" and (problem := email_problem(text)):
            errors[name] = problem  # kept as typed (handouts print it); Reply-To is its ASCII form
        elif name == "phone" and (problem := phone_problem(text)):
            errors[name] = problem
        elif name == "phone":
            text = clean_phone(text)  # a pasted non-breaking space saved as a plain one
        elif name == "website" and text and (problem := _check_website(text)):
            errors[name] = problem
        elif name == "country" and text and text not in COUNTRY_CODES:
            errors[name] = "must be a two-letter country code from the list"
        elif name == "brand_color":
            color = normalize_color(text)
            if color is None:
                errors[name] = "must be a colour written as # and six hex digits, e.g. #1f6f8b"
            else:
                text = color
        values[name] = text
    _check_delivery(data, values, errors)
    if errors:
        raise ValidationError(errors)
    changed = sorted(name for name, value in values.items() if getattr(clinic, name) != value)
    for name in changed:
        setattr(clinic, name, values[name])
    if changed:
        record_event(session, actor, "clinic.branding", fields=changed)
    session.flush()
    return clinic


def _check_delivery(data: Mapping[str, object], values: dict, errors: dict) -> None:
    if "link_expiry_days" in data:
        try:
            days = int(str(data["link_expiry_days"]).strip())
        except (TypeError, ValueError):
            days = None
        if days is None or not MIN_LINK_EXPIRY_DAYS <= days <= MAX_LINK_EXPIRY_DAYS:
            errors["link_expiry_days"] = (
                f"must be a whole number of days from {MIN_LINK_EXPIRY_DAYS} to {MAX_LINK_EXPIRY_DAYS}"
            )
        else:
            values["link_expiry_days"] = days
    if "email_mode" in data:
        if data["email_mode"] not in EMAIL_MODES:
            errors["email_mode"] = "must be attach (the PDF goes with the email) or link"
        else:
            values["email_mode"] = data["email_mode"]


def set_logo(session: Session, actor: Actor, upload_bytes: bytes) -> Clinic:
    """Check and re-encode an uploaded logo (see `normalize_logo`) and make it the clinic's logo."""
    require_admin(actor)
    logo = normalize_logo(upload_bytes)
    clinic = get_actor_clinic(session, actor)
    clinic.logo = logo
    width, height = image_size(logo)
    record_event(session, actor, "clinic.logo.set", bytes=len(logo), width=width, height=height)
    session.flush()
    return clinic


def remove_logo(session: Session, actor: Actor) -> Clinic:
    """Take the logo off; handouts then show the clinic's name alone. Issued handouts keep theirs."""
    require_admin(actor)
    clinic = get_actor_clinic(session, actor, with_logo=True)
    if clinic.logo is not None:
        clinic.logo = None
        record_event(session, actor, "clinic.logo.remove")
        session.flush()
    return clinic


def get_logo(session: Session, actor: Actor) -> bytes | None:
    """The clinic's logo as stored (PNG bytes), or None."""
    require_admin(actor)
    return session.scalar(select(Clinic.logo).where(Clinic.id == actor.clinic_id))
