"""The admin's clinic settings: brand (contact, colour, logo), user accounts, API tokens, audit trail.

Every function takes the Session and the Actor, refuses anyone but an admin (PermissionDenied),
works only inside `actor.clinic_id` (another clinic's user or token is simply NotFound), flushes
but never commits, and records an audit event for each change in the caller's transaction.
Hashing, password rules and token secrets stay in `accounts`; this module only adds the admin's
rules on top (who may do it, the last admin, the clinic scope).
"""

import io
import re
import struct
import warnings
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from hepbuilder.db.models import ApiToken, AuditEvent, Clinic, Patient, User
from hepbuilder.domain.emergency import COUNTRY_CODES
from hepbuilder.domain.errors import NotFound, PermissionDenied, ValidationError

from .actor import Actor
from .audit import record_event

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 20_000_000  # checked from the image header, before anything is decoded
LOGO_MAX_SIDE_PX = 600
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
AUDIT_PAGE_SIZE = 50
MAX_AUDIT_PAGE_SIZE = 200

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
_MAX_CHARS = {
    "name": 200,
    "address": 500,
    "phone": 80,
    "email": 200,
    "website": 200,
    "emergency_number": 40,
    "out_of_hours": 300,
}
_HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")
_BARE_WEBSITE = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?:[/?#]\S*)?$", re.I
)
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


def _accounts():
    """The accounts service, imported on first use. It hashes with werkzeug.security, and importing
    this module must load nothing from the web stack (tests/unit/test_layers.py)."""
    from . import accounts

    return accounts


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("Only an administrator can change the clinic's settings.")


def _clinic(session: Session, actor: Actor, *, with_logo: bool = False) -> Clinic:
    query = select(Clinic).where(Clinic.id == actor.clinic_id)
    if with_logo:
        query = query.options(undefer(Clinic.logo))
    clinic = session.scalar(query)
    if clinic is None:
        raise NotFound("There is no such clinic.")
    return clinic


# --- brand -------------------------------------------------------------------------------------


def get_branding(session: Session, actor: Actor) -> Clinic:
    """The acting admin's clinic (its logo bytes stay deferred until read)."""
    _require_admin(actor)
    return _clinic(session, actor)


def normalize_color(value: str) -> str | None:
    """ "#1F6F8B", "1f6f8b" or "#1f6f8b" -> "#1f6f8b"; anything else -> None."""
    text = value.strip().lower()
    if text and not text.startswith("#"):
        text = "#" + text
    return text if _HEX_COLOR.match(text) else None


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
    """Change the clinic's name, contact lines, brand colour and urgent-help settings (country,
    emergency number, out-of-hours advice), only the keys present in `data`.

    Raises ValidationError naming each bad field (nothing is changed then). Records
    "clinic.branding" with the names of the fields that changed, when any did.
    """
    _require_admin(actor)
    clinic = _clinic(session, actor)
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
        limit = _MAX_CHARS.get(name)
        if limit and len(text) > limit:
            errors[name] = f"must be at most {limit} characters"
        elif name == "name" and not text:
            errors[name] = "is required"
        elif name == "email" and text and not _accounts().EMAIL_RE.match(text):
            errors[name] = "must be an email address such as front-desk@physio.example"
        elif name == "website" and text and (problem := _check_website(text)):
            errors[name] = problem
        elif name == "country" and text and text.upper() not in COUNTRY_CODES:
            errors[name] = "must be a two-letter country code from the list"
        elif name == "brand_color":
            color = normalize_color(text)
            if color is None:
                errors[name] = "must be a colour written as # and six hex digits, e.g. #1f6f8b"
            else:
                text = color
        values[name] = text
    if errors:
        raise ValidationError(errors)
    changed = sorted(name for name, value in values.items() if getattr(clinic, name) != value)
    for name in changed:
        setattr(clinic, name, values[name])
    if changed:
        record_event(session, actor, "clinic.branding", fields=changed)
    session.flush()
    return clinic


