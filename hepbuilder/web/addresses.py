"""Addresses: the numbers a page reads from its query string, and many addresses built at the
cost of one."""

import re
from collections.abc import Callable

from flask import g, request, url_for

MAX_PAGE = 100_000  # a page number beyond any list; larger ones mean page 1
MAX_ID_DIGITS = 18  # ids fit a signed 64-bit integer; longer numbers name nothing


def requested_page() -> int:
    """The `page` query parameter as a page number from 1 (anything else means page 1)."""
    page = bounded_int_arg("page")
    return page if page is not None and page <= MAX_PAGE else 1


def bounded_int_arg(name: str) -> int | None:
    """A positive whole number of at most 18 digits from the query string, else None."""
    text = request.args.get(name, "")
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        return None
    return int(text) or None


# Numbers no row has (19 digits, beyond MAX_ID_DIGITS), so each appears once in an address built
# with them; every converter takes them (a slug of digits is a slug).
_MARKER = 9_081_726_354_091_827_364
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")  # what an address holds as it is, unquoted


def url_template(endpoint: str, *names: str, **values) -> Callable[..., str]:
    """`url_for(endpoint, **values, **dict(zip(names, args)))` for many `args` at the cost of one:
    the address is built once per request with a marker for each name, and each call puts its
    arguments in their places. An argument an address would quote is built by `url_for` itself."""
    templates = g.setdefault("url_templates", {})
    key = (endpoint, names, tuple(sorted(values.items())))
    if key not in templates:
        markers = {name: _MARKER + n for n, name in enumerate(names)}
        parts = [url_for(endpoint, **values, **markers)]
        for marker in map(str, markers.values()):
            head, found, tail = parts.pop().partition(marker)
            if not found or marker in tail:
                raise ValueError(f"{endpoint}: {names} are not plain parts of its address")
            parts += [head, tail]
        templates[key] = parts
    parts = templates[key]

    def build(*args) -> str:
        texts = [str(arg) for arg in args]
        if not all(_URL_SAFE.fullmatch(text) for text in texts):
            return url_for(endpoint, **values, **dict(zip(names, args, strict=True)))
        return "".join(part + text for part, text in zip(parts, [*texts, ""], strict=True))

    return build


def id_url(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """`url_for(endpoint, **values, **{key: id})` for many ids at the cost of one (a list of 200
    handouts, three links each, built 600 addresses through werkzeug's router)."""
    build = url_template(endpoint, key, **values)
    return lambda value: build(int(value))
