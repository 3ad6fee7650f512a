"""The handout's parts as Blocks: brand header, title and who-and-when, notes, what changed, the
pain rule, one card per exercise, and the diary. Each builder returns a function from a width to
a Layout, so every part is measured once and drawn in one pass.
"""

import datetime as dt
import re
from collections.abc import Callable

from hepbuilder.domain.dose import describe_dose, dose_chips
from hepbuilder.domain.spec import HandoutSpec, SpecItem
from hepbuilder.illustrations import illustration_flowable

from .flowables import Drawing, Layout, Shape
from .fonts import REGULAR, string_width_pt
from .qr import draw_qr
from .styles import INK, RULE, SOFT, HandoutStyles, TextStyle
from .text import clean, wrap

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHANGE_WORDS = {"new": "NEW", "dose-changed": "DOSE CHANGED"}


def long_date(day: dt.date) -> str:
    """ "25 November 2026": unambiguous on either side of the Atlantic, independent of locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_url(url: str) -> str:
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return url[len(scheme) :].rstrip("/")
    return url


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


def therapist_line(spec: HandoutSpec) -> str:
    name = clean(spec.therapist_name)
    credentials = clean(spec.therapist_credentials)
    return f"{name}, {credentials}" if name and credentials else name or credentials


def _pill(layout: Layout, right_x: float, y: float, text: str, s: HandoutStyles) -> float:
    """A boxed word at the right edge ("NEW"); words, not colour, carry the meaning. Returns its width."""
    style = s.label
    width = string_width_pt(text, style.font_name, style.size_pt) + 10.0
    height = style.size_pt + 7.0
    layout.shapes.append(
        Shape(
            right_x - width, y, width, height, fill=s.tint, stroke=INK, line_pt=0.8, radius_pt=3.0
        )
    )
    layout.text(right_x - width + 5.0, y + style.size_pt + 2.4, style, text, INK)
    return width


# ---------------------------------------------------------------------------- first page


def brand_header(spec: HandoutSpec, s: HandoutStyles, logo) -> Callable[[float], Layout]:
    """Logo (scaled to fit, never stretched) and clinic name, over a rule in the brand colour."""

    def build(width: float) -> Layout:
        layout = Layout(width)
        x = 0.0
        height = s.logo_h_pt
        if logo is not None:
            image_w, image_h = logo.getSize()
            scale = min(s.logo_w_pt / image_w, s.logo_h_pt / image_h)
            draw_w, draw_h = image_w * scale, image_h * scale

            def draw_logo(canvas, left, bottom, _w=draw_w, _h=draw_h):
                canvas.drawImage(logo, left, bottom + (s.logo_h_pt - _h) / 2, _w, _h)

            layout.drawings.append(Drawing(0.0, 0.0, draw_w, s.logo_h_pt, draw_logo))
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


def title_and_people(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], Layout]:
    """Program title, then patient, therapist and dates, with the share link's QR code on the right."""

    def build(width: float) -> Layout:
        layout = Layout(width)
        title = clean(spec.title) or "Your home exercise program"
        y = layout.lines(0.0, 0.0, width, s.title, title, cuttable=False) + 6.0
        panel_top = y
        pad = s.pad_pt
        qr_block = 0.0
        if spec.share_url:
            qr_block = s.qr_pt + (150.0 if not s.large_print else 0.0)
        therapist = therapist_line(spec)
        facts = [
            ("PATIENT", clean(spec.patient_name)),
            *([("THERAPIST", therapist)] if therapist else []),  # no row rather than a dash
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
            layout.drawings.append(
                Drawing(
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
            0, Shape(0.0, panel_top, width, panel_bottom - panel_top, fill=SOFT, radius_pt=4.0)
        )
        layout.height = panel_bottom + s.gap_pt
        return layout

    return build


def heading_and_text(heading: str, text: str, s: HandoutStyles) -> Callable[[float], Layout]:
    """A heading in the brand's ink over free text (the therapist's notes); cut between lines if long."""

    def build(width: float) -> Layout:
        layout = Layout(width)
        y = layout.lines(0.0, 0.0, width, s.heading, heading, cuttable=False) + 2.0
        y = layout.lines(0.0, y, width, s.body, clean(text))
        layout.height = y + s.gap_pt
        return layout

    return build


def changes_box(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], Layout] | None:
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

    def build(width: float) -> Layout:
        layout = Layout(width)
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


def safety_box(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], Layout]:
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

    def build(width: float) -> Layout:
        layout = Layout(width)
        pad = s.pad_pt
        bar = 4.0
        layout.shapes.append(Shape(0.0, 0.0, bar, 0.0, fill=s.brand))  # height set below
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


