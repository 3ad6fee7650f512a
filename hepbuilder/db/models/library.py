"""The clinic's exercise library: muscles, exercises with their versions, photos and stored
drawings, favourites and protocols."""

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import ApiToken, User
from .base import Base, trigram_index, utcnow


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
