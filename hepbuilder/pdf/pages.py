"""What every page carries: the footer (patient, page N of M, clinic contact) and, from page 2 on,
a running header (clinic and title). Both wrap rather than cut a name short, and the page frames
are sized from them, so nothing they print runs into the content or off the paper.
"""

from dataclasses import dataclass, replace

from reportlab.lib.units import mm

from hepbuilder.domain.spec import HandoutSpec

from .ink.fonts import BOLD, string_width_pt
from .ink.lines import clean, wrap
from .ink.pages import HeldPagesCanvas, draw_shared
from .ink.writer import TextWriter
from .styles import RULE, HandoutStyles

FOOTER_EDGE_MM = 9.0  # from the paper's bottom edge to the footer's last line
FOOTER_RULE_GAP_PT = 4.0  # between the footer's rule and its first line
FOOTER_CLEARANCE_PT = 10.0  # between the content and the footer's rule
HEADER_RULE_GAP_PT = 6.0  # between the running header's last line and its rule
HEADER_CLEARANCE_PT = 10.0  # between that rule and the content
SEPARATOR = "  ·  "
PAGE_NUMBER_GAP_PT = 20.0  # between "For <patient>" and "Page N of M"
# A page that a card (or another block) goes on from says so in its footer, before its number.
CONTINUES = "continues"  # the page mark (ink.pages.mark_page) asking for it
CONTINUED_MARK = "Continued on the next page →"
MARK_GAP_PT = 12.0  # between the mark and "Page N of M"


@dataclass(frozen=True, slots=True)
class PageFurniture:
    patient_lines: tuple[str, ...]
    contact_lines: tuple[str, ...]
    header_lines: tuple[str, ...]
    footer_h_pt: float  # from the footer's rule to its last line's baseline
    header_h_pt: float  # the running header with its rule and clearance
    page_w_pt: float
    page_h_pt: float

    @property
    def bottom_margin_pt(self) -> float:
        return FOOTER_EDGE_MM * mm + self.footer_h_pt + FOOTER_CLEARANCE_PT


def contact_parts(spec: HandoutSpec) -> list[str]:
    """The clinic's contact details, a multi-line address joined with separators."""
    clinic = spec.clinic
    address = SEPARATOR.join(line for line in clean(clinic.address).split("\n") if line)
    parts = (clinic.name, address, clinic.phone, clinic.email, clinic.website)
    return [clean(part) for part in parts if part]


def _packed(parts: list[str], style, width_pt: float) -> list[str]:
    """`parts` joined with separators into as few lines as fit, wrapping any too long alone."""
    lines: list[str] = []
    for part in parts:
        joined = f"{lines[-1]}{SEPARATOR}{part}" if lines else part
        if lines and string_width_pt(joined, style.font_name, style.size_pt) <= width_pt:
            lines[-1] = joined
        else:
            lines.extend(wrap(part, style.font_name, style.size_pt, width_pt))
    return lines


def _patient_lines(text: str, style, beside_pt: float, width_pt: float) -> list[str]:
    """`text` wrapped beside the page number on its first line, then across the whole width
    below it (where nothing else is printed), so a long name takes two lines, not seven."""
    lines = wrap(text, style.font_name, style.size_pt, beside_pt)
    first = lines[0] if lines else ""
    rest = text[len(first) :].lstrip()
    if len(lines) < 2 or not text.startswith(first) or not rest:
        return lines
    return [first, *wrap(rest, style.font_name, style.size_pt, width_pt)]


def page_furniture(
    spec: HandoutSpec, s: HandoutStyles, page_w: float, page_h: float
) -> PageFurniture:
    style = s.footer
    width = page_w - 2 * s.margin_x_pt
    page_w_pt = string_width_pt("Page 99 of 99", style.font_name, style.size_pt)
    mark_w_pt = string_width_pt(CONTINUED_MARK, BOLD, style.size_pt) + MARK_GAP_PT
    who = _patient_lines(
        f"For {clean(spec.patient_name)}",
        style,
        width - page_w_pt - mark_w_pt - PAGE_NUMBER_GAP_PT,
        width,
    )
    contact = _packed(contact_parts(spec), style, width)
    header = _packed(
        [part for part in (clean(spec.clinic.name), clean(spec.title)) if part]
        or ["Home exercise program"],
        s.small,
        width,
    )
    footer_h = FOOTER_RULE_GAP_PT + (len(who) + len(contact)) * style.leading_pt
    header_h = len(header) * s.small.leading_pt + HEADER_RULE_GAP_PT + HEADER_CLEARANCE_PT
    return PageFurniture(
        tuple(who), tuple(contact), tuple(header), footer_h, header_h, page_w, page_h
    )


def _draw_footer(canvas, page: int, total: int, s: HandoutStyles, furniture: PageFurniture):
    left, right = s.margin_x_pt, furniture.page_w_pt - s.margin_x_pt
    style = s.footer
    top = FOOTER_EDGE_MM * mm + furniture.footer_h_pt
    baseline = top - FOOTER_RULE_GAP_PT - style.size_pt
    page_text = f"Page {page} of {total}"
    page_w = string_width_pt(page_text, style.font_name, style.size_pt)
    text = TextWriter(canvas)
    text.text(right - page_w, baseline, style, page_text)
    if CONTINUES in canvas.page_marks:
        mark = replace(style, font_name=BOLD)
        mark_w = string_width_pt(CONTINUED_MARK, BOLD, style.size_pt)
        text.text(right - page_w - MARK_GAP_PT - mark_w, baseline, mark, CONTINUED_MARK)
    text.flush()

    def draw():  # the same on every page: written once, then listed in each page's contents
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(left, top, right, top)
        canvas.restoreState()
        lines = TextWriter(canvas)
        y = baseline
        for line in furniture.patient_lines + furniture.contact_lines:
            lines.text(left, y, style, line)
            y -= style.leading_pt
        lines.flush()

    draw_shared(canvas, "footer", draw)  # last on the page, so no stream of its own follows


def canvas_maker(s: HandoutStyles, furniture: PageFurniture):
    """The handout's canvas class: pages held back, then each given its footer."""

    class HandoutCanvas(HeldPagesCanvas):
        def draw_furniture(self, number: int, total: int) -> None:
            _draw_footer(self, number, total, s, furniture)

    return HandoutCanvas


def running_header(s: HandoutStyles, furniture: PageFurniture):
    """The onPage function drawing the clinic and title at the top of every later page."""
    style = s.small
    left, right = s.margin_x_pt, furniture.page_w_pt - s.margin_x_pt

    def draw(canvas, doc):
        def header():  # the same on every page: written once, then listed in its contents
            baseline = furniture.page_h_pt - s.margin_top_pt - style.size_pt
            writer = TextWriter(canvas)
            for line in furniture.header_lines:
                writer.text(left, baseline, style, line)
                baseline -= style.leading_pt
            writer.flush()
            rule_y = baseline + style.leading_pt - HEADER_RULE_GAP_PT
            canvas.saveState()
            canvas.setStrokeColor(s.brand)
            canvas.setLineWidth(1.0)
            canvas.line(left, rule_y, right, rule_y)
            canvas.restoreState()

        draw_shared(canvas, "header", header)

    return draw
