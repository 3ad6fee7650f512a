"""Colour and line roles of the drawn shapes, resolved for one accent (the clinic's brand colour).

The geometry names roles ("body", "accent", "heavy", "band"); both pens look them up here, so a
clinic's colour never invalidates the cached geometry and the PDF and the SVG use one table.
"""

OUTLINE_HEX = "#2e3338"
LABEL_HEX = "#4a5056"
FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"

# Stroke role -> (width as a multiple of the drawing's line weight, colour or None for the accent).
STROKES: dict[str, tuple[float, str | None]] = {
    "line": (1.0, OUTLINE_HEX),
    "heavy": (2.0, OUTLINE_HEX),
    "thin": (0.7, "#6f767c"),
    "floor": (1.0, "#7d848a"),
    "arrow": (2.6, None),
    "band_edge": (3.8, "#6b3d10"),
    "band": (2.4, "#e38b2c"),
}


def hex_rgb(hex_color: str) -> tuple[float, float, float]:
    h = hex_color.lstrip("#")
    if len(h) != 6 or any(c not in "0123456789abcdefABCDEF" for c in h):
        h = "1f6f8b"
    return tuple(int(h[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


def _mix(rgb: tuple[float, float, float], other: tuple[float, float, float], t: float):
    return tuple(a + (b - a) * t for a, b in zip(rgb, other, strict=True))


def _to_hex(rgb) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def palette(accent_hex: str) -> dict[str, str]:
    """Fill role -> colour for one accent colour (the clinic's brand colour)."""
    accent = hex_rgb(accent_hex)
    white, black = (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)
    fills = {
        "body": "#dce2e7",
        "body_far": "#eef1f3",
        "accent": _to_hex(accent),
        "accent_far": _to_hex(_mix(accent, white, 0.4)),
        "arrow": _to_hex(_mix(accent, black, 0.15)),
        "ground": "#f1f3f4",
        "mat": _to_hex(_mix(accent, white, 0.78)),
        "mat_side": _to_hex(_mix(accent, white, 0.6)),
        "roller": "#8fa5b0",
        "roller_end": "#b9c8cf",
        "towel": "#f3ece0",
        "towel_end": "#e3d7c3",
        "ball": "#c7d0d5",
        "eye": OUTLINE_HEX,
        "hair": "#8d8379",
        "footprint": _to_hex(_mix(accent, white, 0.5)),
    }
    for role, base in (
        ("prop", "#ebe3d6"),
        ("prop_dark", "#a99d8b"),
        ("cushion", "#d9dfe3"),
        ("post", "#9a8f80"),
        ("wall", "#eeeeee"),
    ):
        rgb = hex_rgb(base)
        fills[role] = base
        fills[f"{role}_side"] = _to_hex(_mix(rgb, black, 0.1))
        fills[f"{role}_top"] = _to_hex(_mix(rgb, white, 0.45))
    return fills
