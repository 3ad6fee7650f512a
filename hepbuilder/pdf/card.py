"""One exercise card: number and name, picture, dose in words and chips, steps, tips, cautions, note."""

import bisect
import json
from collections.abc import Callable, Hashable
from dataclasses import fields

from reportlab.lib.units import mm

from hepbuilder.domain.dose import describe_dose, dose_chips
from hepbuilder.domain.exercise import LibraryExercise, drawn_for_side
from hepbuilder.domain.spec import HandoutSpec, SpecItem
from hepbuilder.domain.steps import steps_for_dose
from hepbuilder.illustrations.cache import LRUCache, cache_size_setting
from hepbuilder.illustrations.caption import one_side_words

from .ink.fonts import registered_fonts, string_width_pt
from .ink.lines import clean, wrap
from .layout import BlockLayout, Rectangle
from .picture import (
    FRAME_GAP_PT,
    arrange_picture,
    picture_caption,
    place_picture,
)
from .styles import INK, RULE, HandoutStyles, TextStyle

CHANGE_WORDS = {"new": "NEW", "dose-changed": "DOSE CHANGED"}
CAP_MIDDLE = 0.36  # from a line's middle down to its baseline, in ems: centres capitals in a box
PILL_PAD_X_PT, PILL_PAD_Y_PT = 5.0, 3.5  # around the word in a pill ("NEW") and the number badge
PILL_LINE_PT, PILL_RADIUS_PT = 0.8, 3.0
BADGE_PAD_PT = 9.0  # the number badge's diameter beyond the card title's size
NAME_GAP_PT = 8.0  # between the badge and the name, and the name and the pill
CHIP_PAD_X_PT, CHIP_PAD_Y_PT = 6.0, 4.0  # inside a dose chip
CHIP_VALUE_GAP_PT = 4.0  # between a chip's label and its value
CHIP_GAP_PT = 5.0  # between chips, and under the row of chips
CHIP_LINE_PT = 0.6
LIST_MARK_GAP_PT = 5.0  # between a step's number (or a bullet) and its text
LIST_ITEM_GAP_EM = 0.2  # extra space under each step, in ems of its type size
LINE_GAP_PT = 3.0  # under the dose sentence, a side line, a note
TIPS_GUTTER_PT = 16.0  # between tips and "take care" side by side
PAIRED_TIPS_MAX_PT = 260.0  # taller than this, tips and "take care" stack (a page may cut them)


def _pill(layout: BlockLayout, right_x: float, y: float, text: str, s: HandoutStyles) -> float:
    """A boxed word at the right edge ("NEW"); words, not colour, carry the meaning. Returns its width."""
    style = s.label
    width = string_width_pt(text, style.font_name, style.size_pt) + 2 * PILL_PAD_X_PT
    height = style.size_pt + 2 * PILL_PAD_Y_PT
    layout.shapes.append(
        Rectangle(
            right_x - width,
            y,
            width,
            height,
            fill=s.tint,
            stroke=INK,
            line_pt=PILL_LINE_PT,
            radius_pt=PILL_RADIUS_PT,
        )
    )
    baseline = y + height / 2 + style.size_pt * CAP_MIDDLE
    layout.text(right_x - width + PILL_PAD_X_PT, baseline, style, text, INK)
    return width


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
    row_h = value.size_pt + 2 * CHIP_PAD_Y_PT
    gap = CHIP_GAP_PT
    extra = 2 * CHIP_PAD_X_PT + CHIP_VALUE_GAP_PT  # a chip's width beyond its two words
    cx, bottom = x, y + row_h
    for name, amount in chips:
        name = name.upper()
        label_w = string_width_pt(name, label.font_name, label.size_pt)
        value_w = string_width_pt(amount, value.font_name, value.size_pt)
        chip_w = label_w + value_w + extra
        lines = [amount]
        if chip_w > width:
            lines = wrap(amount, value.font_name, value.size_pt, width - label_w - extra)
            widest = max(string_width_pt(line, value.font_name, value.size_pt) for line in lines)
            chip_w = label_w + widest + extra
        if cx > x and (cx + chip_w > x + width or len(lines) > 1):
            cx, y = x, bottom + gap
        height = row_h + (len(lines) - 1) * value.leading_pt
        layout.shapes.append(
            Rectangle(
                cx,
                y,
                chip_w,
                height,
                fill=s.tint,
                stroke=RULE,
                line_pt=CHIP_LINE_PT,
                radius_pt=min(row_h / 2, height / 2),
            )
        )
        baseline = y + row_h / 2 + value.size_pt * CAP_MIDDLE
        layout.text(cx + CHIP_PAD_X_PT, baseline, label, name)
        for index, line in enumerate(lines):
            value_x = cx + CHIP_PAD_X_PT + label_w + CHIP_VALUE_GAP_PT
            layout.text(value_x, baseline + index * value.leading_pt, value, line)
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
    gutter = max(string_width_pt(mark, style.font_name, style.size_pt) for mark in marks)
    gutter += LIST_MARK_GAP_PT
    for mark, text in zip(marks, items, strict=True):
        x, width = column(y)
        layout.text(x, y + style.size_pt, style, mark)
        y = layout.lines(x + gutter, y, width - gutter, style, clean(text))
        y += style.size_pt * LIST_ITEM_GAP_EM
    return y


