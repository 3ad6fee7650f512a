"""One exercise card: number and name, picture, dose in words and chips, steps, tips, cautions, note."""

from collections.abc import Callable

from hepbuilder.domain.dose import describe_dose, dose_chips
from hepbuilder.domain.spec import HandoutSpec, SpecItem
from hepbuilder.illustrations import illustration_flowable

from .ink.fonts import REGULAR, string_width_pt
from .ink.lines import clean, wrap
from .layout import BlockLayout, Picture, Rect
from .styles import INK, RULE, HandoutStyles, TextStyle

CHANGE_WORDS = {"new": "NEW", "dose-changed": "DOSE CHANGED"}


def _pill(layout: BlockLayout, right_x: float, y: float, text: str, s: HandoutStyles) -> float:
    """A boxed word at the right edge ("NEW"); words, not colour, carry the meaning. Returns its width."""
    style = s.label
    width = string_width_pt(text, style.font_name, style.size_pt) + 10.0
    height = style.size_pt + 7.0
    layout.shapes.append(
        Rect(right_x - width, y, width, height, fill=s.tint, stroke=INK, line_pt=0.8, radius_pt=3.0)
    )
    layout.text(right_x - width + 5.0, y + style.size_pt + 2.4, style, text, INK)
    return width


# ---------------------------------------------------------------------------- first page


def _illustration(item: SpecItem, width: float, height: float, accent_hex: str):
    """A draw(canvas, x, y) for the exercise's start/finish picture, sized to the box."""
    flowable = illustration_flowable(
        item.exercise, item.dose.side, width, height, accent_hex, font_name=REGULAR
    )
    flowable.wrap(width, height)
    return lambda canvas, x, y: flowable.drawOn(canvas, x, y)


def _chips(
    layout: BlockLayout,
    x: float,
    y: float,
    width: float,
    chips: list[tuple[str, str]],
    s: HandoutStyles,
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
            Rect(
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


def _list(
    layout: BlockLayout, y: float, column, style: TextStyle, marks: list[str], items
) -> float:
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
) -> Callable[[float], BlockLayout]:
    """One exercise: number and name, picture, dose in words and chips, steps, tips, cautions, note.

    Normal print sets the picture beside the dose and steps, with tips and cautions side by side
    below. Large print (one card a page) puts a big picture above the text when the card then
    fits a page, shrinking it a little if need be; otherwise the picture goes beside the text, as
    big as still fits. The text is never made smaller; a card too long even so continues on the
    next page.
    """

    def build(width: float) -> BlockLayout:
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
    layout: BlockLayout, item: SpecItem, number: int, s: HandoutStyles, width: float
) -> float:
    pad = s.pad_pt
    title = s.card_title
    badge = title.size_pt + 9.0
    number_text = str(number)
    number_w = string_width_pt(number_text, title.font_name, title.size_pt)
    badge_w = max(badge, number_w + 10.0)  # a circle, or a pill for a wide number
    layout.shapes.append(Rect(pad, pad, badge_w, badge, fill=s.brand, radius_pt=badge / 2))
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
) -> BlockLayout:
    """The card with its picture `picture_w` x `picture_h` beside the text (or, when `picture_w`
    is 0, above it at the card's full width). `paired_tips`: tips and cautions side by side
    (by default in normal print only)."""
    exercise = item.exercise
    layout = BlockLayout(width)
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
    layout.pictures.append(
        Picture(
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
        layout.shapes.append(Rect(full_x, note_top, 2.5, y - note_top, fill=s.brand))
    layout.height = max(y, picture_bottom) + pad
    layout.cuts = [cut for cut in layout.cuts if cut > picture_bottom]
    return layout


def _tips_and_cautions(
    layout: BlockLayout, exercise, y: float, x: float, width: float, s: HandoutStyles, paired: bool
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
        trial = BlockLayout(layout.width)
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
