"""Password hashing and the rules a new password must meet.

The hash method is a setting (HEPBUILDER_PASSWORD_HASH, read by hepbuilder.config): scrypt by
default, as production needs; the test suite sets a cheap one so that it runs in seconds.
"""

import secrets
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from hepbuilder.config import password_hash_method
from hepbuilder.domain.errors import ValidationError

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 200


def hash_password(password: str) -> str:
    """The salted hash to store for `password`, with the configured method."""
    return generate_password_hash(password, method=password_hash_method())


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches `password_hash` (whatever method made the hash)."""
    return check_password_hash(password_hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def waste_a_check(password: str) -> None:
    """Check `password` against a throwaway hash, so that an unknown email costs as long as a
    known one (no timing difference tells an attacker which addresses exist)."""
    check_password_hash(_dummy_hash(password_hash_method()), password)


def check_password_rules(password: str, field: str = "password") -> None:
    """Raise ValidationError on `field` when `password` is too short or too long."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError({field: f"must be at least {MIN_PASSWORD_CHARS} characters"})
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValidationError({field: f"must be at most {MAX_PASSWORD_CHARS} characters"})
