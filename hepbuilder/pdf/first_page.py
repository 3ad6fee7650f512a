"""The first page's parts as Blocks: brand header, title and who-and-when, notes, what changed, the
pain rule and the at-a-glance list. Each builder returns a function from a width to a BlockLayout, so
every part is measured once and drawn in one pass.
"""

import re
from collections.abc import Callable
from dataclasses import replace

from hepbuilder.domain.dose import describe_change, describe_dose
from hepbuilder.domain.pain_rule import PAIN_RULE_TITLE, pain_rule
from hepbuilder.domain.safety_words import red_flags
from hepbuilder.domain.spec import HandoutSpec
from hepbuilder.domain.text import long_date

from .ink.fonts import string_width_pt
from .ink.lines import clean, word_pieces, wrap
from .ink.qr import draw_qr
from .layout import BlockLayout, Picture, Rectangle
from .styles import INK, RULE, SOFT, HandoutStyles, TextStyle
from .wording import short_url, therapist_line

QR_TEXT_W_PT = 150.0  # the words beside the QR code in normal print, with their gap to it
QR_TEXT_GAP_PT = 10.0
LOGO_GAP_PT = 12.0  # between the logo and the clinic's name
TAG_GAP_PT = 16.0  # between the clinic's name and "Home exercise program"
TAG_RAISE_PT = 3.0
BRAND_RULE_GAP_PT, BRAND_RULE_PT, BRAND_RULE_CLEARANCE_PT = 6.0, 1.6, 14.0
COLUMN_GAP_PT = 14.0  # between the columns of patient, therapist and dates
FACT_ROW_GAP_PT = 6.0
OVERVIEW_KEEP_ROWS = 2  # the fewest rows of the at-a-glance list on either side of a page cut
URL_ROW_GAP_PT = 8.0  # above the share address when it has a row of its own under the columns
_URL_BREAKS = re.compile(r"(?<=/)(?=.)")  # a share address breaks only after a slash


def _smaller(style: TextStyle, size_pt: float) -> TextStyle:
    if size_pt == style.size_pt:
        return style
    return replace(style, size_pt=size_pt, leading_pt=round(size_pt * 1.28, 2))


def _fit_pieces(pieces: list[str], style: TextStyle, width: float, least_pt: float) -> TextStyle:
    """`style`, made smaller (never under `least_pt`) only as far as the widest piece needs to
    fit `width`."""
    size_pt = style.size_pt
    widest = max(pieces, key=lambda piece: string_width_pt(piece, style.font_name, size_pt))
    while size_pt > least_pt and string_width_pt(widest, style.font_name, size_pt) > width:
        size_pt = max(least_pt, size_pt - 0.25)
    return _smaller(style, size_pt)


def name_style(text: str, style: TextStyle, width: float, least_pt: float) -> TextStyle:
    """The style for a name in a column `width` wide: as given when every part of it (its words,
    and a double-barrelled word's halves) fits a line, else smaller, so that it breaks only at a
    space or after a hyphen ("Łukasiewicz-" / "Konstantinopoulou"), never between letters
    (not under `least_pt`: past that, ink.lines.wrap breaks it between letters, never leaving
    one or two alone)."""
    return _fit_pieces(word_pieces(text) or [""], style, width, least_pt)


def url_lines(url: str, style: TextStyle, width: float, least_pt: float):
    """The share address as (style, lines): one line when it fits `width`, else broken only
    after a "/" into as few lines as fit (what a patient types stays whole and in order); set
    smaller (not under `least_pt`) only when one part between slashes is wider than a line."""
    parts = _URL_BREAKS.split(url)
    style = _fit_pieces(parts, style, width, least_pt)
    lines: list[str] = []
    for part in parts:
        joined = lines[-1] + part if lines else part
        if lines and string_width_pt(joined, style.font_name, style.size_pt) <= width:
            lines[-1] = joined
        elif string_width_pt(part, style.font_name, style.size_pt) <= width:
            lines.append(part)
        else:  # a part too long for any line even at the least size: between characters
            lines.extend(wrap(part, style.font_name, style.size_pt, width))
    return style, lines


