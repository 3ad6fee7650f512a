"""Clinics, their users and how they sign in: accounts, API tokens, sessions."""

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hepbuilder.domain.limits import (
    API_TOKEN_LIMITS,
    BRAND_LIMITS,
    USER_LIMITS,
)

from .base import Base, utcnow


class Clinic(Base):
    """A tenant: its own users, library copy, patients, programs and brand."""

    __tablename__ = "clinic"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(BRAND_LIMITS["name"]))
    address: Mapped[str] = mapped_column(String(BRAND_LIMITS["address"]), default="")
    phone: Mapped[str] = mapped_column(String(BRAND_LIMITS["phone"]), default="")
    email: Mapped[str] = mapped_column(String(BRAND_LIMITS["email"]), default="")
    website: Mapped[str] = mapped_column(String(BRAND_LIMITS["website"]), default="")
    brand_color: Mapped[str] = mapped_column(String(7), default="#1f6f8b")
    # IANA name; the audit trail shows times in it
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Administrators must sign in with a second factor (TOTP) once this is set
    admins_need_second_factor: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0"
    )
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # Delivery: a private link stops working this many days after the patient's last handout;
    # handout emails carry the PDF ("attach") or only the private link ("link").
    link_expiry_days: Mapped[int] = mapped_column(Integer, default=180, server_default="180")
    email_mode: Mapped[str] = mapped_column(String(10), default="attach", server_default="attach")
    # urgent help on the handout: ISO country code (its default emergency number), or own values
    country: Mapped[str] = mapped_column(String(2), default="", server_default="")
    emergency_number: Mapped[str] = mapped_column(
        String(BRAND_LIMITS["emergency_number"]), default="", server_default=""
    )
    out_of_hours: Mapped[str] = mapped_column(
        String(BRAND_LIMITS["out_of_hours"]), default="", server_default=""
    )
    # One more on every change to the clinic's exercises, muscles, targets or equipment, by
    # database triggers (migration 0024): what a worker derived from the library is still right
    # while this number is the same. Never written by the app itself.
    library_version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    """A person who signs in. An email is unique within a clinic; the same address may have an
    account at another clinic (sign-in then asks which clinic)."""

    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("clinic_id", "email", name="uq_user_account_clinic_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    email: Mapped[str] = mapped_column(String(USER_LIMITS["email"]), index=True)  # lower-case
    name: Mapped[str] = mapped_column(String(USER_LIMITS["name"]))
    credentials: Mapped[str] = mapped_column(String(USER_LIMITS["credentials"]), default="")
    role: Mapped[str] = mapped_column(String(20))  # "admin" | "therapist"
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Second factor (TOTP, RFC 6238): the base32 secret, set at enrolment and in use once
    # `totp_enabled_at` is set; `totp_last_step` is the last 30-second step used (no replay).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    clinic: Mapped[Clinic] = relationship(lazy="joined")


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor (a lost phone); only its SHA-256."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ApiToken(Base):
    """A PMS's bearer token. Only a SHA-256 of the secret is stored; `prefix` identifies it in lists."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    name: Mapped[str] = mapped_column(String(API_TOKEN_LIMITS["name"]))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # space-separated: "programs" (patients, programs, handouts, reading the library) and/or
    # "library" (changing it); tokens made before scopes existed keep "programs"
    scopes: Mapped[str] = mapped_column(String(100), default="programs", server_default="programs")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The clinic user named as therapist on what the token creates, unless a request names one.
    default_therapist_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    clinic: Mapped[Clinic] = relationship(lazy="joined")


class ApiRateCount(Base):
    """Requests one API token made in one rate-limit window (shared by every app server)."""

    __tablename__ = "api_rate_count"

    api_token_id: Mapped[int] = mapped_column(
        ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True
    )
    window_start: Mapped[dt.datetime] = mapped_column(DateTime, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class UserSession(Base):
    """One signed-in browser. The cookie holds a random secret; only its SHA-256 is stored here.

    A session is over once `ended_at` is set (sign-out, a new password, deactivation, a role
    change, "sign out everywhere"), or when it has been idle or alive too long (settings)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")


class SignInFailure(Base):
    """One failed sign-in, counted per account and per client address to throttle guessing.
    `account_key` is a SHA-256 of the typed email, so no typed address is stored."""

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


# --- delivery: private links and the outbox ----------------------------------------------------
