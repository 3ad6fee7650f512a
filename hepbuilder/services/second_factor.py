"""A second factor for signing in: time-based one-time passwords (TOTP, RFC 6238: HMAC-SHA1, 6
digits, 30-second steps) from an authenticator app, and ten one-time recovery codes (only their
SHA-256 is stored). Optional for every user; a clinic can require it of its administrators.

A code is accepted one step either side of now (clocks drift), and never twice: the step used is
remembered, so a code seen over someone's shoulder is already spent.
"""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hepbuilder.db.models import Clinic, RecoveryCode, User, utcnow
from hepbuilder.domain.errors import Conflict, ValidationError

from .actor import Actor, require_admin
from .audit import record_event

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODES = 10
WRONG_CODE = "That code is not right (or was already used). Try the current code from your app."


def totp(secret: str, step: int) -> str:
    """The RFC 6238 code of `secret` (base32) for time step `step` (RFC 4226's truncation)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    issuer = f"hepbuilder {user.clinic.name}"
    label = quote(f"{issuer}:{user.email}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP_SECONDS}"


def qr_svg_path(data: str) -> tuple[int, str]:
    """(size in modules with the quiet zone, an SVG path drawing `data`'s dark modules)."""
    from hepbuilder.pdf.ink.qr import QUIET_MODULES, qr_matrix

    matrix = qr_matrix(data)
    path = "".join(
        f"M{x + QUIET_MODULES} {y + QUIET_MODULES}h1v1h-1z"
        for y, row in enumerate(matrix)
        for x, dark in enumerate(row)
        if dark
    )
    return len(matrix) + 2 * QUIET_MODULES, path


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def must_enrol(user: User) -> bool:
    """An administrator of a clinic that requires a second factor who has not set one up."""
    return user.role == "admin" and user.clinic.admins_need_second_factor and not is_enabled(user)


def _user(session: Session, actor: Actor) -> User:
    return session.scalar(
        select(User).where(User.id == actor.user_id, User.clinic_id == actor.clinic_id)
    )


def start_enrolment(session: Session, actor: Actor) -> tuple[User, str]:
    """A new secret for the signed-in user, not in use until `confirm_enrolment`."""
    user = _user(session, actor)
    if is_enabled(user):
        raise Conflict("A second factor is already set up; turn it off first to set a new one.")
    user.totp_secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
    session.flush()
    return user, user.totp_secret


def _spend_recovery_codes(session: Session, user: User) -> None:
    session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    _spend_recovery_codes(session, user)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash(code)))
    return codes


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()


def _matching_step(user: User, code: str, now: float | None) -> int | None:
    code = "".join(code.split())
    if not user.totp_secret or len(code) != DIGITS or not code.isdigit():
        return None
    step = current_step(now)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if (user.totp_last_step or 0) < candidate and hmac.compare_digest(
            totp(user.totp_secret, candidate), code
        ):
            return candidate
    return None


def confirm_enrolment(
    session: Session, actor: Actor, code: str, now: float | None = None
) -> list[str]:
    """Turn the second factor on once a code from the app proves it was set up; returns the
    recovery codes, shown once. Records "user.second_factor_on"."""
    user = _user(session, actor)
    step = _matching_step(user, code, now)
    if step is None or is_enabled(user):
        raise ValidationError({"code": WRONG_CODE})
    user.totp_last_step = step
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(session, user)
    record_event(session, actor, "user.second_factor_on", user_id=user.id)
    session.flush()
    return codes


def check_code(
    session: Session, user: User, code: str, remote_addr: str = "", now: float | None = None
) -> bool:
    """At sign-in: a current TOTP code or an unused recovery code (which is then used up).
    Records "sign_in.code" or "sign_in.code_failure" with the address."""
    actor = Actor(
        clinic_id=user.clinic_id, user_id=user.id, role=user.role, remote_addr=remote_addr
    )
    accepted = _use_code(session, user, code, now)
    record_event(session, actor, "sign_in.code" if accepted else "sign_in.code_failure")
    session.flush()
    return accepted


def _use_code(session: Session, user: User, code: str, now: float | None) -> bool:
    step = _matching_step(user, code, now)
    if step is not None:
        user.totp_last_step = step
        session.flush()
        return True
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    session.flush()
    return True


def turn_off(session: Session, actor: Actor, code: str, now: float | None = None) -> User:
    """Stop asking the signed-in user for a second factor, given a current code. Refused while
    their clinic requires one of administrators. Records "user.second_factor_off"."""
    user = _user(session, actor)
    if user.role == "admin" and user.clinic.admins_need_second_factor:
        raise Conflict("Your clinic requires administrators to sign in with a second factor.")
    if not is_enabled(user) or not _use_code(session, user, code, now):
        raise ValidationError({"code": WRONG_CODE})
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    _spend_recovery_codes(session, user)
    record_event(session, actor, "user.second_factor_off", user_id=user.id)
    session.flush()
    return user


def set_admins_need_second_factor(session: Session, actor: Actor, required: bool) -> Clinic:
    """The clinic's rule: administrators must sign in with a second factor. Records
    "clinic.second_factor". Admins without one are asked to set it up at their next page."""
    require_admin(actor)
    clinic = session.get(Clinic, actor.clinic_id)
    if clinic.admins_need_second_factor != required:
        clinic.admins_need_second_factor = required
        record_event(session, actor, "clinic.second_factor", required=required)
        session.flush()
    return clinic


def recovery_codes_left(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