def normalize_logo(upload_bytes: bytes) -> bytes:
    """An uploaded logo, checked and re-encoded: PNG bytes, at most 600 px on the long side.

    The content decides, not the file name: only PNG, JPEG and WebP open. The byte size and the
    pixel count (from the header, before decoding) are bounded, so decompression bombs are refused
    unread. The EXIF orientation is applied, colours are converted to sRGB, transparency is kept,
    and the result carries no metadata at all (no EXIF, ICC profile or text chunks).
    Raises ValidationError on "logo" with a sentence for the admin.
    """
    if not upload_bytes:
        raise ValidationError({"logo": "is empty; choose a PNG, JPEG or WebP image"})
    if len(upload_bytes) > MAX_LOGO_BYTES:
        raise ValidationError({"logo": f"must be at most {MAX_LOGO_BYTES // (1024 * 1024)} MB"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload_bytes), formats=LOGO_FORMATS) as image:
                width, height = image.size
                if width * height > MAX_LOGO_PIXELS:
                    raise _too_many_pixels(width, height)
                if image.format == "JPEG":
                    image.draft("RGB", (LOGO_MAX_SIDE_PX * 2, LOGO_MAX_SIDE_PX * 2))
                image.load()
                return _reencode(image)
    except UnidentifiedImageError:
        raise ValidationError(
            {"logo": "is not a PNG, JPEG or WebP image (the file's content decides, not its name)"}
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            {"logo": f"has too many pixels (at most {MAX_LOGO_PIXELS // 1_000_000} megapixels)"}
        ) from None
    except ValidationError:
        raise
    except _DECODE_ERRORS:
        raise ValidationError(
            {"logo": "could not be read; the file may be damaged, so try exporting it again"}
        ) from None


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        {
            "logo": f"is {width} × {height} pixels; that is too many "
            f"(at most {MAX_LOGO_PIXELS // 1_000_000} megapixels)"
        }
    )


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _reencode(image: Image.Image) -> bytes:
    mode = "RGBA" if _has_alpha(image) else "RGB"
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit or float grey: scale to 8 bits
        image = image.convert("F").point(lambda value: value / 257).convert("L")
    if icc_profile:
        image = _to_srgb(image, icc_profile, mode)
    image = image.convert(mode)
    image.thumbnail((LOGO_MAX_SIDE_PX, LOGO_MAX_SIDE_PX), Image.Resampling.LANCZOS)
    clean = Image.frombytes(image.mode, image.size, image.tobytes())  # a new image: no metadata
    out = io.BytesIO()
    clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def _to_srgb(image: Image.Image, icc_profile: bytes, mode: str) -> Image.Image:
    """`image` converted from its embedded colour profile to sRGB (unchanged if that cannot be done)."""
    if image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        srgb = ImageCms.createProfile("sRGB")
        output_mode = mode if image.mode != "CMYK" else "RGB"
        return ImageCms.profileToProfile(image, source, srgb, outputMode=output_mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def set_logo(session: Session, actor: Actor, upload_bytes: bytes) -> Clinic:
    """Check and re-encode an uploaded logo (see `normalize_logo`) and make it the clinic's logo."""
    _require_admin(actor)
    logo = normalize_logo(upload_bytes)
    clinic = _clinic(session, actor)
    clinic.logo = logo
    width, height = Image.open(io.BytesIO(logo)).size
    record_event(session, actor, "clinic.logo.set", bytes=len(logo), width=width, height=height)
    session.flush()
    return clinic


def remove_logo(session: Session, actor: Actor) -> Clinic:
    """Take the logo off; handouts then show the clinic's name alone. Issued handouts keep theirs."""
    _require_admin(actor)
    clinic = _clinic(session, actor, with_logo=True)
    if clinic.logo is not None:
        clinic.logo = None
        record_event(session, actor, "clinic.logo.remove")
        session.flush()
    return clinic


def get_logo(session: Session, actor: Actor) -> bytes | None:
    """The clinic's logo as stored (PNG bytes), or None."""
    _require_admin(actor)
    return session.scalar(select(Clinic.logo).where(Clinic.id == actor.clinic_id))


# --- users -------------------------------------------------------------------------------------


def list_users(session: Session, actor: Actor) -> list[User]:
    """The clinic's users: active first, then by name."""
    _require_admin(actor)
    return list(
        session.scalars(
            select(User)
            .where(User.clinic_id == actor.clinic_id)
            .order_by(User.is_active.desc(), User.name, User.id)
        )
    )


def create_user(session: Session, actor: Actor, data: Mapping[str, str]) -> User:
    """Add a user to the acting admin's clinic (accounts.create_user checks and hashes).

    `data`: email, name, role, password, credentials (optional). Raises ValidationError for bad
    fields and Conflict when the email is taken. Records "user.create".
    """
    _require_admin(actor)
    clinic = _clinic(session, actor)
    user = _accounts().create_user(
        session,
        clinic,
        email=str(data.get("email") or ""),
        name=str(data.get("name") or ""),
        role=str(data.get("role") or ""),
        password=str(data.get("password") or ""),
        credentials=str(data.get("credentials") or "")[:80],
    )
    record_event(session, actor, "user.create", user_id=user.id, email=user.email, role=user.role)
    return user


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """A user of the actor's clinic (admins only); NotFound for anyone else's."""
    _require_admin(actor)
    return _get_user(session, actor, user_id)


def _get_user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.scalar(select(User).where(User.id == user_id, User.clinic_id == actor.clinic_id))
    if user is None:
        raise NotFound("There is no such user.")
    return user


def _check_another_admin_remains(session: Session, actor: Actor, user: User, doing: str) -> None:
    """Refuse to leave the clinic with no active admin. Locks the admins' rows where the database can."""
    admin_ids = session.scalars(
        select(User.id)
        .where(User.clinic_id == actor.clinic_id, User.role == "admin", User.is_active.is_(True))
        .with_for_update()
    ).all()
    if not set(admin_ids) - {user.id}:
        raise ValidationError(
            {"user": f"{user.name} is the clinic's last active administrator"},
            message=f"{user.name} is the clinic's last active administrator, so you cannot "
            f"{doing}. Make someone else an administrator first.",
        )


def set_user_active(session: Session, actor: Actor, user_id: int, is_active: bool) -> User:
    """Deactivate (can no longer sign in; their sessions end) or reactivate a user.

    An admin cannot deactivate themself, and the last active admin stays. Records
    "user.deactivate" or "user.reactivate".
    """
    _require_admin(actor)
    user = _get_user(session, actor, user_id)
    if user.is_active == is_active:
        return user
    if not is_active:
        if user.id == actor.user_id:
            raise ValidationError(
                {"user": "you cannot deactivate your own account"},
                message="You cannot deactivate your own account; ask another administrator.",
            )
        if user.role == "admin":
            _check_another_admin_remains(session, actor, user, "deactivate them")
    user.is_active = is_active
    record_event(
        session,
        actor,
        "user.reactivate" if is_active else "user.deactivate",
        user_id=user.id,
        email=user.email,
    )
    session.flush()
    return user


def set_user_role(session: Session, actor: Actor, user_id: int, role: str) -> User:
    """Make a user an admin or a therapist; the last active admin cannot be demoted. Records "user.role"."""
    _require_admin(actor)
    if role not in _accounts().ROLES:
        raise ValidationError({"role": "must be admin or therapist"})
    user = _get_user(session, actor, user_id)
    if user.role == role:
        return user
    if user.role == "admin" and user.is_active:
        _check_another_admin_remains(session, actor, user, "make them a therapist")
    previous, user.role = user.role, role
    record_event(
        session, actor, "user.role", user_id=user.id, email=user.email, role=role, previous=previous
    )
    session.flush()
    return user


def reset_user_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """An admin sets a new password for another user of the clinic (who forgot theirs, or whose
    password may be known to someone else): their sessions end. Admins change their own password
    on the account page, with their current one. Records "user.password_reset"."""
    _require_admin(actor)
    user = _get_user(session, actor, user_id)
    if user.id == actor.user_id:
        raise ValidationError(
            {"user": "use the password page for your own account"},
            message="Change your own password on your account page, with your current password.",
        )
    _accounts().set_password(session, user, password)
    record_event(session, actor, "user.password_reset", user_id=user.id, email=user.email)
    return user


# --- API tokens --------------------------------------------------------------------------------


def list_api_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    """The clinic's API tokens: live ones first, newest first."""
    _require_admin(actor)
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.clinic_id == actor.clinic_id)
            .order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )


def create_api_token(session: Session, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A new token for the clinic: (row, secret). Show the secret once; only its hash is kept.

    Records "token.create" (name and prefix, never the secret).
    """
    _require_admin(actor)
    token, secret = _accounts().create_api_token(session, _clinic(session, actor), name)
    record_event(
        session, actor, "token.create", token_id=token.id, name=token.name, prefix=token.prefix
    )
    return token, secret


def revoke_api_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token at once (the API refuses it from the next request). Records "token.revoke"."""
    _require_admin(actor)
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.clinic_id == actor.clinic_id)
    )
    if token is None:
        raise NotFound("There is no such API token.")
    if token.revoked_at is None:
        _accounts().revoke_api_token(session, actor.clinic_id, token.id)
        record_event(
            session, actor, "token.revoke", token_id=token.id, name=token.name, prefix=token.prefix
        )
        session.flush()
    return token


# --- audit trail -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit trail, with names resolved (who: a user's or a token's name)."""

    id: int
    created_at: object
    action: str
    who: str
    who_kind: str  # "user" | "token" | "system"
    patient_id: int | None
    patient_name: str
    handout_id: int | None
    remote_addr: str
    detail: dict


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Newest first; `next_before_id` is the `before_id` of the next (older) page, or None."""

    entries: list[AuditEntry]
    next_before_id: int | None


def list_audit_events(
    session: Session,
    actor: Actor,
    patient_id: int | None = None,
    limit: int = AUDIT_PAGE_SIZE,
    before_id: int | None = None,
) -> AuditPage:
    """The clinic's audit trail, newest first, optionally for one patient; pages by `before_id`."""
    _require_admin(actor)
    limit = max(1, min(int(limit), MAX_AUDIT_PAGE_SIZE))
    query = (
        select(AuditEvent, User.name, ApiToken.name, Patient.first_name, Patient.last_name)
        .outerjoin(User, (User.id == AuditEvent.user_id) & (User.clinic_id == actor.clinic_id))
        .outerjoin(
            ApiToken,
            (ApiToken.id == AuditEvent.api_token_id) & (ApiToken.clinic_id == actor.clinic_id),
        )
        .outerjoin(
            Patient, (Patient.id == AuditEvent.patient_id) & (Patient.clinic_id == actor.clinic_id)
        )
        .where(AuditEvent.clinic_id == actor.clinic_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit + 1)
    )
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows = session.execute(query).all()
    entries = [_entry(*row) for row in rows[:limit]]
    next_before_id = entries[-1].id if len(rows) > limit else None
    return AuditPage(entries=entries, next_before_id=next_before_id)


