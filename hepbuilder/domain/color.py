"""Brand colours: the one rule for a "#rrggbb" colour, and WCAG contrast against white."""

import re

DEFAULT_BRAND_COLOR = "#1f6f8b"
_HEX_COLOR = re.compile(r"#[0-9a-f]{6}")


def normalize_color(value: object) -> str | None:
    """ "#1F6F8B", "1f6f8b" or "#1f6f8b" -> "#1f6f8b"; anything else (not a str too) -> None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text and not text.startswith("#"):
        text = "#" + text
    return text if _HEX_COLOR.fullmatch(text) else None


def is_hex_color(value: object) -> bool:
    """True for a colour already written "#rrggbb" (either case), safe to put into CSS or a PDF."""
    return isinstance(value, str) and _HEX_COLOR.fullmatch(value.lower()) is not None


def hex_to_rgb(hex_color: str) -> tuple[float, float, float]:
    """ "#1f6f8b" -> (0.122, 0.435, 0.545): red, green and blue from 0 to 1."""
    return tuple(int(hex_color[index : index + 2], 16) / 255 for index in (1, 3, 5))


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (channels from 0 to 1)."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(rgb: tuple[float, float, float]) -> float:
    """The WCAG contrast ratio between white and `rgb` (1 to 21), either way round."""
    return 1.05 / (relative_luminance(rgb) + 0.05)