def overview(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], Layout]:
    """Every exercise and its dose on one list: the page to keep on the fridge."""
    count = len(spec.items)
    words = "this exercise" if count == 1 else f"these {count} exercises"
    intro = (
        f"Do {words} as shown on the cards that follow. Tick each one off in the diary at the end."
    )

    def build(width: float) -> Layout:
        layout = Layout(width)
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


def exercises_heading(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], Layout]:
    count = len(spec.items)
    words = "this exercise" if count == 1 else f"these {count} exercises"
    text = f"Do {words} as shown. Tick each one off in the diary at the end when you have done it."

    def build(width: float) -> Layout:
        layout = Layout(width)
        y = layout.lines(0.0, 0.0, width, s.heading, "Your exercises", cuttable=False)
        y = layout.lines(0.0, y, width, s.small, text, cuttable=False)
        layout.height = y + 6.0
        return layout

    return build


# ---------------------------------------------------------------------------- exercise card


def _illustration(item: SpecItem, width: float, height: float, accent_hex: str):
    """A draw(canvas, x, y) for the exercise's start/finish picture, sized to the box."""
    flowable = illustration_flowable(
        item.exercise, item.dose.side, width, height, accent_hex, font_name=REGULAR
    )
    flowable.wrap(width, height)
    return lambda canvas, x, y: flowable.drawOn(canvas, x, y)


def _chips(
    layout: Layout, x: float, y: float, width: float, chips: list[tuple[str, str]], s: HandoutStyles
) -> float:
    """The dose as a line of small boxed label/value pairs; wraps to more lines if needed.

    A chip too wide for the column ("HOW OFTEN twice a day, 5 days a week" beside a large-print
    picture) gets a row of its own, its value wrapped inside a taller box: never cut short.
    """
    label, value = s.label, s.small_bold
    row_h = value.size_pt + 8.0
    gap = 5.0
    cx, bottom = x, y + row_h
    for name, amount in chips:
        name = name.upper()
        label_w = string_width_pt(name, label.font_name, label.size_pt)
        value_w = string_width_pt(amount, value.font_name, value.size_pt)
        chip_w = label_w + value_w + 16.0
        lines = [amount]
        if chip_w > width:
            lines = wrap(amount, value.font_name, value.size_pt, width - label_w - 16.0)
            widest = max(string_width_pt(line, value.font_name, value.size_pt) for line in lines)
            chip_w = label_w + widest + 16.0
        if cx > x and (cx + chip_w > x + width or len(lines) > 1):
            cx, y = x, bottom + gap
        height = row_h + (len(lines) - 1) * value.leading_pt
        layout.shapes.append(
            Shape(
                cx,
                y,
                chip_w,
                height,
                fill=s.tint,
                stroke=RULE,
                line_pt=0.6,
                radius_pt=min(row_h / 2, height / 2),
            )
        )
        baseline = y + row_h / 2 + value.size_pt * 0.36
        layout.text(cx + 6.0, baseline, label, name)
        for index, line in enumerate(lines):
            layout.text(cx + 10.0 + label_w, baseline + index * value.leading_pt, value, line)
        bottom = max(bottom, y + height)
        cx += chip_w + gap
        if len(lines) > 1:
            cx = x + width  # the next chip starts a new row
    return bottom


def _list(layout: Layout, y: float, column, style: TextStyle, marks: list[str], items) -> float:
    """Hanging-indent list: each item's mark ("1.", "•") in a gutter, its lines aligned after it.

    `column(y)` gives the (x, width) for an item starting at y, so items flow around a picture.
    """
    gutter = max(string_width_pt(mark, style.font_name, style.size_pt) for mark in marks) + 5.0
    for mark, text in zip(marks, items, strict=True):
        x, width = column(y)
        layout.text(x, y + style.size_pt, style, mark)
        y = layout.lines(x + gutter, y, width - gutter, style, clean(text)) + style.size_pt * 0.2
    return y


# Large print, when a card with its picture above does not fit a page: the picture moves beside
# the dose and first steps, at the largest of these sizes (width, height in points) that fits.
LARGE_PRINT_BESIDE_PT = (
    (220.0, 160.0),
    (200.0, 145.0),
    (180.0, 130.0),
    (160.0, 115.0),
    (140.0, 100.0),
)
LARGE_PRINT_MIN_ABOVE = 0.65  # the picture above shrinks to this share of its height, no less