def brand_header(spec: HandoutSpec, s: HandoutStyles, logo) -> Callable[[float], BlockLayout]:
    """Logo (scaled to fit, never stretched) and clinic name, over a rule in the brand colour."""

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        x = 0.0
        height = s.logo_h_pt
        if logo is not None:
            image_w, image_h = logo.getSize()
            scale = min(s.logo_w_pt / image_w, s.logo_h_pt / image_h)
            draw_w, draw_h = image_w * scale, image_h * scale

            def draw_logo(canvas, left, bottom, _w=draw_w, _h=draw_h):
                canvas.drawImage(logo, left, bottom + (s.logo_h_pt - _h) / 2, _w, _h)

            layout.pictures.append(Picture(0.0, 0.0, draw_w, s.logo_h_pt, draw_logo))
            x = draw_w + LOGO_GAP_PT
        name = clean(spec.clinic.name)
        tag = "Home exercise program"
        tag_w = string_width_pt(tag, s.small.font_name, s.small.size_pt)
        if name:
            room = width - x - tag_w - TAG_GAP_PT
            lines = wrap(name, s.clinic_name.font_name, s.clinic_name.size_pt, room)
            block_h = len(lines) * s.clinic_name.leading_pt
            y = max(0.0, (height - block_h) / 2)
            for line in lines:
                layout.text(x, y + s.clinic_name.size_pt, s.clinic_name, line)
                y += s.clinic_name.leading_pt
            height = max(height, y)
        layout.text(width - tag_w, height - TAG_RAISE_PT, s.small, tag)
        layout.rule(0.0, height + BRAND_RULE_GAP_PT, width, s.brand, BRAND_RULE_PT)
        layout.height = height + BRAND_RULE_GAP_PT + BRAND_RULE_CLEARANCE_PT
        return layout

    return build


def title_and_people(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], BlockLayout]:
    """Program title, then patient, therapist and dates, with the share link's QR code on the right."""

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        title = clean(spec.title) or "Your home exercise program"
        y = layout.lines(0.0, 0.0, width, s.title, title, cuttable=False) + 6.0
        panel_top = y
        pad = s.pad_pt
        qr_block = 0.0
        if spec.share_url:
            qr_block = s.qr_pt + (QR_TEXT_W_PT if not s.large_print else 0.0)
        names = {"PATIENT", "THERAPIST"}  # set smaller rather than broken between letters
        facts = [
            ("PATIENT", clean(spec.patient_name)),
            *([("THERAPIST", therapist)] if (therapist := therapist_line(spec)) else []),
            ("ISSUED", long_date(spec.issued_on) if spec.issued_on else "—"),
            ("NEXT REVIEW", long_date(spec.review_on) if spec.review_on else "—"),
        ]
        least_pt = s.label.size_pt  # nothing in the panel smaller than its labels
        columns = 2
        inner = width - 2 * pad - (qr_block + pad if qr_block and not s.large_print else 0.0)
        column_w = (inner - (columns - 1) * COLUMN_GAP_PT) / columns
        row_y = panel_top + pad
        for start in range(0, len(facts), columns):
            bottom = row_y
            for column, (label, value) in enumerate(facts[start : start + columns]):
                x = pad + column * (column_w + COLUMN_GAP_PT)
                layout.text(x, row_y + s.label.size_pt, s.label, label)
                value_y = row_y + s.label.leading_pt
                style = s.body_bold
                if label in names:
                    style = name_style(value, style, column_w, least_pt)
                value_y = layout.lines(x, value_y, column_w, style, value, cuttable=False)
                bottom = max(bottom, value_y)
            row_y = bottom + FACT_ROW_GAP_PT
        facts_bottom = row_y - FACT_ROW_GAP_PT
        panel_bottom = facts_bottom + pad
        if spec.share_url:
            url = short_url(spec.share_url)
            if s.large_print:
                top = panel_bottom
                qr_x = pad
                text_x = qr_x + s.qr_pt + COLUMN_GAP_PT
                text_w = width - s.qr_pt - COLUMN_GAP_PT - 2 * pad
            else:
                top = panel_top + pad
                qr_x = width - pad - s.qr_pt
                text_x, text_w = qr_x - QR_TEXT_W_PT, QR_TEXT_W_PT - QR_TEXT_GAP_PT
            layout.pictures.append(
                Picture(
                    qr_x,
                    top - 2.0,
                    s.qr_pt,
                    s.qr_pt,
                    lambda canvas, x, y: draw_qr(canvas, spec.share_url, x, y, s.qr_pt, INK),
                )
            )
            text_y = top + 6.0
            text_y = layout.lines(
                text_x, text_y, text_w, s.small_bold, "Your program online", cuttable=False
            )
            text_y = layout.lines(
                text_x,
                text_y,
                text_w,
                s.small,
                "Scan the code with your phone's camera, or type the address below it.",
                cuttable=False,
            )
            url_top = max(top + s.qr_pt + 2.0, text_y + 2.0)
            style, lines = url_lines(url, s.small_bold, width - 2 * pad, least_pt)
            url_w = max(string_width_pt(line, style.font_name, style.size_pt) for line in lines)
            if s.large_print:
                url_x = pad  # under the code, which is under the columns
            elif len(lines) == 1 and url_w <= width - pad - text_x:
                url_x = qr_x + s.qr_pt - url_w  # under the code, right-aligned with it
            else:
                # too wide for the code's column: a row of its own under the panel's columns
                # (and the code), as wide as the panel, never over a patient's details
                url_top = max(url_top, facts_bottom + URL_ROW_GAP_PT)
                url_x = max(pad, qr_x + s.qr_pt - url_w)
            for line in lines:
                layout.text(url_x, url_top + style.size_pt, style, line, s.brand_ink)
                url_top += style.leading_pt
            panel_bottom = max(panel_bottom, url_top + pad)
        layout.shapes.insert(
            0, Rectangle(0.0, panel_top, width, panel_bottom - panel_top, fill=SOFT, radius_pt=4.0)
        )
        layout.height = panel_bottom + s.gap_pt
        return layout

    return build


