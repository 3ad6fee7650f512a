"""Signed-in sessions kept in the database, so that every app server shares them and a session
can be ended for good: a copied cookie replayed after sign-out, a new password, deactivation, a
role change or "sign out everywhere" finds its row ended and is refused.

The browser's cookie carries a random secret; only its SHA-256 is stored. Flushes, never commits.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class SessionCheck:
    """What `check_session` found: the user (None: refused) and what is to be written."""

    user: User | None
    row_id: int | None = None
    to_end: bool = False  # idle longer than allowed, or too old: end it now
    to_touch: bool = False  # last marked seen a minute ago or more: mark it seen


def check_session(
    session: Session,
    secret: str,
    *,
    idle: dt.timedelta,
    lifetime: dt.timedelta,
    now: dt.datetime | None = None,
) -> SessionCheck:
    """Read (and never write) whether the session with this secret is live and whose it is: the
    active user of a live session, or None. A session idle longer than `idle` or older than
    `lifetime` is refused and `to_end`; one last seen a minute ago or more is `to_touch`.
    `settle_session` writes either."""
    now = now or utcnow()
    # One statement: the session's times and its user with the user's clinic (joined eagerly).
    row = session.execute(
        select(UserSession.id, UserSession.created_at, UserSession.last_seen_at, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _digest(secret), UserSession.ended_at.is_(None))
    ).first()
    if row is None:
        return SessionCheck(user=None)
    row_id, created_at, last_seen_at, user = row
    if now - last_seen_at > idle or now - created_at > lifetime:
        return SessionCheck(user=None, row_id=row_id, to_end=True)
    if not user.is_active:
        return SessionCheck(user=None)
    return SessionCheck(user=user, row_id=row_id, to_touch=now - last_seen_at >= TOUCH_EVERY)


def settle_session(session: Session, check: SessionCheck, now: dt.datetime | None = None) -> bool:
    """Write what `check` asks for (end the session, or mark it seen); True when it wrote."""
    if check.row_id is None or not (check.to_end or check.to_touch):
        return False
    values = {"ended_at": now or utcnow()} if check.to_end else {"last_seen_at": now or utcnow()}
    session.execute(
        update(UserSession)
        .where(UserSession.id == check.row_id, UserSession.ended_at.is_(None))
        .values(**values)
    )
    return True


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
    a minute). `check_session` and `settle_session` in one transaction."""
    now = now or utcnow()
    check = check_session(session, secret, idle=idle, lifetime=lifetime, now=now)
    settle_session(session, check, now)
    return check.user


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