def _entry(event: AuditEvent, user_name, token_name, first_name, last_name) -> AuditEntry:
    if event.user_id is not None:
        who, kind = user_name or "(unknown user)", "user"
    elif event.api_token_id is not None:
        who, kind = token_name or "(unknown token)", "token"
    else:
        who, kind = "hepbuilder", "system"
    patient_name = f"{first_name or ''} {last_name or ''}".strip()
    return AuditEntry(
        id=event.id,
        created_at=event.created_at,
        action=event.action,
        who=who,
        who_kind=kind,
        patient_id=event.patient_id,
        patient_name=patient_name,
        handout_id=event.handout_id,
        remote_addr=event.remote_addr or "",
        detail=dict(event.detail or {}),
    )


# --- overview ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminSummary:
    clinic: Clinic
    has_logo: bool
    active_users: int
    active_admins: int
    inactive_users: int
    live_tokens: int


def admin_summary(session: Session, actor: Actor) -> AdminSummary:
    """Counts for the admin overview page."""
    _require_admin(actor)
    clinic = _clinic(session, actor)
    has_logo = session.scalar(select(Clinic.logo.is_not(None)).where(Clinic.id == actor.clinic_id))
    rows = session.execute(
        select(User.is_active, User.role, func.count())
        .where(User.clinic_id == actor.clinic_id)
        .group_by(User.is_active, User.role)
    ).all()
    live_tokens = session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.clinic_id == actor.clinic_id, ApiToken.revoked_at.is_(None))
    )
    return AdminSummary(
        clinic=clinic,
        has_logo=bool(has_logo),
        active_users=sum(n for active, _role, n in rows if active),
        active_admins=sum(n for active, role, n in rows if active and role == "admin"),
        inactive_users=sum(n for active, _role, n in rows if not active),
        live_tokens=live_tokens or 0,
    )