def heading_and_text(heading: str, text: str, s: HandoutStyles) -> Callable[[float], BlockLayout]:
    """A heading in the brand's ink over free text (the therapist's notes); cut between lines if long."""

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        y = layout.lines(0.0, 0.0, width, s.heading, heading, cuttable=False) + 2.0
        y = layout.lines(0.0, y, width, s.body, clean(text))
        layout.height = y + s.gap_pt
        return layout

    return build


def changes_box(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], BlockLayout] | None:
    """What is new, what changed and what stopped since the last handout; None when nothing did.

    A changed dose says what it was and what it is now, item by item.
    """
    new = [clean(item.exercise.name) for item in spec.items if item.change == "new"]
    changed = [
        (number, item)
        for number, item in enumerate(spec.items, start=1)
        if item.change == "dose-changed"
    ]
    stopped = [clean(name) for name in spec.stopped]
    if not (new or changed or stopped):
        return None
    rows = []
    if new:
        rows.append(("New:", ", ".join(new) + "."))
    unexplained = [clean(item.exercise.name) for _, item in changed if item.was is None]
    if unexplained:
        rows.append(("New dose:", ", ".join(unexplained) + ". Check the amounts on the card."))
    for number, item in changed:
        if item.was is not None:
            rows.append(
                (
                    f"{number}. {clean(item.exercise.name)}:",
                    f"Dose changed: {describe_change(item.was, item.dose)}.",
                )
            )
    if stopped:
        rows.append(("Stopped:", ", ".join(stopped) + ". You no longer need to do these."))

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        pad = s.pad_pt
        y = layout.lines(
            pad,
            pad,
            width - 2 * pad,
            s.heading,
            "What has changed since your last handout",
            cuttable=False,
        )
        for lead, text in rows:
            y = layout.lines(pad, y + 2.0, width - 2 * pad, s.body, text, lead=(s.body_bold, lead))
        layout.height = y + pad
        return layout

    return build


