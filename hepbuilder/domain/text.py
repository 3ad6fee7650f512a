"""Text helpers shared by search: one folding rule, so "nunez" finds "Núñez"."""

import unicodedata

_SPECIAL = str.maketrans(
    {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"}
)


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for matching (search columns store this form)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


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
