"""What a phone number may look like (a patient's, a clinic's): the one rule, read by the web
forms, the patient and brand services and the API's JSON Schema.

Deliberately loose: it refuses text that is no phone number ("abc", "n/a", "see notes"), not
numbers of an unusual shape. At least MIN_PHONE_DIGITS digits, written with digits, spaces and
+ - ( ) . / only, and optionally an extension at the end: "ext 12", "ext. 12" or "x12".
Stored numbers are never re-checked when read: only a value being saved is.
"""

import re

MIN_PHONE_DIGITS = 4  # the shortest local numbers in use (Niue, Tokelau) have four
PHONE_MESSAGE = "Enter a phone number using digits, e.g. 091 555 0100."

_SEPARATORS = "[-+ ().\\/]"
_EXTENSION = "(?:[eE][xX][tT]\\.?|[xX]) *[0-9]{1,6} *"
# Without anchors, written so that it means the same in Python and in ECMA-262 (JSON Schema's
# `pattern`, which hepbuilder.api.schemas anchors and pads with whitespace): no \d or \s, which
# mean more in Python, and no flags. Each digit group starts with a digit, so it cannot backtrack.
PHONE_PATTERN = f"{_SEPARATORS}*(?:[0-9]{_SEPARATORS}*){{{MIN_PHONE_DIGITS},}}(?:{_EXTENSION})?"
_PHONE = re.compile(PHONE_PATTERN)


def is_phone(text: str) -> bool:
    """Whether `text`, leading and trailing whitespace aside, is written as a phone number."""
    return _PHONE.fullmatch(text.strip()) is not None


def phone_problem(text: str) -> str | None:
    """PHONE_MESSAGE when `text` is neither blank nor a phone number, else None."""
    if not text.strip() or is_phone(text):
        return None
    return PHONE_MESSAGE
