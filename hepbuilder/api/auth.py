"""Bearer-token authentication for /api/v1: the token becomes an Actor of its clinic."""

from flask import g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from hepbuilder.db.models import utcnow
from hepbuilder.domain.errors import PermissionDenied
from hepbuilder.services.actor import Actor
from hepbuilder.services.api_tokens import find_api_token, token_scopes
from hepbuilder.web.database import get_db


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized(
        message, www_authenticate=WWWAuthenticate("bearer", {"realm": "hepbuilder"})
    )


def authenticate() -> Actor:
    """Find the request's token, note its use (committed at once), and return the Actor it acts as.

    The use is committed before the request's own work, so it is recorded even when the request
    then fails. API tokens act as therapists of their clinic.
    """
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise _unauthorized("Send an API token: Authorization: Bearer <token>.")
    session = get_db()
    token = find_api_token(session, secret)
    if token is None:
        raise _unauthorized("That API token is unknown or has been revoked.")
    token.last_used_at = utcnow()
    session.commit()
    actor = Actor(
        clinic_id=token.clinic_id,
        api_token_id=token.id,
        role="therapist",
        remote_addr=request.remote_addr or "",
        scopes=token_scopes(token),
    )
    g.actor = actor
    return actor


def require_scope(scope: str) -> None:
    """403 unless the request's token holds `scope` ("programs" or "library")."""
    if scope not in g.actor.scopes:
        raise PermissionDenied(
            f'This API token may not do that: it needs the "{scope}" scope '
            f"(it has: {', '.join(g.actor.scopes) or 'none'}). An administrator can create a "
            "token with it on the admin page or with `hepbuilder token create --scope`."
        )
