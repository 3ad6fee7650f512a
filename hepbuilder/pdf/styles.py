"""Styles as data: `styles_for(brand, large_print)` gives one render's fonts, sizes, colours and spacing.

The brand colour is used with restraint (rules, number badges, headings) and is never the only
carrier of meaning: every marker also has words, so a black-and-white print loses nothing.
"""

from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor

from hepbuilder.domain.spec import ClinicBrand

from .ink.fonts import BOLD, REGULAR


def _color(hex_rgb: str) -> Color:
    """A colour with components rounded to 3 decimals: shorter operators in every content stream."""
    color = HexColor(hex_rgb)
    return Color(round(color.red, 3), round(color.green, 3), round(color.blue, 3))


INK = _color("#1d2329")
MUTED = _color("#56606b")
RULE = _color("#b4bcc4")
PAPER = _color("#ffffff")
SOFT = _color("#f3f5f7")


@dataclass(frozen=True, slots=True)
class TextStyle:
    font_name: str
    size_pt: float
    leading_pt: float
    color: Color


@dataclass(frozen=True, slots=True)
class HandoutStyles:
    body: TextStyle
    body_bold: TextStyle
    detail: TextStyle  # tips and cautions: a step smaller than the steps, still in full ink
    small: TextStyle
    small_bold: TextStyle
    label: TextStyle  # small capitals-style section labels ("TIPS", "TAKE CARE")
    title: TextStyle
    heading: TextStyle
    card_title: TextStyle
    clinic_name: TextStyle
    footer: TextStyle
    brand: Color  # the clinic's colour, for rules, badges and fills
    brand_ink: Color  # the clinic's colour darkened until text in it reads on white
    on_brand: Color  # text colour on a brand-coloured fill
    tint: Color  # a very light wash of the brand colour, for backgrounds
    large_print: bool
    margin_x_pt: float
    margin_top_pt: float
    margin_bottom_pt: float
    gap_pt: float  # between cards and sections
    pad_pt: float  # inside a card or box
    illustration_w_pt: float  # 0: the illustration spans the card's full width, above the text
    illustration_h_pt: float
    logo_w_pt: float
    logo_h_pt: float
    qr_pt: float
    diary_row_pt: float
    diary_box_pt: float


def _luminance(color: Color) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.red) + 0.7152 * channel(color.green) + 0.0722 * channel(color.blue)
    )


def _contrast_on_white(color: Color) -> float:
    return 1.05 / (_luminance(color) + 0.05)


def _mix(color: Color, other: Color, amount: float) -> Color:
    """`amount` of `color` over `other` (0 gives `other`)."""
    return Color(
        round(color.red * amount + other.red * (1 - amount), 3),
        round(color.green * amount + other.green * (1 - amount), 3),
        round(color.blue * amount + other.blue * (1 - amount), 3),
    )


def readable_ink(color: Color, minimum_contrast: float = 4.5) -> Color:
    """`color`, darkened just enough to read as text on white (WCAG contrast >= minimum)."""
    black = Color(0, 0, 0)
    for step in range(21):
        candidate = _mix(color, black, 1 - step * 0.05)
        if _contrast_on_white(candidate) >= minimum_contrast:
            return candidate
    return INK


def styles_for(brand: ClinicBrand, large_print: bool) -> HandoutStyles:
    """A fresh set of styles for one handout (large print: body 14 pt, bigger pictures and boxes)."""
    brand_color = _color(brand.brand_color or "#1f6f8b")
    on_brand = PAPER if _contrast_on_white(brand_color) >= 3.0 else INK
    scale = 1.4 if large_print else 1.0
    body_pt = 14.0 if large_print else 9.5

    def style(font: str, size_pt: float, leading: float = 1.28, color: Color = INK) -> TextStyle:
        return TextStyle(font, size_pt, round(size_pt * leading, 2), color)

    return HandoutStyles(
        body=style(REGULAR, body_pt),
        body_bold=style(BOLD, body_pt),
        detail=style(REGULAR, 14.0 if large_print else 8.8, leading=1.25),
        small=style(REGULAR, 12.0 if large_print else 8.5, color=MUTED),
        small_bold=style(BOLD, 12.0 if large_print else 8.5),
        label=style(BOLD, 12.0 if large_print else 7.5, leading=1.5, color=MUTED),
        title=style(BOLD, 24.0 if large_print else 18.0, leading=1.2),
        heading=style(
            BOLD, 16.0 if large_print else 11.5, leading=1.3, color=readable_ink(brand_color)
        ),
        card_title=style(BOLD, 16.0 if large_print else 12.0, leading=1.25),
        clinic_name=style(
            BOLD, 18.0 if large_print else 14.0, leading=1.2, color=readable_ink(brand_color)
        ),
        footer=style(REGULAR, 10.0 if large_print else 7.5, leading=1.3, color=MUTED),
        brand=brand_color,
        brand_ink=readable_ink(brand_color),
        on_brand=on_brand,
        tint=_mix(brand_color, PAPER, 0.08),
        large_print=large_print,
        margin_x_pt=15 * 72 / 25.4,
        margin_top_pt=13 * 72 / 25.4,
        margin_bottom_pt=(24 if large_print else 20) * 72 / 25.4,
        gap_pt=10.0 * scale,
        pad_pt=8.0 * scale,
        illustration_w_pt=0.0 if large_print else 164.0,
        illustration_h_pt=230.0 if large_print else 110.0,
        logo_w_pt=48 * 72 / 25.4,
        logo_h_pt=16 * 72 / 25.4,
        qr_pt=30 * 72 / 25.4,
        diary_row_pt=(12 if large_print else 10) * 72 / 25.4,
        diary_box_pt=(7.5 if large_print else 6.5) * 72 / 25.4,
    )
