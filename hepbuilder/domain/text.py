"""Text helpers: one folding rule for search ("nunez" finds "Núñez"), one way to write a date for patients."""

import datetime as dt
import unicodedata

_SPECIAL = str.maketrans(
    {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"}
)


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for matching (search columns store this form)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def fold_for_search(text: str) -> str:
    """`fold`, with hyphens read as spaces: "Step-up" and "step up" are the same words to the
    exercise search (its stored text and every query)."""
    return fold(text.replace("-", " "))


def read_text(
    data: dict,
    key: str,
    errors: dict[str, str],
    *,
    field: str | None = None,
    required: bool = False,
    max_chars: int = 2000,
) -> str:
    """`data[key]` as stripped text, "" when absent.

    Records one sentence in `errors[field or key]` (and returns "") when the value is required
    but missing or blank, is not text, or is longer than `max_chars`.
    """
    name = field or key
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = "is required"
        return ""
    if not isinstance(value, str):
        errors[name] = "must be text"
        return ""
    value = value.strip()
    if len(value) > max_chars:
        errors[name] = f"must be at most {max_chars:,} characters"
        return ""
    return value


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(value: "dt.date | str | None") -> str:
    """ "25 November 2026" from a date or an ISO date string ("" for none), whatever the locale."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
