"""What every page template can use: the signed-in clinic, its brand colour, a few filters, and
the two public routes every page names (the brand colour's CSS, the icon)."""

from functools import cache
from pathlib import Path

from flask import Flask, Response, abort, current_app
from flask_login import current_user

from hepbuilder.domain.color import DEFAULT_BRAND_COLOR, is_hex_color
from hepbuilder.domain.text import long_date

from .addresses import id_url


def safe_color(value: str | None) -> str:
    """`value` if it is a #rrggbb colour, else the default (it goes into CSS, so nothing else may)."""
    return value if is_hex_color(value) else DEFAULT_BRAND_COLOR


def label(value: str) -> str:
    """A stored value as a label: "soft-tissue" -> "Soft tissue", "foam-roller" -> "Foam roller"."""
    text = (value or "").replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


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


def register_page_context(app: Flask) -> None:
    app.add_url_rule("/brand/<color>.css", "brand_css", brand_css)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.context_processor(_layout_context)
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["long_date"] = long_date
    app.jinja_env.globals["id_url"] = id_url
