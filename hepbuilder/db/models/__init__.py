"""SQLAlchemy 2.x models. Every row that holds patient data carries its clinic_id.

Schema changes go through an Alembic migration in hepbuilder/db/migrations/versions/. The
models are split by what they are about (base, accounts, library, patients, records); import
them from here.
"""

from .accounts import ApiRateCount, ApiToken, Clinic, RecoveryCode, SignInFailure, User, UserSession
from .base import NAMING_CONVENTION, Base, schema_object_filter, trigram_index, utcnow
from .library import (
    Exercise,
    ExerciseEquipment,
    ExercisePhoto,
    ExerciseTarget,
    ExerciseVersion,
    FavouriteExercise,
    FavouriteProtocol,
    IllustrationPaths,
    Muscle,
    Protocol,
)
from .patients import Handout, Patient, PatientLink, Program, ProgramItem, SnapshotPart
from .records import AuditEvent, IdempotencyRecord, OutboxMessage, WebhookEndpoint

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "schema_object_filter",
    "trigram_index",
    "utcnow",
    "Clinic",
    "User",
    "RecoveryCode",
    "ApiToken",
    "ApiRateCount",
    "UserSession",
    "SignInFailure",
    "Muscle",
    "ExerciseTarget",
    "ExerciseEquipment",
    "Exercise",
    "ExerciseVersion",
    "ExercisePhoto",
    "IllustrationPaths",
    "FavouriteExercise",
    "FavouriteProtocol",
    "Protocol",
    "Patient",
    "Program",
    "ProgramItem",
    "SnapshotPart",
    "Handout",
    "PatientLink",
    "AuditEvent",
    "IdempotencyRecord",
    "OutboxMessage",
    "WebhookEndpoint",
]