# A text column beside the picture is used when it is at least this wide (millimetres, normal and
# large print): the dose and "you will need" lines from FACTS, the steps too from STEPS.
FACTS_BESIDE_MIN_MM = (60.0, 70.0)
STEPS_BESIDE_MIN_MM = (70.0, 70.0)
PICTURE_GUTTER_PT = 14.0  # between the picture and the text beside it
NOTE_BAR_PT = 2.5
NOTE_INDENT_PT = 9.0


def exercise_card(
    item: SpecItem, number: int, spec: HandoutSpec, s: HandoutStyles
) -> Callable[[float], BlockLayout]:
    """One exercise: number and name, what it is for, picture and caption, the dose (one sentence
    and the chips), what you will need, the steps as printed for this dose, tips, cautions, note.

    The picture's frames sit side by side at their full size when they fit, else in rows; text
    flows beside the picture where the column left is wide enough, else below it.
    """

    def build(width: float) -> BlockLayout:
        key = card_key(item, number, spec, s, width)
        return CARD_LAYOUTS.get_or_make(key, lambda: _card_layout(item, number, spec, s, width))

    return build


CARD_CACHE_ENV = "HEPBUILDER_CARD_CACHE"
DEFAULT_CARD_CACHE = 512  # about 45 KB each: some 23 MB when full
# Laid-out cards (line breaks, positioned text, shapes, pictures), by everything that goes into
# one: a clinic prints the same exercises at the same dose over and over. A layout is never
# changed once built (Block and draw_layout only read it), so renders share it.
CARD_LAYOUTS = LRUCache(cache_size_setting(CARD_CACHE_ENV, DEFAULT_CARD_CACHE))
_EXERCISE_FIELDS = tuple(field.name for field in fields(LibraryExercise))


def exercise_key(exercise: LibraryExercise) -> tuple:
    """The exercise's whole content as a hashable value (its pose as JSON text, key order
    kept): two exercises get equal keys only when every field is equal."""
    return tuple(
        json.dumps(value, ensure_ascii=False) if name == "illustration" else value
        for name in _EXERCISE_FIELDS
        for value in (getattr(exercise, name),)
    )


def card_key(
    item: SpecItem, number: int, spec: HandoutSpec, s: HandoutStyles, width: float
) -> Hashable:
    """Everything `_card_layout` reads, as the card cache's key: the exercise's content, the
    dose, note and change mark, the number, what the note's label takes from the therapist's
    name, the brand colour (the picture's accent, and with the print size all of `s`, which
    `styles_for` makes from those two alone), the width (paper) and which fonts are registered
    (the CJK fallback measures text)."""
    return (
        exercise_key(item.exercise),
        item.dose,
        item.notes,
        item.change,
        number,
        spec.therapist_name if item.notes else "",
        spec.clinic.brand_color,
        s.large_print,
        width,
        registered_fonts(),
    )


def _card_header(
    layout: BlockLayout, item: SpecItem, number: int, s: HandoutStyles, width: float
) -> float:
    pad = s.pad_pt
    title = s.card_title
    badge = title.size_pt + BADGE_PAD_PT
    number_text = str(number)
    number_w = string_width_pt(number_text, title.font_name, title.size_pt)
    badge_w = max(badge, number_w + 2 * PILL_PAD_X_PT)  # a circle, or a pill for a wide number
    layout.shapes.append(Rectangle(pad, pad, badge_w, badge, fill=s.brand, radius_pt=badge / 2))
    layout.text(
        pad + (badge_w - number_w) / 2,
        pad + badge / 2 + title.size_pt * CAP_MIDDLE,
        title,
        number_text,
        s.on_brand,
    )
    pill = CHANGE_WORDS.get(item.change or "")
    pill_w = 0.0
    if pill:
        pill_w = string_width_pt(pill, s.label.font_name, s.label.size_pt)
        pill_w += 2 * PILL_PAD_X_PT + NAME_GAP_PT
    name_x = pad + badge_w + NAME_GAP_PT
    name_lines = wrap(
        clean(item.exercise.name), title.font_name, title.size_pt, width - pad - pill_w - name_x
    )
    name_h = len(name_lines) * title.leading_pt
    y = pad + max(0.0, (badge - name_h) / 2)
    for line in name_lines:
        layout.text(name_x, y + title.size_pt, title, line)
        y += title.leading_pt
    if pill:
        pill_h = s.label.size_pt + 2 * PILL_PAD_Y_PT
        _pill(layout, width - pad, pad + (badge - pill_h) / 2, pill, s)
    header_bottom = max(pad + badge, y) + pad * 0.7
    layout.rule(pad, header_bottom, width - 2 * pad, RULE)
    return header_bottom + pad * 0.9


