"""What every page template can use: the signed-in clinic, its brand colour, and a few filters."""

import re

from flask import Flask, current_app, request
from flask_login import current_user

DEFAULT_BRAND_COLOR = "#1f6f8b"
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def safe_color(value: str | None) -> str:
    """`value` if it is a #rrggbb colour, else the default (it goes into CSS, so nothing else may)."""
    return value if value and _HEX_COLOR.match(value) else DEFAULT_BRAND_COLOR


def label(value: str) -> str:
    """A stored value as a label: "soft-tissue" -> "Soft tissue", "foam-roller" -> "Foam roller"."""
    text = (value or "").replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def requested_page() -> int:
    """The `page` query parameter as a page number from 1 (anything else means page 1)."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def has_endpoint(name: str) -> bool:
    """True when a blueprint provides `name` (e.g. "patients.index"): navigation shows only what exists."""
    return name in current_app.view_functions


def _layout_context() -> dict:
    clinic = current_user.clinic if current_user.is_authenticated else None
    from .exercises import figure_url, photo_url

    return {
        "clinic": clinic,
        "brand_color": safe_color(clinic.brand_color if clinic else None),
        "has_endpoint": has_endpoint,
        "figure_url": figure_url,
        "photo_url": photo_url,
    }


def register_layout(app: Flask) -> None:
    app.context_processor(_layout_context)
    app.jinja_env.filters["label"] = label
