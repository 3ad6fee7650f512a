"""Bearer-token authentication for /api/v1: the token becomes an Actor of its clinic.

Each authenticated request is also counted against the token's rate limit (API_RATE_LIMIT
requests a minute, shared by every app server through the database); `rate_limit_headers`
gives the RateLimit-* headers for the response.
"""

from flask import current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from hepbuilder.db.models import utcnow
from hepbuilder.domain.errors import PermissionDenied, RateLimited
from hepbuilder.services.actor import Actor
from hepbuilder.services.api_tokens import find_api_token, note_token_use, token_scopes
from hepbuilder.services.rate_limits import count_request
from hepbuilder.web.database import get_db


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized(
        message, www_authenticate=WWWAuthenticate("bearer", {"realm": "hepbuilder"})
    )


def authenticate() -> Actor:
    """Find the request's token, note its use, count it against the rate limit, and return the
    Actor it acts as; RateLimited when the token is over its limit.

    The use (at most once a minute) and the count are committed before the request's own work,
    so they hold even when the request then fails. API tokens act as therapists of their clinic,
    naming the token's default therapist.
    """
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise _unauthorized("Send an API token: Authorization: Bearer <token>.")
    session = get_db()
    token = find_api_token(session, secret)
    if token is None:
        raise _unauthorized("That API token is unknown or has been revoked.")
    noted = note_token_use(session, token)
    limit = current_app.config["API_RATE_LIMIT"]
    window = count_request(session, token.id, limit, utcnow()) if limit else None
    if noted or window is not None:
        session.commit()
    actor = Actor(
        clinic_id=token.clinic_id,
        api_token_id=token.id,
        role="therapist",
        remote_addr=request.remote_addr or "",
        therapist_id=token.default_therapist_id,
        scopes=token_scopes(token),
    )
    g.actor = actor
    g.rate_window = window
    if window is not None and window.exceeded:
        raise RateLimited(
            f"This token made more than {window.limit} requests this minute; "
            f"wait {window.reset_seconds} seconds.",
            retry_after_seconds=window.reset_seconds,
        )
    return actor


def rate_limit_headers() -> dict[str, str]:
    """RateLimit-Limit, -Remaining and -Reset for this request's token (none when unlimited)."""
    window = g.get("rate_window")
    if window is None:
        return {}
    return {
        "RateLimit-Limit": str(window.limit),
        "RateLimit-Remaining": str(window.remaining),
        "RateLimit-Reset": str(window.reset_seconds),
    }


def require_scope(scope: str) -> None:
    """403 unless the request's token holds `scope` ("programs" or "library")."""
    if scope not in g.actor.scopes:
        raise PermissionDenied(
            f'This API token may not do that: it needs the "{scope}" scope '
            f"(it has: {', '.join(g.actor.scopes) or 'none'}). An administrator can create a "
            "token with it on the admin page or with `hepbuilder token create --scope`."
        )
