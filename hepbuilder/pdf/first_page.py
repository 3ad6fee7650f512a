"""The first page's parts as Blocks: brand header, title and who-and-when, notes, what changed, the
pain rule and the at-a-glance list. Each builder returns a function from a width to a BlockLayout, so
every part is measured once and drawn in one pass.
"""

import re
from collections.abc import Callable

from hepbuilder.domain.dose import describe_dose
from hepbuilder.domain.spec import HandoutSpec

from .ink.fonts import string_width_pt
from .ink.lines import clean, wrap
from .ink.qr import draw_qr
from .layout import BlockLayout, Picture, Rect
from .styles import INK, RULE, SOFT, HandoutStyles, TextStyle
from .wording import long_date, short_url, therapist_line


def wrap_url(url: str, style: TextStyle, width: float) -> list[str]:
    """A URL in lines broken after "/" or "." where possible, never inside a word if avoidable."""
    lines, current = [], ""
    for piece in re.split(r"(?<=[/.?&=-])", url):
        if current and string_width_pt(current + piece, style.font_name, style.size_pt) > width:
            lines.append(current)
            current = ""
        current += piece
    lines.append(current)
    out = []
    for line in lines:
        out.extend(wrap(line, style.font_name, style.size_pt, width))
    return out


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
            x = draw_w + 12.0
        name = clean(spec.clinic.name)
        tag = "Home exercise program"
        tag_w = string_width_pt(tag, s.small.font_name, s.small.size_pt)
        if name:
            room = width - x - tag_w - 16.0
            lines = wrap(name, s.clinic_name.font_name, s.clinic_name.size_pt, room)[:2]
            block_h = len(lines) * s.clinic_name.leading_pt
            y = max(0.0, (height - block_h) / 2)
            for line in lines:
                layout.text(x, y + s.clinic_name.size_pt, s.clinic_name, line)
                y += s.clinic_name.leading_pt
            height = max(height, y)
        layout.text(width - tag_w, height - 3.0, s.small, tag)
        layout.rule(0.0, height + 6.0, width, s.brand, 1.6)
        layout.height = height + 6.0 + 14.0
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
            qr_block = s.qr_pt + (150.0 if not s.large_print else 0.0)
        facts = [
            ("PATIENT", clean(spec.patient_name)),
            ("THERAPIST", therapist_line(spec) or "—"),
            ("ISSUED", long_date(spec.issued_on) if spec.issued_on else "—"),
            ("NEXT REVIEW", long_date(spec.review_on) if spec.review_on else "—"),
        ]
        columns = 2
        inner = width - 2 * pad - (qr_block + pad if qr_block and not s.large_print else 0.0)
        column_w = (inner - (columns - 1) * 14.0) / columns
        row_y = panel_top + pad
        for start in range(0, len(facts), columns):
            bottom = row_y
            for column, (label, value) in enumerate(facts[start : start + columns]):
                x = pad + column * (column_w + 14.0)
                layout.text(x, row_y + s.label.size_pt, s.label, label)
                value_y = row_y + s.label.leading_pt
                value_y = layout.lines(x, value_y, column_w, s.body_bold, value, cuttable=False)
                bottom = max(bottom, value_y)
            row_y = bottom + 6.0
        panel_bottom = row_y - 6.0 + pad
        if spec.share_url:
            url = short_url(spec.share_url)
            if s.large_print:
                top = panel_bottom
                qr_x = pad
                text_x, text_w = qr_x + s.qr_pt + 14.0, width - s.qr_pt - 14.0 - 2 * pad
            else:
                top = panel_top + pad
                qr_x = width - pad - s.qr_pt
                text_x, text_w = qr_x - 150.0, 150.0 - 10.0
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
                "Scan the code with your phone's camera, or type this address:",
                cuttable=False,
            )
            for line in wrap_url(url, s.small_bold, text_w):
                layout.text(
                    text_x, text_y + 2.0 + s.small_bold.size_pt, s.small_bold, line, s.brand_ink
                )
                text_y += s.small_bold.leading_pt
            panel_bottom = max(panel_bottom, top + s.qr_pt + pad - 4.0, text_y + pad)
        layout.shapes.insert(
            0, Rect(0.0, panel_top, width, panel_bottom - panel_top, fill=SOFT, radius_pt=4.0)
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
    """What is new, what changed and what stopped since the last handout; None when nothing did."""
    new = [clean(item.exercise.name) for item in spec.items if item.change == "new"]
    changed = [clean(item.exercise.name) for item in spec.items if item.change == "dose-changed"]
    stopped = [clean(name) for name in spec.stopped]
    if not (new or changed or stopped):
        return None
    rows = []
    if new:
        rows.append(("New:", ", ".join(new) + "."))
    if changed:
        rows.append(("New dose:", ", ".join(changed) + ". Check the amounts on the card."))
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
    """The pain rule: what soreness is fine, when to ease off, when to stop and call the clinic."""
    phone = clean(spec.clinic.phone)
    clinic = clean(spec.clinic.name) or "the clinic"
    call = f"Stop and call {clinic} on {phone}:" if phone else f"Stop and contact {clinic}:"
    rows = [
        (
            "Fine to carry on:",
            "a stretch, a mild ache or tired muscles (up to 3 out of 10) "
            "that settles within a day.",
        ),
        (
            "Ease off:",
            "pain above 3 out of 10 while you exercise, or soreness that is worse the next "
            "morning. Do fewer, move less far or hold for less time.",
        ),
        (
            call,
            "sharp or shooting pain, new numbness, tingling or weakness, swelling, or pain that "
            "keeps getting worse.",
        ),
    ]

    def build(width: float) -> BlockLayout:
        layout = BlockLayout(width)
        pad = s.pad_pt
        bar = 4.0
        layout.shapes.append(Rect(0.0, 0.0, bar, 0.0, fill=s.brand))  # height set below
        x = pad + bar
        y = layout.lines(
            x,
            pad,
            width - x - pad,
            s.heading,
            "Stay safe: how much discomfort is OK",
            cuttable=False,
        )
        for lead, text in rows:
            y = layout.lines(x, y + 3.0, width - x - pad, s.body, text, lead=(s.body_bold, lead))
        layout.height = y + pad
        layout.shapes[0].height = layout.height
        return layout

    return build


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
            layout.cuts.append(y)
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
