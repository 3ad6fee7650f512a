"""Paged lists: `limit` and `cursor` in, `{"items": [...], "next": url | null}` out.

A cursor is a string of digits the API wrote into the previous page's `next` link: for patients
the last id seen (keyset paging, so a patient added meanwhile neither repeats nor skips one), for
exercises the offset into the library's stable name order.
"""

import datetime as dt
import re
from dataclasses import dataclass

from flask import request, url_for

from hepbuilder.domain.errors import ValidationError
from hepbuilder.domain.records import parse_timestamp

from .body_check import NUL_MESSAGE, pattern_matches
from .schemas import DATE, MAX_ID, NOT_BLANK, TIMESTAMP

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
CURSOR_PATTERN = "^[0-9]{1,9}$"
LIMIT_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
CURSOR_SCHEMA = {"type": "string", "pattern": CURSOR_PATTERN}
TEXT_MAX_CHARS = 200
ID_PATTERN = "^[0-9]{1,10}$"
UPDATED_SINCE = {
    **TIMESTAMP,
    "description": (
        "Only records changed at or after this time (RFC 3339), for incremental sync: send the "
        "largest `updated_at` of the last sync (a record of that same second comes again)."
    ),
}


def filter_schema(max_chars: int) -> dict:
    """A text filter that, when sent, must say something (an empty one would match everything)."""
    return {"type": "string", "minLength": 1, "maxLength": max_chars, "pattern": NOT_BLANK}


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    cursor: int  # 0 on the first page


def check_query_names(*names: str) -> None:
    """Refuse query parameters the operation does not know (like unknown body fields), and any
    sent more than once (only one value would be read): 422 naming them."""
    errors = {
        name[:80]: "is not a query parameter here" for name in request.args if name not in names
    }
    for name, values in request.args.lists():
        if name in names and len(values) > 1:
            errors[name] = f"is sent {len(values)} times; send it once"
    if errors:
        raise ValidationError(errors)


def page_request() -> PageRequest:
    """The request's `limit` and `cursor`, or ValidationError naming the bad one."""
    errors = {}
    limit = DEFAULT_LIMIT
    raw_limit = request.args.get("limit")
    if raw_limit is not None:
        if re.fullmatch(r"-?[0-9]{1,9}", raw_limit.strip()) and 1 <= int(raw_limit) <= MAX_LIMIT:
            limit = int(raw_limit)
        else:
            errors["limit"] = f"must be a whole number from 1 to {MAX_LIMIT}"
    cursor = 0
    raw_cursor = request.args.get("cursor")
    if raw_cursor is not None:
        if pattern_matches(CURSOR_PATTERN, raw_cursor):
            cursor = int(raw_cursor)
        else:
            errors["cursor"] = "must be the cursor from a previous page's next link"
    if errors:
        raise ValidationError(errors)
    return PageRequest(limit=limit, cursor=cursor)


def text_arg(name: str, *, max_chars: int = TEXT_MAX_CHARS) -> str:
    """A text query parameter ('' when absent), at most `max_chars` long."""
    value = request.args.get(name, "")
    if len(value) > max_chars:
        raise ValidationError({name: f"must be at most {max_chars} characters"})
    if "\x00" in value:
        raise ValidationError({name: NUL_MESSAGE})
    return value


def page_body(items: list, next_cursor: int | None, limit: int) -> dict:
    """The list response; `next` keeps the request's other query parameters."""
    next_url = None
    if next_cursor is not None:
        args = {key: value for key, value in request.args.items() if key not in ("cursor", "limit")}
        next_url = url_for(
            request.endpoint, **request.view_args, **args, limit=limit, cursor=str(next_cursor)
        )
    return {"items": items, "next": next_url}


def filter_arg(name: str, *, max_chars: int) -> str:
    """A text filter ('' when absent); sent empty or blank it is refused (422 naming it), since
    matching everything would hand a PMS that takes the first result the wrong record."""
    value = text_arg(name, max_chars=max_chars)
    if name in request.args and not value.strip():
        raise ValidationError({name: "must not be empty; leave the parameter out to list all"})
    return value.strip()


def id_arg(name: str) -> int | None:
    """A record id query parameter (None when absent)."""
    value = request.args.get(name)
    if value is None:
        return None
    if not pattern_matches(ID_PATTERN, value) or not 1 <= int(value) <= MAX_ID:
        raise ValidationError({name: f"must be a whole number from 1 to {MAX_ID}"})
    return int(value)


def date_arg(name: str) -> dt.date | None:
    """A YYYY-MM-DD query parameter (None when absent)."""
    value = request.args.get(name)
    if value is None:
        return None
    try:
        if not pattern_matches(DATE["pattern"], value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: "must be a real date written YYYY-MM-DD"}) from None


def since_arg(name: str = "updated_since") -> dt.datetime | None:
    """An RFC 3339 time query parameter as naive UTC (None when absent)."""
    value = request.args.get(name)
    if value is None:
        return None
    try:
        if not pattern_matches(TIMESTAMP["pattern"], value):
            raise ValueError(value)
        return parse_timestamp(value)
    except ValueError:
        raise ValidationError(
            {name: "must be a time written like 2026-12-01T08:30:00Z (RFC 3339)"}
        ) from None
