"""What the rest of hepbuilder calls: an exercise's illustration as a flowable, as SVG, and the contact sheet.

Both pens draw the one cached geometry of compose.build_illustration (or the same drawing read
back from stored paths, stored.py), so the handout, the web pages and the private link show the
same drawing.
"""

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from hepbuilder.domain.exercise import LibraryExercise

from .caption import side_to_draw
from .compose import Illustration
from .palette import FONT, FONT_BOLD, LABEL_HEX, OUTLINE_HEX, palette
from .pdf_pen import IllustrationFlowable, color, paint
from .stored import illustration_for
from .svg_pen import svg_document


def _art(exercise: LibraryExercise, side: str) -> Illustration | None:
    data = exercise.illustration
    if not data or not data.get("frames"):
        return None
    return illustration_for(data, side_to_draw(data, side))


def _position_word(exercise: LibraryExercise) -> str:
    return (exercise.position or "exercise").replace("-", " ").capitalize()


def illustration_flowable(
    exercise: LibraryExercise,
    side: str,
    width_pt: float,
    height_pt: float,
    accent_hex: str = "#1f6f8b",
    font_name: str = FONT,
) -> Flowable:
    """A Flowable exactly `width_pt` x `height_pt` drawing the exercise's frames side by side.

    `side` "left" mirrors the pose (written for the right side). An exercise with no pose
    illustration gets a light rounded placeholder with its position word; this never raises.
    Labels ("Start", "Finish") are set in `font_name`, which the caller has registered with
    reportlab (a handout passes its embedded font, so every word in it is embedded).
    """
    return IllustrationFlowable(
        _art(exercise, side), width_pt, height_pt, accent_hex, _position_word(exercise), font_name
    )


def illustration_svg(
    exercise: LibraryExercise,
    side: str = "none",
    accent_hex: str = "#1f6f8b",
    width_px: int | None = None,
) -> str:
    """A standalone `<svg role="img">` with a `<title>` naming the exercise (escaped), same geometry as the PDF."""
    return svg_document(
        _art(exercise, side), exercise.name, palette(accent_hex), _position_word(exercise), width_px
    )


WIDE_FRAMES = 3  # a picture of this many frames takes a whole row of the contact sheet


def _sheet_slots(
    exercises: list[LibraryExercise], columns: int
) -> list[tuple[int, int, LibraryExercise]]:
    """(cell index, cells wide, exercise) in reading order: a picture of WIDE_FRAMES or more
    frames takes a whole row, so its frames are as readable as the others; a one-cell picture
    that follows fills the gap a wide one left."""
    slots: list[tuple[int, int, LibraryExercise]] = []
    taken: set[int] = set()
    cell = 0
    for exercise in exercises:
        wide = len((exercise.illustration or {}).get("frames") or ()) >= WIDE_FRAMES
        span = columns if wide else 1
        while cell in taken:
            cell += 1
        at = cell
        while wide and (at % columns or any(c in taken for c in range(at, at + span))):
            at += 1  # the next whole free row; a gap left stays for the next one-cell picture
        slots.append((at, span, exercise))
        taken.update(range(at, at + span))
        while cell in taken:
            cell += 1
    return slots


def render_contact_sheet(exercises: list[LibraryExercise], accent_hex: str = "#1f6f8b") -> bytes:
    """A4 pages with every exercise's illustration in a grid, each under its name; a picture of
    three or more frames gets a whole row."""
    buffer = io.BytesIO()
    canv = Canvas(buffer, pagesize=A4, invariant=1)
    canv.setTitle("Exercise illustrations")
    page_w, page_h = A4
    margin, columns, rows = 36.0, 2, 4
    cell_w = (page_w - 2 * margin) / columns
    cell_h = (page_h - 2 * margin - 20.0) / rows
    per_page = columns * rows
    ordered = sorted(exercises, key=lambda e: e.name.lower())
    slots = _sheet_slots(ordered, columns)
    pages = max((at // per_page for at, _, _ in slots), default=0) + 1
    for page in range(pages):
        canv.setFont(FONT_BOLD, 12)
        canv.setFillColor(color(OUTLINE_HEX))
        canv.drawString(margin, page_h - margin, "Exercise illustrations")
        for at, span, exercise in slots:
            if at // per_page != page:
                continue
            col, row = at % columns, (at % per_page) // columns
            x = margin + col * cell_w
            width = cell_w * span
            top = page_h - margin - 20.0 - row * cell_h
            canv.setFont(FONT_BOLD, 9)
            canv.setFillColor(color(OUTLINE_HEX))
            canv.drawString(x + 6, top - 12, exercise.name[:60])
            canv.setFont(FONT, 7)
            canv.setFillColor(color(LABEL_HEX))
            canv.drawString(x + 6, top - 22, f"{exercise.slug} · {exercise.position}")
            canv.setStrokeColor(color("#d5dadd"))
            canv.setLineWidth(0.5)
            canv.rect(x + 2, top - cell_h + 4, width - 4, cell_h - 4, stroke=1, fill=0)
            paint(
                canv,
                _art(exercise, "none"),
                x + 6,
                top - cell_h + 8,
                width - 12,
                cell_h - 34,
                accent_hex,
                _position_word(exercise),
            )
        canv.showPage()
    canv.save()
    return buffer.getvalue()
