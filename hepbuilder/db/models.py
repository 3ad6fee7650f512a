"""SQLAlchemy 2.x models. Every row that holds patient data carries its clinic_id.

Schema changes go through an Alembic migration in hepbuilder/db/migrations/versions/.
"""

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from hepbuilder.domain.limits import (
    API_TOKEN_LIMITS,
    BRAND_LIMITS,
    PATIENT_LIMITS,
    PROGRAM_LIMITS,
    USER_LIMITS,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    clinic: Mapped[Clinic] = relationship(lazy="joined")


class Muscle(Base):
    __tablename__ = "muscle"
    __table_args__ = (UniqueConstraint("clinic_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    actions: Mapped[list] = mapped_column(JSON, default=list)


class ExerciseTarget(Base):
    __tablename__ = "exercise_target"

    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercise.id", ondelete="CASCADE"), primary_key=True
    )
    muscle_id: Mapped[int] = mapped_column(ForeignKey("muscle.id"), primary_key=True, index=True)
    # the library file's order
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ExerciseEquipment(Base):
    __tablename__ = "exercise_equipment"

    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercise.id", ondelete="CASCADE"), primary_key=True
    )
    equipment: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)
    # the library file's order
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Exercise(Base):
    """A clinic's copy of a library entry.

    `library_hash` is the hash of the bundled entry last seeded; `is_customized` is set when an
    admin edits it, so a later `seed` leaves the clinic's own text alone. `search_text` is the
    lower-cased, accent-folded name, summary, steps and target muscles, for search.
    """

    __tablename__ = "exercise"
    __table_args__ = (
        UniqueConstraint("clinic_id", "slug"),
        Index("ix_exercise_clinic_order", "clinic_id", "is_archived", "name"),  # picker, library
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), index=True)
    body_region: Mapped[str] = mapped_column(String(80), index=True)
    position: Mapped[str] = mapped_column(String(20))
    steps: Mapped[list] = mapped_column(JSON, default=list)
    cues: Mapped[list] = mapped_column(JSON, default=list)
    precautions: Mapped[list] = mapped_column(JSON, default=list)
    defaults: Mapped[dict] = mapped_column(JSON, default=dict)
    illustration: Mapped[dict | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    library_hash: Mapped[str] = mapped_column(String(64), default="")
    is_customized: Mapped[bool] = mapped_column(Boolean, default=False)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    targets: Mapped[list[Muscle]] = relationship(
        secondary="exercise_target", order_by=(ExerciseTarget.position, Muscle.name)
    )
    equipment_rows: Mapped[list[ExerciseEquipment]] = relationship(
        cascade="all, delete-orphan",
        order_by=(ExerciseEquipment.position, ExerciseEquipment.equipment),
    )

    @property
    def equipment(self) -> list[str]:
        return [row.equipment for row in self.equipment_rows]


class Protocol(Base):
    """A named starting set of items; `items` is [{exercise: slug, dose: {...} | null, notes}]."""

    __tablename__ = "protocol"
    __table_args__ = (UniqueConstraint("clinic_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list] = mapped_column(JSON, default=list)
    library_hash: Mapped[str] = mapped_column(String(64), default="")
    is_customized: Mapped[bool] = mapped_column(Boolean, default=False)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("clinic_id", "external_id"),
        Index("ix_patient_clinic_search", "clinic_id", "is_archived", "search_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(PATIENT_LIMITS["external_id"]))
    first_name: Mapped[str] = mapped_column(String(PATIENT_LIMITS["first_name"]))
    last_name: Mapped[str] = mapped_column(String(PATIENT_LIMITS["last_name"]))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    email: Mapped[str] = mapped_column(String(PATIENT_LIMITS["email"]), default="")
    phone: Mapped[str] = mapped_column(String(PATIENT_LIMITS["phone"]), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(String(600), default="")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Set when the patient's data was erased on request: the row stays, naming no one, for the
    # audit trail; the patient, programs and handouts are then not found.
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Program(Base):
    """What a therapist builds for one patient. `version` guards against lost updates."""

    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    title: Mapped[str] = mapped_column(String(PROGRAM_LIMITS["title"]), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    review_on: Mapped[dt.date | None] = mapped_column(Date)
    paper: Mapped[str] = mapped_column(String(10), default="A4")
    large_print: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    patient: Mapped[Patient] = relationship()
    items: Mapped[list["ProgramItem"]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ProgramItem.position"
    )

    __mapper_args__ = {"version_id_col": version}


class ProgramItem(Base):
    """One exercise placed in a program, with its dose."""

    __tablename__ = "program_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("program.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercise.id"))
    sets: Mapped[int | None] = mapped_column(Integer)
    reps: Mapped[int | None] = mapped_column(Integer)
    hold_seconds: Mapped[int | None] = mapped_column(Integer)
    times_per_day: Mapped[int | None] = mapped_column(Integer)
    days_per_week: Mapped[int | None] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(10), default="none")
    notes: Mapped[str] = mapped_column(Text, default="")

    program: Mapped[Program] = relationship(back_populates="items")
    exercise: Mapped[Exercise] = relationship()


class Handout(Base):
    """An issued, frozen program: the spec snapshot (JSON) and its PDF. Never changes after insert."""

    __tablename__ = "handout"
    __table_args__ = (UniqueConstraint("patient_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per patient
    title: Mapped[str] = mapped_column(String(200), default="")
    # Both deferred: listing handouts reads neither; a download reads only the PDF.
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()


class AuditEvent(Base):
    """Who did what to which patient's data, when, from where (a user or an API token)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    action: Mapped[str] = mapped_column(String(60))  # e.g. "handout.download"
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    handout_id: Mapped[int | None] = mapped_column(ForeignKey("handout.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class IdempotencyRecord(Base):
    """The stored answer to an API POST sent with an Idempotency-Key, replayed on retry."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("api_token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    api_token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- sign-in: server-side sessions -------------------------------------------------------------


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
