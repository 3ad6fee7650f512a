"""Patients' data: patients, their programs, the handouts issued from them with their snapshot
parts, and private links."""

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hepbuilder.domain.limits import (
    PATIENT_LIMITS,
    PROGRAM_LIMITS,
)

from .accounts import User
from .base import Base, trigram_index, utcnow
from .library import Exercise


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
        ).ddl_if(dialect="sqlite"),
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
    # What the snapshot says of the therapist it names and of the private link it printed,
    # copied beside it at issue (migration 0022 copied them for the handouts issued before),
    # so lists of handouts read no snapshot. "" when the snapshot has none, and after erasure.
    # Text: a copy of the snapshot's text, whatever its length was when it was issued.
    therapist_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    therapist_credentials: Mapped[str] = mapped_column(Text, default="", server_default="")
    share_url: Mapped[str] = mapped_column(Text, default="", server_default="")
    issued_on: Mapped[dt.date] = mapped_column(Date)
    program_version: Mapped[int | None] = mapped_column(Integer)  # None: issued before 0008
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    patient: Mapped[Patient] = relationship()
    issued_by: Mapped[User | None] = relationship()  # the therapist the handout names


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
