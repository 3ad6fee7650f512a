"""What the rest of hepbuilder calls: an exercise's illustration as a flowable, as SVG, and the contact sheet.

Both pens draw the one cached geometry of compose.build_illustration (or the same drawing read
back from stored paths, stored.py), so the handout, the web pages and the private link show the
same drawing.
"""

import io
from dataclasses import replace

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


def illustration_art(exercise: LibraryExercise, side: str) -> Illustration | None:
    """What the pens draw for the exercise on `side` (None when it has no drawn pose)."""
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
        illustration_art(exercise, side),
        width_pt,
        height_pt,
        accent_hex,
        _position_word(exercise),
        font_name,
    )


def illustration_svg(
    exercise: LibraryExercise,
    side: str = "none",
    accent_hex: str = "#1f6f8b",
    width_px: int | None = None,
) -> str:
    """A standalone `<svg role="img">` with a `<title>` naming the exercise (escaped), same geometry as the PDF."""
    return svg_document(
        illustration_art(exercise, side),
        exercise.name,
        palette(accent_hex),
        _position_word(exercise),
        width_px,
    )


def _frames_apart(art: Illustration) -> list[Illustration]:
    """Each frame of `art` as a one-frame illustration in one common box (the widest frame's
    width, the tallest one's height), the figure centred in it and standing on its floor line,
    as the frames of one picture stand side by side."""
    width = max(f.bbox[2] - f.bbox[0] for f in art.frames)
    height = max(f.bbox[3] - f.bbox[1] for f in art.frames)
    apart = []
    for index, frame in enumerate(art.frames):
        x0, y0, x1, _ = frame.bbox
        left = (x0 + x1 - width) / 2.0
        boxed = replace(frame, bbox=(left, y0, left + width, y0 + height))
        stored = None if art.svg_paths is None else (art.svg_paths[index],)
        apart.append(Illustration(frames=(boxed,), side=art.side, svg_paths=stored))
    return apart


def illustration_frame_svgs(
    exercise: LibraryExercise, side: str = "none", accent_hex: str = "#1f6f8b"
) -> list[str]:
    """One standalone `<svg role="img">` per frame of the exercise's picture, for a page that
    lays the frames out itself (the private link: two to a row on a phone).

    Same geometry and paths as `illustration_svg`. Every frame gets the same viewBox, so at one
    width on the page each figure is drawn at the same scale, centred and on one floor line. No
    label is drawn inside (the page sets it as text); each SVG's `<title>` is its frame's label
    (escaped), or "Picture 2 of 3" for a frame without one. An exercise with no pose
    illustration gets its one placeholder, as `illustration_svg` draws it.
    """
    art = illustration_art(exercise, side)
    fills, word = palette(accent_hex), _position_word(exercise)
    if art is None:
        return [svg_document(None, exercise.name, fills, word, None)]
    count = len(art.frames)
    return [
        svg_document(one, one.frames[0].label or f"Picture {number} of {count}", fills, word, None)
        for number, one in enumerate(_frames_apart(art), start=1)
    ]


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
                illustration_art(exercise, "none"),
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