def picture_room_pt(card_w_pt: float, s: HandoutStyles) -> float:
    """How wide a card `card_w_pt` wide lets its picture be: all of it inside the padding."""
    return card_w_pt - 2 * s.pad_pt


def _card_layout(
    item: SpecItem, number: int, spec: HandoutSpec, s: HandoutStyles, width: float
) -> BlockLayout:
    exercise = drawn_for_side(item.exercise, item.dose.side)
    dose = item.dose
    layout = BlockLayout(width)
    pad = s.pad_pt
    body = s.body
    size = 1 if s.large_print else 0
    top = _card_header(layout, item, number, s, width)
    full_x, full_w = pad, picture_room_pt(width, s)
    grid = arrange_picture(exercise, dose.side, full_w, s)
    # text sits beside the picture, or beside a last row of frames the frames do not fill (the
    # third of three frames in large print), so that row's free half carries the dose and steps
    beside_picture_w = grid.width if grid.rows == 1 else grid.last_row_width
    beside_x = full_x + beside_picture_w + PICTURE_GUTTER_PT
    beside_w = width - pad - beside_x
    facts_beside = beside_w >= FACTS_BESIDE_MIN_MM[size] * mm
    steps_beside = beside_w >= STEPS_BESIDE_MIN_MM[size] * mm
    # what the exercise is for comes first after the title: in normal print at the top of the
    # text beside a one-row picture (so a card needs less than half a page to start), else over
    # the picture; in large print always over it, where a card may start at a page's foot with
    # its name and what it is for (a long summary, the dose and its chips beside one large frame
    # can be more than half a page)
    text_top = top
    summary_bottom = None  # where the summary ends over the picture
    if facts_beside and grid.rows == 1 and not s.large_print:
        text_top = _summary(layout, beside_x, top, beside_w, exercise, s) + LINE_GAP_PT
    else:
        summary_bottom = _summary(layout, full_x, top, full_w, exercise, s)
        top = summary_bottom + s.pad_pt * 0.6
    # with nothing beside it, the picture is centred in the card
    picture_x = full_x if facts_beside else full_x + (full_w - grid.width) / 2
    row_bottoms = place_picture(
        layout, exercise, dose.side, picture_x, top, grid, spec.clinic.brand_color, s
    )
    picture_bottom = row_bottoms[-1]
    beside_top = top if grid.rows == 1 else row_bottoms[-2] + FRAME_GAP_PT
    words = picture_caption(exercise, dose.side)
    if words and facts_beside:
        picture_bottom = layout.lines(
            picture_x, picture_bottom, beside_picture_w, s.small, words, cuttable=False
        )
    elif words:  # centred under the centred picture
        middle = picture_x + grid.width / 2
        for line in wrap(words, s.small.font_name, s.small.size_pt, full_w):
            line_w = string_width_pt(line, s.small.font_name, s.small.size_pt)
            left = min(max(full_x, middle - line_w / 2), full_x + full_w - line_w)
            layout.text(left, picture_bottom + s.small.size_pt, s.small, line)
            picture_bottom += s.small.leading_pt

    def column(at_y: float) -> tuple[float, float]:
        if facts_beside and beside_top <= at_y < picture_bottom + 2.0:
            return beside_x, beside_w
        return full_x, full_w

    y = max(text_top, beside_top) if facts_beside else picture_bottom + pad * 0.6
    x, w = column(y)
    y = layout.lines(x, y, w, s.body_bold, describe_dose(dose), cuttable=False) + LINE_GAP_PT
    chips = dose_chips(dose)
    if chips:
        y = _chips(layout, x, y, w, chips, s) + CHIP_GAP_PT
    facts_bottom = layout.lines(
        x, y, w, body, equipment_words(exercise.equipment), lead=(s.body_bold, "You will need:")
    )
    y = facts_bottom + s.pad_pt * 0.6
    if not steps_beside:
        y = max(y, picture_bottom + pad * 0.6)
    # under the picture and the facts beside it, when what follows starts below both
    facts_cut = None
    if facts_beside and column(y)[0] == full_x:
        facts_cut = min(y, max(picture_bottom, facts_bottom) + pad * 0.3)
    steps = list(steps_for_dose(exercise.steps, dose))
    marks = [f"{n}." for n in range(1, len(steps) + 1)]
    only = one_side_words(exercise.illustration, dose.side, bool(exercise.printed_photos))
    if only:
        x, w = column(y)
        y = layout.lines(x, y, w, s.body_bold, only, cuttable=False) + LINE_GAP_PT
    y = _list(layout, y, column, body, marks, steps)
    y = max(y, picture_bottom) + 4.0
    y = _tips_and_cautions(layout, exercise, y, full_x, full_w, s, paired=True)
    if item.notes:
        therapist = clean(spec.therapist_name).split(" ")[0] if spec.therapist_name else ""
        label = f"NOTE FROM {therapist.upper()}" if therapist else "YOUR THERAPIST'S NOTE"
        note_top = y + LINE_GAP_PT
        note_x, note_w = full_x + NOTE_INDENT_PT, full_w - NOTE_INDENT_PT
        y = layout.lines(
            note_x,
            note_top + LINE_GAP_PT,
            note_w,
            s.label,
            label,
            cuttable=False,
            color=s.brand_ink,
        )
        y = layout.lines(note_x, y, note_w, body, clean(item.notes)) + LINE_GAP_PT
        layout.shapes.append(Rectangle(full_x, note_top, NOTE_BAR_PT, y - note_top, fill=s.brand))
    layout.height = max(y, picture_bottom) + pad
    cuts = [cut for cut in layout.cuts if cut > picture_bottom]
    if s.large_print or exercise.printed_photos:
        # a large-print card whose frames stack in rows (two rows of frames and a title are more
        # than half a page) may go on over the page between them, under "(continued)", rather
        # than leave the page before it half empty or its section heading alone; so may a card
        # whose rows of photos are together taller than a page
        cuts[:0] = [bottom + FRAME_GAP_PT / 2 for bottom in row_bottoms[:-1]]
    if s.large_print and not facts_beside:
        # a large-print card may go on over the page right under its picture, so that a card
        # after a long one starts on the same page rather than leave most of it empty
        cuts.insert(0, picture_bottom + pad * 0.3)
    elif s.large_print and facts_cut is not None:
        # or under its picture and the dose beside it, when the steps start below both
        bisect.insort(cuts, facts_cut)
    layout.cuts = cuts
    if s.large_print:
        # its name, "What it is for" and picture can be more than what is left of a letter
        # page: rather than leave most of that page empty, a large-print card may start at its
        # foot with its name and what it is for, and go on over the page with its picture
        layout.early_cuts = [summary_bottom + pad * 0.3]
    return layout


