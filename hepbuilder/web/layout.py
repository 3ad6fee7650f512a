"""What every page template can use: the signed-in clinic, its brand colour, and a few filters."""

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, request, url_for
from flask_login import current_user

from hepbuilder.domain.color import DEFAULT_BRAND_COLOR, is_hex_color
from hepbuilder.domain.text import long_date


def safe_color(value: str | None) -> str:
    """`value` if it is a #rrggbb colour, else the default (it goes into CSS, so nothing else may)."""
    return value if is_hex_color(value) else DEFAULT_BRAND_COLOR


def label(value: str) -> str:
    """A stored value as a label: "soft-tissue" -> "Soft tissue", "foam-roller" -> "Foam roller"."""
    text = (value or "").replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


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


def _layout_context() -> dict:
    clinic = current_user.clinic if current_user.is_authenticated else None
    from .exercises import detail_url, figure_url, photo_url

    return {
        "clinic": clinic,
        "brand_color": safe_color(clinic.brand_color if clinic else None),
        "detail_url": detail_url,
        "figure_url": figure_url,
        "photo_url": photo_url,
    }


def brand_css(color: str) -> Response:
    """`/brand/<rrggbb>.css`: the brand colour as a CSS variable, so no page needs inline style
    (the Content-Security-Policy allows none). Public, the same for everyone, cached for a year."""
    if not is_hex_color("#" + color):
        abort(404)
    response = Response(f":root {{ --brand: #{color.lower()}; }}\n", mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


brand_css.is_public = True


def favicon() -> Response:
    """`/favicon.ico`, which browsers ask for where a page names no icon (a PDF shown inline):
    the app's icon (static/favicon.svg, which every page names), public and cached for a day."""
    response = Response(_icon(current_app.static_folder), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@cache
def _icon(static_folder: str) -> bytes:
    """static/favicon.svg, read once per process."""
    return Path(static_folder, "favicon.svg").read_bytes()


favicon.is_public = True


def register_layout(app: Flask) -> None:
    app.add_url_rule("/brand/<color>.css", "brand_css", brand_css)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.context_processor(_layout_context)
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["long_date"] = long_date
    app.jinja_env.globals["id_url"] = id_url
