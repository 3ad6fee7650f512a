"""Illustrations layer: a posed human figure drawn to reportlab and SVG. Imports domain only (plus reportlab); never Flask or the database.

Modules, in the order data flows: model (fixed body data), pose (the pose format and its
validator), kinematics (the posed body in 3D), world (props placed under it), paths (camera and
outlines), scenery and compose (one frame as flat shapes), then the pens: palette, layout,
pdf_pen, path_data (SVG path data, as the stored drawings hold it), svg_pen; render holds what
the rest of hepbuilder calls; words names the format's joints, parts and fields in plain words
("knee_near" is the right knee) for the pose editor.
"""

from .caption import frame_labels, illustration_caption, side_to_draw
from .compose import build_illustration
from .pose import validate_illustration
from .render import (
    illustration_art,
    illustration_flowable,
    illustration_frame_svgs,
    illustration_svg,
    render_contact_sheet,
)

__all__ = [
    "build_illustration",
    "frame_labels",
    "illustration_art",
    "illustration_caption",
    "illustration_flowable",
    "illustration_frame_svgs",
    "illustration_svg",
    "render_contact_sheet",
    "side_to_draw",
    "validate_illustration",
]
