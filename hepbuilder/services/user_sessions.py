"""Signed-in sessions kept in the database, so that every app server shares them and a session
can be ended for good: a copied cookie replayed after sign-out, a new password, deactivation, a
role change or "sign out everywhere" finds its row ended and is refused.

The browser's cookie carries a random secret; only its SHA-256 is stored. Flushes, never commits.
"""

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hepbuilder.db.models import User, UserSession, utcnow

# A session's last_seen_at is written at most this often (one write a minute, not one a request).
TOUCH_EVERY = dt.timedelta(seconds=60)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(session: Session, user: User, remote_addr: str = "") -> str:
    """A new session for `user`; returns the secret to keep in the browser's cookie."""
    secret = secrets.token_urlsafe(32)
    session.add(
        UserSession(token_hash=_digest(secret), user_id=user.id, remote_addr=remote_addr[:64])
    )
    session.flush()
    return secret


def find_session_user(
    session: Session,
    secret: str,
    *,
    idle: dt.timedelta,
    lifetime: dt.timedelta,
    now: dt.datetime | None = None,
) -> User | None:
    """The active user whose live session has this secret, or None. A session idle longer than
    `idle` or older than `lifetime` is ended on the spot. Marks the session as seen (at most once
    a minute)."""
    now = now or utcnow()
    row = session.scalar(
        select(UserSession).where(
            UserSession.token_hash == _digest(secret), UserSession.ended_at.is_(None)
        )
    )
    if row is None:
        return None
    if now - row.last_seen_at > idle or now - row.created_at > lifetime:
        row.ended_at = now
        session.flush()
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return user


def end_session(session: Session, secret: str) -> None:
    """End the one session with this secret (signing out)."""
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _digest(secret), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every live session of one user (all browsers); returns how many were live."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount or 0