def exercise_card(
    item: SpecItem, number: int, spec: HandoutSpec, s: HandoutStyles, page_height_pt: float
) -> Callable[[float], Layout]:
    """One exercise: number and name, picture, dose in words and chips, steps, tips, cautions, note.

    Normal print sets the picture beside the dose and steps, with tips and cautions side by side
    below. Large print (one card a page) puts a big picture above the text when the card then
    fits a page, shrinking it a little if need be; otherwise the picture goes beside the text, as
    big as still fits. The text is never made smaller; a card too long even so continues on the
    next page.
    """

    def build(width: float) -> Layout:
        layout = _card_layout(
            item, number, spec, s, width, s.illustration_w_pt, s.illustration_h_pt
        )
        if not s.large_print or layout.height <= page_height_pt:
            return layout
        picture_h = s.illustration_h_pt - (layout.height - page_height_pt) - 1.0
        if picture_h >= s.illustration_h_pt * LARGE_PRINT_MIN_ABOVE:
            return _card_layout(item, number, spec, s, width, 0.0, picture_h)
        shortest = layout
        for paired in (False, True):  # then tips and cautions side by side, as in normal print
            for picture_w, picture_h in LARGE_PRINT_BESIDE_PT:
                layout = _card_layout(
                    item, number, spec, s, width, picture_w, picture_h, paired_tips=paired
                )
                if layout.height <= page_height_pt:
                    return layout
                shortest = min(shortest, layout, key=lambda candidate: candidate.height)
        return shortest  # too long for a page in any form: it continues on the next

    return build


def _card_header(
    layout: Layout, item: SpecItem, number: int, s: HandoutStyles, width: float
) -> float:
    pad = s.pad_pt
    title = s.card_title
    badge = title.size_pt + 9.0
    number_text = str(number)
    number_w = string_width_pt(number_text, title.font_name, title.size_pt)
    badge_w = max(badge, number_w + 10.0)  # a circle, or a pill for a wide number
    layout.shapes.append(Shape(pad, pad, badge_w, badge, fill=s.brand, radius_pt=badge / 2))
    layout.text(
        pad + (badge_w - number_w) / 2,
        pad + badge / 2 + title.size_pt * 0.36,
        title,
        number_text,
        s.on_brand,
    )
    pill = CHANGE_WORDS.get(item.change or "")
    pill_w = string_width_pt(pill, s.label.font_name, s.label.size_pt) + 18.0 if pill else 0.0
    name_x = pad + badge_w + 8.0
    name_lines = wrap(
        clean(item.exercise.name), title.font_name, title.size_pt, width - pad - pill_w - name_x
    )
    name_h = len(name_lines) * title.leading_pt
    y = pad + max(0.0, (badge - name_h) / 2)
    for line in name_lines:
        layout.text(name_x, y + title.size_pt, title, line)
        y += title.leading_pt
    if pill:
        _pill(layout, width - pad, pad + (badge - s.label.size_pt - 7.0) / 2, pill, s)
    header_bottom = max(pad + badge, y) + pad * 0.7
    layout.rule(pad, header_bottom, width - 2 * pad, RULE)
    return header_bottom + pad * 0.9