def _summary(layout: BlockLayout, x: float, y: float, width: float, exercise, s) -> float:
    lead = (s.body_bold, "What it is for:")
    return layout.lines(x, y, width, s.body, clean(exercise.summary), lead=lead, cuttable=False)


def equipment_words(equipment: tuple[str, ...]) -> str:
    """ "a resistance band and a mat"; "nothing" when there is none."""
    names = [clean(item).replace("-", " ") for item in equipment if item]
    if not names:
        return "nothing"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


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
        half = (width - TIPS_GUTTER_PT) / 2
        bottoms = []
        for index, (label, items, color) in enumerate(sections):
            left = x + index * (half + TIPS_GUTTER_PT)
            at = trial.lines(left, y, half, s.label, label, cuttable=False, color=color)
            bottoms.append(
                _list(
                    trial, at, lambda _y, _l=left: (_l, half), s.detail, ["•"] * len(items), items
                )
            )
        if max(bottoms) - y < PAIRED_TIPS_MAX_PT:  # short enough to keep side by side
            layout.shapes.extend(trial.shapes)
            layout.runs.extend(trial.runs)
            bottom = max(bottoms)
            layout.cuts.append(bottom)
            return bottom
    for label, items, color in sections:
        y = layout.lines(x, y, width, s.label, label, cuttable=False, color=color)
        y = _list(layout, y, lambda _y: (x, width), s.detail, ["•"] * len(items), items) + 2.0
    return y
