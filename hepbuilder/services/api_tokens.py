"""API tokens for a PMS: created (the secret shown once, only its SHA-256 kept), found, revoked."""

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from hepbuilder.db.models import ApiToken, utcnow
from hepbuilder.domain.errors import NotFound, ValidationError
from hepbuilder.domain.limits import API_TOKEN_LIMITS

from .actor import Actor, require_admin
from .audit import record_event
from .users import resolve_therapist

TOKEN_PREFIX_CHARS = 8
USE_RECORDED_EVERY = dt.timedelta(minutes=1)
# What a token may do: "programs" is everything the API offered before scopes (patients,
# programs, handouts, reading the library); "library" is changing the library.
API_SCOPES = ("programs", "library")
DEFAULT_SCOPES = ("programs",)


def token_scopes(token: ApiToken) -> tuple[str, ...]:
    """The token's scopes, in API_SCOPES order."""
    held = set((token.scopes or "").split())
    return tuple(scope for scope in API_SCOPES if scope in held)


def hash_token(secret: str) -> str:
    """The SHA-256 (hex) of an API token secret: what the database keeps."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_token(
    session: Session,
    actor: Actor,
    name: str,
    scopes=DEFAULT_SCOPES,
    *,
    therapist_email: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the actor's clinic: (row, secret). Show the secret once; only its SHA-256
    is kept. `scopes` from API_SCOPES (at least one). Admins only (the command line acts as
    `system_actor`). `therapist_email` names the clinic user the token's programs and handouts
    name as therapist unless a request names one. Records "token.create" (name, prefix and
    scopes, never the secret)."""
    require_admin(actor)
    default_therapist_id = None
    if therapist_email:
        try:
            default_therapist_id = resolve_therapist(session, actor, therapist_email)
        except ValidationError:
            raise ValidationError({"therapist": "is not an active user of this clinic"}) from None
    name = name.strip()
    if not name:
        raise ValidationError({"name": "is required"})
    if len(name) > API_TOKEN_LIMITS["name"]:
        raise ValidationError({"name": f"must be at most {API_TOKEN_LIMITS['name']} characters"})
    unknown = [scope for scope in scopes if scope not in API_SCOPES]
    if unknown or not scopes:
        raise ValidationError({"scopes": "choose one or more of: " + ", ".join(API_SCOPES)})
    secret = "hep_" + secrets.token_urlsafe(32)
    token = ApiToken(
        clinic_id=actor.clinic_id,
        name=name,
        prefix=secret[:TOKEN_PREFIX_CHARS],
        token_hash=hash_token(secret),
        default_therapist_id=default_therapist_id,
        scopes=" ".join(scope for scope in API_SCOPES if scope in scopes),
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        actor,
        "token.create",
        token_id=token.id,
        name=token.name,
        prefix=token.prefix,
        scopes=token.scopes,
    )
    return token, secret


def find_api_token(session: Session, secret: str) -> ApiToken | None:
    """The live token whose secret this is, or None. Looked up by hash: no secret is compared."""
    if not secret or len(secret) > 200:
        return None
    # Without the clinic's row (joined by default): a request needs only the token's own
    # columns, and token.clinic still loads on first use.
    token = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret))
        .options(lazyload(ApiToken.clinic))
    )
    if token is None or token.revoked_at is not None:
        return None
    return token


def list_api_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    """The clinic's API tokens: live ones first, newest first."""
    require_admin(actor)
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.clinic_id == actor.clinic_id)
            .order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )


def revoke_api_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token at once (the API refuses it from the next request). Records "token.revoke"."""
    require_admin(actor)
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.clinic_id == actor.clinic_id)
    )
    if token is None:
        raise NotFound("There is no such API token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event(
            session, actor, "token.revoke", token_id=token.id, name=token.name, prefix=token.prefix
        )
        session.flush()
    return token


def note_token_use(session: Session, token: ApiToken) -> bool:
    """Set the token's `last_used_at`, at most once a minute, so that a busy PMS does not write
    the one row all its requests share on every call. True when it changed the row (the caller
    then commits it, apart from the request's own work)."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < USE_RECORDED_EVERY:
        return False
    token.last_used_at = now
    session.flush()
    return True
