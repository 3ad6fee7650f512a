"""Signing in with an email and a password: throttled against guessing, audited, the same answer
and the same hash work for an unknown email as for a wrong password.

Throttling counts failures in the database (table `sign_in_failure`), so every app server shares
the counts:
- per client address: ADDRESS_LIMIT failures in WINDOW, then refused until the oldest of them
  leaves the window (the limit holds);
- per account (the typed email): ACCOUNT_LIMIT failures in WINDOW, then one more try is allowed
  each ACCOUNT_PAUSE after the latest failure. An attacker guessing from many addresses gets one
  guess a minute; the real user waits at most a minute, never a long lock-out.

Flushes, never commits."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hepbuilder.db.models import SignInFailure, User, utcnow

from .actor import Actor
from .audit import record_event
from .passwords import password_problem, verify_password, waste_a_check
from .users import normalize_email

WINDOW = dt.timedelta(minutes=15)
ADDRESS_LIMIT = 10
ACCOUNT_LIMIT = 5
ACCOUNT_PAUSE = dt.timedelta(minutes=1)
KEEP_FAILURES = dt.timedelta(days=1)


class SignInThrottled(Exception):
    """Too many failed sign-ins; `retry_after_seconds` says when to try again."""

    def __init__(self, retry_after_seconds: int):
        super().__init__("Too many failed sign-ins.")
        self.retry_after_seconds = max(1, retry_after_seconds)


@dataclass(frozen=True, slots=True)
class SignInResult:
    """The accounts this email and password open (one, or one per clinic: then the user picks
    one and `record_sign_in` notes it), or none.
    `needs_new_password`: the password no longer meets the rules; ask for a new one now."""

    users: list[User]
    needs_new_password: bool = False


def _account_key(email: str) -> str:
    return hashlib.sha256(normalize_email(email).encode("utf-8", "surrogatepass")).hexdigest()


def _retry_after(session: Session, email: str, remote_addr: str, now: dt.datetime) -> int | None:
    since = now - WINDOW
    by_address = session.execute(
        select(func.count(), func.min(SignInFailure.created_at)).where(
            SignInFailure.remote_addr == remote_addr, SignInFailure.created_at > since
        )
    ).one()
    if by_address[0] >= ADDRESS_LIMIT:
        return int((by_address[1] + WINDOW - now).total_seconds()) + 1
    by_account = session.execute(
        select(func.count(), func.max(SignInFailure.created_at)).where(
            SignInFailure.account_key == _account_key(email), SignInFailure.created_at > since
        )
    ).one()
    if by_account[0] >= ACCOUNT_LIMIT and now - by_account[1] < ACCOUNT_PAUSE:
        return int((by_account[1] + ACCOUNT_PAUSE - now).total_seconds()) + 1
    return None


def _record_failure(session: Session, email: str, remote_addr: str, now: dt.datetime) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.created_at < now - KEEP_FAILURES))
    session.add(
        SignInFailure(account_key=_account_key(email), remote_addr=remote_addr[:64], created_at=now)
    )


def _actor(user: User, remote_addr: str) -> Actor:
    return Actor(clinic_id=user.clinic_id, user_id=user.id, role=user.role, remote_addr=remote_addr)


def attempt_sign_in(
    session: Session, email: str, password: str, remote_addr: str, now: dt.datetime | None = None
) -> SignInResult:
    """Check an email and password. Raises SignInThrottled before any hash work when this address
    or account has failed too often. Records "sign_in.success" or "sign_in.failure" (with the
    address) in the clinic of each account the email names; a failure is also counted."""
    now = now or utcnow()
    retry = _retry_after(session, email, remote_addr, now)
    if retry is not None:
        raise SignInThrottled(retry)
    candidates = list(
        session.scalars(
            select(User)
            .where(User.email == normalize_email(email), User.is_active.is_(True))
            .order_by(User.id)
        )
    )
    if not candidates:
        waste_a_check(password)
    matched = [user for user in candidates if verify_password(user.password_hash, password)]
    if not matched:
        _record_failure(session, email, remote_addr, now)
        for user in candidates:
            record_event(session, _actor(user, remote_addr), "sign_in.failure", user_id=user.id)
        session.flush()
        return SignInResult(users=[])
    session.execute(delete(SignInFailure).where(SignInFailure.account_key == _account_key(email)))
    if len(matched) == 1:
        record_sign_in(session, matched[0], remote_addr, now)
    needs_new = any(
        password_problem(password, email=user.email, clinic_name=user.clinic.name)
        for user in matched
    )
    return SignInResult(users=matched, needs_new_password=needs_new)


def record_sign_in(
    session: Session, user: User, remote_addr: str, now: dt.datetime | None = None
) -> None:
    """Note that `user` signed in (last sign-in time, "sign_in.success"); called by
    `attempt_sign_in` for a single match, and after the clinic chooser for several."""
    user.last_login_at = now or utcnow()
    record_event(session, _actor(user, remote_addr), "sign_in.success", user_id=user.id)
    session.flush()
