"""Illustrations layer: a posed human figure drawn to reportlab and SVG. Imports domain only (plus reportlab); never Flask or the database."""

from .geometry import build_illustration
from .pose import validate_illustration
from .render import illustration_flowable, illustration_svg, render_contact_sheet

__all__ = [
    "build_illustration",
    "illustration_flowable",
    "illustration_svg",
    "render_contact_sheet",
    "validate_illustration",
]