def safety_box(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], BlockLayout]:
    """The pain rule: what soreness is fine, when to ease off, when to stop and call the clinic
    (domain/pain_rule.py's words, which the private-link page shows too)."""
    rows = pain_rule(clean(spec.clinic.name), clean(spec.clinic.phone))

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        pad = s.pad_pt
        bar = 4.0
        layout.shapes.append(Rectangle(0.0, 0.0, bar, 0.0, fill=s.brand))  # height set below
        x = pad + bar
        y = layout.lines(
            x,
            pad,
            width - x - pad,
            s.heading,
            PAIN_RULE_TITLE,
            cuttable=False,
        )
        for lead, text in rows:
            y = layout.lines(x, y + 3.0, width - x - pad, s.body, text, lead=(s.body_bold, lead))
        layout.height = y + pad
        layout.shapes[0].height = layout.height
        return layout

    return build


def red_flags_box(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], BlockLayout]:
    """Symptoms that need urgent care (apart from the pain rule), with the emergency number and
    the out-of-hours advice from the clinic's settings or its country's defaults; the words are
    domain/safety_words.py's, which the private-link page shows too."""
    clinic = spec.clinic
    words = red_flags(clinic.country, clinic.emergency_number, clinic.out_of_hours)

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        pad = s.pad_pt
        inner = width - 2 * pad
        y = layout.lines(pad, pad, inner, s.heading, words.title, cuttable=False, color=INK)
        y = layout.lines(
            pad, y + 2.0, inner, s.body, words.call_text, lead=(s.body_bold, clean(words.call))
        )
        y = _list(layout, y + 2.0, pad, inner, s.body, words.symptoms)
        y = layout.lines(pad, y + 3.0, inner, s.body, clean(words.closing), cuttable=False)
        layout.height = y + pad
        return layout

    return build


def _list(layout: BlockLayout, y: float, x: float, width: float, style, items) -> float:
    gutter = string_width_pt("•", style.font_name, style.size_pt) + 6.0
    for text in items:
        layout.text(x, y + style.size_pt, style, "•")
        y = layout.lines(x + gutter, y, width - gutter, style, text, cuttable=False)
    return y


def overview(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], BlockLayout]:
    """Every exercise and its dose on one list: the page to keep on the fridge."""
    count = len(spec.items)
    words = "this exercise" if count == 1 else f"these {count} exercises"
    intro = (
        f"Do {words} as shown on the cards that follow. Tick each one off in the diary at the end."
    )

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        y = layout.lines(0.0, 0.0, width, s.heading, "Your exercises at a glance", cuttable=False)
        y = layout.lines(0.0, y, width, s.small, intro, cuttable=False) + 4.0
        name_w = width * 0.42
        gutter = string_width_pt(f"{count}.", s.body_bold.font_name, s.body_bold.size_pt) + 6.0
        for number, item in enumerate(spec.items, start=1):
            layout.rule(0.0, y, width, RULE, 0.4)
            y += 3.0
            layout.text(0.0, y + s.body_bold.size_pt, s.body_bold, f"{number}.")
            name = clean(item.exercise.name)
            if item.change:
                name += "  (new)" if item.change == "new" else "  (new dose)"
            left = layout.lines(gutter, y, name_w - gutter - 8.0, s.body_bold, name, cuttable=False)
            right = layout.lines(
                name_w, y, width - name_w, s.body, describe_dose(item.dose), cuttable=False
            )
            y = max(left, right) + 2.0
            if OVERVIEW_KEEP_ROWS <= number <= count - OVERVIEW_KEEP_ROWS:
                layout.cuts.append(y)  # never a row alone at a page's foot or top
        layout.rule(0.0, y, width, RULE, 0.4)
        layout.height = y + s.gap_pt
        return layout

    return build


def exercises_heading(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], BlockLayout]:
    count = len(spec.items)
    words = "this exercise" if count == 1 else f"these {count} exercises"
    text = f"Do {words} as shown. Tick each one off in the diary at the end when you have done it."

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        y = layout.lines(0.0, 0.0, width, s.heading, "Your exercises", cuttable=False)
        y = layout.lines(0.0, y, width, s.small, text, cuttable=False)
        layout.height = y + 6.0
        return layout

    return build


# ---------------------------------------------------------------------------- exercise card
