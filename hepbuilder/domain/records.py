"""Records as an API client sees them: RFC 3339 timestamps, empty text as null, read-only fields.

A client that reads a record, changes one field and sends the whole record back must not be
refused for sending what it was given: `check_read_only` accepts read-only fields whose value
is the current one and names each that differs. A `version` sent that is no longer the
record's is worded by `stale_version`.
"""

import datetime as dt
import json

from .errors import ValidationError

TIMESTAMP_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"


def rfc3339(moment: dt.datetime | None) -> str | None:
    """A stored (naive UTC) time as RFC 3339 in UTC to the second, e.g. "2026-12-01T08:30:00Z"."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def parse_timestamp(text: str) -> dt.datetime:
    """An RFC 3339 time with its offset as naive UTC (how the database keeps times); ValueError."""
    moment = dt.datetime.fromisoformat(text.strip().replace("z", "Z"))
    if moment.tzinfo is None:
        raise ValueError("a time needs its offset (Z for UTC)")
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def text_or_null(value: str | None) -> str | None:
    """Optional text for a client: null when empty (never set, sent as null, or sent as "")."""
    return value or None


def _same(name: str, current: object, sent: object) -> bool:
    if name.endswith("_at") and isinstance(current, str) and isinstance(sent, str):
        try:
            return parse_timestamp(current) == parse_timestamp(sent).replace(microsecond=0)
        except ValueError:
            return False
    return current == sent


def check_read_only(current: dict, sent: dict) -> None:
    """Raise ValidationError naming each field in `sent` whose value is not `current`'s.

    Times compare as instants to the second (2026-12-01T08:30:00Z equals 08:30:00.000+00:00).
    """
    errors = {
        name: f"is read-only; it is {json.dumps(current[name], ensure_ascii=False)}, so send that or leave it out"
        for name, value in sent.items()
        if not _same(name, current[name], value)
    }
    if errors:
        raise ValidationError(errors)


def stale_version(thing: str, sent: int, current: int | None) -> str:
    """What is wrong with a `version` the caller sent that is no longer `thing`'s (a program,
    an exercise): the sentence a 409 gives the field (`current` None: saved at the same
    moment, its version not known)."""
    if current is None:
        return f"is {sent}, but someone saved the {thing} at the same moment"
    return f"is {sent}, but the {thing} is at version {current} now: someone saved it since you read it"