def _card_layout(
    item: SpecItem,
    number: int,
    spec: HandoutSpec,
    s: HandoutStyles,
    width: float,
    picture_w: float,
    picture_h: float,
    paired_tips: bool | None = None,
) -> Layout:
    """The card with its picture `picture_w` x `picture_h` beside the text (or, when `picture_w`
    is 0, above it at the card's full width). `paired_tips`: tips and cautions side by side
    (by default in normal print only)."""
    exercise = item.exercise
    layout = Layout(width)
    pad = s.pad_pt
    body = s.body
    top = _card_header(layout, item, number, s, width)
    full_x, full_w = pad, width - 2 * pad
    beside = picture_w > 0
    if beside:
        column_x = pad + picture_w + 14.0
    else:
        picture_w = full_w
        column_x = pad
    layout.drawings.append(
        Drawing(
            pad,
            top,
            picture_w,
            picture_h,
            _illustration(item, picture_w, picture_h, spec.clinic.brand_color),
        )
    )
    picture_bottom = top + picture_h
    y = top if beside else picture_bottom + pad

    def column(at_y: float) -> tuple[float, float]:
        if at_y < picture_bottom + 2.0:
            return column_x, width - column_x - pad
        return full_x, full_w

    x, w = column(y)
    y = layout.lines(x, y, w, s.body_bold, describe_dose(item.dose), cuttable=False) + 3.0
    chips = dose_chips(item.dose)
    if chips:
        y = _chips(layout, x, y, w, chips, s) + 7.0
    y = _list(
        layout,
        y,
        column,
        body,
        [f"{n}." for n in range(1, len(exercise.steps) + 1)],
        exercise.steps,
    )
    y = max(y, picture_bottom) + 4.0
    paired = not s.large_print if paired_tips is None else paired_tips
    y = _tips_and_cautions(layout, exercise, y, full_x, full_w, s, paired)
    if item.notes:
        therapist = clean(spec.therapist_name).split(" ")[0] if spec.therapist_name else ""
        label = f"NOTE FROM {therapist.upper()}" if therapist else "YOUR THERAPIST'S NOTE"
        note_top = y + 3.0
        y = layout.lines(
            full_x + 9.0,
            note_top + 3.0,
            full_w - 9.0,
            s.label,
            label,
            cuttable=False,
            color=s.brand_ink,
        )
        y = layout.lines(full_x + 9.0, y, full_w - 9.0, body, clean(item.notes)) + 3.0
        layout.shapes.append(Shape(full_x, note_top, 2.5, y - note_top, fill=s.brand))
    layout.height = max(y, picture_bottom) + pad
    layout.cuts = [cut for cut in layout.cuts if cut > picture_bottom]
    return layout


def _tips_and_cautions(
    layout: Layout, exercise, y: float, x: float, width: float, s: HandoutStyles, paired: bool
) -> float:
    """Tips and "take care", side by side when `paired` (stacked when only one, or when they
    are long)."""
    sections = []
    if exercise.cues:
        sections.append(("TIPS", exercise.cues, s.label.color))
    if exercise.precautions:
        sections.append(("⚠ TAKE CARE", exercise.precautions, INK))
    if not sections:
        return y
    if len(sections) == 2 and paired:
        trial = Layout(layout.width)
        half = (width - 16.0) / 2
        bottoms = []
        for index, (label, items, color) in enumerate(sections):
            left = x + index * (half + 16.0)
            at = trial.lines(left, y, half, s.label, label, cuttable=False, color=color)
            bottoms.append(
                _list(
                    trial, at, lambda _y, _l=left: (_l, half), s.detail, ["•"] * len(items), items
                )
            )
        if max(bottoms) - y < 260.0:  # short enough to keep side by side (no page cut inside)
            layout.shapes.extend(trial.shapes)
            layout.runs.extend(trial.runs)
            bottom = max(bottoms)
            layout.cuts.append(bottom)
            return bottom
    for label, items, color in sections:
        y = layout.lines(x, y, width, s.label, label, cuttable=False, color=color)
        y = _list(layout, y, lambda _y: (x, width), s.detail, ["•"] * len(items), items) + 2.0
    return y


# ---------------------------------------------------------------------------- diary


def diary_intro(spec: HandoutSpec, s: HandoutStyles) -> Callable[[float], Layout]:
    review = (
        f" Bring this sheet to your review on {long_date(spec.review_on)}."
        if spec.review_on
        else ""
    )
    text = (
        "Tick a box on each day you do an exercise. In the bottom row, write how much pain you had "
        f"that day, from 0 (none) to 10 (the worst you can imagine).{review}"
    )

    def build(width: float) -> Layout:
        layout = Layout(width)
        y = layout.lines(0.0, 0.0, width, s.title, "Exercise diary", cuttable=False) + 2.0
        y = layout.lines(0.0, y, width, s.body, text, cuttable=False)
        layout.height = y + s.gap_pt
        return layout

    return build


def diary_days(spec: HandoutSpec) -> tuple[str, list[tuple[str, str]]]:
    """The two weeks' span ("25 Nov – 8 Dec 2026") and column headings: weekday and day of month
    from the issue date on, or ("Day", and 1..14 with no weekday) when the handout has no date."""
    if spec.issued_on is None:
        return "Day", [("", str(n)) for n in range(1, 15)]
    days = [spec.issued_on + dt.timedelta(days=n) for n in range(14)]
    first, last = days[0], days[-1]
    span = f"{first.day} {MONTHS[first.month - 1][:3]} – {last.day} {MONTHS[last.month - 1][:3]} {last.year}"
    return span, [(WEEKDAYS[d.weekday()], str(d.day)) for d in days]
