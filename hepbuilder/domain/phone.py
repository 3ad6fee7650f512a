"""What a phone number may look like (a patient's, a clinic's): the one rule, read by the web
forms, the patient and brand services and the API's JSON Schema.

Deliberately loose: it refuses text that is no phone number ("abc", "n/a", "see notes"), not
numbers of an unusual shape. At least MIN_PHONE_DIGITS digits, written with digits, spaces and
+ - ( ) . / only, and optionally an extension at the end: "ext 12", "ext. 12" or "x12".
A non-breaking space (what Word and many PMSs put between digit groups) counts as a space, and
is saved as a plain one (clean_phone). Stored numbers are never re-checked when read: only a
value being saved is.
"""

import re

MIN_PHONE_DIGITS = 4  # the shortest local numbers in use (Niue, Tokelau) have four
PHONE_MESSAGE = "Enter a phone number using digits, e.g. 091 555 0100."

# U+00A0 no-break space, U+2007 figure space, U+202F narrow no-break space: pasted from Word, a
# PMS or a web page, they look like the spaces between a number's groups.
NON_BREAKING_SPACES = "\u00a0\u2007\u202f"
# In the pattern they are \uXXXX escapes, which Python and ECMA-262 read alike; the API's
# schema matches the number as sent, before clean_phone, so it must take them as spaces too.
_SPACES = " " + "".join(f"\\u{ord(space):04x}" for space in NON_BREAKING_SPACES)
_SPACE = f"[{_SPACES}]"
_SEPARATORS = f"[-+{_SPACES}().\\/]"
_EXTENSION = f"(?:[eE][xX][tT]\\.?|[xX]){_SPACE}*[0-9]{{1,6}}{_SPACE}*"
# Without anchors, written so that it means the same in Python and in ECMA-262 (JSON Schema's
# `pattern`, which hepbuilder.api.schemas anchors and pads with whitespace): no \d or \s, which
# mean more in Python, and no flags. Each digit group starts with a digit, so it cannot backtrack.
PHONE_PATTERN = f"{_SEPARATORS}*(?:[0-9]{_SEPARATORS}*){{{MIN_PHONE_DIGITS},}}(?:{_EXTENSION})?"
_PHONE = re.compile(PHONE_PATTERN)
_PLAIN_SPACES = str.maketrans(dict.fromkeys(NON_BREAKING_SPACES, " "))


def clean_phone(text: str) -> str:
    """`text` as it is saved: leading and trailing whitespace gone, every non-breaking space a
    plain one."""
    return text.strip().translate(_PLAIN_SPACES)


def is_phone(text: str) -> bool:
    """Whether `text`, leading and trailing whitespace aside, is written as a phone number."""
    return _PHONE.fullmatch(clean_phone(text)) is not None


def phone_problem(text: str) -> str | None:
    """PHONE_MESSAGE when `text` is neither blank nor a phone number, else None."""
    if not text.strip() or is_phone(text):
        return None
    return PHONE_MESSAGE
