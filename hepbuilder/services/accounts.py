"""Clinics, user accounts, sign-in and API tokens; passwords and token secrets are kept hashed."""

import datetime as dt
import hashlib
import re
import secrets
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from hepbuilder.db.models import ApiToken, Clinic, User, utcnow
from hepbuilder.domain.errors import Conflict, NotFound, ValidationError
from hepbuilder.domain.text import fold

from .actor import Actor
from .audit import record_event

ROLES = ("admin", "therapist")
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 200
TOKEN_PREFIX_CHARS = 8
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A real hash to check against when the email is unknown, so a miss costs as long as a hit."""
    return generate_password_hash(secrets.token_urlsafe(16))


def slugify(name: str) -> str:
    """A URL-safe slug from a name: "Physio Núñez & Co." -> "physio-nunez-co"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60].strip("-") or "clinic"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_token(secret: str) -> str:
    """The SHA-256 (hex) of an API token secret: what the database keeps."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def count_clinics(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Clinic)) or 0


def needs_setup(session: Session) -> bool:
    """True while no user exists: the web app then offers its one-time set-up page."""
    return session.scalar(select(User.id).limit(1)) is None


def create_clinic(session: Session, name: str) -> Clinic:
    """Add a clinic, its slug made from its name ("-2", "-3"... when taken). Does not seed it."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "is required"})
    if len(name) > 200:
        raise ValidationError({"name": "must be at most 200 characters"})
    base = slugify(name)
    taken = set(session.scalars(select(Clinic.slug).where(Clinic.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    clinic = Clinic(name=name, slug=slug)
    session.add(clinic)
    session.flush()
    return clinic


def get_clinic_by_slug(session: Session, slug: str) -> Clinic:
    clinic = session.scalar(select(Clinic).where(Clinic.slug == slug))
    if clinic is None:
        raise NotFound(f'There is no clinic "{slug}".')
    return clinic


def get_clinic(session: Session, clinic_id: int) -> Clinic:
    clinic = session.get(Clinic, clinic_id)
    if clinic is None:
        raise NotFound("There is no such clinic.")
    return clinic


def resolve_clinic(session: Session, slug: str | None = None) -> Clinic:
    """The clinic named by `slug`, or the only clinic when `slug` is None (the CLI's --clinic)."""
    if slug:
        return get_clinic_by_slug(session, slug)
    clinics = list(session.scalars(select(Clinic).order_by(Clinic.id).limit(2)))
    if not clinics:
        raise NotFound(
            "There is no clinic yet; create one with `hepbuilder clinic create --name NAME`."
        )
    if len(clinics) > 1:
        raise ValidationError(
            {}, message="There is more than one clinic, so say which one with --clinic SLUG."
        )
    return clinics[0]


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError({field: f"must be at least {MIN_PASSWORD_CHARS} characters"})
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValidationError({field: f"must be at most {MAX_PASSWORD_CHARS} characters"})


def create_user(
    session: Session,
    clinic: Clinic,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    credentials: str = "",
) -> User:
    """Add a user to `clinic`, password hashed (scrypt). Raises Conflict if the email is taken."""
    errors = {}
    email = normalize_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = "must be an email address"
    if not name.strip():
        errors["name"] = "is required"
    elif len(name.strip()) > 200:
        errors["name"] = "must be at most 200 characters"
    if role not in ROLES:
        errors["role"] = "must be admin or therapist"
    if errors:
        raise ValidationError(errors)
    _check_password(password)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"A user with the email {email} already exists.")
    user = User(
        clinic_id=clinic.id,
        email=email,
        name=name.strip(),
        role=role,
        credentials=credentials.strip(),
        password_hash=generate_password_hash(password),
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str, field: str = "password") -> None:
    """Give `user` a new password (hashed); every session signed in with the old one ends, as
    each carries `session_fingerprint`. Raises ValidationError on `field` for a bad length."""
    _check_password(password, field)
    user.password_hash = generate_password_hash(password)
    session.flush()


def session_fingerprint(user: User) -> str:
    """A short digest of the user's password hash, kept in their signed-in session: a session
    whose fingerprint no longer matches (the password was changed or reset) is signed out."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def change_password(
    session: Session, actor: Actor, current_password: str, new_password: str
) -> User:
    """The signed-in user changes their own password, proving they know the current one.

    Raises ValidationError on "current_password" or "new_password". Records
    "user.password_change"; the user's other sessions end.
    """
    user = session.scalar(
        select(User).where(User.id == actor.user_id, User.clinic_id == actor.clinic_id)
    )
    if user is None or not user.is_active:
        raise NotFound("There is no such user.")
    if not check_password_hash(user.password_hash, current_password):
        raise ValidationError({"current_password": "is not your current password"})
    if new_password == current_password:
        raise ValidationError({"new_password": "must differ from your current password"})
    set_password(session, user, new_password, field="new_password")
    record_event(session, actor, "user.password_change", user_id=user.id)
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same time and answer on a miss)."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    session.flush()
    return user


def find_user(session: Session, user_id: int) -> User | None:
    """The active user with this id, or None (used to restore a signed-in session)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return user


def set_up_first_clinic(
    session: Session, *, clinic_name: str, admin_name: str, email: str, password: str, library=None
) -> tuple[Clinic, User]:
    """The one-time set-up: the first clinic and its first admin, its library seeded.

    `library` is a loaded hepbuilder.library.Library (default: the bundled one). Raises Conflict
    once any user exists, so the set-up cannot be run twice.
    """
    from .library import load_bundled_library, seed_clinic

    if not needs_setup(session):
        raise Conflict("This hepbuilder is already set up.")
    clinic = create_clinic(session, clinic_name)
    user = create_user(
        session, clinic, email=email, name=admin_name, role="admin", password=password
    )
    seed_clinic(session, clinic, library if library is not None else load_bundled_library())
    return clinic, user


def create_api_token(session: Session, clinic: Clinic, name: str) -> tuple[ApiToken, str]:
    """A new API token for `clinic`: (row, secret). The secret is shown once, stored as SHA-256."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "is required"})
    if len(name) > 120:
        raise ValidationError({"name": "must be at most 120 characters"})
    secret = "hep_" + secrets.token_urlsafe(32)
    token = ApiToken(
        clinic_id=clinic.id,
        name=name,
        prefix=secret[:TOKEN_PREFIX_CHARS],
        token_hash=hash_token(secret),
    )
    session.add(token)
    session.flush()
    return token, secret


def find_api_token(session: Session, secret: str) -> ApiToken | None:
    """The live token whose secret this is, or None. Looked up by hash: no secret is compared."""
    if not secret or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        return None
    return token


def revoke_api_token(session: Session, clinic_id: int, token_id: int) -> ApiToken:
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.clinic_id == clinic_id)
    )
    if token is None:
        raise NotFound("There is no such API token.")
    if token.revoked_at is None:
        token.revoked_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        session.flush()
    return token
