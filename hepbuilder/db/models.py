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
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from hepbuilder.domain.limits import (
    API_TOKEN_LIMITS,
    BRAND_LIMITS,
    PATIENT_LIMITS,
    PROGRAM_LIMITS,
    USER_LIMITS,
    WEBHOOK_LIMITS,
)

from .like import is_search_index_table

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


def trigram_index(name: str, column: str) -> Index:
    """A GIN index on (clinic_id, a folded search column): pg_trgm's trigrams of the column and
    btree_gin's clinic ids (migration 0020), so `clinic_id = ? AND LIKE '%term%'` (terms of 3
    or more characters) reads only the clinic's part of each trigram's list, not the whole
    group's, nor every row of the clinic. PostgreSQL only: SQLite has an FTS5 trigram table
    instead (migration 0016, read by db/like.py)."""
    return Index(
        name,
        "clinic_id",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        info={"only_on": "postgresql"},
    ).ddl_if(dialect="postgresql")


def schema_object_filter(dialect_name: str):
    """Alembic's include_object for `dialect_name`: leaves out what the models create only on
    another database (an index with info["only_on"]), so autogenerate compares like with like,
    and SQLite's FTS5 search tables (migration 0016): indexes made of virtual and shadow tables,
    which no model describes."""

    def include(obj, name, type_, reflected, _compare_to) -> bool:
        if reflected and type_ == "table" and is_search_index_table(name):
            return False
        only_on = getattr(obj, "info", {}).get("only_on")
        return reflected or only_on in (None, dialect_name)

    return include


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
    lower-cased, accent-folded name, summary, steps, conditions and target muscles, for search.
    `version` counts saves (the API's PUT sends it back; a stale one is a conflict).
    """

    __tablename__ = "exercise"
    __table_args__ = (
        UniqueConstraint("clinic_id", "slug"),
        Index("ix_exercise_clinic_order", "clinic_id", "is_archived", "name"),  # picker, library
        trigram_index("ix_exercise_search_trgm", "search_text"),
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
    conditions: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    photos: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")  # image paths
    defaults: Mapped[dict] = mapped_column(JSON, default=dict)
    illustration: Mapped[dict | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    library_hash: Mapped[str] = mapped_column(String(64), default="")
    is_customized: Mapped[bool] = mapped_column(Boolean, default=False)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
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

    __mapper_args__ = {"version_id_col": version}


class ExerciseVersion(Base):
    """One saved state of an exercise (its library-entry form), who saved it and when.

    The first edit of a seeded exercise first keeps the state it had, so every save leaves the
    previous version behind. Rows are never changed; restoring one saves it as a new version.
    """

    __tablename__ = "exercise_version"
    __table_args__ = (UniqueConstraint("exercise_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercise.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per exercise
    entry: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped["User | None"] = relationship()
    api_token: Mapped["ApiToken | None"] = relationship()


class ExercisePhoto(Base):
    """An uploaded photo (re-encoded JPEG, no metadata) at a library path such as
    "images/clam-shell-1.jpg"; an exercise's `photos` lists the paths it shows, in order.
    Rows are never deleted, so an old version that showed a photo still can."""

    __tablename__ = "exercise_photo"
    __table_args__ = (UniqueConstraint("clinic_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercise.id"), index=True)
    path: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    width_px: Mapped[int] = mapped_column(Integer)
    height_px: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FavouriteExercise(Base):
    """A user's starred exercise (shown first in the picker)."""

    __tablename__ = "favourite_exercise"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercise.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FavouriteProtocol(Base):
    """A user's starred protocol (offered first when a program is started)."""

    __tablename__ = "favourite_protocol"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    protocol_id: Mapped[int] = mapped_column(
        ForeignKey("protocol.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Protocol(Base):
    """A named starting set of items; `items` is [{exercise: slug, dose: {...} | null, notes}]
    in their order."""

    __tablename__ = "protocol"
    __table_args__ = (UniqueConstraint("clinic_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # condition slugs (as an exercise's) and when to move the patient on
    conditions: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    progression: Mapped[str] = mapped_column(Text, default="", server_default="")
    items: Mapped[list] = mapped_column(JSON, default=list)
    library_hash: Mapped[str] = mapped_column(String(64), default="")
    is_customized: Mapped[bool] = mapped_column(Boolean, default=False)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # a therapist's proposal (saved from a program): offered to no one until an admin approves it
    is_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("clinic_id", "external_id"),
        # the patient list and search (in name order); on PostgreSQL without the erased, whom
        # nothing lists, so counting a clinic's matches reads this index alone, not the rows
        # (migration 0020; SQLite would read the rows all the same)
        Index(
            "ix_patient_clinic_search",
            "clinic_id",
            "is_archived",
            "search_text",
            postgresql_where=text("erased_at IS NULL"),
        ),
        trigram_index("ix_patient_search_trgm", "search_text"),
        # SQLite only: (clinic_id, rowid) walks a clinic's patients by id (list_patients). On
        # PostgreSQL (migration 0020) the indexes above serve clinic_id alone, and a bulk-loaded
        # clinic's rows lie together, so the planner walked every one of them through this index
        # to count a search's matches rather than read the trigram index (4-13 ms against 1).
        Index("ix_patient_clinic_id", "clinic_id", info={"only_on": "sqlite"}).ddl_if(
            dialect="sqlite"
        ),
        # SQLite only: live (not erased) patients, so the patient list's count is read from the
        # index alone (migration 0019). On PostgreSQL ix_patient_clinic_search is partial on the
        # same condition and serves that count.
        Index(
            "ix_patient_clinic_live",
            "clinic_id",
            "is_archived",
            sqlite_where=text("erased_at IS NULL"),
            info={"only_on": "sqlite"},
        ).ddl_if(dialect="sqlite"        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
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
    created_by: Mapped[User | None] = relationship()  # the program's therapist
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


class SnapshotPart(Base):
    """A part of handout snapshots, held once however many handouts print it: an inline exercise,
    a brand or a logo (`hepbuilder.domain.snapshot`), named by the SHA-256 of `body`.

    Written once (insert if absent), never changed, never deleted: handouts refer to parts from
    their `snapshot_json`. Parts hold library and brand content only, never patient data, and
    are shared by every clinic that prints the same bytes.
    """

    __tablename__ = "snapshot_part"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # exercise | brand | logo
    body: Mapped[bytes] = mapped_column(LargeBinary)  # JSON (UTF-8) or the image's bytes
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IllustrationPaths(Base):
    """An illustration's drawing, made once when its exercise is saved or seeded, so a new
    process draws it without computing its geometry (`hepbuilder.illustrations.stored`): keyed
    by the SHA-256 of the pose it was made from, so every clinic, exercise version and handout
    snapshot printing the same pose shares one row, and a snapshot finds it from its own pose.

    Only a cache of how to draw: a missing row, or one made by another `engine`, means "compute
    on demand" (and the next save or `hepbuilder seed` stores it again). Library content only,
    never patient data. Rows are replaced, never deleted.
    """

    __tablename__ = "illustration_paths"

    pose_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    engine: Mapped[str] = mapped_column(String(32))  # pdf.stored_paths.paths_engine() that made it
    body: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed JSON (stored.py)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)  # made (or remade)


class Handout(Base):
    """An issued, frozen program: the spec snapshot (JSON, its shared parts by content hash in
    `snapshot_part`) and its PDF. Never changes after insert."""

    __tablename__ = "handout"
    __table_args__ = (UniqueConstraint("patient_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per patient
    title: Mapped[str] = mapped_column(String(200), default="")
    # Both deferred: listing handouts reads neither; a download reads only the PDF.
    # The spec with its exercises, brand and logo as {"$part": sha256} (services/snapshots.py).
    snapshot_json: Mapped[str] = mapped_column(Text, deferred=True)
    # The PDF's bytes when `pdf_store` is "database"; b"" when they are an object in the S3
    # store (db/pdf_store.py), named by clinic and `pdf_sha256`, and after erasure.
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_store: Mapped[str] = mapped_column(
        String(10), default="database", server_default="database"
    )
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    program_version: Mapped[int | None] = mapped_column(Integer)  # None: issued before 0008
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    issued_by: Mapped[User | None] = relationship()  # the therapist the handout names


class AuditEvent(Base):
    """Who did what to which patient's data, when, from where (a user or an API token)."""

    __tablename__ = "audit_event"
    # The audit page reads a clinic's trail newest first, a page at a time by id (keyset), often
    # narrowed to a patient, a user, a kind (an action prefix) or dates: each way has an index
    # that ends in id or orders by time, so a page costs the same at 10 million rows as at ten
    # (migration 0021; bench/audit.py). The kind's index compares bytes on PostgreSQL
    # (varchar_pattern_ops), so `action LIKE 'user.%'` is a range scan in any collation.
    __table_args__ = (
        Index("ix_audit_event_clinic_id_id", "clinic_id", "id"),
        Index("ix_audit_event_clinic_created_at", "clinic_id", "created_at"),
        Index("ix_audit_event_clinic_patient_id", "clinic_id", "patient_id", "id"),
        Index("ix_audit_event_clinic_user_id", "clinic_id", "user_id", "id"),
        Index(
            "ix_audit_event_clinic_action_id",
            "clinic_id",
            "action",
            "id",
            postgresql_ops={"action": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    action: Mapped[str] = mapped_column(String(60))  # e.g. "handout.download"
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    handout_id: Mapped[int | None] = mapped_column(ForeignKey("handout.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IdempotencyRecord(Base):
    """The stored answer to an API POST sent with an Idempotency-Key, replayed on retry.

    A row is written (and committed) when the first request with the key starts, with no
    `status_code` yet: a retry meanwhile is told the key is in use. The answer fills it in, in the
    same transaction as the work. Rows are deleted once expired (services/idempotency.py).
    """

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("api_token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    api_token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"))
    key: Mapped[str] = mapped_column(String(200))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while the first request runs
    response_body: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


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


# --- delivery: private links and the outbox ----------------------------------------------------


class PatientLink(Base):
    """A patient's one private link (/p/<token>). The token is derived from the link key and
    `generation` (a new link: generation + 1); only its SHA-256 is stored, for the lookup.
    The link works until `active_since` (the last handout, or the link's making) plus the clinic's
    `link_expiry_days`."""

    __tablename__ = "patient_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), unique=True)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active_since: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OutboxMessage(Base):
    """Something to deliver outside the app (kind "email"), written in the request's transaction.

    status: queued -> sending (claimed by a worker until `claimed_until`) -> sent, or back to
    queued with `next_attempt_at` moved on by the back-off, or failed after the last attempt.
    `dedupe_key` makes a repeated request (a second click on Send) find the first row.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    handout_id: Mapped[int | None] = mapped_column(ForeignKey("handout.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # the last change of status or attempt (set by every ORM or Core update of the row)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class WebhookEndpoint(Base):
    """A clinic's subscription: events POSTed, signed, to `url` (HTTPS; HTTP to loopback only).

    No secret is stored: the signing secret is derived from the webhook key (HEPBUILDER_WEBHOOK_KEY
    or instance/webhook_key) and `secret_salt`, so a database backup alone cannot sign. `events`
    is the list of event types sent. A receiver that answers 410 Gone switches it off
    (`is_active` False, `disabled_reason` says why); switched-off endpoints are kept (the log).
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinic.id"), index=True)
    url: Mapped[str] = mapped_column(String(WEBHOOK_LIMITS["url"]))
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret_salt: Mapped[str] = mapped_column(String(32))
    secret_prefix: Mapped[str] = mapped_column(String(16))  # shown in lists, e.g. "whsec_Ab12"
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
