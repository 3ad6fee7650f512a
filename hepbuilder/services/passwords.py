"""Password hashing and the rules a new password must meet.

The hash method is a setting (HEPBUILDER_PASSWORD_HASH, read by hepbuilder.config): scrypt by
default, as production needs; the test suite sets a cheap one so that it runs in seconds.
"""

import gzip
import re
import secrets
from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from hepbuilder.config import password_hash_method
from hepbuilder.domain.errors import ValidationError

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 200

# 40,101 common and breached passwords, lower-cased: the union of Django's common-passwords list
# (20,000, from Royce Williams' compilation; BSD licence) and the "passwords" frequency list of
# zxcvbn (30,000, from Mark Burnett's xato list; MIT licence). See README "Passwords".
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")
_TAIL = re.compile(r"[\d\W_]+$")  # "Summer2024!!" is "summer" with a tail of digits and symbols


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


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common and breached passwords (read once, ~3 MB in memory)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def _squashed(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def password_problem(password: str, *, email: str = "", clinic_name: str = "") -> str | None:
    """Why `password` may not be used (a phrase to follow the field's name), or None when it may.

    At least 12 and at most 200 characters; not a common or breached password (alone, or with
    digits and symbols after it); not the user's email address or its name part; not the
    clinic's name."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"must be at least {MIN_PASSWORD_CHARS} characters"
    if len(password) > MAX_PASSWORD_CHARS:
        return f"must be at most {MAX_PASSWORD_CHARS} characters"
    lowered = password.strip().casefold()
    listed = common_passwords()
    if lowered in listed or _TAIL.sub("", lowered) in listed:
        return "is too common: it is on a list of passwords that attackers try first"
    squashed = _squashed(password)
    local_part = email.partition("@")[0]
    for own_word in (email, local_part, clinic_name):
        word = _squashed(own_word)
        if len(word) >= 4 and word in squashed and len(squashed) - len(word) < 6:
            return "must not be built from your email address or the clinic's name"
    return None


def check_password_rules(
    password: str, field: str = "password", *, email: str = "", clinic_name: str = ""
) -> None:
    """Raise ValidationError on `field` when `password` breaks a rule of `password_problem`."""
    problem = password_problem(password, email=email, clinic_name=clinic_name)
    if problem:
        raise ValidationError({field: problem})
