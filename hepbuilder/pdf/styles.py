"""Styles as data: `styles_for(brand, large_print)` gives one render's fonts, sizes, colours and spacing.

The brand colour is used with restraint (rules, number badges, headings) and is never the only
carrier of meaning: every marker also has words, so a black-and-white print loses nothing.
"""

from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm

from hepbuilder.domain.color import contrast_with_white
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
    label: TextStyle  # capitals section labels ("TIPS", "TAKE CARE")
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
    gap_pt: float  # between cards and sections
    pad_pt: float  # inside a card or box
    frame_w_pt: float  # one illustration frame (start or finish picture)
    frame_h_pt: float
    logo_w_pt: float
    logo_h_pt: float
    qr_pt: float
    diary_row_pt: float
    diary_box_pt: float


def _contrast_on_white(color: Color) -> float:
    return contrast_with_white((color.red, color.green, color.blue))


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


# Type sizes in points, (normal print, large print). Normal print: body text at least 11.5 pt and
# nothing on a card or the first page under 9 pt (the footer 8 pt); large print (RNIB clear print
# guidance): body at least 16 pt and nothing under 12 pt.
BODY_PT = (11.5, 16.0)
DETAIL_PT = (11.0, 16.0)  # tips and cautions
SMALL_PT = (9.5, 14.0)
LABEL_PT = (9.0, 12.5)
TITLE_PT = (20.0, 28.0)
HEADING_PT = (13.5, 20.0)
CARD_TITLE_PT = (14.0, 20.0)
CLINIC_NAME_PT = (15.0, 22.0)
FOOTER_PT = (8.0, 12.0)
# One illustration frame (a start or finish picture), width and height: at least about 60 mm wide
# in normal print and 1.5 times that in large print.
FRAME_MM = ((58.0, 44.0), (87.0, 66.0))
MARGIN_X_MM = (15.0, 12.0)  # large print: a little narrower, so two frames fit side by side
MARGIN_TOP_MM = 13.0
LOGO_MM = (48.0, 16.0)
QR_MM = 30.0
DIARY_ROW_MM = (10.0, 13.0)
DIARY_BOX_MM = (5.5, 7.5)
GAP_PT = (10.0, 14.0)  # between cards and sections
PAD_PT = (8.0, 9.0)  # inside a card or box


def styles_for(brand: ClinicBrand, large_print: bool) -> HandoutStyles:
    """A fresh set of styles for one handout (large print: body 16 pt, pictures 1.5 times as big)."""
    brand_color = _color(brand.brand_color or "#1f6f8b")
    on_brand = PAPER if _contrast_on_white(brand_color) >= 3.0 else INK
    size = 1 if large_print else 0

    def style(font: str, sizes, leading: float = 1.28, color: Color = INK) -> TextStyle:
        size_pt = sizes[size]
        return TextStyle(font, size_pt, round(size_pt * leading, 2), color)

    frame_w_mm, frame_h_mm = FRAME_MM[size]
    return HandoutStyles(
        body=style(REGULAR, BODY_PT),
        body_bold=style(BOLD, BODY_PT),
        detail=style(REGULAR, DETAIL_PT, leading=1.25),
        small=style(REGULAR, SMALL_PT, color=MUTED),
        small_bold=style(BOLD, SMALL_PT),
        label=style(BOLD, LABEL_PT, leading=1.4, color=MUTED),
        title=style(BOLD, TITLE_PT, leading=1.2),
        heading=style(BOLD, HEADING_PT, leading=1.3, color=readable_ink(brand_color)),
        card_title=style(BOLD, CARD_TITLE_PT, leading=1.25),
        clinic_name=style(BOLD, CLINIC_NAME_PT, leading=1.2, color=readable_ink(brand_color)),
        footer=style(REGULAR, FOOTER_PT, leading=1.3, color=MUTED),
        brand=brand_color,
        brand_ink=readable_ink(brand_color),
        on_brand=on_brand,
        tint=_mix(brand_color, PAPER, 0.08),
        large_print=large_print,
        margin_x_pt=MARGIN_X_MM[size] * mm,
        margin_top_pt=MARGIN_TOP_MM * mm,
        gap_pt=GAP_PT[size],
        pad_pt=PAD_PT[size],
        frame_w_pt=frame_w_mm * mm,
        frame_h_pt=frame_h_mm * mm,
        logo_w_pt=LOGO_MM[0] * mm,
        logo_h_pt=LOGO_MM[1] * mm,
        qr_pt=QR_MM * mm,
        diary_row_pt=DIARY_ROW_MM[size] * mm,
        diary_box_pt=DIARY_BOX_MM[size] * mm,
    )
